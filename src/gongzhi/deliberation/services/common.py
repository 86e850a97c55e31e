"""What every step shares: the topic locked and read afresh, the move through the procedure's table with its
timeline line, the texts checked, and the residents told."""
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding
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


def tell(user_ids, topic: Topic, *, key: str, title: str, body: str = "", staff: bool = False) -> int:
    link = reverse("staff:topic_detail" if staff else "portal:topic_detail", args=[topic.pk])
    return notify_many([Message(user_id=uid, key=f"topic:{topic.pk}:{key}", title=title, body=body, link=link)
                        for uid in set(user_ids) if uid])
