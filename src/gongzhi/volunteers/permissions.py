"""Who may do what with volunteers, shifts, points and errands. Staff act where they hold MANAGE_VOLUNTEERS; a
volunteer acts for herself; a team leader checks her team in on its shifts."""
from django.db.models import Q
from django.utils import timezone

from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, held_as, scope_for
from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding

from .choices import VolunteerState
from .models import Loan, Shift, TeamMember, Volunteer


def staff_scope(user):
    return scope_for(user, Perm.MANAGE_VOLUNTEERS)


def manages(user, placed) -> bool:
    """Whether ``user`` keeps the volunteers of the place ``placed`` (a volunteer, shift, item, errand) lies in."""
    return staff_scope(user).covers(placed)


def volunteer_of(user) -> Volunteer | None:
    """The user's own volunteer record, whatever its state (None if she never registered)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = user.__dict__.get("_gz_volunteer", False)
    if cached is False:
        cached = Volunteer.objects.filter(user=user).select_related("home").first()
        user.__dict__["_gz_volunteer"] = cached
    return cached


def active_volunteer(user) -> Volunteer | None:
    v = volunteer_of(user)
    return v if v is not None and v.state == VolunteerState.ACTIVE else None


def loans_q(volunteer: Volunteer, day) -> Q:
    """Shifts in the places she is lent to on ``day``."""
    condition = Q(pk__in=[])
    for loan in Loan.objects.filter(volunteer=volunteer, starts_on__lte=day, ends_on__gte=day,
                                    ended_early_on__isnull=True).select_related("area"):
        condition |= Q(**{f"{loan.area.kind}_id": loan.area_id})
    return condition


def may_serve(volunteer: Volunteer, shift: Shift) -> bool:
    """An active volunteer serves her own community's shifts, and those of a place she is lent to that day."""
    if volunteer.state != VolunteerState.ACTIVE:
        return False
    if shift.community_id == volunteer.community_id:
        return True
    day = timezone.localdate(shift.starts_at)
    return Shift.objects.filter(loans_q(volunteer, day), pk=shift.pk).exists()


def led_teams(user) -> list[int]:
    v = volunteer_of(user)
    if v is None or v.state != VolunteerState.ACTIVE:
        return []
    return list(TeamMember.objects.filter(volunteer=v, is_leader=True, left_on__isnull=True)
                .values_list("team_id", flat=True))


def leads(user, shift: Shift) -> bool:
    return shift.team_id is not None and shift.team_id in led_teams(user)


def may_run_shift(user, shift: Shift) -> bool:
    """Check others in and out, mark no-shows: the shift's team leader, or staff of its place."""
    return leads(user, shift) or manages(user, shift)


def heads(user, placed) -> bool:
    """Her building head (楼栋长) asks and confirms for a household of her building, as she would for a neighbour."""
    return held_as(user, Role.BUILDING_HEAD).covers(placed)


def household_ids(user) -> list[int]:
    """The households bound to her account and verified: whose errands she may ask for and confirm."""
    return list(HouseholdBinding.objects.filter(user=user, status=BindingStatus.VERIFIED)
                .values_list("household_id", flat=True))
