"""How appeals react to the events of the apps below them (connected in gongzhi/web/reactions.py)."""
from gongzhi.registry.events import BuildingRegridded

from .services.lifecycle import regrid


def follow_grid(event: BuildingRegridded) -> None:
    """A building's appeals go with it into its new grid's queue, each with an internal timeline event."""
    regrid(building_id=event.building_id, grid_id=event.grid_id, at=event.at)
