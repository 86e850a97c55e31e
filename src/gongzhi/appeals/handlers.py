"""How appeals react to the events of the apps below them (connected in gongzhi/web/reactions.py)."""
from django.utils import timezone

from gongzhi.accounts.events import AccountErased
from gongzhi.registry.events import BuildingRegridded

from .models import Appeal
from .services.lifecycle import regrid


def follow_grid(event: BuildingRegridded) -> None:
    """A building's appeals go with it into its new grid's queue, each with an internal timeline event."""
    regrid(building_id=event.building_id, grid_id=event.grid_id, at=event.at)


def forget_reporter(event: AccountErased) -> None:
    """A resident's account was erased at her request: her name and phone leave her appeals; what happened stays,
    no longer hers (the three rates and the history still count it)."""
    Appeal.objects.filter(reporter_id=event.user_id).update(contact_name="", contact_phone="",
                                                          updated_at=timezone.now())
