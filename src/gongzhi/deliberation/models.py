"""协商议事: councils at five levels, topics through a fixed procedure, meetings and hearings, votes of members or
owners, resolutions under public notice, objections, the projects that carry them out and their money.

Who writes what: ``services`` is the only writer. History that must hold is append-only (``TopicEvent`` the
timeline, ``Ballot``, ``Resolution`` versions, ``MoneyEntry`` the ledger); the database refuses to change them.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnly, TimeStamped
from gongzhi.registry.models import Area, ExclusivePart, Household, Organisation, Placed, Resident

from .choices import (
    Action,
    Channel,
    Choice,
    Entry,
    MeetingKind,
    MeetingMode,
    MeetingState,
    ObjectionState,
    Origin,
    OwnersMatter,
    Rule,
    Side,
    Source,
    Stage,
    VoteKind,
    VoteState,
)

USER = settings.AUTH_USER_MODEL


class SeatTemplate(models.Model):
    """How a council is composed (7+X, 五方议事, 1351N…): data, not code; new ones are added in the admin."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("席位模板")
        verbose_name_plural = _("席位模板")
        ordering = ["id"]

    def __str__(self):
        return self.name


class SeatKind(models.Model):
    """One kind of seat of a template. ``seats`` is how many it should hold (0: as many as needed); a ``per_topic``
    kind is the X: stakeholders named for each topic, not standing members."""

    template = models.ForeignKey(SeatTemplate, on_delete=models.CASCADE, related_name="kinds")
    code = models.SlugField(_("代码"), max_length=30)
    name = models.CharField(_("席位"), max_length=60)
    seats = models.PositiveSmallIntegerField(_("名额"), default=1)
    per_topic = models.BooleanField(_("按议题确定（X）"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("席位")
        verbose_name_plural = _("席位")
        ordering = ["template_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="seat_kind_unique_code")]

    def __str__(self):
        return self.name


class Council(Placed, TimeStamped):
    """A deliberation body over one area (议事会/议事厅/议事苑): a subdistrict, community, compound, building, grid or
    a unit's residents."""

    area = models.ForeignKey(Area, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="councils")
    name = models.CharField(_("名称"), max_length=80)
    template = models.ForeignKey(SeatTemplate, verbose_name=_("席位模板"), on_delete=models.PROTECT, related_name="+")
    term_start = models.DateField(_("本届起始"))
    term_end = models.DateField(_("本届届满"), null=True, blank=True)
    cosign_threshold = models.PositiveSmallIntegerField(
        _("联署人数"), help_text=_("居民提出的议题，连同提议人达到此人数后提交受理"),
    )
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("议事会")
        verbose_name_plural = _("议事会")
        ordering = ["area_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="council_unique_name"),
            models.CheckConstraint(condition=Q(cosign_threshold__gte=1), name="council_cosign_positive"),
            models.CheckConstraint(condition=Q(notice_days__gte=1), name="council_notice_positive"),
        ]
        indexes = [models.Index(fields=["community", "is_active"], name="council_community_idx"),
                   models.Index(fields=["subdistrict", "is_active"], name="council_subdistrict_idx")]

    def __str__(self):
        return self.name


class CouncilMember(TimeStamped):
    """A representative (议事代表) in a seat for a term. Ended, never deleted: past minutes name them."""

    class How(models.TextChoices):
        APPOINTED = "appointed", _("推选/委派")
        ELECTED = "elected", _("选举产生")

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="members")
    seat = models.ForeignKey(SeatKind, verbose_name=_("席位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="council_seats")
    organisation = models.ForeignKey(Organisation, verbose_name=_("所在单位"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    how = models.CharField(_("产生方式"), max_length=16, choices=How.choices, default=How.APPOINTED)
    started_on = models.DateField(_("任职起始"))
    ended_on = models.DateField(_("任职结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("议事代表")
        verbose_name_plural = _("议事代表")
        ordering = ["council_id", "seat__position", "id"]
        indexes = [models.Index(fields=["council", "ended_on"], name="member_council_idx")]

    def __str__(self):
        return self.name


class Topic(Placed, TimeStamped):
    """A matter brought to a council (议题). Its ``scope`` (an area within the council's) decides who sees it and who
    votes; the ancestry columns are the scope's."""

    council = models.ForeignKey(Council, verbose_name=_("议事会"), on_delete=models.PROTECT, related_name="topics")
    scope = models.ForeignKey(Area, verbose_name=_("涉及范围"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("议题"), max_length=80)
    body = models.TextField(_("内容"))
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices, default=Stage.PROPOSED)
    origin = models.CharField(_("来源"), max_length=16, choices=Origin.choices)
    origin_ref = models.CharField(_("来源编号"), max_length=40, blank=True, help_text=_("如诉求编号"))
    proposed_by = models.ForeignKey(USER, verbose_name=_("提议人"), on_delete=models.PROTECT, related_name="+")
    decline_reason = models.TextField(_("不予受理理由"), blank=True)
    owners_matter = models.CharField(_("业主共同决定事项"), max_length=16, choices=OwnersMatter.choices, blank=True)
    notice_ends_at = models.DateTimeField(_("公示截止"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("决议公示时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["council", "stage"], name="topic_council_idx"),
            models.Index(fields=["community", "stage"], name="topic_community_idx"),
            models.Index(fields=["subdistrict", "stage"], name="topic_subdistrict_idx"),
            models.Index(fields=["stage", "notice_ends_at"], name="topic_notice_idx"),
        ]

    def __str__(self):
        return self.title


class TopicEvent(AppendOnly):
    """The timeline: every step of a topic, who took it and why. Residents in scope read the public lines."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="events", db_index=False)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices)
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(_("居民可见"), default=True)

    class Meta:
        verbose_name = _("议题记录")
        verbose_name_plural = _("议题记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["topic", "at"], name="topic_event_timeline_idx")]

    def __str__(self):
        return f"{self.topic_id} {self.action}"


class Cosign(models.Model):
    """A resident backing a proposal (联署); the proposer is the first."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="cosigns")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("联署")
        verbose_name_plural = _("联署")
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="cosign_once")]

    def __str__(self):
        return f"{self.topic_id}·{self.user_id}"


class Stakeholder(TimeStamped):
    """The X of 7+X: a party the topic concerns, named and notified for its meetings."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(_("名称/姓名"), max_length=80)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    interest = models.CharField(_("利害关系"), max_length=120, blank=True)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("利益相关方")
        verbose_name_plural = _("利益相关方")
        ordering = ["topic_id", "id"]

    def __str__(self):
        return self.name


class Material(TimeStamped):
    """A document a council reads before it meets: a quotation, a plan, a survey's result."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("标题"), max_length=120)
    text = models.TextField(_("内容"))
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("会议材料")
        verbose_name_plural = _("会议材料")
        ordering = ["topic_id", "id"]


class Meeting(TimeStamped):
    """One sitting on a topic: a council meeting or a hearing, in the hall or on site (移动议事厅)."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("类别"), max_length=16, choices=MeetingKind.choices, default=MeetingKind.MEETING)
    mode = models.CharField(_("形式"), max_length=16, choices=MeetingMode.choices, default=MeetingMode.HALL)
    place = models.CharField(_("地点"), max_length=120)
    starts_at = models.DateTimeField(_("时间"))
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=MeetingState.choices, default=MeetingState.SCHEDULED)
    opened_at = models.DateTimeField(_("开始"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["topic_id", "starts_at", "id"]
        indexes = [models.Index(fields=["state", "starts_at"], name="meeting_state_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d}"


class Attendance(models.Model):
    """Roll call: a member or a stakeholder, present or not."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CouncilMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stakeholder = models.ForeignKey(Stakeholder, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=80)
    present = models.BooleanField(_("出席"), default=False)

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], condition=Q(member__isnull=False),
                                    name="attendance_member_once"),
            models.UniqueConstraint(fields=["meeting", "stakeholder"], condition=Q(stakeholder__isnull=False),
                                    name="attendance_stakeholder_once"),
        ]

    def __str__(self):
        return self.name


class Position(TimeStamped):
    """A party's position in the minutes (物业公司：…；业主代表：…)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="positions")
    party = models.CharField(_("发言方"), max_length=80)
    text = models.TextField(_("意见"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("各方意见")
        verbose_name_plural = _("各方意见")
        ordering = ["meeting_id", "id"]


class Speaker(TimeStamped):
    """A listed speaker of a hearing (听证会), in order."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("发言人"), max_length=80)
    side = models.CharField(_("立场"), max_length=16, choices=Side.choices, default=Side.NEUTRAL)
    order = models.PositiveSmallIntegerField(_("顺序"))
    spoke = models.BooleanField(_("已发言"), default=False)
    summary = models.TextField(_("发言摘要"), blank=True)

    class Meta:
        verbose_name = _("听证发言人")
        verbose_name_plural = _("听证发言人")
        ordering = ["meeting_id", "order", "id"]


class Vote(TimeStamped):
    """A decision: by the council's members, or by the owners of the exclusive parts in the topic's scope. An owners'
    vote freezes its roll (``RollEntry``) when it opens: the tally is reproducible from the roll and the ballots."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="votes")
    kind = models.CharField(_("表决方式"), max_length=16, choices=VoteKind.choices)
    matter = models.CharField(_("事项类别"), max_length=16, choices=OwnersMatter.choices, blank=True)
    rule = models.CharField(_("通过条件"), max_length=16, choices=Rule.choices)
    question = models.CharField(_("表决事项"), max_length=200)
    secret = models.BooleanField(_("无记名投票"), default=False)
    opens_at = models.DateTimeField(_("开始"))
    closes_at = models.DateTimeField(_("截止"))
    state = models.CharField(_("状态"), max_length=16, choices=VoteState.choices, default=VoteState.OPEN)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), null=True)
    result = models.JSONField(_("计票结果"), default=dict, blank=True)
    seated = models.JSONField(_("表决成员"), default=list, blank=True)  # a council vote: the members seated at opening
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        ordering = ["-id"]
        constraints = [
            # one open vote per topic at a time
            models.UniqueConstraint(fields=["topic"], condition=Q(state="open"), name="vote_one_open_per_topic"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="vote_closes_after_open"),
        ]
        indexes = [models.Index(fields=["state", "closes_at"], name="vote_state_idx")]

    def __str__(self):
        return self.question


class RollEntry(models.Model):
    """One entitled exclusive part of an owners' vote, as the registry held it when the vote opened."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="roll", db_index=False)
    part = models.ForeignKey(ExclusivePart, on_delete=models.PROTECT, related_name="+")
    area = models.DecimalField(max_digits=9, decimal_places=2, null=True)  # None: the registry has no area for it
    head = models.CharField(max_length=24)  # registry.models.headcount_key
    owner = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("表决名册")
        verbose_name_plural = _("表决名册")
        constraints = [models.UniqueConstraint(fields=["vote", "part"], name="roll_part_once")]
        indexes = [models.Index(fields=["vote", "owner"], name="roll_owner_idx"),
                   models.Index(fields=["vote", "household"], name="roll_household_idx")]

    def __str__(self):
        return f"{self.vote_id}·{self.part_id}"


class Ballot(AppendOnly):
    """One ballot: for an exclusive part (owners' vote) or of a member (council vote). Never changed; a second for
    the same part or member is refused by the database, whatever its channel."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots", db_index=False)
    part = models.ForeignKey(ExclusivePart, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(CouncilMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("意见"), max_length=8, choices=Choice.choices)
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    at = models.DateTimeField(_("时间"))
    cast_by = models.ForeignKey(USER, verbose_name=_("录入/投票账号"), on_delete=models.PROTECT, related_name="+")
    proxy_name = models.CharField(_("受托人"), max_length=50, blank=True)
    sheet = models.BinaryField(_("表决票照片"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [
            models.UniqueConstraint(fields=["vote", "part"], condition=Q(part__isnull=False), name="ballot_part_once"),
            models.UniqueConstraint(fields=["vote", "member"], condition=Q(member__isnull=False),
                                    name="ballot_member_once"),
            models.CheckConstraint(condition=Q(part__isnull=True, member__isnull=False) | Q(part__isnull=False, member__isnull=True),
                                   name="ballot_part_or_member"),
        ]
        indexes = [models.Index(fields=["vote", "part"], name="ballot_vote_idx")]


class Resolution(AppendOnly):
    """The decision as published (决议). A change is a new version with its reason; a published one is never
    edited."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="resolutions")
    version = models.PositiveSmallIntegerField(_("版本"))
    text = models.TextField(_("决议内容"))
    adopted = models.BooleanField(_("通过"), default=True)
    vote = models.ForeignKey(Vote, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("公示时间"))
    notice_ends_at = models.DateTimeField(_("公示截止"))
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("修订原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["topic_id", "version"]
        constraints = [models.UniqueConstraint(fields=["topic", "version"], name="resolution_version_once")]

    def __str__(self):
        return f"{self.topic_id} v{self.version}"


class Objection(TimeStamped):
    """An objection raised during the notice period (异议), with the council's answer."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="objections")
    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="objections")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("异议理由"))
    state = models.CharField(_("状态"), max_length=16, choices=ObjectionState.choices, default=ObjectionState.PENDING)
    answer = models.TextField(_("答复"), blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["topic_id", "id"]
        constraints = [models.UniqueConstraint(fields=["resolution", "user"], name="objection_once_per_version")]


class Project(TimeStamped):
    """The resolution put into practice (立项): who carries it out, by when, with what money."""

    topic = models.OneToOneField(Topic, on_delete=models.PROTECT, related_name="project")
    title = models.CharField(_("项目名称"), max_length=80)
    lead = models.CharField(_("负责人/单位"), max_length=80)
    organisation = models.ForeignKey(Organisation, verbose_name=_("承办单位"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    budget = models.DecimalField(_("预算(元)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    share_per_household = models.DecimalField(
        _("每户分摊(元)"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("居民自筹部分每户应缴金额；不分摊则留空"),
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        constraints = [models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative")]

    def __str__(self):
        return self.title


class Funding(models.Model):
    """A planned source of a project's money (财政补一点、集体拿一点、社会赞助一点、群众出一点)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    amount = models.DecimalField(_("计划金额(元)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("说明"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["project_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funding_positive")]

    def __str__(self):
        return f"{self.get_source_display()} {self.amount}"


class Milestone(TimeStamped):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=120)
    due_on = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project_id", "due_on", "id"]


class MoneyEntry(AppendOnly):
    """One line of a project's ledger: money received from a source, a household's share collected (by a unit head),
    a refund, an expense. Never changed: a mistake is corrected by another line."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("类别"), max_length=16, choices=Entry.choices)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, blank=True)
    household = models.ForeignKey(Household, verbose_name=_("户"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    at = models.DateTimeField(_("时间"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    collected_by = models.CharField(_("经手人"), max_length=50, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    key = models.CharField(max_length=64, unique=True)  # idempotency: a form sent twice records once

    class Meta:
        verbose_name = _("收支记录")
        verbose_name_plural = _("收支记录")
        ordering = ["project_id", "at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="money_entry_positive")]
        indexes = [models.Index(fields=["project", "household"], name="money_household_idx")]


class Evaluation(models.Model):
    """A resident in scope rates the outcome (1–5)."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="evaluations")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("意见"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("成效评价")
        verbose_name_plural = _("成效评价")
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="evaluation_once"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="evaluation_score_range"),
        ]

    def __str__(self):
        return f"{self.topic_id}·{self.score}"
