"""退单 and 延期 on approval: the party asks, the community (or the 12345 centre, which handles everywhere) decides.

Until decided the appeal stays with the party and its clock runs. Approved, a return hands the appeal back for
dispatching again and an extension moves the resolve deadline; rejected, the party carries on and hears why.
Request, decision and reason are all on the appeal's internal timeline; ``figures`` counts the approved ones."""
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.core.text import SHORT, free_text

from .. import notify
from ..choices import Action
from ..models import Appeal, AppealRequest
from ..permissions import acts_for_community, require_may
from ..transitions import allows
from .lifecycle import extend_clock, locked, refusal, transition

MAX_EXTENSION = timedelta(days=60)


def _ask(appeal: Appeal, actor, kind: str, action: str, reason: str, due_at=None) -> AppealRequest:
    now = timezone.now()
    try:
        with transaction.atomic():
            request = AppealRequest.objects.create(appeal=appeal, kind=kind, party=appeal.party, requested_by=actor,
                                                   requested_at=now, reason=reason, due_at=due_at)
    except IntegrityError:
        raise Conflict(_("已有一个同类申请在等待社区审核"), code="request_pending") from None
    event = transition(appeal, action, actor=actor, party=appeal.party, at=now, public=False, reason=reason,
                       data={"request": request.pk, **({"due_at": due_at.isoformat()} if due_at else {})})
    title = (_("诉求 %(n)s 申请退单，请审核") if kind == AppealRequest.Kind.RETURN
             else _("诉求 %(n)s 申请延期，请审核"))
    notify.tell_community(appeal, event, title, f"{appeal.party.name if appeal.party_id else ''}：{reason}")
    return request


@transaction.atomic
def appeal_return(*, appeal: Appeal, actor, reason: str) -> AppealRequest:
    """申请退单: the party asks to hand the job back to the community, saying why."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.RETURN)
    reason = free_text(reason, field="reason", limit=SHORT, required=_("请写明退单原因"))
    return _ask(appeal, actor, AppealRequest.Kind.RETURN, Action.RETURN_REQUEST, reason.strip())


@transaction.atomic
def appeal_request_extension(*, appeal: Appeal, actor, due_at, reason: str) -> AppealRequest:
    """申请延期: the party asks for a later resolve deadline, saying why (parts to order, a contractor's date)."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.EXTEND_REQUEST)
    reason = free_text(reason, field="reason", limit=SHORT, required=_("请写明延期原因"))
    now = timezone.now()
    if due_at is None or due_at <= max(now, appeal.resolve_due_at or now):
        raise InvalidInput(_("延期后的时限应晚于现在的办结时限"), field="due_at")
    if due_at - now > MAX_EXTENSION:
        raise InvalidInput(_("一次最多延期%(n)s天") % {"n": MAX_EXTENSION.days}, field="due_at")
    return _ask(appeal, actor, AppealRequest.Kind.EXTEND, Action.EXTEND_REQUEST, reason.strip(), due_at)


@transaction.atomic
def appeal_request_decide(*, request: AppealRequest, actor, approve: bool, reason: str = "") -> AppealRequest:
    """The community approves or rejects a party's 退单 or 延期; a rejection says why."""
    request = AppealRequest.objects.select_for_update().get(pk=request.pk)
    appeal = locked(request.appeal)
    if not acts_for_community(actor, appeal):
        raise NotPermitted(_("只有社区或12345中心可以审核退单和延期"))
    if request.state != AppealRequest.Decision.PENDING:
        raise Conflict(_("该申请已经审核过了"), code="already_decided")
    reason = free_text(reason, field="decision_reason", limit=SHORT)
    if not approve and not reason:
        raise InvalidInput(_("驳回时请写明原因"), field="decision_reason")
    now = timezone.now()
    request.decided_by, request.decided_at, request.decision_reason = actor, now, reason
    request.state = AppealRequest.Decision.APPROVED if approve else AppealRequest.Decision.REJECTED
    party = request.party
    if approve and request.kind == AppealRequest.Kind.RETURN:
        if not allows(Action.RETURN, appeal.state) or appeal.party_id != request.party_id:
            raise refusal(appeal, Action.RETURN)
        appeal.party = appeal.assignee = None
        event = transition(appeal, Action.RETURN, actor=actor, party=party, at=now,
                           reason=" ".join(filter(None, [request.reason, reason])), data={"request": request.pk})
        notify.tell_party_members(party, appeal, event, _("诉求 %(n)s 的退单申请已同意"), reason)
    elif approve:
        if not allows(Action.EXTEND, appeal.state):
            raise refusal(appeal, Action.EXTEND)
        before = appeal.resolve_due_at
        extend_clock(appeal, request.due_at, now)
        event = transition(appeal, Action.EXTEND, actor=actor, party=party, at=now, public=False,
                           reason=" ".join(filter(None, [request.reason, reason])),
                           data={"request": request.pk, "from": before.isoformat() if before else None,
                                 "to": request.due_at.isoformat()})
        notify.tell_party_members(party, appeal, event, _("诉求 %(n)s 的延期申请已同意"), reason)
    else:
        event = transition(appeal, Action.REQUEST_REJECTED, actor=actor, party=party, at=now, public=False,
                           reason=f"{request.get_kind_display()}：{reason}", data={"request": request.pk})
        notify.tell_party_members(party, appeal, event, _("诉求 %(n)s 的申请被驳回"), reason)
    request.save()
    return request
