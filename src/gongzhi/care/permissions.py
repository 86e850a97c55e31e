"""Who may do what in the care network. Staff who may see care data (special-family tags) over a place keep its
network and patches and log visits; a party member acts for the families paired with him, a centre household's
keeper for her members' families; a building head sees her building's households and how to reach them."""
from django.db.models import Q

from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, active_grants, held_as, scope_for
from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding
from gongzhi.registry.models import Household, Resident
from gongzhi.volunteers.services import member_of

from .models import CentreHousehold, CentreMember, Pairing


def care_scope(user):
    """Where she keeps the care network and the visits: who may see special-family tags there."""
    return scope_for(user, Perm.VIEW_CARE_DATA)


def keeps(user, placed) -> bool:
    return care_scope(user).covers(placed)


def building_scope(user):
    """Her own building (unit) as its head: the grant's place only, however wide her other powers."""
    return held_as(user, Role.BUILDING_HEAD)


def heads(user) -> bool:
    return bool(building_scope(user))


def families_of(user) -> Q:
    """The residents whose care she carries as a party member: paired with her, or with a member of her centre."""
    member = member_of(user)
    if member is None:
        return Q(pk__in=[])
    members = [member.pk] + list(CentreMember.objects.filter(
        centre__keeper=member, centre__ended_at__isnull=True, ended_at__isnull=True).values_list("member_id", flat=True))
    return Q(pk__in=Pairing.objects.filter(member_id__in=members, ended_at__isnull=True).values("resident_id"))


def cares_for(user, resident: Resident) -> bool:
    return Resident.objects.filter(families_of(user), pk=resident.pk).exists()


def may_visit(user, household: Household, resident: Resident | None = None) -> bool:
    """Staff keeping the place; a member for a family she cares for; a building head for her building's homes."""
    if keeps(user, household) or building_scope(user).covers(household):
        return True
    return resident is not None and resident.household_id == household.pk and cares_for(user, resident)


def may_ask_for(user, resident: Resident) -> bool:
    """Who may file a care request for her: she (or anyone of her verified household), her member and centre,
    her building head, staff of her place."""
    if HouseholdBinding.objects.filter(user=user, household_id=resident.household_id,
                                       status=BindingStatus.VERIFIED).exists():
        return True
    if scope_for(user, Perm.HANDLE_APPEALS).covers(resident) or building_scope(user).covers(resident):
        return True
    return cares_for(user, resident)


def is_keeper(user) -> bool:
    member = member_of(user)
    return member is not None and CentreHousehold.objects.filter(keeper=member, ended_at__isnull=True).exists()


def head_areas(user) -> list:
    return [g.area for g in active_grants(user) if g.role == Role.BUILDING_HEAD and g.area_id]
