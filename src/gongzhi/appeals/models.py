"""接诉即办: appeals, their timeline, the category catalogue, routing rules and the working calendar."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnly, ImportBatch, TimeStamped
from gongzhi.registry.choices import OrgKind, PartnerRole
from gongzhi.registry.models import Area, Household, Organisation, Placed, Resident

from .choices import OPEN_STATES, Action, Channel, Outcome, Priority, Rating, State, WhistleStatus, label_of


class Category(models.Model):
    """A two-level catalogue (物业管理 / 电梯) with the deadlines a category gets by default."""

    parent = models.ForeignKey("self", verbose_name=_("上级类别"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    position = models.PositiveIntegerField(_("排序"), default=0)
    priority = models.CharField(_("默认优先级"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    respond_hours = models.DecimalField(_("响应时限（工作小时）"), max_digits=6, decimal_places=1, default=2)
    resolve_hours = models.DecimalField(_("办结时限（工作小时）"), max_digits=6, decimal_places=1, default=56)
    is_active = models.BooleanField(_("启用"), default=True)
    # what a resident or worker is asked at intake for this category, as data: [{"key": "floor", "label": "在几楼？",
    # "choices": ["是", "否"] (optional), "required": false}]
    questions = models.JSONField(_("受理时追问"), default=list, blank=True,
                                 help_text=_("例：[{\"key\": \"floor\", \"label\": \"在几楼？\", \"required\": false}]"))
    # what the classifier learns the category from before the community has appeals of its own (triage): what
    # belongs here, and residents' own words; changing either retrains it within minutes
    description = models.TextField(_("类别说明"), blank=True, max_length=1000,
                                   help_text=_("哪些诉求属于这一类（也可写不属于的），供智能分拨学习"))
    examples = models.TextField(_("例句"), blank=True, max_length=60000,
                                help_text=_("居民会怎么说：每行一句，越像真话越好"))

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name")]

    def __str__(self):
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": _("类别不能是自己的上级")})
        if self.parent.parent_id is not None:
            raise ValidationError({"parent": _("类别只有两级：上级类别必须是一级类别")})
        if self.pk and Category.objects.filter(parent_id=self.pk).exists():
            raise ValidationError({"parent": _("这个类别下面已有类别，不能再挂到别的类别下")})

    @property
    def example_lines(self) -> list[str]:
        return [line for raw in self.examples.splitlines() if (line := raw.strip())]


class RoutingRule(models.Model):
    """Category × area → who handles it. Data an administrator edits; every dispatch records its rule.

    The party is either a named organisation, or the compound's partner in ``role`` (its property company
    as steward — or the red steward where it has none — its mutual-aid station, a backing department…),
    optionally narrowed to organisations of one kind. The rule for the most specific category and area wins,
    then the lowest ``position``.
    """

    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.CASCADE,
                                 related_name="routing_rules")
    area = models.ForeignKey(Area, verbose_name=_("适用区域"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", help_text=_("留空表示全市"))
    role = models.CharField(_("派给哪一方"), max_length=16, choices=PartnerRole.choices, blank=True)
    organisation_kind = models.CharField(_("组织类别"), max_length=32, choices=OrgKind.choices, blank=True)
    organisation = models.ForeignKey(Organisation, verbose_name=_("指定单位"), null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("顺序"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(role="") | Q(organisation__isnull=False),
                                   name="routing_rule_has_target"),
        ]

    def __str__(self):
        target = self.organisation or self.get_role_display()
        return f"{self.category} → {target}"


class EscalationRung(models.Model):
    """The escalation ladder (督办), as data: an appeal past its deadline climbs one rung after another, each
    after its own time, and each rung's people hear of it and may urge (催办). Rung 1 fires at the deadline."""

    class Target(models.TextChoices):
        COMMUNITY = "community", _("社区")
        SUBDISTRICT = "subdistrict", _("街道")
        DISTRICT = "district", _("区")
        CITY = "city", _("市12345中心")
        # rungs of a ladder an app above keeps (the care network's): who stands there is that app's answer to
        # AppealsEscalated, which hands the appeal up to them
        CENTRE = "centre", _("党员中心户")
        BRANCH = "branch", _("党支部")

    # "" is the city's ladder (every appeal's); another names an app's own ladder, climbed by the appeals that
    # carry it (Appeal.ladder): a care request goes member → centre household → branch → community
    ladder = models.CharField(_("督办链"), max_length=16, blank=True, default="", db_default="")
    level = models.PositiveSmallIntegerField(_("级别"))
    name = models.CharField(_("名称"), max_length=40)
    target = models.CharField(_("督办方"), max_length=12, choices=Target.choices)
    after_hours = models.DecimalField(_("超时多少小时后"), max_digits=6, decimal_places=1, default=0,
                                      help_text=_("从时限算起的自然小时；第1级为0"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("督办层级")
        verbose_name_plural = _("督办层级")
        ordering = ["ladder", "level"]
        constraints = [models.UniqueConstraint(fields=["ladder", "level"], name="escalation_rung_once")]

    def __str__(self):
        return f"{self.ladder or '12345'} {self.level} {self.name}"


class CalendarDay(models.Model):
    """An exception to Monday–Friday: an official holiday, or a weekend day worked in exchange (调休)."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"), help_text=_("勾选：调休上班日；不勾选：法定节假日"))
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.name}"


class AppealCounter(models.Model):
    """Per-day sequence behind readable appeal numbers (20261123-00042)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.last}"


class Appeal(Placed, TimeStamped):
    number = models.CharField(_("编号"), max_length=20, unique=True)
    channel = models.CharField(_("来源"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="appeals")
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    text = models.TextField(_("诉求内容"))
    area = models.ForeignKey(Area, verbose_name=_("涉及地点"), on_delete=models.PROTECT, related_name="appeals")
    household = models.ForeignKey(Household, verbose_name=_("户"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="appeals")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("诉求人账号"), null=True, blank=True,
                                 db_index=False, on_delete=models.SET_NULL, related_name="appeals")
    resident = models.ForeignKey(Resident, verbose_name=_("诉求人"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="appeals")
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_preference = models.CharField(_("联系方式偏好"), max_length=100, blank=True)
    public = models.BooleanField(_("同意公开"), default=False)
    proactive = models.BooleanField(_("未诉先办"), default=False)
    hotline_order_no = models.CharField(_("热线工单号"), max_length=40, blank=True)
    details = models.JSONField(_("追问的回答"), null=True, blank=True)  # the category's questions, answered
    client_key = models.CharField(max_length=64, blank=True, editable=False,
                                  help_text="the Idempotency-Key of the request that filed it: a retry files nothing new")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # db_index=False where a composite index below starts with the column: one index fewer on every intake
    party = models.ForeignKey(Organisation, verbose_name=_("承办单位"), null=True, blank=True, db_index=False,
                              on_delete=models.PROTECT, related_name="appeals")
    rule = models.ForeignKey(RoutingRule, verbose_name=_("派单规则"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    # 经办人: the person inside the community or the party who has it now (her worklist); db_index off, the
    # (assignee, state) index below starts with it
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                 db_index=False, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    respond_due_at = models.DateTimeField(_("响应时限"), null=True, blank=True)
    respond_warn_at = models.DateTimeField(null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    resolve_warn_at = models.DateTimeField(null=True, blank=True)
    # set once by the sweep: each step warns once at 80% and escalates once when overdue, then climbs the ladder
    # (EscalationRung): the highest rung reached for the step it is at
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0, db_default=0)  # raw loaders
    # which escalation ladder it climbs ("" the city's); on another, its 经办人 holds it (the care network's member)
    ladder = models.CharField(_("督办链"), max_length=16, blank=True, default="", db_default="", editable=False)
    respond_warned_at = models.DateTimeField(null=True, blank=True)
    respond_escalated_at = models.DateTimeField(null=True, blank=True)
    resolve_warned_at = models.DateTimeField(null=True, blank=True)
    resolve_escalated_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停于"), null=True, blank=True)
    pause_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    reply = models.TextField(_("答复"), blank=True)
    outcome = models.CharField(_("未解决原因"), max_length=16, choices=Outcome.choices, blank=True)
    resolved_by = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", help_text=_("办结的单位：重新办理时计入它"))
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    # the call-out fee waived: resolved for a home where someone 60 or older lives alone (counted in the figures)
    fee_waived = models.BooleanField(_("减免上门费"), default=False, db_default=False)
    parent = models.ForeignKey("self", verbose_name=_("合并到"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="merged")

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["hotline_order_no"], condition=~Q(hotline_order_no=""),
                                    name="appeal_unique_hotline_order"),
            models.UniqueConstraint(fields=["entered_by", "client_key"], condition=~Q(client_key=""),
                                    name="appeal_unique_client_key"),
            models.CheckConstraint(condition=Q(outcome="") | Q(state="closed_unresolved"),
                                   name="appeal_outcome_only_when_unresolved"),
        ]
        indexes = [
            models.Index(fields=["community", "state", "id"], name="appeal_community_idx"),
            models.Index(fields=["district", "state", "id"], name="appeal_district_idx"),  # the 12345 centre's
            models.Index(fields=["subdistrict", "state", "id"], name="appeal_subdistrict_idx"),
            models.Index(fields=["grid", "state", "id"], name="appeal_grid_idx"),
            # a compound's recent appeals: duplicate candidates, hotspot pages
            models.Index(fields=["compound", "id"], name="appeal_compound_idx"),
            models.Index(fields=["party", "state", "id"], name="appeal_party_idx"),
            models.Index(fields=["state", "resolve_due_at"], name="appeal_resolve_due_idx"),
            models.Index(fields=["state", "respond_due_at"], name="appeal_respond_due_idx"),
            models.Index(fields=["reporter", "id"], name="appeal_reporter_idx"),
            models.Index(fields=["assignee", "state"], condition=Q(assignee__isnull=False),
                         name="appeal_assignee_idx"),
            models.Index(fields=["community", "id"], condition=Q(public=True, parent__isnull=True),
                         name="appeal_board_idx"),
        ]

    def __str__(self):
        return self.number

    def get_state_display(self):  # on every queue row and API answer
        return label_of(State, self.state)

    @property
    def place_text(self) -> str:
        """“阳光小区3号楼2单元501”, or the grid's or community's name for an appeal about it as a whole (needs the
        compound, building, unit, household and area selected: the queue's selectors do)."""
        parts = [a.name for a in (self.compound, self.building, self.unit) if a is not None]
        if self.household_id:
            parts.append(self.household.room)
        return "".join(parts) or self.area.name

    @property
    def is_open(self) -> bool:
        """Still being handled: its clock runs (merged, resolved and closed ones are never overdue)."""
        return self.state in OPEN_STATES


class AppealEvent(AppendOnly):
    """The timeline: every action on an appeal, who took it, when and why. Never changed afterwards."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events", db_index=False)  # timeline idx
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(Organisation, verbose_name=_("代表单位"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    reason = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(_("居民可见"), default=True)

    class Meta:
        verbose_name = _("诉求记录")
        verbose_name_plural = _("诉求记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["appeal", "at"], name="appeal_event_timeline_idx")]

    def __str__(self):
        return f"{self.appeal_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def get_action_display(self):  # on every timeline line
        return label_of(Action, self.action)


class AppealRating(AppendOnly):
    """Every rating given, never changed or cleared: a reopen starts a new round (``round`` = the rated appeal's
    reopen count then) and the earlier voices stay. ``Appeal.rating`` is the latest, which the satisfaction
    rate counts (docs/appeals.md)."""

    class Via(models.TextChoices):
        PORTAL = "portal", _("居民端")
        SMS_LINK = "sms_link", _("短信链接")
        PHONE = "phone", _("电话回访")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="ratings")
    at = models.DateTimeField(_("时间"))
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices)
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    via = models.CharField(_("评价方式"), max_length=12, choices=Via.choices)
    round = models.PositiveSmallIntegerField(_("第几次答复"), default=0)
    party = models.ForeignKey(Organisation, verbose_name=_("被评价的承办单位"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("评价记录")
        verbose_name_plural = _("评价记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.appeal_id} {self.rating} #{self.round}"


class AppealRequest(models.Model):
    """A party's request the community must approve: 退单 (hand the job back) or 延期 (a later resolve deadline).
    Until decided, the appeal stays with the party and its clock runs; the decision and its reason are on the
    timeline, and approved ones are counted in the figures."""

    class Kind(models.TextChoices):
        RETURN = "return", _("退单")
        EXTEND = "extend", _("延期")

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已驳回")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("申请"), max_length=8, choices=Kind.choices)
    party = models.ForeignKey(Organisation, verbose_name=_("申请单位"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    reason = models.TextField(_("理由"))
    due_at = models.DateTimeField(_("申请延期至"), null=True, blank=True)
    state = models.CharField(_("审核"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("退单与延期申请")
        verbose_name_plural = _("退单与延期申请")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["appeal", "kind"], condition=Q(state="pending"),
                                               name="appeal_request_one_pending")]
        indexes = [models.Index(fields=["state", "appeal"], condition=Q(state="pending"),
                                name="appeal_request_pending_idx")]

    def __str__(self):
        return f"{self.appeal_id} {self.kind} {self.state}"


class Supervision(models.Model):
    """督办: an overdue appeal reached a rung, or a superior (or the resident) urged it (催办). The side handling
    the appeal must answer: why it is late and what happens next. Answered or not, it stays on the record."""

    class Kind(models.TextChoices):
        ESCALATION = "escalation", _("超时督办")
        URGE = "urge", _("催办")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="supervisions")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    by = models.CharField(_("督办方"), max_length=40)
    step = models.CharField(max_length=10, blank=True)
    issued_at = models.DateTimeField(_("督办时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    note = models.CharField(_("督办意见"), max_length=500, blank=True)
    answer = models.TextField(_("回复"), blank=True)
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["appeal"], condition=Q(answered_at__isnull=True),
                                name="supervision_open_idx")]

    def __str__(self):
        return f"{self.appeal_id} {self.kind} {self.by}"


class Whistle(models.Model):
    """街乡吹哨、部门报到 (003): the community calls in the subdistrict or a department, which must report in
    — acknowledge and name who handles it — by a deadline, and then act."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="whistles")
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    blown_at = models.DateTimeField(_("吹哨时间"))
    subdistrict = models.ForeignKey(Area, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    department = models.ForeignKey(Organisation, verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="whistles")
    reason = models.TextField(_("吹哨原因"))
    report_due_at = models.DateTimeField(_("报到时限"))
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    handler_name = models.CharField(_("经办人"), max_length=50, blank=True)
    handler_phone = models.CharField(_("经办人电话"), max_length=20, blank=True)
    escalated_at = models.DateTimeField(_("超时督办于"), null=True, blank=True)
    # 协办: after reporting in, the called body acts by its own deadline and says what it did; the community
    # confirms it (rating the called body) or sends it back to be done again
    handle_due_at = models.DateTimeField(_("协办时限"), null=True, blank=True)
    feedback = models.TextField(_("协办情况"), blank=True)
    fed_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    fed_back_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    sent_back = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    rating = models.CharField(_("社区评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(subdistrict__isnull=True) ^ Q(department__isnull=True),
                                   name="whistle_one_target"),
        ]
        indexes = [models.Index(fields=["reported_at", "report_due_at"], name="whistle_due_idx")]

    def __str__(self):
        return f"{self.appeal} → {self.called}"

    @property
    def called(self):
        """The body called in: a department, or the subdistrict."""
        return self.department if self.department_id else self.subdistrict

    @property
    def status(self) -> str:
        """Where the co-handling stands (``WhistleStatus``)."""
        if self.reported_at is None:
            return WhistleStatus.WAITING
        if self.confirmed_at is not None:
            return WhistleStatus.CONFIRMED
        if self.fed_back_at is not None:
            return WhistleStatus.FED_BACK
        return WhistleStatus.SENT_BACK if self.sent_back else WhistleStatus.HANDLING

    def get_status_display(self):
        return label_of(WhistleStatus, self.status)

    @property
    def due_at(self):
        """What the called body must do next by: report in, then act and say what it did."""
        if self.reported_at is None:
            return self.report_due_at
        return self.handle_due_at if self.fed_back_at is None and self.confirmed_at is None else None


class ReplyTemplate(models.Model):
    """答复模板: a reply a worker starts from, per category (or for all), the city's or one community's.
    ``{number}``, ``{place}``, ``{party}`` and ``{date}`` are filled in for the appeal at hand."""

    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="reply_templates", help_text=_("留空：所有类别都可用"))
    # a community's own (its workers edit them in the console); empty: the city's, which an administrator edits
    community = models.ForeignKey(Area, verbose_name=_("社区"), null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+", help_text=_("留空：全市通用"))
    title = models.CharField(_("名称"), max_length=40)
    text = models.TextField(_("答复内容"), help_text=_("可用占位：{number} 编号，{place} 地点，{party} 承办单位，{date} 日期"))
    position = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


def _photo_path(instance, filename: str) -> str:
    from uuid import uuid4

    return f"appeals/{timezone.now():%Y/%m}/{uuid4().hex}.jpg"


class AppealPhoto(models.Model):
    """A photo of the problem (up to 9 per appeal), re-encoded on upload: no EXIF, so no GPS of someone's home.
    Served only through the appeal's own pages, to those who may see the appeal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("诉求照片")
        verbose_name_plural = _("诉求照片")
        ordering = ["id"]

    def __str__(self):
        return f"{self.appeal_id}/{self.pk}"


class AppealSupport(models.Model):
    """我也遇到: a resident of the community says a public appeal is her problem too. Heat for hotspots; one per
    person and appeal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("附议")
        verbose_name_plural = _("附议")
        constraints = [models.UniqueConstraint(fields=["appeal", "user"], name="appeal_support_once")]

    def __str__(self):
        return f"{self.user_id} → {self.appeal_id}"


class HotlineImport(ImportBatch):
    """One 12345 file the centre uploaded: its outcome and the report of the rows refused, row by row."""

    created = models.PositiveIntegerField(_("新建诉求"), default=0)
    existing = models.PositiveIntegerField(_("此前已导入"), default=0)

    class Meta(ImportBatch.Meta):
        verbose_name = _("热线工单导入")
        verbose_name_plural = _("热线工单导入")


class HotlineFile(models.Model):
    """The uploaded file of a waiting hotline import. Deleted once processed: it holds callers' phones."""

    batch = models.OneToOneField(HotlineImport, on_delete=models.CASCADE, primary_key=True, related_name="file")
    data = models.BinaryField()

    def __str__(self):
        return str(self.batch)
