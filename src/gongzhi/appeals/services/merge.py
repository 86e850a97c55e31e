"""Merging duplicates (合并同类诉求): one group handled once, every reporter informed and heard."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import InvalidInput, TransitionNotAllowed
from gongzhi.core.text import SHORT, free_text

from .. import notify
from ..choices import OPEN_STATES, Action, State
from ..models import Appeal
from ..permissions import require_may
from ..transitions import allows
from .lifecycle import locked, transition


@transaction.atomic
def appeal_merge(*, appeal: Appeal, into: Appeal, actor, reason: str = "") -> Appeal:
    """Merge a duplicate into the appeal that carries the matter. The duplicate stops its own clock and
    follows the group: its reporter sees the group's progress, gets its reply and rates it. Only the group's
    appeal counts in the response and resolution rates; every reporter's rating counts in satisfaction."""
    if appeal.pk == into.pk:
        raise InvalidInput(_("不能合并到自己"), field="into")
    first, second = sorted([appeal.pk, into.pk])  # lock in id order: two merges never deadlock
    pair = {a.pk: a for a in Appeal.objects.select_for_update(of=("self",)).select_related(
        "category", "party", "area").filter(pk__in=[first, second]).order_by("pk")}
    appeal, into = pair[appeal.pk], pair[into.pk]
    if into.state == State.MERGED:
        into = locked(into.parent)  # merging into a merged appeal means merging into its group
        if into.pk == appeal.pk:
            raise InvalidInput(_("不能合并到自己"), field="into")
    require_may(actor, appeal, Action.MERGE)
    require_may(actor, into, Action.MERGE)
    if appeal.state not in OPEN_STATES:
        raise TransitionNotAllowed(_("只能合并尚未办结的诉求"))
    if not allows(Action.MERGED_IN, into.state):
        raise TransitionNotAllowed(_("只能并入尚未关闭的诉求"))
    now = timezone.now()
    Appeal.objects.filter(parent=appeal).update(parent=into)  # its own duplicates follow it
    appeal.parent, appeal.paused_at, appeal.pause_reason = into, None, ""
    reason = free_text(reason, field="reason", limit=SHORT)
    transition(appeal, Action.MERGE, actor=actor, at=now, reason=reason,
               data={"into": into.pk, "number": into.number})
    transition(into, Action.MERGED_IN, actor=actor, at=now, reason=reason,
               data={"merged": appeal.pk, "number": appeal.number})
    notify.merged(appeal, into)
    if into.state == State.RESOLVED:
        notify.resolved(into)  # the group already has its reply: she hears it and may rate it now
    return appeal

