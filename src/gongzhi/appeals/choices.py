from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PORTAL = "portal", _("居民端")
    DESK = "desk", _("服务站")          # 一张办公桌: walk-in or phone, entered by a worker
    PATROL = "patrol", _("巡查发现")    # a grid worker's own find: 未诉先办
    HOTLINE = "hotline", _("12345热线")
    OPEN311 = "open311", _("Open311")
    # a special family's request through the care network (党员中心户): who may file it is the care app's rule
    # (extensions.INTAKE), and it climbs a ladder of its own (Appeal.ladder)
    CARE = "care", _("关爱求助")


class Priority(models.TextChoices):
    # epidemic- and safety-related appeals are first priority, handled at once (003)
    URGENT = "urgent", _("一级（立即办）")
    HIGH = "high", _("二级（优先办）")
    NORMAL = "normal", _("三级（按时办）")


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("已退单")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已关闭")
    CLOSED_UNRESOLVED = "closed_unresolved", _("未解决关闭")
    MERGED = "merged", _("已合并")


OPEN_STATES = frozenset({State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS, State.RETURNED})
# what a duplicate may be merged into: an appeal not yet closed. A resolved one (已办结) still waits for its
# residents' ratings, so a late duplicate joins it, hears its reply and rates it
MERGE_TARGET_STATES = OPEN_STATES | {State.RESOLVED}


class Action(models.TextChoices):
    """What happens to an appeal, in the glossary's words: ACCEPT is 受理 (the community takes it in), TAKE is
    接单 (the party takes what was dispatched to it)."""

    SUBMIT = "submit", _("提交诉求")
    ACCEPT = "accept", _("社区受理")
    DISPATCH = "dispatch", _("派单")
    TAKE = "take", _("接单")
    RETURN = "return", _("退单")
    TRANSFER = "transfer", _("转派")
    RESOLVE = "resolve", _("办结答复")
    CLOSE_UNRESOLVED = "close_unresolved", _("未解决关闭")
    RATE = "rate", _("评价")
    CLOSE = "close", _("关闭")
    REOPEN = "reopen", _("重新办理")
    PAUSE = "pause", _("暂停计时")
    RESUME = "resume", _("恢复计时")
    FOLLOW_UP = "follow_up", _("回访")
    WHISTLE = "whistle", _("吹哨")
    REPORT_IN = "report_in", _("报到")
    COHANDLE_FEEDBACK = "cohandle_feedback", _("协办反馈")
    COHANDLE_CONFIRM = "cohandle_confirm", _("确认协办")
    COHANDLE_SEND_BACK = "cohandle_send_back", _("退回协办")
    WARN = "warn", _("临期提醒")
    ESCALATE = "escalate", _("超时督办")
    MERGE = "merge", _("合并到同类诉求")
    MERGED_IN = "merged_in", _("合并同类诉求")
    UNPUBLISH = "unpublish", _("撤下公示")
    TRIAGE = "triage", _("智能分拨")
    RECLASSIFY = "reclassify", _("更正类别")
    RELOCATE = "relocate", _("调整网格")
    ASSIGN = "assign", _("指定经办人")
    RETURN_REQUEST = "return_request", _("申请退单")
    EXTEND_REQUEST = "extend_request", _("申请延期")
    EXTEND = "extend", _("同意延期")
    REQUEST_REJECTED = "request_rejected", _("驳回申请")
    URGE = "urge", _("催办")
    SUPPLEMENT = "supplement", _("居民补充")
    WITHDRAW = "withdraw", _("居民撤回")
    SUPERVISION_ANSWER = "supervision_answer", _("督办回复")  # the registry redrew a grid line, or a task went to its grid


class Outcome(models.TextChoices):
    """Why an appeal was closed without being resolved: kept apart so the resolution rate stays honest."""

    NOT_OUR_RESPONSIBILITY = "not_ours", _("不属于本辖区或本单位职责")
    EXPLAINED = "explained", _("已解释说明，暂无法解决")
    DUPLICATE = "duplicate", _("重复诉求")
    WITHDRAWN = "withdrawn", _("居民撤回")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class WhistleStatus(models.TextChoices):
    """Where a whistle's co-handling (协办) stands."""

    WAITING = "waiting", _("待报到")
    HANDLING = "handling", _("协办中")
    SENT_BACK = "sent_back", _("被退回重办")
    FED_BACK = "fed_back", _("待社区确认")
    CONFIRMED = "confirmed", _("已确认")


class Step(models.TextChoices):
    RESPOND = "respond", _("响应")
    RESOLVE = "resolve", _("办结")


def label_of(choices: type[models.TextChoices], value: str):
    """What ``get_FOO_display()`` shows for ``value`` (the value itself when unknown), found in the enum. Django's
    own rebuilds the field's choices into a dict on every call, hashing each lazy label (the queue renders it per
    row, the intake per answer)."""
    member = choices._value2member_map_.get(value)
    return member.label if member is not None else value
