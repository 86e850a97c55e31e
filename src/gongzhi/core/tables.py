"""Reading the spreadsheets people actually send: .xlsx, CSV in UTF-8 or GB18030, or JSON.

A table has columns known by a header and the other names people give it; the header row is searched for
within the first rows (ledgers often start with a title line). Rows come back with their number as the user
sees it in the spreadsheet, so error reports can point at them.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from .downloads import xlsx_bytes
from .errors import InvalidInput
from .xlsx import FORMULA_START

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
    """Excel gives 501.0 for a room typed as a number; make it 501 again. A text our exports wrote with an
    apostrophe so that no spreadsheet runs it (``core.xlsx.neutral``) comes back without it."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]
    return text.strip()


MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_JSON_BYTES = 16 * 1024 * 1024  # a JSON file is parsed whole: bigger ones come as .xlsx or .csv
MAX_CSV_LINE = 1_000_000


def _too_big() -> InvalidInput:
    return InvalidInput(_("文件解压后太大或单元格过多，请只保留需要导入的工作表和列，或拆分后导入"), code="file_too_large")


def _cell_too_long(number: int) -> InvalidInput:
    return InvalidInput(_("第%(row)d行有单元格超过%(n)d个字符，请检查该行") % {"row": number, "n": MAX_CELL_CHARS},
                        code="cell_too_long")


def _unreadable_json() -> InvalidInput:
    return InvalidInput(_("无法读取该 JSON 文件：应为对象数组"), code="unreadable_file")


def _json_rows(data: bytes) -> Iterator[tuple[int, list]]:
    """A JSON array of objects (or an object holding one): the keys of all records as the header (row 0), then
    each record as a row numbered from 1."""
    if len(data) > MAX_JSON_BYTES:
        raise InvalidInput(_("JSON 文件不能超过%(mb)d MB：更大的文件请用 .xlsx 或 .csv") % {
            "mb": MAX_JSON_BYTES // 2**20}, code="file_too_large")
    try:
        records = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _unreadable_json() from None
    if isinstance(records, dict):
        records = next((v for v in records.values() if isinstance(v, list)), [])
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise _unreadable_json()
    headers = list(dict.fromkeys(k for r in records for k in r))
    if len(headers) > MAX_COLUMNS:
        raise _too_big()
    yield 0, headers
    for number, record in enumerate(records, start=1):
        cells = [record.get(h) for h in headers]
        if any(isinstance(v, str) and len(v) > MAX_CELL_CHARS for v in cells):
            raise _cell_too_long(number)
        yield number, [v if v is None or isinstance(v, str | int | float) else json.dumps(v, ensure_ascii=False)
                       for v in cells]


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without its mark) if the bytes are that, else GB18030 (what Excel saves in China), checked
    a megabyte at a time without holding the text."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start:start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InvalidInput(_("无法识别该 CSV 文件的编码：请另存为 UTF-8"), code="unreadable_file")


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    """A CSV file's records, decoded as they are read: lines of at most ``MAX_CSV_LINE`` characters."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=_encoding(data), newline="")

    def lines():
        while line := text.readline(MAX_CSV_LINE):
            if len(line) == MAX_CSV_LINE and not line.endswith(("\n", "\r")):
                raise InvalidInput(_("CSV 文件中有一行过长，请检查文件"), code="cell_too_long")
            yield line

    reader = csv.reader(lines())
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if len(row) > MAX_COLUMNS:
                raise _too_big()
            if any(len(v) > MAX_CELL_CHARS for v in row):
                raise _cell_too_long(number)
            yield number, row
    except csv.Error:
        raise _cell_too_long(number + 1) from None


_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parse(part, tag: str | None = None) -> Iterator:
    """An XML part of the workbook, element by element, with no DTD, no entities and no network: OOXML has none."""
    from lxml import etree

    head = part.peek(4096)[:4096] if hasattr(part, "peek") else b""
    if _DOCTYPE.search(head):
        raise InvalidInput(_("无法读取该文件：请上传 Excel 工作簿（.xlsx）"), code="unreadable_file")
    return etree.iterparse(part, events=("end",), tag=tag, resolve_entities=False, load_dtd=False, no_network=True,
                           huge_tree=False, remove_comments=True, remove_pis=True)


class _Workbook:
    """What a sheet's cells need from the rest of the workbook: the first sheet's part, the shared strings, which
    cell styles are dates, and the date system."""

    MAX_SHARED = 1_500_000
    MAX_SHARED_BYTES = 48 * 1024 * 1024

    def __init__(self, book: zipfile.ZipFile):
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        self.book = book
        names = set(book.namelist())
        self.sheet, self.date1904 = "xl/worksheets/sheet1.xml", False
        relations = {}
        if "xl/_rels/workbook.xml.rels" in names:
            with book.open("xl/_rels/workbook.xml.rels") as part:
                for _event, el in _parse(part):
                    if el.tag.endswith("Relationship"):
                        relations[el.get("Id")] = el.get("Target", "")
        first = None
        if "xl/workbook.xml" in names:
            with book.open("xl/workbook.xml") as part:
                for _event, el in _parse(part):
                    name = el.tag.rsplit("}", 1)[-1]
                    if name == "workbookPr":
                        self.date1904 = el.get("date1904") in ("1", "true")
                    elif name == "sheet" and first is None:
                        first = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
        target = relations.get(first, "")
        if target:
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if path in names:
                self.sheet = path
        if self.sheet not in names:
            raise InvalidInput(_("无法读取该文件：请上传 Excel 工作簿（.xlsx）"), code="unreadable_file")
        self.dates: set[int] = set()
        if "xl/styles.xml" in names:
            custom, xfs = {}, []
            with book.open("xl/styles.xml") as part:
                for _event, el in _parse(part):
                    name = el.tag.rsplit("}", 1)[-1]
                    if name == "numFmt":
                        custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
                    elif name == "xf" and el.getparent() is not None and el.getparent().tag.endswith("cellXfs"):
                        xfs.append(int(el.get("numFmtId", "0") or 0))
            for index, fmt in enumerate(xfs):
                code = custom.get(fmt, BUILTIN_FORMATS.get(fmt, ""))
                if (14 <= fmt <= 22) or (45 <= fmt <= 47) or (27 <= fmt <= 36) or (50 <= fmt <= 58) or (
                        code and is_date_format(code)):
                    self.dates.add(index)
        self.shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            info = book.getinfo("xl/sharedStrings.xml")
            if info.file_size > self.MAX_SHARED_BYTES:
                raise _too_big()
            with book.open(info) as part:
                for _event, el in _parse(part, "{*}si"):
                    self.shared.append(_rich_text(el))
                    if len(self.shared) > self.MAX_SHARED:
                        raise _too_big()
                    _drop(el)

    def rows(self, max_rows: int) -> Iterator[tuple[int, list]]:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

        epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
        columns: dict[str, int] = {}
        shared, dates = self.shared, self.dates
        number = cells_seen = 0
        with self.book.open(self.sheet) as part:
            for _event, row in _parse(part, "{*}row"):
                ns = row.tag[:-3]  # the sheet's namespace (transitional or strict), as "{…}"
                tag_c, tag_v, tag_is = ns + "c", ns + "v", ns + "is"
                reference = row.get("r")
                number = int(reference) if reference and reference.isdigit() else number + 1
                if number > max_rows:
                    raise InvalidInput(_("单个文件最多%(n)d行，请拆分后导入") % {"n": max_rows - HEADER_SEARCH_ROWS - 1},
                                       code="too_many_rows")
                values: list = []
                for cell in row:
                    if cell.tag != tag_c:
                        continue
                    reference = cell.get("r")
                    if reference:
                        letters = reference.rstrip("0123456789")
                        position = columns.get(letters)
                        if position is None:
                            position = columns[letters] = _column_number(letters.encode()) - 1
                    else:
                        position = len(values)
                    if position >= MAX_COLUMNS:
                        raise _too_big()
                    kind = cell.get("t")
                    value = None
                    if kind == "inlineStr":
                        for child in cell:
                            if child.tag == tag_is:
                                value = _rich_text(child)
                    else:
                        for child in cell:
                            if child.tag == tag_v:
                                value = child.text or ""
                                break
                        if value is not None:
                            if kind == "s":
                                value = shared[int(value)] if value.isdigit() and int(value) < len(shared) else None
                            elif kind == "b":
                                value = value == "1"
                            elif kind == "e":
                                value = None
                            elif kind in (None, "n"):
                                try:
                                    value = float(value)
                                except ValueError:
                                    value = None
                                else:
                                    style = cell.get("s")
                                    if style and int(style) in dates:
                                        with contextlib.suppress(ValueError, OverflowError):
                                            value = from_excel(value, epoch)
                    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                        raise _cell_too_long(number)
                    if position >= len(values):
                        values.extend([None] * (position + 1 - len(values)))
                    values[position] = value
                cells_seen += len(values)
                if cells_seen > MAX_CELLS:
                    raise _too_big()
                _drop(row)
                yield number, values


def _drop(element) -> None:
    """Forget an element read, and those before it: the tree never grows beyond one row."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _rich_text(element) -> str:
    """A shared or inline string: its text, or its runs' texts joined (never the phonetic guide, rPh)."""
    ns = element.tag[:-2]  # "{…}" of "{…}is" or "{…}si"
    text = ""
    for child in element:
        if child.tag == ns + "t":
            return child.text or ""
        if child.tag == ns + "r":
            text += "".join(t.text or "" for t in child if t.tag == ns + "t")
    return text


def _xlsx_rows(data: bytes, max_rows: int) -> Iterator[tuple[int, list]]:
    from lxml import etree

    check_workbook(data, max_rows=max_rows)
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        workbook = _Workbook(book)
        yield from workbook.rows(max_rows + HEADER_SEARCH_ROWS + 1)
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, ValueError, OSError, EOFError) as e:
        log.info("table unreadable: %s", e)
        raise InvalidInput(_("无法读取该文件：请上传 Excel 工作簿（.xlsx）"), code="unreadable_file") from None


def _grid(data: bytes, file_name: str, max_rows: int) -> Iterator[tuple[int, list]]:
    """The file's rows as (number as its user counts them, cells), read as they come: nothing beyond one row and
    a workbook's shared strings is held, and every limit is checked on the way."""
    name = (file_name or "").lower()
    if name.endswith(".json"):
        return _json_rows(data)
    if name.endswith((".csv", ".txt")):
        return _csv_rows(data)
    return _xlsx_rows(data, max_rows)


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
    too_big = _too_big()
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
               max_rows: int) -> tuple[dict[str, int], Iterator[tuple[int, list]]]:
    """The header's column positions by key (found within the first rows), and the data rows as (row number,
    cells), read as the caller goes: a file too big or malformed further down raises ``InvalidInput`` then, so
    the caller reads them inside the transaction that refuses the whole file."""
    by_name = {name: c for c in columns for name in (c.header, *c.aliases)}
    rows = _grid(data, file_name, max_rows)
    for number, row in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        found: dict[str, int] = {}
        for position, cell in enumerate(row):
            column = by_name.get(header_key(cell))
            if column and column.key not in found:
                found[column.key] = position
        if is_header(found):
            missing = [c.header for c in columns if c.required and c.key not in found]
            if missing:
                raise InvalidInput(_("表头缺少必填列：%(cols)s") % {"cols": "、".join(missing)}, code="missing_columns")
            return found, _data_rows(rows, max_rows)
    raise InvalidInput(no_header, code="no_header")


def _data_rows(rows: Iterator[tuple[int, list]], max_rows: int) -> Iterator[tuple[int, list]]:
    for count, row in enumerate(rows, start=1):
        if count > max_rows:
            raise InvalidInput(_("单个文件最多%(n)d行，请拆分后导入") % {"n": max_rows}, code="too_many_rows")
        yield row


def errors_workbook(errors: list[dict]) -> bytes:
    """An import's refused rows — {row, column, reason} — as a workbook to fix line by line."""
    return xlsx_bytes([(_("错误明细"), [_("行号"), _("列"), _("原因")],
                        ([e["row"], e["column"], e["reason"]] for e in errors), (8, 14, 60))])
