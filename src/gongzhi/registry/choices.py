from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    DISTRICT = "district", _("区")
    SUBDISTRICT = "subdistrict", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")


# Top to bottom. Every row that lives somewhere (area, household, resident, appeal) carries one
# column per kind, so "everything under X" is `WHERE <X.kind> = X.id` on an index: no recursion.
PLACE_KINDS: tuple[str, ...] = tuple(AreaKind.values)

# Which kind of area may hold which. The grid is drawn over a community's buildings rather than
# containing compounds: a big compound spans several grids and one grid may cover several small
# compounds, so a building names its grid (Area.grid) besides sitting in its compound.
PARENT_KIND: dict[str, str | None] = {
    AreaKind.DISTRICT: None,
    AreaKind.SUBDISTRICT: AreaKind.DISTRICT,
    AreaKind.COMMUNITY: AreaKind.SUBDISTRICT,
    AreaKind.GRID: AreaKind.COMMUNITY,
    AreaKind.COMPOUND: AreaKind.COMMUNITY,
    AreaKind.BUILDING: AreaKind.COMPOUND,
    AreaKind.UNIT: AreaKind.BUILDING,
}


class CompoundType(models.TextChoices):
    COMMERCIAL = "commercial", _("商品房小区")
    OLD = "old", _("老旧小区")
    AFFORDABLE = "affordable", _("保障房小区")
    WORK_UNIT = "work_unit", _("单位大院")
    SCATTERED = "scattered", _("散片区")
    BUNGALOW = "bungalow", _("平房院落")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Tenure(models.TextChoices):
    OWNER = "owner", _("业主")
    TENANT = "tenant", _("租户")
    FAMILY = "family", _("同住家属")


class PartKind(models.TextChoices):
    """What an exclusive part (专有部分) is: owners vote one ballot per part, whatever its kind."""

    DWELLING = "dwelling", _("住宅")
    SHOP = "shop", _("商铺")
    GARAGE = "garage", _("车库/车位")
    OTHER = "other", _("其他")


class ResidentStatus(models.TextChoices):
    PRESENT = "present", _("在册")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已故")


class SpecialFamily(models.TextChoices):
    """Kinds of special family (特殊家庭, 000/001). A resident may be several at once."""

    SOLITARY = "solitary", _("孤寡")
    EXTREME_HARDSHIP = "extreme_hardship", _("特困")
    BEREAVED = "bereaved", _("失独")
    DISABLED = "disabled", _("残疾")
    SUBSISTENCE = "subsistence", _("低保")
    LOW_INCOME = "low_income", _("低收入")
    MILITARY = "military", _("优抚对象")
    LEFT_BEHIND = "left_behind", _("留守")


class OrgKind(models.TextChoices):
    PARTY_ORG = "party_org", _("党组织")
    RESIDENTS_COMMITTEE = "residents_committee", _("居委会")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    RED_STEWARD = "red_steward", _("红管家")
    DEPARTMENT = "department", _("职能部门")
    PARTNER_UNIT = "partner_unit", _("共建单位")
    SOCIAL_ORG = "social_org", _("社会组织")
    ENV_PROPERTY_COMMITTEE = "env_property_committee", _("环物会")
    MUTUAL_AID_STATION = "mutual_aid_station", _("居民自治互助站")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")


class PartnerRole(models.TextChoices):
    """What an organisation is to an area it serves: the six partners of 社区治理合伙人 (002), or plain service."""

    LEAD = "lead", _("主心骨")
    ORGANISER = "organiser", _("组织者")
    OWNERS = "owners", _("当家人")
    STEWARD = "steward", _("大管家")
    BACKER = "backer", _("后援团")
    PARTNER = "partner", _("共建者")
    SERVES = "serves", _("服务")


# The six partners in the order the article gives them; the first four name one body (nearest wins),
# the last two gather every body up the tree (a department backing the subdistrict backs each compound).
SIX_PARTNERS: tuple[str, ...] = (
    PartnerRole.LEAD, PartnerRole.ORGANISER, PartnerRole.OWNERS,
    PartnerRole.STEWARD, PartnerRole.BACKER, PartnerRole.PARTNER,
)
SINGLE_PARTNER_ROLES = frozenset({PartnerRole.LEAD, PartnerRole.ORGANISER, PartnerRole.OWNERS, PartnerRole.STEWARD})
