"""Staff pages of volunteers: the register and approvals, a volunteer's record (hours, points, teams, loans), rosters
and the week's gaps, a shift with its code and check-ins, teams, hours per month, the points shop and its orders,
errands. Views parse and render; every rule is the services'."""
from datetime import date, timedelta

import segno
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.core.decorators import run
from gongzhi.core.errors import NotFound, NotPermitted
from gongzhi.core.htmx import render_page
from gongzhi.core.params import id_param, local_datetime
from gongzhi.registry.choices import AreaKind, OrgKind
from gongzhi.registry.models import Area, Household, Organisation, Resident

from .. import selectors, services
from ..choices import Account, ErrandKind, ErrandState, OrderState, ShiftKind, Skill, VolunteerState
from ..models import Errand, Loan, Roster, Shift, ShopItem, Signup, TeamMember, Volunteer
from ..permissions import staff_scope


def _scope_or_403(request):
    scope = staff_scope(request.user)
    if not scope:
        raise NotPermitted(_("您无权管理志愿服务"))
    return scope


def _areas(request, kinds=("community", "compound", "building")):
    scope = staff_scope(request.user)
    rows = Area.objects.filter(scope.q(), kind__in=kinds).select_related("community", "compound")[:400]
    order = {kind: i for i, kind in enumerate(("community", "grid", "compound", "building", "unit"))}
    return sorted(rows, key=lambda a: (a.community.name if a.community else a.name, order.get(a.kind, 9),
                                       a.compound_id or 0, a.position, a.name))


def _area(request, value):
    return Area.objects.filter(staff_scope(request.user).q(), pk=id_param(value)).first()


def _team(value):
    return Organisation.objects.filter(kind=OrgKind.VOLUNTEER_TEAM, pk=id_param(value)).first() if value else None


def _day(value, default=None):
    return parse_date(str(value or "").strip()) or default


# --- volunteers ----------------------------------------------------------------------------------------------------
@staff_view
def volunteer_list(request):
    _scope_or_403(request)
    state = request.GET.get("state", "")
    state = state if state in VolunteerState.values else ""
    skill = request.GET.get("skill", "")
    skill = skill if skill in Skill.values else ""
    q = (request.GET.get("q") or "").strip()[:50]
    rows = selectors.volunteers_for_staff(request.user, state=state, q=q, skill=skill)
    pending = selectors.volunteers_for_staff(request.user, state=VolunteerState.PENDING).count()
    return render_page(request, "volunteers/staff_list.html", {
        "volunteers": rows[:300], "total": rows.count(), "state": state, "states": VolunteerState.choices,
        "skill": skill, "skills": Skill.choices, "q": q, "pending": pending})


@staff_view
def volunteer_new(request):
    _scope_or_403(request)
    communities = _areas(request, kinds=("community",))
    if request.method == "POST":
        home = _area(request, request.POST.get("home"))
        done = run(request, lambda: services.volunteer_enrol(
            actor=request.user, home=home, name=request.POST.get("name", ""), phone=request.POST.get("phone", ""),
            skills=request.POST.getlist("skills"), availability=request.POST.get("availability", "")),
            _("已登记为在册志愿者"))
        if done:
            return redirect("staff:volunteer_detail", done.pk)
    return render_page(request, "volunteers/staff_new.html", {"communities": communities, "skills": Skill.choices,
                                                              "post": request.POST})


def _volunteer(request, pk) -> Volunteer:
    v = Volunteer.objects.filter(staff_scope(request.user).q(), pk=pk).select_related("home", "user").first()
    if v is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    return v


@staff_view
def volunteer_detail(request, pk):
    v = _volunteer(request, pk)
    account = getattr(v, "points", None)
    return render_page(request, "volunteers/staff_volunteer.html", {
        "v": v, "account": account, "ledger": list(selectors.ledger(account, limit=30)) if account else [],
        "hours": selectors.hours_of(v), "signups": list(selectors.my_signups(v, upcoming=False)[:30]),
        "upcoming": list(selectors.my_signups(v)[:20]),
        "teams": list(TeamMember.objects.filter(volunteer=v, left_on__isnull=True).select_related("team")),
        "loans": list(Loan.objects.filter(volunteer=v).select_related("area").order_by("-starts_on")[:10]),
        "all_teams": list(selectors.teams_for_staff(request.user)[:200]),
        "loan_areas": list(Area.objects.filter(kind__in=(AreaKind.COMMUNITY, AreaKind.COMPOUND),
                                               subdistrict_id=v.subdistrict_id).exclude(pk=v.community_id)
                           .exclude(community_id=v.community_id).order_by("kind", "name")[:300]),
        "skills": dict(Skill.choices), "today": timezone.localdate()})


@staff_view
@require_POST
def volunteer_act(request, pk, action):
    v = _volunteer(request, pk)
    post = request.POST
    account = getattr(v, "points", None)
    calls = {
        "approve": (lambda: services.volunteer_decide(actor=request.user, volunteer=v, decision="approve"),
                    _("已批准，志愿者可以报名值守了")),
        "reject": (lambda: services.volunteer_decide(actor=request.user, volunteer=v, decision="reject",
                                                     note=post.get("note", "")), _("登记未通过")),
        "suspend": (lambda: services.volunteer_decide(actor=request.user, volunteer=v, decision="suspend",
                                                      note=post.get("note", "")), _("已暂停")),
        "adjust": (lambda: services.points_adjust(actor=request.user, account=account or services.account_of(v),
                                                  delta=post.get("delta"), reason=post.get("reason", "")),
                   _("积分已调整")),
        "help": (lambda: services.points_help(actor=request.user, account=account or services.account_of(v),
                                              what=post.get("what", "")), _("已记帮扶积分")),
        "team": (lambda: services.team_join(actor=request.user, team=_team(post.get("team")) or Organisation(),
                                            volunteer=v, leader=post.get("leader") == "1"), _("已加入队伍")),
        "lend": (lambda: services.loan_create(
            actor=request.user, volunteer=v,
            area=Area.objects.filter(pk=id_param(post.get("area"))).first(),
            starts_on=_day(post.get("starts_on")), ends_on=_day(post.get("ends_on")), reason=post.get("reason", "")),
            _("已借调")),
    }
    if action == "leave-team":
        member = TeamMember.objects.filter(pk=id_param(post.get("member")), volunteer=v).first()
        if member:
            run(request, lambda: services.team_leave(actor=request.user, member=member), _("已退出队伍"))
    elif action == "end-loan":
        loan = Loan.objects.filter(pk=id_param(post.get("loan")), volunteer=v).first()
        if loan:
            run(request, lambda: services.loan_end(actor=request.user, loan=loan), _("借调已结束"))
    elif action in calls:
        run(request, *calls[action])
    else:
        raise NotFound(_("未知的操作"))
    if post.get("next") == "list":
        return redirect(reverse("staff:volunteer_list") + "?state=pending")
    return redirect("staff:volunteer_detail", v.pk)


# --- rosters and shifts --------------------------------------------------------------------------------------------
@staff_view
def rosters(request):
    _scope_or_403(request)
    post = request.POST
    if request.method == "POST":
        area = _area(request, post.get("area"))
        if post.get("what") == "roster":
            done = run(request, lambda: services.roster_create(
                actor=request.user, area=area, kind=post.get("kind", ""), title=post.get("title", ""),
                place=post.get("place", ""), team=_team(post.get("team")), weekdays="".join(post.getlist("weekdays")),
                start_time=parse_time(post.get("start_time") or ""), end_time=parse_time(post.get("end_time") or ""),
                capacity=post.get("capacity"), starts_on=_day(post.get("starts_on"), timezone.localdate()),
                ends_on=_day(post.get("ends_on"))), _("排班已建立，未来两周的班次已生成"))
        else:
            done = run(request, lambda: services.shift_create(
                actor=request.user, area=area, kind=post.get("kind", ""), title=post.get("title", ""),
                place=post.get("place", ""), team=_team(post.get("team")),
                starts_at=local_datetime(post.get("starts_at")), ends_at=local_datetime(post.get("ends_at")),
                capacity=post.get("capacity")), _("活动已发布"))
            if done:
                return redirect("staff:shift_detail", done.pk)
        if done:
            return redirect("staff:rosters")
    start = _day(request.GET.get("from"), timezone.localdate())
    return render_page(request, "volunteers/staff_rosters.html", {
        "board": selectors.week_board(request.user, start_day=start), "start": start,
        "prev": start - timedelta(days=7), "next": start + timedelta(days=7),
        "rosters": list(selectors.rosters_for_staff(request.user)[:100]), "areas": _areas(request),
        "teams": list(selectors.teams_for_staff(request.user)[:200]), "kinds": ShiftKind.choices,
        "weekdays": [(str(i), label) for i, label in enumerate(
            [pgettext("weekday", "一"), pgettext("weekday", "二"), pgettext("weekday", "三"), pgettext("weekday", "四"),
             pgettext("weekday", "五"), pgettext("weekday", "六"), pgettext("weekday", "日")], start=1)],
        "post": post, "today": timezone.localdate()})


def _shift(request, pk) -> Shift:
    shift = Shift.objects.filter(staff_scope(request.user).q(), pk=pk).select_related("area", "team", "roster").first()
    if shift is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    return shift


@staff_view
def shift_detail(request, pk):
    shift = _shift(request, pk)
    link = request.build_absolute_uri(reverse("portal:volunteer_check", args=[shift.code]))
    qr = segno.make(link, error="m").svg_inline(scale=5, border=2, omitsize=True)  # scales with its box
    signups = list(selectors.shift_signups(shift))
    held = [s for s in signups if s.state in ("booked", "on_duty", "done")]
    return render_page(request, "volunteers/staff_shift.html", {
        "shift": shift, "signups": signups, "taken": len(held), "qr": qr, "link": link,
        "now": timezone.now(), "started": shift.starts_at <= timezone.now(),
        "candidates": list(Volunteer.objects.filter(community_id=shift.community_id, state=VolunteerState.ACTIVE)
                           .exclude(pk__in=[s.volunteer_id for s in held]).order_by("name")[:300])})


@staff_view
@require_POST
def shift_act(request, pk, action):
    shift = _shift(request, pk)
    post = request.POST
    person = Volunteer.objects.filter(pk=id_param(post.get("volunteer"))).first()
    signup = Signup.objects.filter(pk=id_param(post.get("signup")), shift=shift).first()
    if action == "cancel":
        run(request, lambda: services.shift_cancel(actor=request.user, shift=shift, reason=post.get("reason", "")),
            _("班次已取消，已通知报名的志愿者"))
    elif action == "book" and person:
        run(request, lambda: services.signup_book(actor=request.user, shift=shift, volunteer=person), _("已代为报名"))
    elif action == "in" and person:
        run(request, lambda: services.check_in(actor=request.user, shift=shift, volunteer=person, at=post.get("at")),
            _("已代为签到/签退"))
    elif action == "out" and signup:
        run(request, lambda: services.check_out(actor=request.user, signup=signup, at=post.get("at")), _("已签退"))
    elif action == "noshow" and signup:
        run(request, lambda: services.mark_no_show(actor=request.user, signup=signup), _("已记为未到岗"))
    elif action == "withdraw" and signup:
        run(request, lambda: services.signup_cancel(actor=request.user, signup=signup), _("已取消该报名"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("staff:shift_detail", shift.pk)


@staff_view
def teams(request):
    _scope_or_403(request)
    if request.method == "POST" and request.POST.get("what") == "stop":
        roster = Roster.objects.filter(staff_scope(request.user).q(), pk=id_param(request.POST.get("roster"))).first()
        if roster:
            run(request, lambda: services.roster_stop(actor=request.user, roster=roster), _("排班已停止"))
        return redirect("staff:rosters")
    rows = [(t, list(selectors.team_members(t))) for t in selectors.teams_for_staff(request.user)[:100]]
    return render_page(request, "volunteers/staff_teams.html", {"rows": rows})


@staff_view
def hours(request):
    _scope_or_403(request)
    today = timezone.localdate()
    month = request.GET.get("month") or today.strftime("%Y-%m")
    try:
        start = date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    rows = list(selectors.hours_report(request.user, start=start, end=end)[:500])
    return render_page(request, "volunteers/staff_hours.html", {
        "rows": rows, "month": start, "prev": (start - timedelta(days=1)).strftime("%Y-%m"),
        "next": end.strftime("%Y-%m"), "total": sum(r.minutes or 0 for r in rows)})


# --- shop ----------------------------------------------------------------------------------------------------------
@staff_view
def shop(request):
    _scope_or_403(request)
    if request.method == "POST":
        area = _area(request, request.POST.get("area"))
        if run(request, lambda: services.item_create(
                actor=request.user, area=area, name=request.POST.get("name", ""), points=request.POST.get("points"),
                stock=request.POST.get("stock") or 0, per_order=request.POST.get("per_order") or 5,
                account=request.POST.get("account") or Account.VOLUNTEER,
                description=request.POST.get("description", "")), _("物品已上架")):
            return redirect("staff:shop")
    state = request.GET.get("state", OrderState.RESERVED)
    state = state if state in OrderState.values or state == "" else OrderState.RESERVED
    return render_page(request, "volunteers/staff_shop.html", {
        "items": list(selectors.items_for_staff(request.user)[:200]),
        "orders": list(selectors.orders_for_staff(request.user, state=state)[:200]), "state": state,
        "states": OrderState.choices, "communities": _areas(request, kinds=("community",)),
        "accounts": Account.choices, "post": request.POST})


@staff_view
@require_POST
def item_act(request, pk, action):
    item = ShopItem.objects.filter(staff_scope(request.user).q(), pk=pk).first()
    if item is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if action == "restock":
        run(request, lambda: services.item_restock(actor=request.user, item=item, delta=request.POST.get("delta"),
                                                   note=request.POST.get("note", "")), _("库存已更新"))
    elif action in ("off", "on"):
        run(request, lambda: services.item_update(actor=request.user, item=item, is_active=action == "on"),
            _("已上架") if action == "on" else _("已下架"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("staff:shop")


@staff_view
@require_POST
def order_act(request, pk, action):
    order = selectors.orders_for_staff(request.user, state="").filter(pk=pk).first()
    if order is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if action == "hand":
        run(request, lambda: services.order_hand_over(actor=request.user, order=order), _("已领取"))
    elif action == "cancel":
        run(request, lambda: services.order_cancel(actor=request.user, order=order,
                                                   reason=request.POST.get("reason", "")), _("已取消，积分和库存已退回"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("staff:shop")


# --- errands -------------------------------------------------------------------------------------------------------
@staff_view
def errands(request):
    _scope_or_403(request)
    if request.method == "POST":
        household = Household.objects.filter(staff_scope(request.user).q(), pk=id_param(request.POST.get("household"))
                                             ).first()
        room = (request.POST.get("room") or "").strip()[:40]
        if household is None and room:
            household = Household.objects.filter(staff_scope(request.user).q(), room=room,
                                                 area_id=id_param(request.POST.get("area"))).first()
        resident = Resident.objects.filter(pk=id_param(request.POST.get("resident")), household=household).first() \
            if household else None

        def ask():
            if household is None:
                raise NotFound(_("请选择要代办的户"))
            return services.errand_request(actor=request.user, household=household, kind=request.POST.get("kind"),
                                           items=request.POST.get("items"), resident=resident,
                                           deliver_by=local_datetime(request.POST.get("deliver_by")),
                                           contact_phone=request.POST.get("phone", ""))
        if run(request, ask, _("已代居民下单，志愿者认领后会通知您")):
            return redirect("staff:errands")
    state = request.GET.get("state", "")
    state = state if state in ErrandState.values else ""
    return render_page(request, "volunteers/staff_errands.html", {
        "errands": list(selectors.errands_for_staff(request.user, state=state)[:200]), "state": state,
        "states": ErrandState.choices, "kinds": ErrandKind.choices, "post": request.POST,
        "buildings": _areas(request, kinds=("building", "unit"))})


@staff_view
@require_POST
def errand_act(request, pk, action):
    errand = Errand.objects.filter(staff_scope(request.user).q(), pk=pk).first()
    if errand is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if action == "confirm":
        run(request, lambda: services.errand_confirm(actor=request.user, errand=errand), _("已代居民确认"))
    elif action == "cancel":
        run(request, lambda: services.errand_cancel(actor=request.user, errand=errand,
                                                    reason=request.POST.get("reason", "")), _("已取消"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("staff:errands")
