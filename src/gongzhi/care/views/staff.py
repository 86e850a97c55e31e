"""Staff pages of the care network: the chains as a map (branch → centre households → members → families) and their
gaps, the visits each worker owes (her households not visited in N days, special families not visited in 30), the
visit form, patches, and the party members: rosters, the 50-year list, service posts and the figures."""
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.access.scopes import Perm, scope_for
from gongzhi.accounts.models import RoleGrant, User
from gongzhi.core.decorators import run
from gongzhi.core.errors import InvalidInput, NotFound, NotPermitted
from gongzhi.core.htmx import render_page
from gongzhi.core.params import id_param
from gongzhi.registry.models import Area, Household, Organisation, Resident
from gongzhi.volunteers import services as volunteering
from gongzhi.volunteers.models import PartyMember

from .. import selectors, services
from ..choices import SPECIAL_VISIT_DAYS, Finding, VisitKind
from ..models import CentreHousehold, CentreMember, Pairing
from ..permissions import care_scope


def _need_scope(request):
    if not care_scope(request.user):
        raise NotPermitted(_("您无权查看关爱网络"))


@staff_view
def network(request):
    _need_scope(request)
    return render_page(request, "care/staff_network.html", {"net": selectors.network(request.user),
                                                            "days": SPECIAL_VISIT_DAYS})


@staff_view
@require_POST
def network_act(request, action):
    _need_scope(request)
    post, scope = request.POST, care_scope(request.user)
    member = PartyMember.objects.filter(scope.q(), pk=id_param(post.get("member"))).first()
    if action == "centre":
        household = Household.objects.filter(scope.q(), pk=id_param(post.get("household"))).first()
        if household is None and member is not None and member.resident_id:
            household = member.resident.household
        run(request, lambda: services.centre_create(actor=request.user, keeper=member, household=household)
             if member and household else _missing(), _("已设为党员中心户"))
    elif action == "link":
        centre = CentreHousehold.objects.filter(scope.q(), pk=id_param(post.get("centre"))).first()
        run(request, lambda: services.centre_link(actor=request.user, centre=centre, member=member)
             if centre and member else _missing(), _("已由中心户联系"))
    elif action == "pair":
        resident = Resident.objects.filter(scope.q(), pk=id_param(post.get("resident"))).first()
        run(request, lambda: services.pair(actor=request.user, member=member, resident=resident)
             if resident and member else _missing(), _("已结对"))
    elif action in ("end-pairing", "end-link", "end-centre"):
        model = {"end-pairing": Pairing, "end-link": CentreMember, "end-centre": CentreHousehold}[action]
        link = model.objects.filter(pk=id_param(post.get("id"))).first()
        if link is None:
            raise NotFound(_("未找到该记录，或您无权查看"))
        run(request, lambda: services.link_end(actor=request.user, link=link), _("已解除"))
    else:
        raise NotFound(_("未知的操作"))
    return redirect("staff:care_network")


def _missing():
    raise InvalidInput(_("请选择党员，以及要结对的居民或要联系的中心户"))


@staff_view
def visits(request):
    days = id_param(request.GET.get("days")) or 90
    days = min(max(days, 7), 730)
    return render_page(request, "care/staff_visits.html", {
        "households": list(selectors.overdue_households(request.user, days=days)[:300]), "days": days,
        "families": selectors.overdue_families(request.user), "special_days": SPECIAL_VISIT_DAYS,
        "areas": selectors.patch_areas(request.user)})


@staff_view
def visit(request, pk):
    household = Household.objects.filter(pk=pk).select_related("building", "compound", "unit").first()
    if household is None or not (care_scope(request.user).covers(household)):
        raise NotFound(_("未找到该记录，或您无权查看"))
    residents = list(household.residents.filter(status="present").prefetch_related("special_families"))
    if request.method == "POST":
        resident = next((r for r in residents if r.pk == id_param(request.POST.get("resident"))), None)
        done = run(request, lambda: services.visit_log(
            actor=request.user, household=household, resident=resident, kind=request.POST.get("kind", ""),
            finding=request.POST.get("finding", ""), note=request.POST.get("note", ""),
            follow_up=request.POST.get("follow_up") == "1"), _("走访已记录"))
        if done:
            if done.appeal_id:
                messages.info(request, _("已转为诉求 %(n)s 跟进") % {"n": done.appeal.number})
            return redirect("staff:care_visit", household.pk)
    return render_page(request, "care/staff_visit.html", {
        "household": household, "residents": residents, "kinds": VisitKind.choices, "findings": Finding.choices,
        "visits": list(selectors.visits_of(household)), "post": request.POST})


@staff_view
def patches(request):
    scope = scope_for(request.user, Perm.MANAGE_ROLES)
    if not scope:
        raise NotPermitted(_("您无权分配包片"))
    if request.method == "POST":
        if request.POST.get("end"):
            patch = selectors.patches(request.user).filter(pk=id_param(request.POST.get("end"))).first()
            if patch:
                run(request, lambda: services.patch_end(actor=request.user, patch=patch), _("包片已收回"))
        else:
            user = User.objects.filter(pk=id_param(request.POST.get("user"))).first()
            area = Area.objects.filter(scope.q(), pk=id_param(request.POST.get("area"))).first()
            run(request, lambda: services.patch_assign(actor=request.user, user=user, area=area)
                 if user and area else _missing(), _("包片已分配"))
        return redirect("staff:care_patches")
    staff = (User.objects.filter(role_grants__in=RoleGrant.objects.filter(
        revoked_at__isnull=True, role__in=("community_worker", "grid_worker", "community_secretary"),
        area_id__in=Area.objects.filter(scope.q(), kind="community").values("pk")))
             .distinct().order_by("display_name"))
    return render_page(request, "care/staff_patches.html", {
        "patches": list(selectors.patches(request.user)), "staff": list(staff[:200]),
        "areas": list(Area.objects.filter(scope.q(), kind__in=("compound", "building", "grid"))
                      .select_related("compound").order_by("compound__name", "kind", "position")[:500])})


@staff_view
def party(request):
    _need_scope(request)
    scope = care_scope(request.user)
    if request.method == "POST":
        if request.POST.get("what") == "post":
            area = Area.objects.filter(scope.q(), kind="community", pk=id_param(request.POST.get("area"))).first()
            run(request, lambda: volunteering.post_create(
                actor=request.user, area=area, title=request.POST.get("title", ""),
                description=request.POST.get("description", ""), slots=request.POST.get("slots")), _("岗位已发布"))
        else:
            branch = Organisation.objects.filter(pk=id_param(request.POST.get("branch"))).first()
            run(request, lambda: volunteering.party_member_add(
                actor=request.user, branch=branch, name=request.POST.get("name", ""),
                joined_on=parse_date(request.POST.get("joined_on") or ""), employer=request.POST.get("employer", ""))
                 if branch else _missing(), _("已加入党员名册"))
        return redirect("staff:party")
    branch_id = id_param(request.GET.get("branch"))
    rows, subtotals = selectors.party_figures(request.user)
    return render_page(request, "care/staff_party.html", {
        "branches": list(selectors.branches(request.user)), "branch_id": branch_id,
        "roster": list(selectors.roster(request.user, branch_id)[:500]), "medals": list(selectors.medal_list(request.user)),
        "figures": rows, "subtotals": subtotals, "posts": list(selectors.posts_for(request.user)),
        "communities": list(Area.objects.filter(scope.q(), kind="community").order_by("name")[:200])})
