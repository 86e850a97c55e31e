"""What the resident who filed an appeal may do while it is open: add what she forgot, or withdraw it."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import InvalidInput
from gongzhi.core.text import SHORT, free_text

from .. import notify
from ..choices import Action, Outcome
from ..models import Appeal
from ..permissions import require_reporter
from .lifecycle import locked, transition

MAX_SUPPLEMENT = 1000


@transaction.atomic
def appeal_add_info(*, appeal: Appeal, actor, text: str) -> Appeal:
    """补充说明 (which floor, since when, a time she is home): on the timeline, and the handlers are told."""
    appeal = locked(appeal)
    require_reporter(actor, appeal)
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请写下要补充的内容"), field="text")
    if len(text) > MAX_SUPPLEMENT:
        raise InvalidInput(_("补充内容最多%(n)s字") % {"n": MAX_SUPPLEMENT}, field="text")
    event = transition(appeal, Action.SUPPLEMENT, actor=actor, reason=text)
    notify.tell_handlers(appeal, event, _("诉求 %(n)s 居民补充了情况"), text)
    return appeal


@transaction.atomic
def appeal_withdraw(*, appeal: Appeal, actor, reason: str = "") -> Appeal:
    """居民撤回: solved by itself, or filed by mistake. Closed without resolution as "withdrawn", which the
    resolution rate leaves out; the handlers are told so nobody comes to her door for nothing."""
    appeal = locked(appeal)
    require_reporter(actor, appeal)
    now = timezone.now()
    reason = free_text(reason, field="reason", limit=SHORT)
    appeal.outcome, appeal.closed_at = Outcome.WITHDRAWN, now
    event = transition(appeal, Action.WITHDRAW, actor=actor, at=now, reason=reason)
    notify.tell_handlers(appeal, event, _("诉求 %(n)s 已被居民撤回"), reason)
    return appeal
