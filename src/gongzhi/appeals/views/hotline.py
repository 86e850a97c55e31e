"""The 12345 centre's file import: upload, follow, read each refused row, download the template."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core import background
from gongzhi.core.background import hand_to_worker
from gongzhi.core.downloads import xlsx_response
from gongzhi.core.errors import DomainError
from gongzhi.core.htmx import render_page
from gongzhi.core.tables import errors_workbook

from .. import hotline
from ..forms import (
    HotlineUploadForm,
)
from ..models import HotlineFile, HotlineImport
from ..tasks import process_hotline_import


@staff_view
def hotline_import_view(request):
    """The centre (or a community) uploads the day's 12345 file; a worker imports it, the result page follows."""
    form = HotlineUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = hotline.hotline_import_start(actor=request.user, data=upload.read(), file_name=upload.name)
        except DomainError as e:
            raise PermissionDenied(e.message) from None
        hand_to_worker(process_hotline_import, batch.pk)  # never this process; the result page follows it
        return redirect("staff:hotline_import_detail", pk=batch.pk)
    if not scope_for(request.user, Perm.HANDLE_APPEALS):
        raise PermissionDenied(_("您无权导入热线工单"))
    return render(request, "appeals/hotline_import.html", {
        "form": form, "columns": hotline.COLUMNS,
        "history": HotlineImport.objects.filter(uploaded_by=request.user)[:20]})


def _own_batch(request, pk) -> HotlineImport:
    return get_object_or_404(HotlineImport, pk=pk, uploaded_by=request.user)


@staff_view
def hotline_import_detail(request, pk):
    batch = _own_batch(request, pk)
    page = Paginator(batch.errors, 100).get_page(request.GET.get("page"))
    can_redo = background.can_redo(batch, HotlineFile)
    return render_page(request, "appeals/hotline_import_detail.html",
                       {"batch": batch, "page_obj": page, "can_redo": can_redo}, partial="result")


@staff_view
@require_POST
def hotline_import_redo_view(request, pk):
    """Start again an import whose worker died, from the file kept."""
    batch = _own_batch(request, pk)
    try:
        hotline.hotline_import_redo(actor=request.user, batch=batch)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        hand_to_worker(process_hotline_import, batch.pk)
    return redirect("staff:hotline_import_detail", pk=batch.pk)


@staff_view
def hotline_import_errors(request, pk):
    """The refused rows as a workbook the operator can fix line by line."""
    batch = _own_batch(request, pk)
    return xlsx_response(errors_workbook(batch.errors), f"{_('错误明细')}-{batch.file_name}")


@staff_view
def hotline_template_view(request):
    return xlsx_response(hotline.hotline_template(), f"{_('12345工单模板')}.xlsx")
