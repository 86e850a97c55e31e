"""Staff pages (the queue, desk intake, an appeal with its actions) and the resident's pages."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.scopes import Perm, scope_for
from gongzhi.accounts.services import verified_households
from gongzhi.core.decorators import domain_errors_as_http, staff_view
from gongzhi.core.errors import DomainError
from gongzhi.core.htmx import render_page
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area, Organisation
from gongzhi.registry.permissions import get_visible

from . import selectors, services
from .choices import Action, Channel, State
from .forms import (
    AcceptForm,
    CloseForm,
    DeskForm,
    PartyForm,
    PortalForm,
    RateForm,
    ReasonForm,
    ReplyForm,
    department_choices,
)
from .models import Category, Whistle
from .permissions import acts_for_community, acts_for_party, appeals_visible_to
from .services import TRANSITIONS

PAGE_SIZE = 50


def _area_choices(user):
    return (Area.objects.filter(scope_for(user, Perm.HANDLE_APPEALS).q(),
                                kind__in=[AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.COMPOUND])
            .select_related("community").order_by("community_id", "kind", "position"))


@staff_view
def appeal_queue(request):
    """The special-team board (专班): community and party staff see the same live queue, overdue in red."""
    area = None
    if request.GET.get("area", "").isdigit():
        area = Area.objects.filter(scope_for(request.user, Perm.HANDLE_APPEALS).q(), pk=request.GET["area"]).first()
    category = int(request.GET["category"]) if request.GET.get("category", "").isdigit() else None
    state = request.GET.get("state", "open")
    try:
        appeals = selectors.appeal_list(viewer=request.user, area=area, state=state, category=category,
                                        overdue=request.GET.get("overdue") == "1")
    except DomainError:
        appeals, state = selectors.appeal_list(viewer=request.user, state="open"), "open"
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "appeals/queue.html", {
        "page_obj": page, "now": timezone.now(), "state": state, "area": area, "category": category,
        "states": [("open", _("未办结"))] + list(State.choices), "areas": _area_choices(request.user),
        "categories": Category.objects.filter(parent__isnull=True, is_active=True),
        "can_file": bool(scope_for(request.user, Perm.HANDLE_APPEALS)),
    }, partial="results")


@staff_view
def appeal_new(request):
    if not scope_for(request.user, Perm.HANDLE_APPEALS):
        raise PermissionDenied
    areas = list(_area_choices(request.user))
    form = DeskForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = services.appeal_submit(
                channel=data["channel"], text=data["text"], area=Area.objects.get(pk=data["area"]),
                category=Category.objects.filter(pk=data["category"]).first() if data["category"] else None,
                actor=request.user, contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                public=data["public"])
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, _("已登记诉求 %(n)s") % {"n": appeal.number})
            return redirect("staff:appeal_detail", pk=appeal.pk)
    return render(request, "appeals/new.html", {"form": form})


def available_actions(user, appeal) -> set[str]:
    community, party = acts_for_community(user, appeal), acts_for_party(user, appeal)
    allowed = {a for a, (states, _t) in TRANSITIONS.items() if appeal.state in states}
    mine = set()
    if community:
        mine |= {Action.ACCEPT, Action.DISPATCH, Action.TRANSFER, Action.CLOSE_UNRESOLVED, Action.FOLLOW_UP,
                 Action.WHISTLE, Action.PAUSE, Action.RESUME}
        if appeal.state == State.ACCEPTED:
            mine.add(Action.RESOLVE)
    if party:
        mine |= {Action.TAKE, Action.RETURN, Action.TRANSFER, Action.PAUSE, Action.RESUME}
        if appeal.state == State.IN_PROGRESS:
            mine.add(Action.RESOLVE)
    actions = allowed & mine
    actions.discard(Action.RESUME if appeal.paused_at is None else Action.PAUSE)
    return actions


@staff_view
def appeal_detail(request, pk):
    appeal = selectors.appeal_detail(viewer=request.user, pk=pk)
    parties = Organisation.objects.filter(is_active=True, area_roles__area_id__in=[
        getattr(appeal, f"{k}_id") for k in ("compound", "community", "subdistrict", "district")
        if getattr(appeal, f"{k}_id")]).distinct().order_by("kind", "name")
    return render(request, "appeals/detail.html", {
        "appeal": appeal, "timeline": selectors.appeal_timeline(viewer=request.user, appeal=appeal),
        "actions": available_actions(request.user, appeal), "now": timezone.now(),
        "accept_form": AcceptForm(initial={"category": appeal.category_id}),
        "dispatch_form": PartyForm(parties=parties), "transfer_form": PartyForm(parties=parties, empty=_("请选择")),
        "reply_form": ReplyForm(), "close_form": CloseForm(), "reason_form": ReasonForm(),
        "departments": department_choices(appeal),
        "whistles": appeal.whistles.select_related("department", "subdistrict").order_by("-id"),
        "show_contact": acts_for_community(request.user, appeal) or acts_for_party(request.user, appeal),
    })


@staff_view
@require_POST
def appeal_act(request, pk, action):
    appeal = selectors.appeal_detail(viewer=request.user, pk=pk)
    post, user = request.POST, request.user

    def party(key="party"):
        value = post.get(key, "")
        return Organisation.objects.filter(pk=value, is_active=True).first() if value.isdigit() else None

    calls = {
        Action.ACCEPT: lambda: services.appeal_accept(
            appeal=appeal, actor=user, priority=post.get("priority", ""),
            category=Category.objects.filter(pk=post.get("category") or 0).first()),
        Action.DISPATCH: lambda: services.appeal_dispatch(appeal=appeal, actor=user, party=party(),
                                                          reason=post.get("reason", "")),
        Action.TAKE: lambda: services.appeal_take(appeal=appeal, actor=user),
        Action.RETURN: lambda: services.appeal_return(appeal=appeal, actor=user, reason=post.get("reason", "")),
        Action.TRANSFER: lambda: services.appeal_transfer(appeal=appeal, actor=user, party=party(),
                                                          reason=post.get("reason", "")),
        Action.RESOLVE: lambda: services.appeal_resolve(appeal=appeal, actor=user, reply=post.get("reply", "")),
        Action.CLOSE_UNRESOLVED: lambda: services.appeal_close_unresolved(
            appeal=appeal, actor=user, outcome=post.get("outcome", ""), reply=post.get("reply", "")),
        Action.PAUSE: lambda: services.appeal_pause(appeal=appeal, actor=user, reason=post.get("reason", "")),
        Action.RESUME: lambda: services.appeal_resume(appeal=appeal, actor=user),
        Action.FOLLOW_UP: lambda: services.appeal_follow_up(appeal=appeal, actor=user, note=post.get("reason", "")),
        Action.WHISTLE: lambda: services.appeal_whistle(appeal=appeal, actor=user, reason=post.get("reason", ""),
                                                        department=party("department")),
    }
    if action not in calls:
        messages.error(request, _("未知的操作"))
        return redirect("staff:appeal_detail", pk=appeal.pk)
    if action == Action.TRANSFER and party() is None:
        messages.error(request, _("请选择转派给哪个单位"))
        return redirect("staff:appeal_detail", pk=appeal.pk)
    try:
        calls[action]()
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已%(action)s") % {"action": Action(action).label})
    return redirect("staff:appeal_detail", pk=appeal.pk)


@staff_view
@require_POST
def whistle_report_in(request, pk):
    whistle = get_visible(Whistle.objects.select_related("appeal"), pk)
    try:
        services.whistle_report_in(whistle=whistle, actor=request.user, handler_name=request.POST.get("handler_name", ""),
                                   handler_phone=request.POST.get("handler_phone", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已报到"))
    return redirect("staff:appeal_detail", pk=whistle.appeal_id)


# --- the resident's side -------------------------------------------------------------------------------------


@login_required
@domain_errors_as_http
def portal_appeals(request):
    mine = appeals_visible_to(request.user).filter(reporter=request.user).select_related("category", "party")
    return render(request, "portal/appeals.html", {"appeals": mine[:100],
                                                   "can_file": verified_households(request.user).exists()})


@login_required
@domain_errors_as_http
def portal_appeal_new(request):
    households = list(verified_households(request.user).select_related("compound", "building", "unit", "area"))
    if not households:
        messages.info(request, _("请先绑定并通过实名认证，再反映问题"))
        return redirect("portal:households")
    form = PortalForm(request.POST or None, households=households)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = next(h for h in households if h.pk == data["household"])
        try:
            appeal = services.appeal_submit(
                channel=Channel.PORTAL, text=data["text"], area=household.area, household=household,
                category=Category.objects.filter(pk=data["category"]).first() if data["category"] else None,
                actor=request.user, contact_preference=data["contact_preference"], public=data["public"])
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, _("已收到您的诉求，编号 %(n)s。社区会尽快联系您。") % {"n": appeal.number})
            return redirect("portal:appeal_detail", pk=appeal.pk)
    return render(request, "portal/appeal_new.html", {"form": form})


@login_required
@domain_errors_as_http
def portal_appeal_detail(request, pk):
    appeal = get_visible(appeals_visible_to(request.user).filter(reporter=request.user)
                         .select_related("category", "party"), pk)
    return render(request, "portal/appeal_detail.html", {
        "appeal": appeal, "timeline": appeal.events.filter(public=True).select_related("party"),
        "rate_form": RateForm(), "can_rate": appeal.state == State.RESOLVED,
        "can_reopen": appeal.state in (State.RESOLVED, State.CLOSED, State.CLOSED_UNRESOLVED),
    })


@login_required
@domain_errors_as_http
@require_POST
def portal_appeal_rate(request, pk):
    appeal = get_visible(appeals_visible_to(request.user).filter(reporter=request.user), pk)
    try:
        services.appeal_rate(appeal=appeal, actor=request.user, rating=request.POST.get("rating", ""),
                             comment=request.POST.get("comment", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("谢谢您的评价"))
    return redirect("portal:appeal_detail", pk=appeal.pk)


@login_required
@domain_errors_as_http
@require_POST
def portal_appeal_reopen(request, pk):
    appeal = get_visible(appeals_visible_to(request.user).filter(reporter=request.user), pk)
    try:
        services.appeal_reopen(appeal=appeal, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已重新提交，社区会再次办理"))
    return redirect("portal:appeal_detail", pk=appeal.pk)


@staff_view
def figures(request):
    """The three rates per community, party, category or day, for a period (default: this month so far)."""
    from datetime import date

    from .figures import GROUPS, rates

    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start") or today.replace(day=1).isoformat())
        end = date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        messages.error(request, _("日期格式应为 2026-11-01"))
        start, end = today.replace(day=1), today
    group_by = request.GET.get("group_by", "community")
    if group_by not in GROUPS:
        group_by = "community"
    try:
        rows = rates(viewer=request.user, group_by=group_by, start=start, end=end)
    except DomainError as e:
        messages.error(request, e.message)
        rows = []
    totals = {k: sum(r[k] for r in rows) for k in ("total", "hotline", "reopened")}
    return render(request, "appeals/figures.html", {
        "rows": rows, "start": start, "end": end, "group_by": group_by, "totals": totals,
        "groups": [("community", _("社区")), ("subdistrict", _("街道")), ("party", _("承办单位")),
                   ("category", _("类别")), ("day", _("日期"))],
    })
