"""Files the pages hand out."""
import io
import re
import tempfile
from collections.abc import Iterable

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from .xlsx import write_xlsx

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


def xlsx_bytes(sheets: Iterable[tuple]) -> bytes:
    """Sheets as ``xlsx_stream`` takes them, written to bytes (a file small enough to hold: a report of refused
    rows, a community's ledger)."""
    out = io.BytesIO()
    write_xlsx(out, ((_ILLEGAL_TITLE.sub("", str(title))[:31], *rest) for title, *rest in sheets))
    return out.getvalue()


def xlsx_stream(sheets: Iterable[tuple], filename: str) -> FileResponse:
    """Sheets — (title, header, rows) — written row by row to a file on disk (``core.xlsx``), then streamed:
    however many rows (an export of 100,000 appeals), none are held in memory together. The file has no name on
    disk once it is open, so nothing is left behind when the download ends or breaks off."""
    out = tempfile.TemporaryFile(dir=settings.VAR_DIR)  # noqa: SIM115 -- FileResponse closes it when sent
    write_xlsx(out, ((_ILLEGAL_TITLE.sub("", str(title))[:31], *rest) for title, *rest in sheets))
    out.seek(0)
    filename = filename if filename.lower().endswith(".xlsx") else f"{filename}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


_ILLEGAL_TITLE = re.compile(r"[\[\]:*?/\\]")
