"""The volunteer's phone pages: register, my shifts and signing up, the check-in code, hours and points, the shop,
errands to claim; her team's shifts for a leader. And the resident's own errands (温馨到家)."""
import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.decorators import domain_errors_as_http, run
from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.params import id_param, local_datetime
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area, Household, Resident

from .. import selectors, services
from ..choices import ErrandKind, ErrandState, ShiftKind, Skill, VolunteerState
from ..models import Errand, Shift, Signup, Volunteer
from ..permissions import active_volunteer, heads, household_ids, led_teams, may_run_shift, volunteer_of


def _need_volunteer(request):
    v = active_volunteer(request.user)
    if v is None:
        return None, redirect("portal:volunteer_home")
    return v, None


@login_required
@domain_errors_as_http
def home(request):
    v = volunteer_of(request.user)
    if v is None or v.state == VolunteerState.LEFT:
        return redirect("portal:volunteer_register")
    context = {"v": v}
    if v.state == VolunteerState.ACTIVE:
        now = timezone.now()
        upcoming = list(selectors.my_signups(v)[:20])
        context.update({
            "upcoming": upcoming,
            "now_on": [s for s in upcoming if s.shift.starts_at - services.shifts.EARLY <= now < s.shift.ends_at],
            "accounts": selectors.accounts_of(request.user),
            "hours": selectors.hours_of(v, since=selectors.day_start(timezone.localdate().replace(month=1, day=1))),
            "errands": selectors.errands_to_claim(v).count(),
            "leads": bool(led_teams(request.user))})
    return render(request, "volunteers/portal_home.html", context)


@login_required
@domain_errors_as_http
def register(request):
    v = volunteer_of(request.user)
    if v is not None and v.state != VolunteerState.LEFT:
        return redirect("portal:volunteer_home")
    homes = list(Area.objects.filter(kind=AreaKind.COMMUNITY, pk__in=Household.objects.filter(
        pk__in=household_ids(request.user)).values("community_id")))
    communities = homes or []
    if request.method == "POST":
        home = Area.objects.filter(kind=AreaKind.COMMUNITY, pk=id_param(request.POST.get("home"))).first()
        done = run(request, lambda: services.volunteer_register(
            actor=request.user, home=home, name=request.POST.get("name", ""), phone=request.POST.get("phone", ""),
            skills=request.POST.getlist("skills"), availability=request.POST.get("availability", "")),
            _("已提交，社区审核通过后即可报名值守"))
        if done:
            return redirect("portal:volunteer_home")
    q = (request.GET.get("q") or request.POST.get("q") or "").strip()[:30]
    found = list(Area.objects.filter(kind=AreaKind.COMMUNITY, name__icontains=q).select_related("subdistrict")
                 .order_by("name")[:20]) if q else []
    return render(request, "volunteers/portal_register.html", {
        "communities": communities, "found": found, "q": q, "skills": Skill.choices, "post": request.POST,
        "name": request.user.display_name})


@login_required
@domain_errors_as_http
def shifts(request):
    v, away = _need_volunteer(request)
    if away:
        return away
    kind = request.GET.get("kind", "")
    kind = kind if kind in ShiftKind.values else ""
    rows = list(selectors.open_shifts(v, kind=kind)[:300])
    days = []
    for s in rows:
        day = timezone.localdate(s.starts_at)
        if not days or days[-1]["day"] != day:
            days.append({"day": day, "shifts": []})
        days[-1]["shifts"].append(s)
    return render(request, "volunteers/portal_shifts.html", {"days": days, "kind": kind, "kinds": ShiftKind.choices})


@login_required
@require_POST
@domain_errors_as_http
def shift_act(request, pk, action):
    v, away = _need_volunteer(request)
    if away:
        return away
    shift = selectors.open_shifts(v).filter(pk=pk).first()  # another community's shift is as one nobody made
    if shift is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if action == "book":
        run(request, lambda: services.signup_book(actor=request.user, shift=shift), _("报名成功"))
    elif action == "take":
        offered = selectors.offered_signup(shift, v)
        if offered is None:
            messages.error(request, _("这个名额已被别人接替，或已不需要换班"))
        else:
            run(request, lambda: services.signup_take(actor=request.user, signup=offered), _("已接替换班"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("portal:volunteer_shifts")


@login_required
@require_POST
@domain_errors_as_http
def signup_act(request, pk, action):
    signup = Signup.objects.filter(pk=pk, volunteer__user=request.user).select_related("shift").first()
    if signup is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    calls = {
        "cancel": (lambda: services.signup_cancel(actor=request.user, signup=signup), _("已取消报名")),
        "offer": (lambda: services.signup_offer(actor=request.user, signup=signup),
                  _("已发布换班，有人接替后会通知您；接替前您仍在班上")),
        "keep": (lambda: services.signup_offer(actor=request.user, signup=signup, withdraw=True), _("已撤回换班")),
        "checkout": (lambda: services.check_out(actor=request.user, signup=signup), _("已签退，服务时长已记录")),
    }
    if action not in calls:
        raise NotFound(_("未知的操作"))
    run(request, *calls[action])
    return redirect("portal:volunteer_home")


@login_required
@domain_errors_as_http
def check(request, code):
    """What the QR code at the place opens: the shift, and one big button to check in (or out)."""
    shift = services.shift_by_code(code)
    v = volunteer_of(request.user)
    signup = Signup.objects.filter(shift=shift, volunteer=v, state__in=("booked", "on_duty", "done")).first() \
        if v else None
    if request.method == "POST":
        done = run(request, lambda: services.check_in(actor=request.user, shift=shift))
        if done:
            if done.state == "done":
                messages.success(request, _("已签退：服务%(h)d小时%(m)d分钟") % {"h": done.minutes // 60,
                                                                           "m": done.minutes % 60})
            else:
                messages.success(request, _("签到成功，辛苦了！结束时请再扫码签退"))
        return redirect("portal:volunteer_check", code=code)
    return render(request, "volunteers/portal_check.html", {"shift": shift, "v": v, "signup": signup,
                                                            "now": timezone.now()})


@login_required
@domain_errors_as_http
def points(request):
    accounts = selectors.accounts_of(request.user)
    v = volunteer_of(request.user)
    return render(request, "volunteers/portal_points.html", {
        "accounts": [(a, selectors.ledger(a)) for a in accounts], "v": v,
        "hours": selectors.hours_of(v) if v else None,
        "past": list(selectors.my_signups(v, upcoming=False)[:30]) if v else []})


@login_required
@domain_errors_as_http
def shop(request):
    accounts = selectors.accounts_of(request.user)
    return render(request, "volunteers/portal_shop.html", {
        "shelves": [(a, list(selectors.shop_items(a))) for a in accounts],
        "orders": list(selectors.my_orders(request.user)[:20]), "key": uuid.uuid4().hex})


@login_required
@require_POST
@domain_errors_as_http
def order(request, pk):
    try:
        done = services.order_redeem(actor=request.user, item=pk, quantity=request.POST.get("quantity", 1),
                                     key=request.POST.get("key") or "")
    except NotFound:
        raise  # not one of her shops' items: the page answers 404, as for anyone's
    except DomainError as e:
        messages.error(request, e.message)
    else:
        if done.created:
            messages.success(request, _("已兑换%(n)s ×%(q)d，扣%(p)d分。请到社区服务站领取") % {
                "n": done.item_name, "q": done.quantity, "p": done.points})
        else:
            messages.info(request, _("这笔兑换已经提交过了，没有重复扣分"))
    return redirect("portal:volunteer_shop")


@login_required
@require_POST
@domain_errors_as_http
def order_cancel(request, pk):
    found = selectors.my_orders(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    run(request, lambda: services.order_cancel(actor=request.user, order=found), _("已取消，积分已退回"))
    return redirect("portal:volunteer_shop")


@login_required
@domain_errors_as_http
def errands(request):
    v, away = _need_volunteer(request)
    if away:
        return away
    return render(request, "volunteers/portal_errands.html", {
        "open": list(selectors.errands_to_claim(v)[:50]), "mine": list(selectors.my_errands(v)[:30])})


@login_required
@require_POST
@domain_errors_as_http
def errand_act(request, pk, action):
    v, away = _need_volunteer(request)
    if away:
        return away
    errand = Errand.objects.filter(pk=pk, community_id=v.community_id).first()
    if errand is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    calls = {
        "claim": (lambda: services.errand_claim(actor=request.user, errand=errand),
                  _("已认领。地址和电话见“我认领的”")),
        "release": (lambda: services.errand_release(actor=request.user, errand=errand), _("已放弃，其他志愿者可以认领")),
        "deliver": (lambda: services.errand_deliver(actor=request.user, errand=errand,
                                                    amount=request.POST.get("amount"), note=request.POST.get("note")),
                    _("已登记送达，等居民确认后积分到账")),
    }
    if action not in calls:
        raise NotFound(_("未知的操作"))
    run(request, *calls[action])
    return redirect("portal:volunteer_errands")


@login_required
@domain_errors_as_http
def team(request):
    """A leader's day: her teams' shifts of today (or the day chosen) and who is on each, to check them in."""
    if not led_teams(request.user):
        raise NotFound(_("您不是志愿服务队队长"))
    day = timezone.localdate()
    if request.GET.get("day") == "tomorrow":
        day += timedelta(days=1)
    rows = [(s, list(selectors.shift_signups(s))) for s in selectors.team_shifts(request.user, day=day)]
    return render(request, "volunteers/portal_team.html", {"rows": rows, "day": day})


@login_required
@require_POST
@domain_errors_as_http
def team_act(request, shift, volunteer, action):
    found = Shift.objects.filter(pk=shift).first()
    person = Volunteer.objects.filter(pk=volunteer).first()
    if found is None or person is None or not may_run_shift(request.user, found):
        raise NotFound(_("未找到该记录，或您无权查看"))
    signup = Signup.objects.filter(shift=found, volunteer=person).exclude(state="cancelled").order_by("-id").first()
    if action == "in":
        run(request, lambda: services.check_in(actor=request.user, shift=found, volunteer=person,
                                               at=request.POST.get("at")), _("已代为签到/签退"))
    elif action == "noshow" and signup:
        run(request, lambda: services.mark_no_show(actor=request.user, signup=signup), _("已记为未到岗"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("portal:volunteer_team")


# --- the resident's errands ------------------------------------------------------------------------------------------
@login_required
@domain_errors_as_http
def resident_errands(request):
    homes = list(Household.objects.filter(pk__in=household_ids(request.user)).select_related("area", "compound",
                                                                                             "building", "unit"))
    # a building head asks for a neighbour of her building (from her list on the care page)
    for_whom = Household.objects.filter(pk=id_param(request.GET.get("household") or request.POST.get("household"))) \
        .select_related("area", "compound", "building", "unit").first()
    if for_whom is not None and for_whom not in homes and heads(request.user, for_whom):
        homes.insert(0, for_whom)
    if request.method == "POST":
        household = next((h for h in homes if h.pk == id_param(request.POST.get("household"))), None)
        resident = Resident.objects.filter(pk=id_param(request.POST.get("resident")), household=household).first() \
            if household else None

        def ask():
            if household is None:
                raise NotFound(_("请先认证您的住户，再下单"))
            return services.errand_request(actor=request.user, household=household, kind=request.POST.get("kind"),
                                           items=request.POST.get("items"), resident=resident,
                                           deliver_by=local_datetime(request.POST.get("deliver_by")),
                                           contact_phone=request.POST.get("phone", ""))
        if run(request, ask, _("已提交，志愿者认领后会通知您")):
            return redirect("portal:errands")
    # her households' errands, and those she asked for a neighbour
    mine = (Errand.objects.filter(Q(household_id__in=[h.pk for h in homes]) | Q(requested_by=request.user))
            .select_related("volunteer").order_by("-id")[:30])
    return render(request, "volunteers/portal_resident_errands.html", {
        "homes": homes, "kinds": ErrandKind.choices, "errands": mine, "post": request.POST,
        "post_items": request.POST.get("items", ""),
        "delivered": ErrandState.DELIVERED})


@login_required
@require_POST
@domain_errors_as_http
def resident_errand_act(request, pk, action):
    errand = Errand.objects.filter(pk=pk).first()
    if errand is None or not (errand.requested_by_id == request.user.pk
                              or errand.household_id in household_ids(request.user) or heads(request.user, errand)):
        raise NotFound(_("未找到该记录，或您无权查看"))
    if action == "confirm":
        run(request, lambda: services.errand_confirm(actor=request.user, errand=errand), _("已确认收到，谢谢志愿者！"))
    elif action == "cancel":
        run(request, lambda: services.errand_cancel(actor=request.user, errand=errand,
                                                    reason=request.POST.get("reason", "")), _("已取消"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("portal:errands")
