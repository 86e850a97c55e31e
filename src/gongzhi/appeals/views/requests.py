"""The community's decision on a party's 退单 or 延期, and the handler's answer to a 督办, posted from the appeal's
page."""
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.core.errors import DomainError
from gongzhi.registry.permissions import get_visible

from .. import services
from ..models import AppealRequest, Supervision
from ..permissions import appeals_visible_to


@staff_view
@require_POST
def request_decide(request, pk, decision):
    asked = get_visible(AppealRequest.objects.filter(appeal__in=appeals_visible_to(request.user).values("pk")), pk)
    try:
        services.appeal_request_decide(request=asked, actor=request.user, approve=decision == "approve",
                                       reason=request.POST.get("decision_reason", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已同意") if decision == "approve" else _("已驳回"))
    return redirect("staff:appeal_detail", pk=asked.appeal_id)


@staff_view
@require_POST
def supervision_answer(request, pk):
    record = get_visible(Supervision.objects.filter(appeal__in=appeals_visible_to(request.user).values("pk")), pk)
    try:
        services.supervision_answer(supervision=record, actor=request.user, answer=request.POST.get("answer", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("督办已回复"))
    return redirect("staff:appeal_detail", pk=record.appeal_id)
