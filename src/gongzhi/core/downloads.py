"""Files the pages hand out."""
import io
import re
import tempfile
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(workbook_or_bytes, filename: str) -> HttpResponse:
    """A workbook (openpyxl, or its bytes) as a download named ``filename`` (.xlsx added when missing)."""
    if isinstance(workbook_or_bytes, bytes):
        data = workbook_or_bytes
    else:
        buffer = io.BytesIO()
        workbook_or_bytes.save(buffer)
        data = buffer.getvalue()
    filename = filename if filename.lower().endswith(".xlsx") else f"{filename}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_stream(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]], filename: str) -> FileResponse:
    """Sheets — (title, header, rows) — written row by row into a workbook on disk (XlsxWriter's constant-memory
    mode), then streamed: however many rows (an export of 100,000 appeals), none are held in memory together. The
    file has no name on disk once it is open, so nothing is left behind when the download ends or breaks off.
    Texts stay texts: a resident's "=HYPERLINK(…)" is not made a formula, nor a web address a link, and control
    characters a worksheet cannot hold are dropped. Times are written as the worker reads them, without a zone."""
    import xlsxwriter

    out = tempfile.TemporaryFile(dir=settings.VAR_DIR)  # noqa: SIM115 -- FileResponse closes it when sent
    workbook = xlsxwriter.Workbook(out, {
        "constant_memory": True, "tmpdir": str(settings.VAR_DIR), "strings_to_formulas": False,
        "strings_to_urls": False, "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd hh:mm"})
    bold = workbook.add_format({"bold": True})
    for title, header, rows in sheets:
        sheet = workbook.add_worksheet(_ILLEGAL_TITLE.sub("", str(title))[:31])
        sheet.write_row(0, 0, [str(h) for h in header], bold)
        for n, row in enumerate(rows, start=1):
            sheet.write_row(n, 0, [_CONTROL.sub("", v) if isinstance(v, str) else v for v in row])
    workbook.close()
    out.seek(0)
    filename = filename if filename.lower().endswith(".xlsx") else f"{filename}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ILLEGAL_TITLE = re.compile(r"[\[\]:*?/\\]")
