"""Hostile uploads, generated: the files an attacker (or an unlucky export) sends to the import pages and the
photo field. The tests check that each is refused with a clear reason and writes nothing; ``make bench``
(``core.import_memory``) measures the worst peak memory of a worker reading them.

Each generator returns ``(file name, bytes)``. They are small on the wire and large once opened, which is the
point: a limit checked after reading is no limit.
"""
from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
LEDGER_HEADER = ("社区", "小区", "楼栋", "门牌号", "姓名")


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return '<row r="1">' + "".join(_cell(f"{chr(65 + i)}1", h) for i, h in enumerate(LEDGER_HEADER)) + "</row>"


def _workbook(sheet_xml: str | bytes, extra: dict[str, str | bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            book.writestr(name, data)
    return out.getvalue()


def far_cell() -> tuple[str, bytes]:
    """A header and one cell at the sheet's last corner, XFD1048576: 1.7 KB that a reader filling the empty
    area turns into 17 billion cells."""
    sheet = (f'<worksheet {_NS}><dimension ref="A1:XFD1048576"/><sheetData>{_header_row()}'
             f'<row r="1048576">{_cell("XFD1048576", "x")}</row></sheetData></worksheet>')
    return "far-cell.xlsx", _workbook(sheet)


def empty_cells_bomb(cells: int = 6_000_000) -> tuple[str, bytes]:
    """Millions of empty cells in one row: a small zip of many megabytes of XML."""
    return "empty-cells.xlsx", _workbook(f"<worksheet {_NS}><sheetData>{_header_row()}<row r=\"2\">"
                                         + "<c/>" * cells + "</row></sheetData></worksheet>")


def xml_bomb() -> tuple[str, bytes]:
    """A billion laughs: entities that expand to gigabytes if a parser resolves them."""
    entities = '<!ENTITY a0 "hahahahahahahahahaha">' + "".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10))
    sheet = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]><worksheet {_NS}><sheetData>{_header_row()}'
             f'<row r="2">{_cell("A2", "&a9;")}</row></sheetData></worksheet>')
    return "laughs.xlsx", _workbook(sheet)


def shared_strings_bomb(size: int = 100 * 1024 * 1024) -> tuple[str, bytes]:
    """A shared-strings part of 100 MB of short strings (compresses to little): a table held whole in memory."""
    unit = "<si><t>a</t></si>"
    strings = f"<sst {_NS}>" + unit * (size // len(unit)) + "</sst>"
    sheet = f'<worksheet {_NS}><sheetData>{_header_row()}</sheetData></worksheet>'
    return "shared-strings.xlsx", _workbook(sheet, {"xl/sharedStrings.xml": strings})


def long_cell(chars: int = 1_000_000) -> tuple[str, bytes]:
    """One cell of a million characters (Excel itself stops at 32,767)."""
    sheet = (f'<worksheet {_NS}><sheetData>{_header_row()}<row r="2">{_cell("A2", "某" * chars)}</row>'
             "</sheetData></worksheet>")
    return "long-cell.xlsx", _workbook(sheet)


def csv_long_line(chars: int = 20_000_000) -> tuple[str, bytes]:
    """A CSV of one header and a 20-million-character line without a line break."""
    return "long-line.csv", ("社区,小区,楼栋,门牌号,姓名\r\n" + "x" * chars).encode()


def big_json(size: int = 40 * 1024 * 1024) -> tuple[str, bytes]:
    """A JSON array far beyond what may be parsed whole."""
    record = '{"工单号":"X","诉求内容":"' + "y" * 200 + '","社区":"z"},'
    return "big.json", ("[" + record * (size // len(record)) + '{"工单号":"END","诉求内容":"y","社区":"z"}]').encode()


def not_a_workbook() -> tuple[str, bytes]:
    """A file named .xlsx that is not one."""
    return "ledger.xlsx", b"PK\x03\x04" + b"\x00" * 200


def pixel_bomb() -> tuple[str, bytes]:
    """A PNG of 20,000 × 20,000 pixels in a few hundred kilobytes: 1.2 GB once decoded."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    return "bomb.png", out.getvalue()


def script_as_photo() -> tuple[str, bytes]:
    return "photo.jpg", b"<script>alert(1)</script>" + b"\x00" * 100


WORKBOOKS = (far_cell, empty_cells_bomb, xml_bomb, shared_strings_bomb, long_cell, not_a_workbook)
TABLES = (*WORKBOOKS, csv_long_line, big_json)
PHOTOS = (pixel_bomb, script_as_photo)
