"""Hotspot pages: thin over selectors and services; permissions in triage.permissions."""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.appeals import selectors as appeal_selectors
from gongzhi.core.errors import DomainError
from gongzhi.core.params import id_param
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area

from . import permissions, selectors, services
from .tasks import hotspots_refresh_task


def _area(request) -> tuple[Area | None, bool, list[Area]]:
    """The area asked for, else the viewer's first (the city for those who see it all); with the viewer's
    ``hotspot_areas``."""
    city, areas = mine = permissions.hotspot_areas(request.user)
    wanted = request.POST.get("area") or request.GET.get("area")
    if wanted:
        area = Area.objects.filter(pk=id_param(wanted)).first()
        if area is None or not permissions.may_see(request.user, area, mine):
            raise Http404  # as if it did not exist: an area outside hers is not told apart from none
        return area, city, areas
    if city:
        return None, city, areas
    if not areas:
        raise PermissionDenied
    return areas[0], city, areas


def _back(area: Area | None) -> str:
    return reverse("staff:hotspots") + (f"?area={area.pk}" if area else "")


@staff_view
def hotspot_list(request):
    area, city, areas = _area(request)
    found = selectors.hotspots_for(viewer=request.user, area=area)
    return render(request, "triage/hotspots.html", {
        **found, "area": area, "areas": areas, "city": city, "can_refresh": area is not None or city,
    })


@staff_view
@require_POST
def hotspot_refresh(request):
    """Recompute now for the area on the page (a community's month takes well under a second); the whole city is
    left to the hourly job."""
    area, _city, _areas = _area(request)
    if area is None or area.kind not in (AreaKind.COMMUNITY, AreaKind.SUBDISTRICT, AreaKind.DISTRICT):
        hotspots_refresh_task.delay()
        messages.success(request, _("已开始重新计算全市热点，稍后刷新页面"))
        return redirect(_back(area))
    run = services.hotspots_refresh(scope=area, days=settings.GONGZHI["TRIAGE"]["HOTSPOT_DAYS"])
    messages.success(request, _("已重新计算：%(appeals)d件诉求，%(groups)d个热点") % {
        "appeals": run.appeals, "groups": run.groups})
    return redirect(_back(area))


@staff_view
@require_POST
def hotspot_task(request, pk):
    hotspot = selectors.hotspot_detail(viewer=request.user, pk=pk)
    try:
        task = services.hotspot_task(hotspot=hotspot, actor=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(_back(_area(request)[0]))
    # the task is filed (待受理), not dispatched: it waits in the queue of its grid's workers, who are told
    if selectors.grid_workers(task.grid_id):
        note = _("已生成主动治理任务 %(number)s，待受理；已通知%(grid)s的网格员") % {
            "number": task.number, "grid": task.grid.name}
    else:
        note = _("已生成主动治理任务 %(number)s，待受理；请社区工作人员受理并分派") % {"number": task.number}
    messages.success(request, note)
    return redirect("staff:appeal_detail", pk=task.pk)


@staff_view
@require_POST
def reply_check(request, pk):
    """The resolve form's live check (HTMX): how the reply being typed reads, before it is sent."""
    appeal = appeal_selectors.appeal_detail(viewer=request.user, pk=pk)
    permissions.require_replier(request.user, appeal)
    text = request.POST.get("reply", "")
    check = services.reply_check(appeal=appeal, reply=text) if text.strip() else None
    return render(request, "triage/reply_check.html", {"check": check})
