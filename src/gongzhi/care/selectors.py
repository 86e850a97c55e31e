"""Every read of the care pages, starting from what the viewer may see."""
from datetime import date, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, active_grants, scope_for
from gongzhi.accounts.selectors import lived_in, verified
from gongzhi.appeals.choices import OPEN_STATES, Action
from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.registry.choices import OrgKind
from gongzhi.registry.models import Area, Household, Organisation, Resident, ResidentSpecialFamily
from gongzhi.volunteers.choices import Account, Entry, SignupState
from gongzhi.volunteers.models import PartyMember, PointsEntry, PostClaim, ServicePost, Signup
from gongzhi.volunteers.services import member_of

from .choices import LADDER, SPECIAL_VISIT_DAYS
from .models import CentreHousehold, CentreMember, Pairing, Patch, Visit
from .permissions import building_scope, care_scope, families_of


def last_visit(field: str = "pk", by: str = "household"):
    return Subquery(Visit.objects.filter(**{by: OuterRef(field)}).order_by("-at").values("at")[:1])


# --- on a phone ----------------------------------------------------------------------------------------------------
def building_households(user):
    """A building head's households with their present residents, by room: names and phones, nothing else; and
    whether anyone there reads what the system sends (``reached``): those who do not, she tells at the door."""
    scope = building_scope(user)
    if not scope:
        return Household.objects.none()
    return (Household.objects.filter(scope.q()).select_related("building", "unit").prefetch_related("residents")
            .annotate(last_visit=last_visit(), reached=verified(), lived_in=lived_in())
            .order_by("building__position", "unit__position", "position", "room"))


def my_families(user):
    """The special families in her care (paired with her, or her centre's members), with the last visit."""
    today = timezone.now()
    rows = list(Resident.objects.filter(families_of(user), status="present")
                .select_related("household", "household__building", "household__compound", "household__unit")
                .prefetch_related("special_families").annotate(last_visit=last_visit("pk", "resident"))
                .order_by("household__compound__name", "household__room"))
    pairings = {p.resident_id: p for p in Pairing.objects.filter(resident__in=rows, ended_at__isnull=True)
                .select_related("member")}
    for r in rows:
        r.days = (today - r.last_visit).days if r.last_visit else None
        r.overdue = r.days is None or r.days >= SPECIAL_VISIT_DAYS
        r.member = pairings.get(r.pk)
    return rows


def requests_held(user):
    """The care requests handed to her that are still open, oldest deadline first."""
    return (Appeal.objects.filter(assignee=user, ladder=LADDER, state__in=OPEN_STATES)
            .select_related("resident", "household", "household__building", "household__unit", "compound")
            .order_by("respond_due_at", "id"))


ASKED_DAYS = 30


def requests_asked(user, *, days: int = ASKED_DAYS):
    """The care requests she sent for someone else (a neighbour of her building, a paired family) in the last
    ``days``, newest first: who holds each now and how far it got. Her own household's are on her appeals page."""
    sent = AppealEvent.objects.filter(actor=user, action=Action.SUBMIT, at__gte=timezone.now() - timedelta(days=days))
    return (Appeal.objects.filter(pk__in=Subquery(sent.values("appeal_id")), ladder=LADDER)
            .exclude(reporter=user).select_related("resident", "assignee").order_by("-id")[:20])


def my_centre(user):
    member = member_of(user)
    if member is None:
        return None, []
    centre = CentreHousehold.objects.filter(keeper=member, ended_at__isnull=True).select_related("household").first()
    if centre is None:
        return None, []
    links = list(CentreMember.objects.filter(centre=centre, ended_at__isnull=True).select_related("member")
                 .annotate(families=Count("member__pairings", filter=Q(member__pairings__ended_at__isnull=True))))
    return centre, links


# --- staff ---------------------------------------------------------------------------------------------------------
def network(user):
    """The care chains of the viewer's places as a tree: branch → centre households → members → families, with the
    gaps (a member without a centre, a special family without a member, a family unvisited for 30 days)."""
    scope = care_scope(user)
    if not scope:
        return {"branches": [], "unpaired": [], "loose": []}
    centres = list(CentreHousehold.objects.filter(scope.q(), ended_at__isnull=True)
                   .select_related("branch", "keeper", "household", "household__building", "household__compound",
                                   "household__unit"))
    links = list(CentreMember.objects.filter(centre__in=centres, ended_at__isnull=True).select_related("member"))
    members = {c.keeper_id for c in centres} | {link.member_id for link in links}
    pairings = list(Pairing.objects.filter(member_id__in=members, ended_at__isnull=True)
                    .select_related("resident", "resident__household")
                    .annotate(last_visit=last_visit("resident_id", "resident")))
    now = timezone.now()
    for p in pairings:
        p.overdue = p.last_visit is None or (now - p.last_visit).days >= SPECIAL_VISIT_DAYS
    by_member: dict[int, list] = {}
    for p in pairings:
        by_member.setdefault(p.member_id, []).append(p)
    branches: dict[int, dict] = {}
    for c in centres:
        row = branches.setdefault(c.branch_id, {"branch": c.branch, "centres": []})
        c.members = [(link, by_member.get(link.member_id, [])) for link in links if link.centre_id == c.pk]
        c.own = by_member.get(c.keeper_id, [])
        c.family_count = len(c.own) + sum(len(f) for _link, f in c.members)
        row["centres"].append(c)
    paired = Pairing.objects.filter(ended_at__isnull=True).values("resident_id")
    unpaired = list(Resident.objects.filter(scope.q(), status="present",
                                            pk__in=ResidentSpecialFamily.objects.values("resident_id"))
                    .exclude(pk__in=paired).select_related("household").prefetch_related("special_families")
                    .order_by("household__room")[:200])
    linked = set(CentreMember.objects.filter(ended_at__isnull=True).values_list("member_id", flat=True)) | {
        c.keeper_id for c in CentreHousehold.objects.filter(ended_at__isnull=True)}
    loose = list(PartyMember.objects.filter(scope.q()).exclude(pk__in=linked).order_by("name")[:200])
    lone = Pairing.objects.filter(member__in=loose, ended_at__isnull=True).select_related("resident") \
        .annotate(last_visit=last_visit("resident_id", "resident"))
    for m in loose:  # a member outside any centre still carries families: they stay on the map
        m.fams = [p for p in lone if p.member_id == m.pk]
        for p in m.fams:
            p.overdue = p.last_visit is None or (now - p.last_visit).days >= SPECIAL_VISIT_DAYS
    return {"branches": list(branches.values()), "unpaired": unpaired, "loose": loose,
            "members": list(PartyMember.objects.filter(scope.q()).order_by("name")[:500])}


def patch_areas(user) -> list[Area]:
    """The areas whose households she keeps: her patches, and a grid worker's grid."""
    areas = [p.area for p in Patch.objects.filter(user=user, ended_at__isnull=True).select_related("area")]
    areas += [g.area for g in active_grants(user) if g.role == Role.GRID_WORKER and g.area_id]
    return areas


def _in(areas) -> Q:
    condition = Q(pk__in=[])
    for area in areas:
        condition |= Q(**{f"{area.kind}_id": area.pk})
    return condition


def overdue_households(user, *, days: int):
    """Her households not visited in ``days`` days (or never), the longest first."""
    areas = patch_areas(user)
    if not areas:
        return Household.objects.none()
    cutoff = timezone.now() - timedelta(days=days)
    return (Household.objects.filter(_in(areas)).annotate(last_visit=last_visit())
            .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=cutoff))
            .select_related("building", "unit", "compound")
            .order_by(F("last_visit").asc(nulls_first=True), "building__position", "room"))


def overdue_families(user):
    """Special families in her care scope not visited in 30 days, with their member."""
    scope = care_scope(user)
    if not scope:
        return []
    cutoff = timezone.now() - timedelta(days=SPECIAL_VISIT_DAYS)
    rows = list(Resident.objects.filter(scope.q(), status="present",
                                        pk__in=ResidentSpecialFamily.objects.values("resident_id"))
                .annotate(last_visit=last_visit("pk", "resident"))
                .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=cutoff))
                .select_related("household", "household__building", "household__compound", "household__unit")
                .prefetch_related("special_families")
                .order_by(F("last_visit").asc(nulls_first=True), "household__room")[:500])
    members = {p.resident_id: p.member for p in Pairing.objects.filter(
        resident__in=rows, ended_at__isnull=True).select_related("member")}
    for r in rows:
        r.member = members.get(r.pk)
    return rows


def patches(user):
    scope = scope_for(user, Perm.MANAGE_ROLES)
    return Patch.objects.filter(scope.q("area__"), ended_at__isnull=True).select_related("user", "area") \
        .order_by("user__display_name", "area__name") if scope else Patch.objects.none()


def visits_of(household: Household, *, limit: int = 20):
    return Visit.objects.filter(household=household).select_related("visitor", "resident", "appeal")[:limit]


# --- party members -------------------------------------------------------------------------------------------------
def branches(user):
    scope = care_scope(user)
    qs = Organisation.objects.filter(kind=OrgKind.PARTY_ORG, is_active=True)
    if not scope.everywhere:
        qs = qs.filter(home_area_id__in=Area.objects.filter(scope.q()).values("pk"))
    return qs.select_related("home_area").order_by("home_area__name", "name")


def roster(user, branch_id: int | None = None):
    qs = PartyMember.objects.filter(care_scope(user).q()).select_related("branch", "reported_to")
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    return qs.order_by("branch__name", "joined_on", "name")


def medal_list(user, *, years: int = 50):
    """光荣在党50年: members whose party age reaches ``years`` this year (the list makes itself from join dates)."""
    today = timezone.localdate()
    last_day = date(today.year - years, 12, 31)
    return roster(user).filter(joined_on__lte=last_day)


def party_figures(user):
    """Per community, and summed per subdistrict: members reported, posts claimed (members holding one), services
    (finished duties and help counted to party accounts), pairings — counted from the rows, not typed in."""
    scope = care_scope(user)
    communities = list(Area.objects.filter(scope.q(), kind="community").select_related("subdistrict")
                       .order_by("subdistrict__name", "name")[:500]) if scope else []
    ids = [c.pk for c in communities]

    def by_community(qs, field="community_id"):
        return dict(qs.values_list(field).annotate(n=Count("pk", distinct=True)).values_list(field, "n"))

    reported = by_community(PartyMember.objects.filter(community_id__in=ids, reported_to__isnull=False))
    claimed = by_community(PartyMember.objects.filter(community_id__in=ids, claims__ended_at__isnull=True,
                                                      claims__isnull=False))
    services = by_community(PointsEntry.objects.filter(account__kind=Account.PARTY, kind=Entry.EARN,
                                                       account__community_id__in=ids), "account__community_id")
    pairings = by_community(Pairing.objects.filter(ended_at__isnull=True, member__community_id__in=ids),
                            "member__community_id")
    rows, subtotals = [], {}
    for c in communities:
        row = {"community": c, "reported": reported.get(c.pk, 0), "claimed": claimed.get(c.pk, 0),
               "services": services.get(c.pk, 0), "pairings": pairings.get(c.pk, 0)}
        rows.append(row)
        sub = subtotals.setdefault(c.subdistrict_id, {"subdistrict": c.subdistrict, "reported": 0, "claimed": 0,
                                                      "services": 0, "pairings": 0})
        for k in ("reported", "claimed", "services", "pairings"):
            sub[k] += row[k]
    return rows, list(subtotals.values())


def posts_for(user):
    return (ServicePost.objects.filter(care_scope(user).q()).annotate(
        taken=Count("claims", filter=Q(claims__ended_at__isnull=True))).select_related("area").order_by("-is_active", "id"))


def open_posts(member: PartyMember):
    return (ServicePost.objects.filter(community_id=member.community_id, is_active=True)
            .annotate(taken=Count("claims", filter=Q(claims__ended_at__isnull=True))).order_by("id"))


def my_claims(member: PartyMember):
    return PostClaim.objects.filter(member=member, ended_at__isnull=True).select_related("post")


def services_done(member: PartyMember) -> int:
    if member.user_id is None:
        return 0
    return Signup.objects.filter(volunteer__user_id=member.user_id, state=SignupState.DONE).count()

