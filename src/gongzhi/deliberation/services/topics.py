"""A topic's first steps: proposed (by residents with co-signers, by staff, from an appeal or a hotspot), accepted or
declined with the reason shown, prepared (stakeholders, materials), or ended."""
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.registry.models import Area, Organisation

from ..choices import Action, Origin, OwnersMatter, Stage
from ..models import Cosign, Council, Material, Stakeholder, Topic, TopicEvent
from ..permissions import home_area_ids, require_in_scope, require_runs, runs
from .common import locked, step, tell, text

MAX_OPEN_PROPOSALS = 5  # a resident's proposals still collecting co-signers


def _within(scope: Area, council: Council) -> bool:
    return scope.pk == council.area_id or getattr(scope, f"{council.area.kind}_id", None) == council.area_id


@transaction.atomic
def topic_propose(*, actor, council: Council, scope: Area, title: str, body: str, origin: str = "",
                  origin_ref: str = "", owners_matter: str = "") -> Topic:
    """A resident proposes for an area holding her home, and needs the council's co-signers; staff who run the
    council propose directly (their own, or from an appeal or a hotspot)."""
    council = Council.objects.select_related("area").get(pk=council.pk)
    if not council.is_active:
        raise Conflict(_("该议事会已停止运行"))
    if not _within(scope, council):
        raise InvalidInput(_("议题范围应在议事会所在区域之内"), field="scope")
    staff = runs(actor, council)
    if not staff:
        if scope.pk not in home_area_ids(actor):
            raise NotPermitted(_("只能就您已认证住户所在的范围提出议题"))
        origin = Origin.RESIDENT
        if Topic.objects.filter(proposed_by=actor, stage=Stage.COSIGNING).count() >= MAX_OPEN_PROPOSALS:
            raise Conflict(_("您已有%(n)d个议题在征集联署，请等它们提交后再提") % {"n": MAX_OPEN_PROPOSALS})
    elif origin not in (Origin.STAFF, Origin.APPEAL, Origin.HOTSPOT):
        origin = Origin.STAFF
    if owners_matter and owners_matter not in OwnersMatter.values:
        raise InvalidInput(_("业主共同决定事项类别无效"), field="owners_matter")
    topic = Topic(council=council, scope=scope, origin=origin, origin_ref=(origin_ref or "")[:40],
                  title=text(title, field="title", label=_("议题"), least=4, most=80),
                  body=text(body, field="body", label=_("内容"), least=10, most=5000),
                  owners_matter=owners_matter, proposed_by=actor, stage=Stage.PROPOSED)
    topic.place_at(scope)
    collecting = origin == Origin.RESIDENT and council.cosign_threshold > 1
    if collecting:
        topic.stage = Stage.COSIGNING
    topic.save()
    now = timezone.now()
    TopicEvent.objects.create(topic=topic, at=now, actor=actor, action=Action.PROPOSE, to_stage=topic.stage,
                              data={"origin": origin, "origin_ref": topic.origin_ref})
    if origin == Origin.RESIDENT:
        Cosign.objects.create(topic=topic, user=actor, at=now)
    return topic


@transaction.atomic
def topic_cosign(*, actor, topic: Topic) -> Topic:
    topic = locked(topic)
    require_in_scope(actor, topic)
    if topic.stage != Stage.COSIGNING:
        raise Conflict(_("该议题已不再征集联署"))
    try:
        with transaction.atomic():
            Cosign.objects.create(topic=topic, user=actor, at=timezone.now())
    except IntegrityError:
        raise Conflict(_("您已经联署过这个议题")) from None
    count = topic.cosigns.count()
    step(topic, Action.COSIGN, actor=actor, data={"count": count}, public=False)
    if count >= topic.council.cosign_threshold:
        step(topic, Action.SUBMIT, actor=None, data={"count": count})
    return topic


@transaction.atomic
def topic_accept(*, actor, topic: Topic, note: str = "") -> Topic:
    topic = locked(topic)
    require_runs(actor, topic)
    step(topic, Action.ACCEPT, actor=actor, note=(note or "").strip()[:1000])
    tell([topic.proposed_by_id], topic, key="accepted", title=_("您提出的议题“%(t)s”已受理") % {"t": topic.title})
    return topic


@transaction.atomic
def topic_decline(*, actor, topic: Topic, reason: str) -> Topic:
    topic = locked(topic)
    require_runs(actor, topic)
    reason = text(reason, field="reason", label=_("不予受理的理由"), least=4, most=1000)
    topic.decline_reason = reason
    step(topic, Action.DECLINE, actor=actor, note=reason)
    tell(list(topic.cosigns.values_list("user_id", flat=True)) + [topic.proposed_by_id], topic, key="declined",
         title=_("议题“%(t)s”不予受理") % {"t": topic.title}, body=reason)
    return topic


@transaction.atomic
def stakeholder_add(*, actor, topic: Topic, name: str = "", organisation: Organisation | None = None,
                    interest: str = "") -> Stakeholder:
    """Name one of the X: a party the topic concerns. Its members with accounts are told of the topic."""
    topic = locked(topic)
    require_runs(actor, topic)
    name = text(name or (organisation.name if organisation else ""), field="name", label=_("名称/姓名"), least=2,
                most=80)
    if topic.stakeholders.filter(name=name).exists():
        raise Conflict(_("“%(name)s”已是利益相关方") % {"name": name}, field="name")
    holder = Stakeholder.objects.create(topic=topic, name=name, organisation=organisation,
                                        interest=(interest or "").strip()[:120],
                                        notified_at=timezone.now() if organisation is not None else None)
    step(topic, Action.STAKEHOLDER, actor=actor, note=name, data={"stakeholder": holder.pk})
    if organisation is not None:
        users = organisation.members.filter(ended_on__isnull=True, user__isnull=False).values_list("user_id", flat=True)
        tell(users, topic, key=f"stakeholder:{holder.pk}", staff=True,
             title=_("请参与议题“%(t)s”的协商") % {"t": topic.title}, body=holder.interest)
    return holder


@transaction.atomic
def material_add(*, actor, topic: Topic, title: str, body: str) -> Material:
    topic = locked(topic)
    require_runs(actor, topic)
    material = Material.objects.create(topic=topic, title=text(title, field="title", label=_("标题"), least=2, most=120),
                                       text=text(body, field="text", label=_("内容"), least=2, most=20000),
                                       added_by=actor)
    step(topic, Action.MATERIAL, actor=actor, note=material.title, data={"material": material.pk})
    return material


@transaction.atomic
def topic_end(*, actor, topic: Topic, reason: str) -> Topic:
    """Stop a topic before its resolution (withdrawn, settled otherwise), with the reason on its timeline."""
    topic = locked(topic)
    require_runs(actor, topic)
    step(topic, Action.END, actor=actor, note=text(reason, field="reason", label=_("终止理由"), least=4, most=1000))
    return topic
