"""进度查询 for callers and walk-ins without an account: by number and the phone's last four digits (a page shown in
answer to the POST, never an address to share), or from the link in their SMS, which also rates the reply."""
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.errors import DomainError
from gongzhi.core.throttle import too_often

from .. import selectors, services
from ..models import Appeal, AppealEvent
from ..tracking import read_token

ATTEMPTS = 10  # lookups per address per 10 minutes: four digits are guessed in 10,000 tries, not 10
WINDOW = 600


def _progress(appeal: Appeal) -> dict:
    """What the caller may read: the group's state, reply and its public timeline — no names of staff, no notes."""
    group = appeal.parent if appeal.parent_id else appeal
    events = (AppealEvent.objects.filter(appeal_id__in={appeal.pk, group.pk}, public=True)
              .select_related("party").order_by("at", "id"))
    return {"appeal": appeal, "group": group, "timeline": events}


@require_http_methods(["GET", "POST"])
def track_lookup(request):
    context, status = {"number": "", "error": ""}, 200
    if request.method == "POST":
        number = request.POST.get("number", "").strip()[:40]
        context["number"] = number
        if too_often(request, "track", limit=ATTEMPTS, seconds=WINDOW):
            context["error"], status = _("查询次数太多，请10分钟后再试，或拨打社区电话。"), 429
        elif (appeal := selectors.tracked_appeal(number=number, last4=request.POST.get("last4", ""))) is None:
            context["error"] = _("没有找到。请核对诉求编号（如 20261124-00042）和登记时留的手机号后四位。")
        else:
            return render(request, "appeals/track.html", _progress(appeal))
    return render(request, "appeals/track_lookup.html", context, status=status)


@require_http_methods(["GET", "POST"])
def track_link(request, token):
    found = read_token(token)
    if found is None:
        raise Http404
    pk, round_ = found
    appeal = get_object_or_404(Appeal.objects.select_related("category", "area", "parent"), pk=pk)
    context = _progress(appeal)
    if request.method == "POST":
        try:
            services.appeal_rate_by_link(appeal=appeal, round_=round_, rating=request.POST.get("rating", ""),
                                         comment=request.POST.get("comment", ""))
        except DomainError as e:
            context["error"], context["rating"] = e.message, request.POST.get("rating", "")
            context["comment"] = request.POST.get("comment", "")
        else:
            appeal.refresh_from_db()
            context = {**_progress(appeal), "thanks": True}
    context["can_rate"] = services.link_rating_open(appeal, round_)
    return render(request, "appeals/track.html", context)
