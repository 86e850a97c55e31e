"""One demo account for each role, each scoped to a real place of the demo city."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gongzhi.access.roles import Role
from gongzhi.registry.choices import AreaKind, OrgKind, PartnerRole, ResidentStatus
from gongzhi.registry.models import Area, Organisation, OrganisationArea, Resident

from .choices import BindingStatus
from .models import HouseholdBinding, RoleGrant, User

DEMO_PASSWORD = "gongzhi-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    where: str


def _user(username: str, display_name: str, *, superuser: bool = False, phone: str | None = None) -> User:
    user = User(username=username, display_name=display_name, phone=phone, is_staff=superuser,
                is_superuser=superuser)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@transaction.atomic
def build_accounts() -> list[DemoAccount]:
    # the demo's community: the first with both a property company and a red steward (for compounds without
    # one), so the demo shows both kinds of compound and every party of an appeal has an account
    communities = Area.objects.filter(kind=AreaKind.COMMUNITY).order_by("id")
    community = (communities.filter(
        pk__in=OrganisationArea.objects.filter(organisation__kind=OrgKind.PROPERTY_COMPANY).values("area__community_id"))
        .filter(pk__in=OrganisationArea.objects.filter(organisation__kind=OrgKind.RED_STEWARD).values("area_id"))
        .first() or communities.first())
    if community is None:
        raise RuntimeError("build the registry first")
    subdistrict = Area.objects.get(pk=community.subdistrict_id)
    # the grid worker's grid: the first one with people in it (small demo cities leave some grids empty)
    peopled = Resident.objects.filter(community=community, relation="head").exclude(phone="").values("grid_id")
    grid = Area.objects.filter(kind=AreaKind.GRID, community=community, pk__in=peopled).order_by("id").first()
    steward_link = (Organisation.objects.filter(kind=OrgKind.PROPERTY_COMPANY, area_roles__area__community=community)
                    .order_by("id").first()
                    or Organisation.objects.filter(kind=OrgKind.PROPERTY_COMPANY, area_roles__isnull=False)
                    .order_by("id").first())
    owners = (Organisation.objects.filter(kind=OrgKind.OWNERS_COMMITTEE, home_area__community=community)
              .order_by("id").first()
              or Organisation.objects.filter(kind=OrgKind.OWNERS_COMMITTEE).order_by("id").first())
    department = Organisation.objects.filter(kind=OrgKind.DEPARTMENT, area_roles__role=PartnerRole.BACKER,
                                             home_area__kind=AreaKind.DISTRICT).order_by("id").first()
    if None in (grid, steward_link, owners, department):
        raise RuntimeError("the demo registry lacks a peopled grid, a property company, an owners' committee "
                           "or a backing department to attach demo accounts to")

    plan = [
        ("admin", "系统管理员", Role.ADMINISTRATOR, None, None),
        ("operator", "市级运营 周敏", Role.CITY_OPERATOR, None, None),
        ("subdistrict", "街道干部 陈立新", Role.SUBDISTRICT_STAFF, subdistrict, None),
        ("district", "区接诉即办 马骏", Role.DISTRICT_STAFF, Area.objects.get(pk=subdistrict.district_id), None),
        ("secretary", "社区书记 刘东风", Role.COMMUNITY_SECRETARY, community, None),
        ("worker", "社工 李惠", Role.COMMUNITY_WORKER, community, None),
        ("gridworker", "网格员 王秀梅", Role.GRID_WORKER, grid, None),
        ("property", "物业客服 赵强", Role.PROPERTY_STAFF, None, steward_link),
        ("owners", "业委会 孙志勇", Role.OWNERS_COMMITTEE_MEMBER, None, owners),
        ("department", "住建委 吴涛", Role.DEPARTMENT_STAFF, None, department),
        ("volunteer", "志愿者 阚世豪", Role.VOLUNTEER, community, None),
    ]
    accounts = []
    for username, name, role, area, org in plan:
        user = _user(username, name, superuser=role == Role.ADMINISTRATOR)
        RoleGrant.objects.create(user=user, role=role, area=area, organisation=org)
        accounts.append(DemoAccount(username, name, str(Role(role).label), str(area or org or "全市")))

    # residents of the gridworker's grid: one verified, one waiting for the gridworker to verify
    people = (Resident.objects.filter(grid=grid, status=ResidentStatus.PRESENT, relation="head")
              .exclude(phone="").exclude(phone__startswith="0").order_by("id"))
    first, second = people[0], people[1]
    resident = _user("resident", first.name, phone=first.phone)
    HouseholdBinding.objects.create(user=resident, household=first.household, resident=first,
                                    claimed_name=first.name, claimed_id_last4=first.id_number[-4:],
                                    status=BindingStatus.VERIFIED, decided_at=timezone.now())
    accounts.append(DemoAccount("resident", first.name, str(Role.RESIDENT.label),
                                f"{grid.name}（已实名认证）"))
    newcomer = _user("newcomer", second.name, phone=second.phone)
    HouseholdBinding.objects.create(user=newcomer, household=second.household, resident=second,
                                    claimed_name=second.name, claimed_id_last4=second.id_number[-4:])
    accounts.append(DemoAccount("newcomer", second.name, str(Role.RESIDENT.label),
                                f"{grid.name}（待网格员认证）"))
    # a resident who heads her building (楼栋长): her building's households and how to reach them
    third = people[2]
    head = _user("buildinghead", third.name, phone=third.phone)
    HouseholdBinding.objects.create(user=head, household=third.household, resident=third, claimed_name=third.name,
                                    claimed_id_last4=third.id_number[-4:], status=BindingStatus.VERIFIED,
                                    decided_at=timezone.now())
    RoleGrant.objects.create(user=head, role=Role.BUILDING_HEAD, area_id=third.household.building_id)
    accounts.append(DemoAccount("buildinghead", third.name, str(Role.BUILDING_HEAD.label),
                                f"{third.household.building.name}（{grid.name}）"))
    return accounts


def demo_accounts() -> list[DemoAccount]:
    """The accounts of an existing demo city, for printing again."""
    out = []
    for user in User.objects.filter(username__in=["admin", "operator", "subdistrict", "district", "secretary", "worker",
                                                  "gridworker", "property", "owners", "department", "volunteer",
                                                  "resident", "newcomer", "buildinghead"]).order_by("id"):
        grant = user.role_grants.filter(revoked_at__isnull=True).select_related("area", "organisation").first()
        if grant:
            out.append(DemoAccount(user.username, user.display_name, str(grant.get_role_display()),
                                   str(grant.area or grant.organisation or "全市")))
        else:
            out.append(DemoAccount(user.username, user.display_name, str(Role.RESIDENT.label), ""))
    return out
