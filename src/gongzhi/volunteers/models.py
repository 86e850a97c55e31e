"""Volunteers and the people who serve: registration, teams and loans to other compounds, duty rosters and shifts
with sign-up, hand-over, check-in and hours; the points ledger (a volunteer's, and a party member's own) and the
shop where points become daily goods; errands (温馨到家) for residents who cannot go out.

Who writes what: ``services`` is the only writer. The points ledger (``PointsEntry``) and the shop's stock moves are
append-only (the database refuses to change them); an account's ``balance`` is the sum of its entries, kept on the
account row in the same transaction that writes the entry, so reading a balance is one row by its key whatever the
ledger's length (``make bench ONLY=volunteers.balance``).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnly, TimeStamped
from gongzhi.registry.models import Area, Household, Organisation, Placed, Resident

from .choices import (
    HOLDING,
    Account,
    Entry,
    ErrandKind,
    ErrandState,
    OrderState,
    ShiftKind,
    SignupState,
    Trigger,
    VolunteerState,
)

USER = settings.AUTH_USER_MODEL


class Volunteer(Placed, TimeStamped):
    """A registered volunteer, placed at the community she registered with (who approves her and whose shifts she
    may take). ``user`` is her account; an older volunteer without a phone is registered by staff and checked in by
    her team leader."""

    user = models.OneToOneField(USER, verbose_name=_("账号"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="volunteer")
    resident = models.ForeignKey(Resident, verbose_name=_("居民"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    home = models.ForeignKey(Area, verbose_name=_("所在社区"), on_delete=models.PROTECT, related_name="+")
    skills = models.JSONField(_("技能"), default=list, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=200, blank=True)
    areas = models.ManyToManyField(Area, verbose_name=_("愿意服务的区域"), blank=True, related_name="+")
    state = models.CharField(_("状态"), max_length=12, choices=VolunteerState.choices, default=VolunteerState.PENDING)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["id"]
        indexes = [models.Index(fields=["community", "state"], name="volunteer_community_idx")]

    def __str__(self):
        return self.name


class TeamMember(TimeStamped):
    """A volunteer in a team (志愿服务队: a registry organisation of that kind); a leader checks the team in."""

    team = models.ForeignKey(Organisation, verbose_name=_("队伍"), on_delete=models.CASCADE,
                             related_name="volunteer_members")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="teams")
    is_leader = models.BooleanField(_("队长"), default=False)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        constraints = [models.UniqueConstraint(fields=["team", "volunteer"], condition=Q(left_on__isnull=True),
                                               name="team_member_once")]


class Loan(TimeStamped):
    """A volunteer lent to another compound or community for a period (支援): she may take its shifts then."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="loans")
    area = models.ForeignKey(Area, verbose_name=_("支援的区域"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("开始"))
    ends_on = models.DateField(_("结束"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ended_early_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("志愿者借调")
        verbose_name_plural = _("志愿者借调")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="loan_dates")]


class Roster(Placed, TimeStamped):
    """A recurring duty (门岗每天7–9点两人): the clock lays out its shifts two weeks ahead."""

    area = models.ForeignKey(Area, verbose_name=_("地点所在区域"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=ShiftKind.choices)
    title = models.CharField(_("名称"), max_length=60)
    place = models.CharField(_("具体地点"), max_length=100, blank=True)
    team = models.ForeignKey(Organisation, verbose_name=_("负责队伍"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    weekdays = models.CharField(_("星期"), max_length=7, help_text=_("1–7，如 12345 为工作日"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("每班人数"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    laid_until = models.DateField(null=True, blank=True, editable=False)  # its shifts exist up to this day
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        ordering = ["start_time", "id"]

    def __str__(self):
        return self.title


class Shift(Placed, TimeStamped):
    """One duty slot or activity, with its places. ``code`` is what the QR code at the place carries."""

    roster = models.ForeignKey(Roster, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts")
    area = models.ForeignKey(Area, verbose_name=_("地点所在区域"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=ShiftKind.choices)
    title = models.CharField(_("名称"), max_length=60)
    place = models.CharField(_("具体地点"), max_length=100, blank=True)
    team = models.ForeignKey(Organisation, verbose_name=_("负责队伍"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("人数"))
    code = models.CharField(max_length=16, unique=True, editable=False)
    cancelled_at = models.DateTimeField(_("取消于"), null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True, editable=False)  # the clock closed its signups
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("值守班次")
        verbose_name_plural = _("值守班次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "starts_at"], condition=Q(roster__isnull=False),
                                    name="shift_once_per_roster_slot"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
        ]
        indexes = [models.Index(fields=["community", "starts_at"], name="shift_community_idx"),
                   models.Index(fields=["ends_at"], condition=Q(settled_at__isnull=True), name="shift_unsettled_idx")]

    def __str__(self):
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"


class Signup(TimeStamped):
    """A volunteer's place on a shift and what became of it: check-in and check-out (by the code at the place or by
    the leader), the minutes served, or a no-show; a hand-over (换班) ends it and opens the taker's."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    state = models.CharField(_("状态"), max_length=12, choices=SignupState.choices, default=SignupState.BOOKED)
    checked_in_at = models.DateTimeField(_("签到"), null=True, blank=True)
    checked_in_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_out_at = models.DateTimeField(_("签退"), null=True, blank=True)
    checked_out_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    minutes = models.PositiveIntegerField(_("服务分钟"), default=0)
    offered_at = models.DateTimeField(_("求换班于"), null=True, blank=True)
    handed_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["shift__starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], condition=Q(state__in=HOLDING),
                                               name="signup_once_per_shift")]
        indexes = [models.Index(fields=["volunteer", "state"], name="signup_volunteer_idx")]


class PartyMember(Placed, TimeStamped):
    """A party member of a branch (党支部), and, for one employed elsewhere, the community she reported to where she
    lives (在职党员回社区报到). Placed at that community, or the branch's."""

    branch = models.ForeignKey(Organisation, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    user = models.OneToOneField(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="party_member")
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    joined_on = models.DateField(_("入党日期"))
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    reported_to = models.ForeignKey(Area, verbose_name=_("报到社区"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["joined_on", "id"]

    def __str__(self):
        return self.name


class PointsAccount(models.Model):
    """One person's points of one kind. ``balance`` is the sum of the account's ledger, written with each entry."""

    kind = models.CharField(_("账户"), max_length=12, choices=Account.choices)
    volunteer = models.OneToOneField(Volunteer, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="points")
    member = models.OneToOneField(PartyMember, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="points")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")  # whose shop serves it
    balance = models.IntegerField(_("余额"), default=0)
    earned = models.PositiveIntegerField(_("累计获得"), default=0)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_never_below_zero"),
            models.CheckConstraint(condition=Q(kind="volunteer", volunteer__isnull=False, member__isnull=True)
                                   | Q(kind="party", member__isnull=False, volunteer__isnull=True),
                                   name="points_account_holder"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.balance}"


class PointsRule(models.Model):
    """What earns points, as data: per hour served, per shift of a kind, per errand, per help staff confirm. The rule
    of the nearest area wins (a community's over the city's)."""

    account = models.CharField(_("账户"), max_length=12, choices=Account.choices)
    trigger = models.CharField(_("奖励什么"), max_length=12, choices=Trigger.choices)
    shift_kind = models.CharField(_("值守类别"), max_length=16, choices=ShiftKind.choices, blank=True,
                                  help_text=_("留空适用于所有类别"))
    area = models.ForeignKey(Area, verbose_name=_("适用区域"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", help_text=_("留空表示全市"))
    points = models.PositiveIntegerField(_("积分"))
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["account", "trigger", "id"]

    def __str__(self):
        return f"{self.get_account_display()} {self.get_trigger_display()} {self.points}"


class PointsEntry(AppendOnly):
    """The ledger: every change of a balance, never altered. ``ref`` names what caused it (``signup:12``,
    ``order:7``) and is unique per account, so nothing is granted or charged twice."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries", db_index=False)
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("类别"), max_length=8, choices=Entry.choices)
    delta = models.IntegerField(_("积分"))
    balance_after = models.IntegerField(_("余额"))
    rule = models.ForeignKey(PointsRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(max_length=40, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "ref"], condition=~Q(ref=""), name="points_entry_once"),
            models.CheckConstraint(condition=~Q(delta=0), name="points_entry_nonzero"),
        ]
        indexes = [models.Index(fields=["account", "-id"], name="points_entry_account_idx")]


class ShopItem(Placed, TimeStamped):
    """Daily goods a community's points shop (积分超市) offers, with the stock on its shelf."""

    area = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("物品"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    account = models.CharField(_("可用积分"), max_length=12, choices=Account.choices, default=Account.VOLUNTEER)
    points = models.PositiveIntegerField(_("所需积分"))
    stock = models.IntegerField(_("库存"), default=0)
    per_order = models.PositiveSmallIntegerField(_("每单最多"), default=5)
    is_active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("兑换物品")
        verbose_name_plural = _("兑换物品")
        ordering = ["points", "id"]
        constraints = [models.CheckConstraint(condition=Q(stock__gte=0), name="stock_never_below_zero"),
                       models.CheckConstraint(condition=Q(points__gte=1), name="item_costs_points")]

    def __str__(self):
        return self.name


class StockMove(AppendOnly):
    """Goods put on or taken off the shelf by staff (restock, breakage). Orders move stock themselves: an item's
    stock is its moves less what reserved and handed-over orders hold."""

    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, related_name="moves")
    at = models.DateTimeField()
    delta = models.IntegerField(_("数量"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("入库记录")
        verbose_name_plural = _("入库记录")
        ordering = ["-id"]


class Order(TimeStamped):
    """A redemption: stock reserved and points deducted together; handed over at the counter, or cancelled, which
    puts both back. ``key`` is the client's idempotency key: a retried tap orders nothing twice."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="orders")
    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, related_name="orders")
    quantity = models.PositiveSmallIntegerField(_("数量"))
    points = models.PositiveIntegerField(_("积分"))
    state = models.CharField(_("状态"), max_length=12, choices=OrderState.choices, default=OrderState.RESERVED)
    key = models.CharField(max_length=64, blank=True)
    handed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    handed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("兑换单")
        verbose_name_plural = _("兑换单")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["account", "key"], condition=~Q(key=""), name="order_key_once")]
        indexes = [models.Index(fields=["item", "state"], name="order_item_idx")]


class Errand(Placed, TimeStamped):
    """温馨到家: shopping or medicine for someone who cannot go out, asked by her (or a worker for her), claimed and
    delivered by a volunteer, confirmed by her or her building head; points on confirmation."""

    household = models.ForeignKey(Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, verbose_name=_("为谁"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=ErrandKind.choices)
    items = models.TextField(_("清单"))
    deliver_by = models.DateTimeField(_("希望送达"), null=True, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=12, choices=ErrandState.choices, default=ErrandState.OPEN)
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="errands")
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    amount = models.DecimalField(_("垫付金额（元）"), max_digits=8, decimal_places=2, null=True, blank=True)
    delivery_note = models.CharField(_("送达说明"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("温馨到家")
        verbose_name_plural = _("温馨到家")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community", "state"], name="errand_community_idx")]


class ServicePost(Placed, TimeStamped):
    """A service post a community offers its reported party members (服务岗位: 楼门长助理, 政策宣讲员…)."""

    area = models.ForeignKey(Area, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("岗位"), max_length=60)
    description = models.CharField(_("职责"), max_length=300, blank=True)
    slots = models.PositiveSmallIntegerField(_("名额"), default=5)
    is_active = models.BooleanField(_("开放认领"), default=True)

    class Meta:
        verbose_name = _("服务岗位")
        verbose_name_plural = _("服务岗位")
        ordering = ["id"]

    def __str__(self):
        return self.title


class PostClaim(TimeStamped):
    """A party member's claim of a post (认领岗位), until she gives it up."""

    post = models.ForeignKey(ServicePost, on_delete=models.PROTECT, related_name="claims")
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="claims")
    claimed_at = models.DateTimeField(_("认领时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("岗位认领")
        verbose_name_plural = _("岗位认领")
        constraints = [models.UniqueConstraint(fields=["post", "member"], condition=Q(ended_at__isnull=True),
                                               name="post_claim_once")]
