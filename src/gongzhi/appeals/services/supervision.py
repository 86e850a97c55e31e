"""督办 and 催办: a superior (or, once, the resident) urges an open appeal; the side handling it answers every 督办 —
the ladder's (the sweep's) and the urges — saying why it is late and what happens next."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, active_grants, scope_for
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.core.text import LONG, SHORT, free_text

from .. import notify
from ..choices import OPEN_STATES, Action, State
from ..models import Appeal, Supervision
from ..permissions import COMMUNITY_BODIES, acts_for_community, acts_for_party
from .lifecycle import locked, transition

SUPERIORS = (Role.SUBDISTRICT_STAFF, Role.DISTRICT_STAFF, Role.CITY_OPERATOR, Role.ADMINISTRATOR)
MIN_ANSWER = 5


def urger_label(user, appeal: Appeal) -> str | None:
    """Who ``user`` urges as: a superior over the appeal's place (subdistrict, district, the 12345 centre), the
    community's secretary over a party holding it, or its reporter. None: she may not urge it."""
    if appeal.reporter_id is not None and appeal.reporter_id == getattr(user, "pk", None):
        return str(_("诉求人"))
    if not scope_for(user, Perm.HANDLE_APPEALS).covers(appeal):
        return None
    roles = {g.role for g in active_grants(user)} | ({Role.ADMINISTRATOR} if user.is_superuser else set())
    for role in SUPERIORS:
        if role in roles:
            return str(Role(role).label)
    if Role.COMMUNITY_SECRETARY in roles and appeal.party_id and appeal.party.kind not in COMMUNITY_BODIES:
        return str(Role.COMMUNITY_SECRETARY.label)
    return None


@transaction.atomic
def appeal_urge(*, appeal: Appeal, actor, note: str = "") -> Supervision:
    """催办: the handlers hear of it at once and must answer it. A resident urges once per reply round."""
    appeal = locked(appeal)
    by = urger_label(actor, appeal)
    if by is None:
        raise NotPermitted(_("只有上级或诉求人本人可以催办"))
    if appeal.state not in OPEN_STATES:
        raise Conflict(_("诉求已办结，不需要催办"), code="not_open")
    resident = appeal.reporter_id == actor.pk
    if resident and Supervision.objects.filter(appeal=appeal, kind=Supervision.Kind.URGE, issued_by=actor,
                                               level=appeal.reopen_count).exists():
        raise Conflict(_("您已经催办过了，社区会尽快回复您"), code="already_urged")
    now = timezone.now()
    due = appeal.respond_due_at if appeal.state == State.SUBMITTED else appeal.resolve_due_at
    if resident and (due is None or due > now):
        raise Conflict(_("还没到办理时限（%(due)s），到期未办结可以催办") % {
            "due": timezone.localtime(due).strftime("%m-%d %H:%M") if due else "—"}, code="not_due")
    note = free_text(note, field="note", limit=SHORT)
    if not resident and not note:
        raise InvalidInput(_("请写明督办意见"), field="note")
    record = Supervision.objects.create(appeal=appeal, kind=Supervision.Kind.URGE, by=by, issued_at=now,
                                        issued_by=actor, note=note, level=appeal.reopen_count if resident else 0)
    event = transition(appeal, Action.URGE, actor=actor, at=now, public=resident, reason=note,
                       data={"supervision": record.pk})
    notify.urged(appeal, event, _("诉求 %(n)s 被催办，请尽快处理并回复"), f"{by}：{note}" if note else by)
    return record


def may_answer(user, appeal: Appeal) -> bool:
    """The side handling the appeal answers its 督办: the party holding it, or the community."""
    return acts_for_party(user, appeal) or acts_for_community(user, appeal)


@transaction.atomic
def supervision_answer(*, supervision: Supervision, actor, answer: str) -> Supervision:
    supervision = Supervision.objects.select_for_update().get(pk=supervision.pk)
    appeal = locked(supervision.appeal)
    if not may_answer(actor, appeal):
        raise NotPermitted(_("只有办理这条诉求的一方可以回复督办"))
    if supervision.answered_at is not None:
        raise Conflict(_("该督办已经回复"), code="already_answered")
    answer = free_text(answer, field="answer", limit=LONG)
    if len(answer) < MIN_ANSWER:
        raise InvalidInput(_("请写明超时的原因和下一步安排（至少%(n)s个字）") % {"n": MIN_ANSWER}, field="answer")
    now = timezone.now()
    supervision.answer, supervision.answered_at, supervision.answered_by = answer, now, actor
    supervision.save()
    transition(appeal, Action.SUPERVISION_ANSWER, actor=actor, at=now, public=False,
               reason=f"{supervision.by}：{answer}", data={"supervision": supervision.pk})
    return supervision


def resident_may_urge(appeal: Appeal, user) -> bool:
    """The 催一下 button: her own open appeal, past the deadline of the step it is at, not urged this round."""
    due = appeal.respond_due_at if appeal.state == State.SUBMITTED else appeal.resolve_due_at
    return (appeal.reporter_id == user.pk and appeal.state in OPEN_STATES and due is not None
            and due <= timezone.now() and not Supervision.objects.filter(
                appeal=appeal, kind=Supervision.Kind.URGE, issued_by=user, level=appeal.reopen_count).exists())
