"""Reading the spreadsheets people actually send: .xlsx (and .xls/.ods), CSV in UTF-8 or GB18030, or JSON.

A table has columns known by a header and the other names people give it; the header row is searched for
within the first rows (ledgers often start with a title line). Rows come back with their number as the user
sees it in the spreadsheet, so error reports can point at them.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from .errors import InvalidInput

log = logging.getLogger(__name__)
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()


def header_key(text) -> str:
    return str(text or "").strip().replace("*", "").replace("（必填）", "").replace("(必填)", "").replace(" ", "")


def cell_text(value) -> str:
    """Excel gives 501.0 for a room typed as a number; make it 501 again."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _grid(data: bytes, file_name: str, max_rows: int = 1_000_000) -> list[list]:
    name = (file_name or "").lower()
    if name.endswith(".json"):
        try:
            records = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InvalidInput(_("无法读取该 JSON 文件：应为对象数组"), code="unreadable_file") from None
        if isinstance(records, dict):
            records = next((v for v in records.values() if isinstance(v, list)), [])
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise InvalidInput(_("无法读取该 JSON 文件：应为对象数组"), code="unreadable_file")
        headers = list(dict.fromkeys(k for r in records for k in r))
        return [headers] + [[r.get(h) for h in headers] for r in records]
    if name.endswith((".csv", ".txt")):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return list(csv.reader(io.StringIO(data.decode(encoding))))
            except UnicodeDecodeError:
                continue
        raise InvalidInput(_("无法识别该 CSV 文件的编码：请另存为 UTF-8"), code="unreadable_file")
    check_workbook(data, max_rows=max_rows)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(
            skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as e:
        log.info("table unreadable: %s", e)
        raise InvalidInput(_("无法读取该文件：请上传 Excel 工作簿（.xlsx）"), code="unreadable_file") from None


# A workbook is a zip of XML: checked before the reader holds anything (issue 21). A 1,679-byte file with one cell at
# XFD1048576 made the reader fill 17 billion cells; a 2.4 MB one held 761 MB of XML.
MAX_COLUMNS = 200
MAX_CELLS = 5_000_000  # a 100,000-row ledger has about 2 million
MAX_UNCOMPRESSED = 160 * 1024 * 1024
MAX_ENTRIES = 2000
_ROW_REF = re.compile(rb'<row\b[^>]{0,200}?\br="([0-9]{1,8})"')
_WIDE_REF = re.compile(rb'\br="([A-Z]{2,3})[0-9]')  # a cell beyond column Z: rare, so few matches to weigh


def _column_number(letters: bytes) -> int:
    n = 0
    for byte in letters:
        n = n * 26 + (byte - 64)
    return n


def check_workbook(data: bytes, *, max_rows: int) -> None:
    """Refuse a workbook whose sheets reach beyond ``max_rows`` rows (and the header's), ``MAX_COLUMNS`` columns
    or ``MAX_CELLS`` cells, or that unpacks to more than ``MAX_UNCOMPRESSED`` bytes — read as a stream, a
    megabyte at a time, so checking holds no more than that. Not a zip (an old .xls): left to the reader."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    entries = book.infolist()
    too_big = InvalidInput(_("文件解压后太大或单元格过多，请只保留需要导入的工作表和列，或拆分后导入"),
                           code="file_too_large")
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
        raise too_big
    for entry in entries:
        if not (entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")):
            continue
        last_row = last_column = cells = read = 0
        tail = b""
        with book.open(entry) as sheet:
            while chunk := sheet.read(1 << 20):
                read += len(chunk)
                if read > MAX_UNCOMPRESSED:  # the sizes in the zip's directory are the sender's word
                    raise too_big
                text = tail + chunk
                cells += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b"<c/")
                for found in _ROW_REF.finditer(text):
                    last_row = max(last_row, int(found[1]))
                for found in _WIDE_REF.finditer(text):
                    last_column = max(last_column, _column_number(found[1]))
                tail = text[-256:]
        if last_column > MAX_COLUMNS or last_row > max_rows + HEADER_SEARCH_ROWS + 1 or cells > MAX_CELLS:
            raise too_big


def read_table(data: bytes, file_name: str, columns: tuple[Column, ...], *,
               is_header: Callable[[dict[str, int]], bool], no_header: str,
               max_rows: int) -> tuple[dict[str, int], list[tuple[int, list]]]:
    """The header's column positions by key, and the data rows as (row number, cells)."""
    by_name = {name: c for c in columns for name in (c.header, *c.aliases)}
    rows = _grid(data, file_name, max_rows=max_rows)
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for position, cell in enumerate(row):
            column = by_name.get(header_key(cell))
            if column and column.key not in found:
                found[column.key] = position
        if is_header(found):
            missing = [c.header for c in columns if c.required and c.key not in found]
            if missing:
                raise InvalidInput(_("表头缺少必填列：%(cols)s") % {"cols": "、".join(missing)}, code="missing_columns")
            # rows as the user counts them: a sheet's line numbers; a JSON array's records from 1 (no header line)
            first = 1 if (file_name or "").lower().endswith(".json") else index + 2
            data_rows = [(first + i, r) for i, r in enumerate(rows[index + 1:])]
            if len(data_rows) > max_rows:
                raise InvalidInput(_("单个文件最多%(n)d行，请拆分后导入") % {"n": max_rows}, code="too_many_rows")
            return found, data_rows
    raise InvalidInput(no_header, code="no_header")


def errors_workbook(errors: list[dict]) -> bytes:
    """An import's refused rows — {row, column, reason} — as a workbook to fix line by line."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("错误明细")))
    sheet.append([str(_("行号")), str(_("列")), str(_("原因"))])
    for error in errors:
        sheet.append([error["row"], error["column"], error["reason"]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
