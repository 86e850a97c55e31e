"""公示: the resolution posted to everyone in scope for the council's notice period; objections with reasons; an
upheld one sends the topic back to deliberation, and with none upheld the resolution takes effect by itself when
the period ends (the clock). A published resolution is never edited: a change is a new version, with its reason,
and restarts the period."""
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict

from ..choices import Action, ObjectionState, Stage, VoteState
from ..models import Objection, Resolution, Topic
from ..permissions import require_in_scope, require_runs
from .common import locked, step, tell, tell_residents, text


def _publish(topic: Topic, *, actor, body: str, reason: str = "") -> Resolution:
    vote = topic.votes.order_by("-id").first()
    if vote is None or vote.state != VoteState.CLOSED:
        raise Conflict(_("请先完成表决，再公示决议"))
    now = timezone.now()
    version = (topic.resolutions.aggregate(v=Max("version"))["v"] or 0) + 1
    resolution = Resolution.objects.create(
        topic=topic, version=version, text=text(body, field="text", label=_("决议内容"), least=10, most=20000),
        adopted=bool(vote.passed), vote=vote, published_at=now,
        notice_ends_at=now + timedelta(days=topic.council.notice_days), published_by=actor, reason=reason)
    topic.notice_ends_at = resolution.notice_ends_at
    topic.resolved_at = topic.resolved_at or now
    return resolution


def _announce(topic: Topic, resolution: Resolution) -> None:
    tell_residents(topic, key=f"resolution:{resolution.pk}",
                   title=_("决议公示：%(t)s") % {"t": topic.title},
                   body=_("公示至%(when)s，如有异议请在公示期内提出") % {
                       "when": timezone.localtime(resolution.notice_ends_at).strftime("%Y-%m-%d %H:%M")})


@transaction.atomic
def resolution_publish(*, actor, topic: Topic, body: str) -> Resolution:
    topic = locked(topic)
    require_runs(actor, topic)
    if topic.stage != Stage.DELIBERATING:
        raise Conflict(_("议题当前为「%(s)s」，不能公示决议") % {"s": topic.get_stage_display()})
    resolution = _publish(topic, actor=actor, body=body)
    step(topic, Action.PUBLICISE, actor=actor, note=_("第%(v)d版") % {"v": resolution.version},
         data={"resolution": resolution.pk, "adopted": resolution.adopted,
               "notice_ends_at": resolution.notice_ends_at.isoformat()})
    _announce(topic, resolution)
    return resolution


@transaction.atomic
def resolution_revise(*, actor, topic: Topic, body: str, reason: str) -> Resolution:
    """Correct a resolution under notice: a new version with its reason; the period starts again."""
    topic = locked(topic)
    require_runs(actor, topic)
    if topic.stage != Stage.PUBLICISING:
        raise Conflict(_("只有公示中的决议可以修订"))
    reason = text(reason, field="reason", label=_("修订原因"), least=4, most=200)
    resolution = _publish(topic, actor=actor, body=body, reason=reason)
    step(topic, Action.REVISE, actor=actor, note=reason,
         data={"resolution": resolution.pk, "version": resolution.version})
    _announce(topic, resolution)
    return resolution


def current_resolution(topic: Topic) -> Resolution | None:
    return topic.resolutions.order_by("-version").first()


@transaction.atomic
def objection_raise(*, actor, topic: Topic, reason: str) -> Objection:
    topic = locked(topic)
    require_in_scope(actor, topic)
    if topic.stage != Stage.PUBLICISING or topic.notice_ends_at is None or timezone.now() >= topic.notice_ends_at:
        raise Conflict(_("不在公示期内，不能提出异议"))
    resolution = current_resolution(topic)
    if Objection.objects.filter(resolution=resolution, user=actor).exists():
        raise Conflict(_("您已对这一版决议提出过异议，请等待答复"))
    objection = Objection.objects.create(topic=topic, resolution=resolution, user=actor,
                                         reason=text(reason, field="reason", label=_("异议理由"), least=5, most=2000))
    step(topic, Action.OBJECT, actor=actor, note=objection.reason, data={"objection": objection.pk}, public=False)
    return objection


@transaction.atomic
def objection_decide(*, actor, objection: Objection, upheld: bool, answer: str) -> Objection:
    """Answer an objection. Upheld, the topic goes back to deliberation (step 4), and the other objections still
    waiting are answered with it."""
    objection = Objection.objects.select_for_update().select_related("topic").get(pk=objection.pk)
    topic = locked(objection.topic)
    require_runs(actor, topic)
    if objection.state != ObjectionState.PENDING:
        raise Conflict(_("该异议已经答复"))
    answer = text(answer, field="answer", label=_("答复"), least=4, most=2000)
    if upheld and topic.stage != Stage.PUBLICISING:
        raise Conflict(_("议题已不在公示期，异议不能再改变它"))
    now = timezone.now()
    objection.state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
    objection.answer, objection.decided_by, objection.decided_at = answer, actor, now
    objection.save()
    if upheld:
        Objection.objects.filter(topic=topic, state=ObjectionState.PENDING).exclude(pk=objection.pk).update(
            state=ObjectionState.UPHELD, answer=_("已随另一条成立的异议重新协商：%(a)s") % {"a": answer},
            decided_by=actor, decided_at=now)
        topic.notice_ends_at = None
        step(topic, Action.UPHOLD, actor=actor, note=answer, data={"objection": objection.pk})
    else:
        step(topic, Action.DISMISS, actor=actor, note=answer, data={"objection": objection.pk})
    tell([objection.user_id], topic, key=f"objection:{objection.pk}",
         title=_("您对“%(t)s”的异议已答复") % {"t": topic.title}, body=answer)
    return objection


def topics_take_effect(now=None) -> int:
    """The clock's job: a resolution whose period ended with no objection waiting takes effect. An adopted one is
    carried out; one not adopted closes the topic."""
    now = now or timezone.now()
    done = 0
    due = Topic.objects.filter(stage=Stage.PUBLICISING, notice_ends_at__lte=now).exclude(
        objections__state=ObjectionState.PENDING).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            topic = locked(Topic(pk=pk))
            if (topic.stage != Stage.PUBLICISING or topic.notice_ends_at is None or topic.notice_ends_at > now
                    or topic.objections.filter(state=ObjectionState.PENDING).exists()):
                continue
            resolution = current_resolution(topic)
            step(topic, Action.TAKE_EFFECT, actor=None, to=None if resolution.adopted else Stage.CLOSED,
                 data={"resolution": resolution.pk, "adopted": resolution.adopted})
            done += 1
    return done
