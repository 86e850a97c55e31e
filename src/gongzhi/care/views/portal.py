"""Phone pages of the care network: a building head's households; a party member's paired families, the requests
handed to him, and a visit logged at the door; a centre household's members; a special family asking for help; an
employed party member reporting to her community and claiming a post."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.appeals.services import appeal_accept, appeal_resolve
from gongzhi.core.audit import Action as Audit
from gongzhi.core.audit import audit
from gongzhi.core.decorators import domain_errors_as_http, run
from gongzhi.core.errors import NotFound
from gongzhi.core.params import id_param
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area, Household, Resident
from gongzhi.volunteers import services as volunteering
from gongzhi.volunteers.models import PostClaim, ServicePost
from gongzhi.volunteers.permissions import household_ids

from .. import selectors, services
from ..chain import chain_of
from ..choices import Finding, VisitKind
from ..permissions import head_areas, heads, may_ask_for, may_visit


@login_required
@domain_errors_as_http
def home(request):
    user = request.user
    context = {"member": volunteering.member_of(user)}
    if heads(user):
        households = list(selectors.building_households(user))
        audit(actor=user, action=Audit.VIEW_PERSONAL_DATA, target_type="registry.household",
              summary=_("楼栋长查看本楼住户联系方式（%(n)d户）") % {"n": len(households)}, request=request)
        context.update({"households": households, "head_areas": head_areas(user)})
    context["families"] = selectors.my_families(user)
    context["held"] = list(selectors.requests_held(user))
    context["asked"], context["asked_days"] = list(selectors.requests_asked(user)), selectors.ASKED_DAYS
    context["centre"], context["links"] = selectors.my_centre(user)
    # her own household's request: a special family paired with a member asks here
    mine = Resident.objects.filter(household_id__in=household_ids(user), status="present")
    context["askable"] = [r for r in mine if chain_of(r.pk)["pairing"] is not None]
    return render(request, "care/portal_home.html", context)


@login_required
@domain_errors_as_http
def visit(request, pk):
    household = Household.objects.filter(pk=pk).select_related("building", "compound").first()
    resident = Resident.objects.filter(pk=id_param(request.GET.get("resident") or request.POST.get("resident")),
                                       household=household).first() if household else None
    if household is None or not may_visit(request.user, household, resident):
        raise NotFound(_("未找到该记录，或您无权查看"))
    if request.method == "POST":
        done = run(request, lambda: services.visit_log(
            actor=request.user, household=household, resident=resident, kind=request.POST.get("kind", ""),
            finding=request.POST.get("finding", ""), note=request.POST.get("note", ""),
            follow_up=request.POST.get("follow_up") == "1"), _("走访已记录"))
        if done:
            if done.appeal_id:
                messages.info(request, _("已转为诉求 %(n)s 跟进") % {"n": done.appeal.number})
            return redirect("portal:care")
    return render(request, "care/portal_visit.html", {
        "household": household, "resident": resident,
        "residents": [] if resident else list(household.residents.filter(status="present")), "kinds": VisitKind.choices, "findings": Finding.choices,
        "visits": list(selectors.visits_of(household, limit=5)), "post": request.POST})


@login_required
@domain_errors_as_http
def ask(request):
    """A special family (or her member, her building head) asks for help: it goes to her paired member first."""
    resident = Resident.objects.filter(pk=id_param(request.GET.get("resident") or request.POST.get("resident"))) \
        .select_related("household").first()
    if resident is None or not may_ask_for(request.user, resident):  # who she is is for those who may ask
        raise NotFound(_("未找到该记录，或您无权查看"))
    if request.method == "POST":
        done = run(request, lambda: services.care_request_file(
            actor=request.user, resident=resident, text=request.POST.get("text", ""),
            idempotency_key=request.POST.get("key", "")), _("已发出，结对党员会尽快联系您"))
        if done:
            return redirect("portal:care")
    chain = chain_of(resident.pk)
    return render(request, "care/portal_ask.html", {"resident": resident, "pairing": chain["pairing"],
                                                    "key": timezone.now().strftime("%Y%m%d%H%M%S%f")})


@login_required
@require_POST
@domain_errors_as_http
def request_act(request, pk, action):
    appeal = selectors.requests_held(request.user).filter(pk=pk).first()
    if appeal is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if action == "take":
        run(request, lambda: appeal_accept(appeal=appeal, actor=request.user), _("已接手，请尽快联系对方"))
    elif action == "resolve":
        run(request, lambda: appeal_resolve(appeal=appeal, actor=request.user, reply=request.POST.get("reply", ""),
                                             after_warning=request.POST.get("anyway") == "1"), _("已办结，对方会收到答复"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("portal:care")


@login_required
@domain_errors_as_http
def party(request):
    member = volunteering.member_of(request.user)
    if request.method == "POST":
        community = Area.objects.filter(kind=AreaKind.COMMUNITY, pk=id_param(request.POST.get("community"))).first()
        if run(request, lambda: volunteering.party_member_report(
                actor=request.user, community=community, name=request.POST.get("name", ""),
                joined_on=parse_date(request.POST.get("joined_on") or ""), employer=request.POST.get("employer", "")),
                _("报到成功，欢迎参加社区服务")):
            return redirect("portal:party")
    homes = list(Area.objects.filter(kind=AreaKind.COMMUNITY, pk__in=Household.objects.filter(
        pk__in=household_ids(request.user)).values("community_id")))
    return render(request, "care/portal_party.html", {
        "member": member, "homes": homes, "post": request.POST,
        "posts": list(selectors.open_posts(member)) if member and member.community_id else [],
        "claims": list(selectors.my_claims(member)) if member else [],
        "services": selectors.services_done(member) if member else 0})


@login_required
@require_POST
@domain_errors_as_http
def post_act(request, pk, action):
    if action == "claim":
        post = ServicePost.objects.filter(pk=pk).first()
        if post is None:
            raise NotFound(_("未找到该记录，或您无权查看"))
        run(request, lambda: volunteering.post_claim(actor=request.user, post=post), _("已认领岗位"))
    elif action == "leave":
        claim = PostClaim.objects.filter(pk=pk, member__user=request.user).first()
        if claim is None:
            raise NotFound(_("未找到该记录，或您无权查看"))
        run(request, lambda: volunteering.post_leave(actor=request.user, claim=claim), _("已退出岗位"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("portal:party")

