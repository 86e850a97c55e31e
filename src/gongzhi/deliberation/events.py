"""What deliberation tells the apps above it (``web/reactions.py`` says who listens)."""
from dataclasses import dataclass

from gongzhi.core.events import Event


@dataclass(frozen=True)
class TopicMoved(Event):
    """A topic reached another stage of its procedure."""

    topic_id: int
    action: str
    stage: str


@dataclass(frozen=True)
class VoteClosed(Event):
    vote_id: int
    topic_id: int
    passed: bool
