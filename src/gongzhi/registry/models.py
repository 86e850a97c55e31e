"""The jurisdiction tree (辖区), households, residents and organisations (台账).

Every row that lives somewhere inherits ``Placed``: one column per area kind holding its ancestor of that
kind. "Everything under community X" is therefore ``filter(community=X)`` on an index, at any depth, on
SQLite and PostgreSQL alike. The columns are written only by services (``registry.services``) and kept
right when a grid line is redrawn (``building_assign_grid``: the registry's tables here, other apps' placed rows
through the ``BuildingRegridded`` event).
"""

import re
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.models import ImportBatch, TimeStamped

from .choices import (
    PLACE_KINDS,
    AreaKind,
    CompoundType,
    Gender,
    OrgKind,
    PartKind,
    PartnerRole,
    Relation,
    ResidentStatus,
    SpecialFamily,
    Tenure,
)


def _place_fk(kind_label):
    return models.ForeignKey(
        "registry.Area", verbose_name=kind_label, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False, editable=False,
    )


class Placed(models.Model):
    """Ancestry columns: which district, subdistrict, … unit a row lies in (None where it lies above that)."""

    district = _place_fk(_("区"))
    subdistrict = _place_fk(_("街道"))
    community = _place_fk(_("社区"))
    grid = _place_fk(_("网格"))
    compound = _place_fk(_("小区"))
    building = _place_fk(_("楼栋"))
    unit = _place_fk(_("单元"))

    class Meta:
        abstract = True

    def place_at(self, area: "Area") -> None:
        """Copy the ancestry of ``area`` (which includes ``area`` itself) onto this row."""
        for kind in PLACE_KINDS:
            setattr(self, f"{kind}_id", getattr(area, f"{kind}_id"))


_NUMBER = re.compile(r"\d+")
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def natural_position(name: str) -> int:
    """Sort key so that 2号楼 < 10号楼 and 三单元 < 十二单元: the first number in the name, else 10**9."""
    if m := _NUMBER.search(name):
        return min(int(m.group()), 10**9 - 1)
    total, current, seen = 0, 0, False
    for ch in name:
        if ch in _CN_DIGITS:
            current, seen = _CN_DIGITS[ch], True
        elif ch == "十":
            total += (current or 1) * 10
            current, seen = 0, True
        elif ch == "百":
            total += (current or 1) * 100
            current, seen = 0, True
        elif seen:
            break
    return total + current if seen else 10**9


class Area(Placed, TimeStamped):
    kind = models.CharField(_("类别"), max_length=16, choices=AreaKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("代码"), max_length=32, blank=True, help_text=_("行政区划或社区代码，可留空"))
    position = models.PositiveIntegerField(_("排序"), default=0, editable=False)
    compound_type = models.CharField(_("小区类型"), max_length=16, choices=CompoundType.choices, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "kind", "name"], name="area_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["kind", "name"], condition=Q(parent__isnull=True), name="area_unique_root_name"
            ),
            models.CheckConstraint(
                condition=Q(kind=AreaKind.DISTRICT, parent__isnull=True) | Q(parent__isnull=False),
                name="area_only_districts_are_roots",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "kind", "position"], name="area_children_idx"),
            models.Index(fields=["subdistrict", "kind"], name="area_subdistrict_idx"),
            models.Index(fields=["community", "kind"], name="area_community_idx"),
            models.Index(fields=["grid", "kind"], name="area_grid_idx"),
            models.Index(fields=["compound", "kind"], name="area_compound_idx"),
            models.Index(fields=["building", "kind"], name="area_building_idx"),
            models.Index(fields=["district", "kind"], name="area_district_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.position = natural_position(self.name)
        super().save(*args, **kwargs)

    @property
    def is_compound(self) -> bool:
        return self.kind == AreaKind.COMPOUND


class Household(Placed, TimeStamped):
    """One dwelling and the people registered in it (户). Lies in a unit, or in a building without units."""

    area = models.ForeignKey(Area, verbose_name=_("所在单元/楼栋"), on_delete=models.PROTECT, related_name="households")
    room = models.CharField(_("门牌号"), max_length=20)
    position = models.PositiveIntegerField(default=0, editable=False)
    code = models.CharField(_("户编号"), max_length=40, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["area_id", "position", "room"]
        constraints = [models.UniqueConstraint(fields=["area", "room"], name="household_unique_room")]
        indexes = [
            models.Index(fields=["community", "id"], name="household_community_idx"),
            models.Index(fields=["grid", "id"], name="household_grid_idx"),
            models.Index(fields=["compound", "id"], name="household_compound_idx"),
            models.Index(fields=["building", "id"], name="household_building_idx"),
            models.Index(fields=["subdistrict", "id"], name="household_subdistrict_idx"),
        ]

    def __str__(self):
        return self.address

    def save(self, *args, **kwargs):
        self.position = natural_position(self.room)
        super().save(*args, **kwargs)

    @property
    def address(self) -> str:
        """``阳光小区3号楼2单元501`` — needs compound, building and unit selected (selectors do that)."""
        parts = [a.name for a in (self.compound, self.building, self.unit) if a is not None]
        return "".join(parts) + self.room


class Resident(Placed, TimeStamped):
    household = models.ForeignKey(Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="residents")
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, null=True, blank=True)
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices, default=Relation.HEAD)
    tenure = models.CharField(_("产权关系"), max_length=16, choices=Tenure.choices, default=Tenure.OWNER)
    lives_alone = models.BooleanField(_("独居"), default=False)
    is_party_member = models.BooleanField(_("党员"), default=False)
    is_volunteer = models.BooleanField(_("志愿者"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=ResidentStatus.choices, default=ResidentStatus.PRESENT)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="resident_unique_id_number"),
        ]
        indexes = [
            models.Index(fields=["community", "status", "id"], name="resident_community_idx"),
            models.Index(fields=["grid", "status", "id"], name="resident_grid_idx"),
            models.Index(fields=["compound", "status", "id"], name="resident_compound_idx"),
            models.Index(fields=["building", "status", "id"], name="resident_building_idx"),
            models.Index(fields=["subdistrict", "status", "id"], name="resident_subdistrict_idx"),
            models.Index(fields=["phone"], name="resident_phone_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def age(self, today: date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        today = today or timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))

    @property
    def is_elderly(self) -> bool:
        age = self.age()
        return age is not None and age >= settings.GONGZHI["ELDERLY_AGE"]


class ExclusivePart(Placed, TimeStamped):
    """An exclusive part (专有部分) of a building: a flat, a shop, a garage. Owners' votes count them (民法典 art. 278):
    one ballot per part, its registered floor area, and one head per buyer (``headcount_key``).

    Lies with a household: the dwelling it is, or the household a garage or shop belongs to. ``owner`` is the
    buyer of record (产权人) where the registry holds her; an owner living elsewhere may be recorded as a
    resident of this household who has moved out. A part the developer has not sold or not delivered is
    ``developer_held``: all of them count as one head together.
    """

    household = models.ForeignKey(Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="parts")
    kind = models.CharField(_("类别"), max_length=16, choices=PartKind.choices, default=PartKind.DWELLING)
    number = models.CharField(_("编号"), max_length=30, help_text=_("房号、车位号等；住宅一般即门牌号"))
    measured_area = models.DecimalField(
        _("实测面积(㎡)"), max_digits=9, decimal_places=2, null=True, blank=True,
        help_text=_("不动产登记的专有部分面积；业主表决按此计票"),
    )
    contract_area = models.DecimalField(
        _("合同面积(㎡)"), max_digits=9, decimal_places=2, null=True, blank=True,
        help_text=_("尚未登记时按购房合同面积计票"),
    )
    owner = models.ForeignKey(
        Resident, verbose_name=_("产权人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_parts",
    )
    developer_held = models.BooleanField(
        _("建设单位未售出或未交付"), default=False, help_text=_("建设单位未售出或未交付的部分合计按一人计算"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("专有部分")
        verbose_name_plural = _("专有部分")
        ordering = ["household_id", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["household", "kind", "number"], name="part_unique_number"),
            models.CheckConstraint(condition=~Q(developer_held=True, owner__isnull=False),
                                   name="part_developer_has_no_owner"),
            models.CheckConstraint(
                condition=(Q(measured_area__isnull=True) | Q(measured_area__gte=0))
                & (Q(contract_area__isnull=True) | Q(contract_area__gte=0)),
                name="part_area_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["compound", "id"], name="part_compound_idx"),
            models.Index(fields=["building", "id"], name="part_building_idx"),
            models.Index(fields=["community", "id"], name="part_community_idx"),
        ]

    def __str__(self):
        return f"{self.number}（{self.get_kind_display()}）" if self.kind != PartKind.DWELLING else self.number

    @property
    def area(self):
        """The area a vote counts: measured where registered, else the contract's; None where neither is known."""
        return self.measured_area if self.measured_area is not None else self.contract_area

    @property
    def headcount_key(self) -> str:
        return headcount_key(self.pk, self.owner_id, self.developer_held)


def headcount_key(part_id: int, owner_id: int | None, developer_held: bool) -> str:
    """Who a part counts as in an owners' headcount (《建筑物区分所有权解释》 art. 9): one head per part, but a buyer
    of several parts counts once, and the developer's unsold or undelivered parts count once together. A part
    whose owner the registry does not hold counts as a head of its own."""
    if developer_held:
        return "developer"
    return f"owner:{owner_id}" if owner_id is not None else f"part:{part_id}"


class ResidentSpecialFamily(models.Model):
    """One special-family status of a resident (孤寡、特困、失独、残疾、低保…); a resident may have several."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="special_families")
    kind = models.CharField(_("特殊家庭类别"), max_length=24, choices=SpecialFamily.choices)

    class Meta:
        verbose_name = _("特殊家庭标记")
        verbose_name_plural = _("特殊家庭标记")
        constraints = [models.UniqueConstraint(fields=["resident", "kind"], name="special_family_unique")]
        indexes = [models.Index(fields=["kind", "resident"], name="special_family_kind_idx")]

    def __str__(self):
        return self.get_kind_display()


class Organisation(TimeStamped):
    kind = models.CharField(_("类别"), max_length=32, choices=OrgKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        help_text=_("党组织的上级党组织；环物会、互助站所属的居委会等"),
    )
    home_area = models.ForeignKey(
        Area, verbose_name=_("所属区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("组织登记或设立的区域，决定谁可以管理它"),
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    areas = models.ManyToManyField(Area, through="OrganisationArea", related_name="organisations", blank=True)
    # 大手拉小手: a small property company paired with a big one that backs it (a job it cannot staff is
    # transferred there first)
    paired_with = models.ForeignKey(
        "self", verbose_name=_("结对帮扶单位（大手拉小手）"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="paired", help_text=_("小物业与结对的大物业：转派时优先推荐"),
    )

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]
        constraints = [
            # same-named bodies exist in different places (every 阳光花园 has its 业委会)
            models.UniqueConstraint(fields=["kind", "home_area", "name"], name="organisation_unique_name"),
            models.UniqueConstraint(
                fields=["kind", "name"], condition=Q(home_area__isnull=True), name="organisation_unique_citywide_name"
            ),
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="organisation_unique_credit_code"
            ),
        ]
        indexes = [models.Index(fields=["home_area", "kind"], name="organisation_home_idx")]

    def __str__(self):
        return self.name


class OrganisationArea(models.Model):
    """An organisation serves an area in a role: the six partners of 社区治理合伙人 (002), or plain service."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="area_roles")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="organisation_roles")
    role = models.CharField(_("角色"), max_length=16, choices=PartnerRole.choices)
    since = models.DateField(_("起始日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务区域")
        verbose_name_plural = _("服务区域")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "area", "role"], name="organisation_area_unique"),
        ]
        indexes = [models.Index(fields=["area", "role"], name="organisation_area_role_idx")]

    def __str__(self):
        return f"{self.organisation} → {self.area} ({self.get_role_display()})"


class OrganisationMember(TimeStamped):
    """A person holding a post in an organisation. Linked to an account or a resident where one exists."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    is_contact = models.BooleanField(_("对外联系人"), default=False)
    started_on = models.DateField(_("任职起始"), null=True, blank=True)
    ended_on = models.DateField(_("任职结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("组织成员")
        verbose_name_plural = _("组织成员")
        ordering = ["organisation_id", "-is_contact", "id"]

    def __str__(self):
        return f"{self.name}（{self.post}）" if self.post else self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class LedgerImport(ImportBatch):
    """One upload of a household ledger (.xlsx): its outcome and the per-row report of refused rows."""

    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    areas_created = models.PositiveIntegerField(_("新建区域"), default=0)
    households_created = models.PositiveIntegerField(_("新建户"), default=0)

    class Meta(ImportBatch.Meta):
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")


class LedgerFile(models.Model):
    """The uploaded workbook of a waiting import. Deleted once processed: it holds personal data."""

    batch = models.OneToOneField(LedgerImport, on_delete=models.CASCADE, primary_key=True, related_name="file")
    data = models.BinaryField()

    def __str__(self):
        return str(self.batch)
