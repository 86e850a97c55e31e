"""What every step shares: the topic locked and read afresh, the move through the procedure's table with its
timeline line, the texts checked, and the residents told."""
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding
from gongzhi.accounts.selectors import heads_unreached
from gongzhi.core.errors import InvalidInput, TransitionNotAllowed
from gongzhi.core.text import free_text
from gongzhi.notifications.services import Message, notify_many

from ..choices import Action, Stage
from ..models import Topic, TopicEvent
from ..transitions import TRANSITIONS


def locked(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(of=("self",)).select_related("council", "scope").get(pk=topic.pk)


def refusal(topic: Topic, action: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(_("议题当前为「%(stage)s」，不能%(action)s") % {
        "stage": topic.get_stage_display(), "action": Action(action).label})


def step(topic: Topic, action: str, *, actor, note: str = "", data: dict | None = None, public: bool = True,
         to: str | None = None, at=None) -> TopicEvent:
    """Move a (locked) topic by ``action`` if its stage allows, and save it with its timeline line. ``to`` overrides
    the table's target where the action leads to one of two stages (an unadopted resolution closes)."""
    allowed_from, target = TRANSITIONS[action]
    if topic.stage not in allowed_from:
        raise refusal(topic, action)
    target = to or target
    at = at or timezone.now()
    event = TopicEvent.objects.create(topic=topic, at=at, actor=actor, action=action, from_stage=topic.stage,
                                      to_stage=target or topic.stage, note=note, data=data or {}, public=public)
    if target is not None:
        topic.stage = target
    if target in (Stage.CLOSED, Stage.ENDED, Stage.DECLINED) and topic.closed_at is None:
        topic.closed_at = at
    topic.save()
    return event


def text(value, *, field: str, label: str, least: int = 1, most: int = 5000) -> str:
    """``core.text.free_text`` (stripped, capped at ``most`` with its message), and at least ``least`` characters."""
    value = free_text(value, field=field, limit=most)
    if len(value) < least:
        raise InvalidInput(_("请填写%(label)s（至少%(n)d个字）") % {"label": label, "n": least}, field=field)
    return value


def residents_in_scope(topic: Topic) -> list[int]:
    """The accounts with a verified home in the topic's scope: who is told of a notice, a vote, a resolution."""
    column = f"household__{topic.scope.kind}_id"
    return sorted(set(HouseholdBinding.objects.filter(Q(**{column: topic.scope_id}), status=BindingStatus.VERIFIED)
                      .values_list("user_id", flat=True)))


def tell_residents(topic: Topic, *, key: str, title: str, body: str = "") -> int:
    """A notice for the residents of the topic's scope: each verified account there, and each building head over
    part of it whose households include some without an account, asked to tell them at the door (楼栋长转告)."""
    told = tell(residents_in_scope(topic), topic, key=key, title=title, body=body)
    for user_id, unreached in heads_unreached(topic.scope).items():
        if unreached:
            told += tell([user_id], topic, key=f"{key}:relay", title=(_("请转告：") + str(title))[:120],
                         body=_("您负责的楼栋有 %(n)d 户没有绑定账号，收不到这条消息，请当面或电话转告。") % {"n": unreached}
                         + (f"\n{body}" if body else ""))
    return told


def tell(user_ids, topic: Topic, *, key: str, title: str, body: str = "", staff: bool = False) -> int:
    link = reverse("staff:topic_detail" if staff else "portal:topic_detail", args=[topic.pk])
    return notify_many([Message(user_id=uid, key=f"topic:{topic.pk}:{key}", title=title, body=body, link=link)
                        for uid in set(user_ids) if uid])
