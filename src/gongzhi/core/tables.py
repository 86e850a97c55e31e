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


def _grid(data: bytes, file_name: str) -> list[list]:
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
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(
            skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as e:
        log.info("table unreadable: %s", e)
        raise InvalidInput(_("无法读取该文件：请上传 Excel 工作簿（.xlsx）"), code="unreadable_file") from None


def read_table(data: bytes, file_name: str, columns: tuple[Column, ...], *,
               is_header: Callable[[dict[str, int]], bool], no_header: str,
               max_rows: int) -> tuple[dict[str, int], list[tuple[int, list]]]:
    """The header's column positions by key, and the data rows as (row number, cells)."""
    by_name = {name: c for c in columns for name in (c.header, *c.aliases)}
    rows = _grid(data, file_name)
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
