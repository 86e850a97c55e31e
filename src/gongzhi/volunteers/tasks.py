"""Background work of volunteers (Celery beat in a city; `manage.py clock` on a laptop)."""
from celery import shared_task

from .services import expire, lay_out_all, settle


@shared_task
def volunteers_clock_task() -> dict:
    """Every ten minutes: rosters laid out two weeks ahead; shifts over for two hours settled (no-shows recorded,
    forgotten check-outs closed at the shift's end with their hours and points); uncollected shop orders past the
    holding period cancelled, stock and points put back. Each is idempotent."""
    return {"shifts_laid_out": lay_out_all(), **settle(), "orders_expired": expire()}
