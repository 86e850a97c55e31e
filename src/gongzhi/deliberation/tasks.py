"""Background work of deliberation (Celery beat in a city; `manage.py clock` on a laptop)."""
from celery import shared_task

from .services import topics_take_effect, votes_close_due


@shared_task
def deliberation_clock_task() -> dict:
    """Every minute: votes past their deadline are closed and counted; resolutions whose notice period ended with
    no objection waiting take effect. Both are idempotent: a second run finds nothing to do."""
    return {"votes_closed": votes_close_due(), "took_effect": topics_take_effect()}
