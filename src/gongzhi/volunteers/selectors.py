"""Every read the volunteers' pages and API make, starting from what the viewer may see."""
from datetime import datetime, time, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from gongzhi.registry.choices import OrgKind
from gongzhi.registry.models import Organisation

from .choices import HOLDING, ErrandState, OrderState, SignupState, VolunteerState
from .models import (
    Errand,
    Loan,
    Order,
    PartyMember,
    PointsAccount,
    PointsEntry,
    Roster,
    Shift,
    ShopItem,
    Signup,
    TeamMember,
    Volunteer,
)
from .permissions import led_teams, staff_scope

WEEK = 7


def day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def with_taken(shifts):
    return shifts.annotate(taken=Count("signups", filter=Q(signups__state__in=HOLDING)))


# --- the volunteer's own -------------------------------------------------------------------------------------------
def open_shifts(volunteer: Volunteer, *, days: int = 14, kind: str = ""):
    """Shifts she may take in the coming ``days``: her community's and those of places she is lent to, not
    cancelled, not over; with places taken, whether she is on it, and offered places she could take over."""
    now = timezone.now()
    today = timezone.localdate()
    day = TruncDate("starts_at", tzinfo=timezone.get_current_timezone())
    lent = Loan.objects.filter(  # a loan covering the shift's own day, to the place the shift lies in
        Q(area_id=OuterRef("community_id")) | Q(area_id=OuterRef("compound_id")) | Q(area_id=OuterRef("grid_id")),
        volunteer=volunteer, ended_early_on__isnull=True, starts_on__lte=OuterRef("day"), ends_on__gte=OuterRef("day"))
    qs = Shift.objects.annotate(day=day).filter(
        Q(community_id=volunteer.community_id) | Q(Exists(lent)), cancelled_at__isnull=True, ends_at__gt=now,
                              starts_at__lt=day_start(today + timedelta(days=days)))
    if kind:
        qs = qs.filter(kind=kind)
    mine = Signup.objects.filter(shift=OuterRef("pk"), volunteer=volunteer, state__in=HOLDING)
    offered = Signup.objects.filter(shift=OuterRef("pk"), state=SignupState.BOOKED, offered_at__isnull=False) \
        .exclude(volunteer=volunteer)
    return (with_taken(qs).annotate(mine=Exists(mine), offered=Exists(offered))
            .select_related("area", "team").order_by("starts_at", "id"))


def offered_signup(shift: Shift, volunteer: Volunteer) -> Signup | None:
    return (Signup.objects.filter(shift=shift, state=SignupState.BOOKED, offered_at__isnull=False)
            .exclude(volunteer=volunteer).order_by("offered_at").first())


def my_signups(volunteer: Volunteer, *, upcoming: bool = True):
    qs = Signup.objects.filter(volunteer=volunteer).select_related("shift", "shift__area")
    now = timezone.now()
    if upcoming:
        return qs.filter(state__in=(SignupState.BOOKED, SignupState.ON_DUTY), shift__ends_at__gt=now,
                         shift__cancelled_at__isnull=True).order_by("shift__starts_at")
    return qs.exclude(state__in=(SignupState.BOOKED, SignupState.ON_DUTY)).order_by("-shift__starts_at")


def hours_of(volunteer: Volunteer, *, since=None) -> dict:
    qs = Signup.objects.filter(volunteer=volunteer, state=SignupState.DONE)
    if since is not None:
        qs = qs.filter(shift__starts_at__gte=since)
    row = qs.aggregate(minutes=Sum("minutes"), shifts=Count("id"))
    no_shows = Signup.objects.filter(volunteer=volunteer, state=SignupState.NO_SHOW).count()
    return {"minutes": row["minutes"] or 0, "shifts": row["shifts"], "no_shows": no_shows}


def accounts_of(user) -> list[PointsAccount]:
    """Her points accounts (volunteer, party member): one row each, by key; the balance is on the row."""
    # each holder by its unique key: an OR across two outer joins scanned every account (160 ms at 100,000 people)
    mine = (Q(volunteer_id=Subquery(Volunteer.objects.filter(user=user).order_by().values("pk")[:1]))
            | Q(member_id=Subquery(PartyMember.objects.filter(user=user).order_by().values("pk")[:1])))
    return list(PointsAccount.objects.filter(mine)
                .select_related("volunteer", "member").order_by("-kind"))  # her volunteer account first


def ledger(account: PointsAccount, *, limit: int = 50):
    """The latest entries, newest first (index account, -id)."""
    return PointsEntry.objects.filter(account=account).order_by("-id")[:limit]


def shop_items(account: PointsAccount):
    return ShopItem.objects.filter(community_id=account.community_id, account=account.kind, is_active=True) \
        .order_by("points", "id")


def my_orders(user):
    return (Order.objects.filter(Q(account__volunteer__user=user) | Q(account__member__user=user))
            .select_related("item").order_by("-id"))


def errands_to_claim(volunteer: Volunteer):
    """Open errands of her community: what to buy and roughly where, not yet who or which door."""
    return (Errand.objects.filter(community_id=volunteer.community_id, state=ErrandState.OPEN)
            .select_related("compound", "building").order_by("deliver_by", "id"))


def my_errands(volunteer: Volunteer):
    return (Errand.objects.filter(volunteer=volunteer).select_related("household", "household__area", "compound",
                                                                       "building", "unit", "resident")
            .order_by("-id"))


def team_shifts(user, *, day=None):
    """The shifts of the teams she leads, today (or ``day``), with their signups, for checking them in."""
    day = day or timezone.localdate()
    teams = led_teams(user)
    return (Shift.objects.filter(team_id__in=teams, cancelled_at__isnull=True,
                                 starts_at__gte=day_start(day), starts_at__lt=day_start(day + timedelta(days=1)))
            .select_related("area").order_by("starts_at")) if teams else Shift.objects.none()


def shift_signups(shift: Shift):
    return (shift.signups.exclude(state=SignupState.CANCELLED).select_related("volunteer")
            .order_by("state", "id"))


# --- staff ---------------------------------------------------------------------------------------------------------
def volunteers_for_staff(user, *, state: str = "", q: str = "", skill: str = ""):
    scope = staff_scope(user)
    if not scope:
        return Volunteer.objects.none()
    qs = Volunteer.objects.filter(scope.q()).select_related("home", "points")
    if state:
        qs = qs.filter(state=state)
    if skill:
        qs = qs.filter(skills__icontains=f'"{skill}"')  # the list's JSON text: SQLite has no JSON containment
    if q:
        qs = qs.filter(name__icontains=q.strip()[:50])
    return qs.annotate(first=Case(When(state=VolunteerState.PENDING, then=Value(0)), default=Value(1),
                                  output_field=IntegerField())).order_by("first", "name", "id")


def week_board(user, *, start_day=None, days: int = WEEK, area_id: int | None = None):
    """The coming week's shifts in the viewer's places, by day, with places taken: the gaps are those below
    capacity."""
    scope = staff_scope(user)
    start_day = start_day or timezone.localdate()
    qs = Shift.objects.filter(scope.q(), starts_at__gte=day_start(start_day),
                              starts_at__lt=day_start(start_day + timedelta(days=days)))
    if area_id:
        qs = qs.filter(Q(community_id=area_id) | Q(compound_id=area_id) | Q(building_id=area_id))
    shifts = list(with_taken(qs).select_related("area", "team").order_by("starts_at", "id"))
    by_day = []
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        todays = [s for s in shifts if timezone.localdate(s.starts_at) == day]
        by_day.append({"day": day, "shifts": todays,
                       "gaps": sum(max(0, s.capacity - s.taken) for s in todays if s.cancelled_at is None)})
    return {"days": by_day, "gaps": sum(d["gaps"] for d in by_day),
            "uncovered": sum(1 for s in shifts if s.cancelled_at is None and s.taken < s.capacity),
            "shifts": len(shifts)}


def rosters_for_staff(user):
    return Roster.objects.filter(staff_scope(user).q()).select_related("area", "team").order_by("-is_active", "id")


def teams_for_staff(user):
    scope = staff_scope(user)
    qs = Organisation.objects.filter(kind=OrgKind.VOLUNTEER_TEAM, is_active=True)
    if not scope.everywhere:
        qs = qs.filter(scope.q("home_area__") | Q(home_area__in=[pk for _k, pk in scope.places]))
    return qs.select_related("home_area", "parent").order_by("name")


def team_members(team):
    return (TeamMember.objects.filter(team=team, left_on__isnull=True).select_related("volunteer")
            .order_by("-is_leader", "volunteer__name"))


def hours_report(user, *, start, end):
    """Hours per volunteer in [start, end): shifts done, minutes, no-shows, for the viewer's volunteers."""
    scope = staff_scope(user)
    window = Q(signups__shift__starts_at__gte=day_start(start), signups__shift__starts_at__lt=day_start(end))
    return (Volunteer.objects.filter(scope.q(), state__in=(VolunteerState.ACTIVE, VolunteerState.SUSPENDED))
            .annotate(minutes=Sum("signups__minutes", filter=window & Q(signups__state=SignupState.DONE)),
                      shifts=Count("signups", filter=window & Q(signups__state=SignupState.DONE)),
                      no_shows=Count("signups", filter=window & Q(signups__state=SignupState.NO_SHOW)))
            .order_by("-minutes", "name"))


def items_for_staff(user):
    reserved = Count("orders", filter=Q(orders__state=OrderState.RESERVED))
    return ShopItem.objects.filter(staff_scope(user).q()).annotate(reserved=reserved).select_related("area") \
        .order_by("-is_active", "points", "id")


def orders_for_staff(user, *, state: str = OrderState.RESERVED):
    qs = Order.objects.filter(staff_scope(user).q("item__")).select_related("item", "account__volunteer",
                                                                         "account__member")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("id" if state == OrderState.RESERVED else "-id")


def errands_for_staff(user, *, state: str = ""):
    qs = Errand.objects.filter(staff_scope(user).q()).select_related("household", "household__area", "volunteer",
                                                                    "compound", "building", "unit")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-id")
