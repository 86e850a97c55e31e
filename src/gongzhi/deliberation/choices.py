"""States and kinds of deliberation (协商议事): a topic's stages, the owners' matters of 民法典 art. 278, ballots."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    COSIGNING = "cosigning", _("征集联署")
    PROPOSED = "proposed", _("待受理")
    DECLINED = "declined", _("不予受理")
    PREPARING = "preparing", _("筹备中")
    DELIBERATING = "deliberating", _("协商中")
    VOTING = "voting", _("表决中")
    PUBLICISING = "publicising", _("公示中")
    CARRYING_OUT = "carrying_out", _("实施中")
    EVALUATING = "evaluating", _("评价中")
    CLOSED = "closed", _("已办结")
    ENDED = "ended", _("已终止")


# the board's columns, in the order a topic moves through them
BOARD_STAGES = (Stage.COSIGNING, Stage.PROPOSED, Stage.PREPARING, Stage.DELIBERATING, Stage.VOTING,
                Stage.PUBLICISING, Stage.CARRYING_OUT, Stage.EVALUATING)
FINAL_STAGES = frozenset({Stage.DECLINED, Stage.CLOSED, Stage.ENDED})
OPEN_STAGES = frozenset(Stage.values) - FINAL_STAGES
# a resolution has been published: the public page shows it (and, later, its project)
RESOLVED_STAGES = frozenset({Stage.PUBLICISING, Stage.CARRYING_OUT, Stage.EVALUATING, Stage.CLOSED})


class Action(models.TextChoices):
    PROPOSE = "propose", _("提出议题")
    COSIGN = "cosign", _("联署")
    SUBMIT = "submit", _("联署达到人数，提交受理")
    ACCEPT = "accept", _("受理")
    DECLINE = "decline", _("不予受理")
    STAKEHOLDER = "stakeholder", _("确定利益相关方")
    MATERIAL = "material", _("补充材料")
    SCHEDULE = "schedule", _("安排会议")
    MEET = "meet", _("召开会议")
    OPEN_VOTE = "open_vote", _("发起表决")
    CLOSE_VOTE = "close_vote", _("表决结束")
    PUBLICISE = "publicise", _("决议公示")
    REVISE = "revise", _("决议修订")
    OBJECT = "object", _("提出异议")
    UPHOLD = "uphold", _("异议成立，重新协商")
    DISMISS = "dismiss", _("异议不成立")
    TAKE_EFFECT = "take_effect", _("公示期满，决议生效")
    START_PROJECT = "start_project", _("立项")
    MILESTONE = "milestone", _("项目进展")
    MONEY = "money", _("收支记账")
    COMPLETE = "complete", _("项目完成")
    EVALUATE = "evaluate", _("评价")
    CLOSE = "close", _("办结")
    END = "end", _("终止")


class Origin(models.TextChoices):
    RESIDENT = "resident", _("居民提议")
    STAFF = "staff", _("工作人员提出")
    APPEAL = "appeal", _("诉求转议题")
    HOTSPOT = "hotspot", _("热点转议题")


class VoteKind(models.TextChoices):
    COUNCIL = "council", _("议事会成员表决")
    OWNERS = "owners", _("业主共同决定")


class OwnersMatter(models.TextChoices):
    """The matters owners decide together (民法典 art. 278 §1); the kind sets the majority (§2)."""

    RULES = "rules", _("制定和修改业主大会议事规则")
    COVENANT = "covenant", _("制定和修改管理规约")
    COMMITTEE = "committee", _("选举业主委员会或者更换业主委员会成员")
    STEWARD = "steward", _("选聘和解聘物业服务企业或者其他管理人")
    USE_FUND = "use_fund", _("使用建筑物及其附属设施的维修资金")
    RAISE_FUND = "raise_fund", _("筹集建筑物及其附属设施的维修资金")
    REBUILD = "rebuild", _("改建、重建建筑物及其附属设施")
    CHANGE_USE = "change_use", _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = "other", _("有关共有和共同管理权利的其他重大事项")


# ≥ 3/4 of the participating area and heads; the rest need more than half of both (art. 278 §2)
SPECIAL_MATTERS = frozenset({OwnersMatter.RAISE_FUND, OwnersMatter.REBUILD, OwnersMatter.CHANGE_USE})


class Rule(models.TextChoices):
    MAJORITY = "majority", _("过半数同意")
    SPECIAL = "special", _("四分之三以上同意")


class VoteState(models.TextChoices):
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已结束")


class Choice(models.TextChoices):
    YES = "yes", pgettext_lazy("ballot", "同意")
    NO = "no", pgettext_lazy("ballot", "反对")
    ABSTAIN = "abstain", pgettext_lazy("ballot", "弃权")


class Channel(models.TextChoices):
    ONLINE = "online", _("线上投票")
    PAPER = "paper", _("纸质表决票")
    PROXY = "proxy", _("书面委托")
    MEETING = "meeting", _("会议现场")


class MeetingKind(models.TextChoices):
    MEETING = "meeting", _("议事会议")
    HEARING = "hearing", _("听证会")


class MeetingMode(models.TextChoices):
    HALL = "hall", _("议事厅")
    MOBILE = "mobile", _("移动议事厅")


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", _("待召开")
    IN_SESSION = "in_session", _("进行中")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class Side(models.TextChoices):
    FOR = "for", _("支持")
    AGAINST = "against", pgettext_lazy("hearing side", "反对")
    NEUTRAL = "neutral", _("中立/说明")


class ObjectionState(models.TextChoices):
    PENDING = "pending", _("待答复")
    UPHELD = "upheld", _("成立")
    DISMISSED = "dismissed", _("不成立")


class Source(models.TextChoices):
    """财政补一点、集体拿一点、社会赞助一点、群众出一点."""

    FINANCE = "finance", _("财政补助")
    COLLECTIVE = "collective", _("集体资金")
    SPONSOR = "sponsor", _("社会赞助")
    RESIDENTS = "residents", _("居民自筹")


class Entry(models.TextChoices):
    """Lines of a project's money ledger: money in (+) or out (−)."""

    RECEIVED = "received", _("资金到账")
    COLLECTED = "collected", _("居民缴纳")
    REFUND = "refund", _("退还居民")
    EXPENSE = "expense", _("支出")


MONEY_IN = frozenset({Entry.RECEIVED, Entry.COLLECTED})
