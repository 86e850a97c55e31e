"""Files the pages hand out."""
import io

from django.http import HttpResponse
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
