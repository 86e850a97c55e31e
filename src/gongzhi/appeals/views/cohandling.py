"""协办 pages: the called body's list of whistles (and the community's of those it blew), and each step of the
co-handling — report in, say what was done, confirm with a rating or send it back — posted from the appeal's
page or the list."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.core.errors import DomainError
from gongzhi.core.htmx import render_page
from gongzhi.registry.permissions import get_visible

from .. import selectors, services
from ..choices import WhistleStatus
from ..models import Whistle
from ..permissions import appeals_visible_to

PAGE_SIZE = 50


def _steps(request, whistle) -> dict:
    post, user = request.POST, request.user
    return {
        "report-in": (lambda: services.whistle_report_in(whistle=whistle, actor=user,
                                                         handler_name=post.get("handler_name", ""),
                                                         handler_phone=post.get("handler_phone", "")),
                      _("已报到，请在协办时限内办理并反馈")),
        "feedback": (lambda: services.whistle_feedback(whistle=whistle, actor=user, text=post.get("feedback", "")),
                     _("协办情况已反馈，等待社区确认")),
        "confirm": (lambda: services.whistle_confirm(whistle=whistle, actor=user, rating=post.get("rating", ""),
                                                     comment=post.get("comment", "")),
                    _("已确认协办结果")),
        "send-back": (lambda: services.whistle_send_back(whistle=whistle, actor=user,
                                                         reason=post.get("reason", "")),
                      _("已退回协办单位重新办理")),
    }


@staff_view
@require_POST
def whistle_act(request, pk, action):
    """One step of a whistle's co-handling; who may take it is the service's rule. Back to where she came from
    (the appeal, or the 协办 list) with what happened."""
    whistle = get_visible(Whistle.objects.filter(appeal__in=appeals_visible_to(request.user).values("pk"))
                          .select_related("appeal"), pk)
    steps = _steps(request, whistle)
    if action not in steps:
        raise PermissionDenied
    call, done = steps[action]
    try:
        call()
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, done)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("staff:appeal_detail", pk=whistle.appeal_id)


@staff_view
def cohandling_list(request):
    """协办: what the department (or subdistrict) is called in on, due first; and, for the community side, the
    whistles it blew, with those waiting for its confirmation."""
    sides = selectors.cohandling_sides(request.user)
    if not sides:
        raise PermissionDenied
    side = request.GET.get("side") if request.GET.get("side") in sides else sides[0]
    status = request.GET.get("status", "open")
    try:
        whistles = selectors.cohandling(viewer=request.user, side=side, status=status)
    except DomainError:
        status = "open"
        whistles = selectors.cohandling(viewer=request.user, side=side, status=status)
    page = Paginator(whistles, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_places([w.appeal for w in page.object_list])
    return render_page(request, "appeals/cohandling.html", {
        "page_obj": page, "side": side, "sides": sides, "status": status, "now": timezone.now(),
        "statuses": [("open", _("未完成")), ("overdue", _("已超时")), *WhistleStatus.choices, ("", _("全部"))],
    }, partial="list")
