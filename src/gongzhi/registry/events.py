"""What the registry tells the apps above it (see core/events.py; web/reactions.py lists who reacts)."""
from dataclasses import dataclass
from datetime import datetime

from gongzhi.core.events import Event


@dataclass(frozen=True)
class BuildingRegridded(Event):
    """A building was moved into another grid (or out of any): rows placed in it elsewhere follow."""

    building_id: int
    grid_id: int | None
    at: datetime
