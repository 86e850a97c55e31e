"""What accounts tell the apps above them (see core/events.py; web/reactions.py lists who reacts)."""
from dataclasses import dataclass

from gongzhi.core.events import Event


@dataclass(frozen=True)
class BindingDecided(Event):
    """A worker verified or rejected a resident's household binding (published in the decision's transaction)."""

    binding_id: int
    user_id: int
    verified: bool
    reason: str = ""
