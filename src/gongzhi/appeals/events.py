"""What appeals tell the apps above them (see core/events.py; web/reactions.py lists who reacts)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import InvalidInput
from gongzhi.core.events import Event

if TYPE_CHECKING:
    from .models import Appeal


@dataclass(frozen=True)
class AppealSubmitted(Event):
    """One appeal is filed (any channel but a bulk import); published inside the intake's transaction."""

    appeal_id: int


@dataclass(frozen=True)
class AppealsImported(Event):
    """A batch of appeals is filed at once (a 12345 file): ``count`` of them."""

    count: int


@dataclass(frozen=True)
class AppealResolved(Event):
    """A handler sent the reply that resolves an appeal. Handlers in the transaction may refuse a reply that
    reads weak by raising ``WeakReply``, unless ``after_warning``: the handler was shown why and sent it anyway."""

    appeal: Appeal
    reply: str
    actor_id: int | None
    party_id: int | None
    at: datetime
    after_warning: bool


@dataclass(frozen=True)
class AppealsEscalated(Event):
    """Appeals on an app's own ladder (``Appeal.ladder``) reached a rung past its deadline; published inside the
    sweep's transaction, so the ladder's keeper hands them to whoever stands at ``target`` (appeals_hand_up)."""

    appeal_ids: tuple[int, ...]
    ladder: str
    level: int
    target: str
    step: str


class WeakReply(InvalidInput):
    """The reply does not yet answer the appeal; ``check`` says why. Sent again with ``after_warning`` it goes."""

    def __init__(self, check):
        super().__init__(_("答复可能没有回答居民的问题，请修改，或确认仍然发送"), code="weak_reply", field="reply")
        self.check = check
        self.details = {"check": check.as_dict(), "problems": [str(m) for m in check.messages]}
