import time

from celery import shared_task
from django.conf import settings

from gongzhi.appeals.models import Appeal

from .services import appeal_triage, classifier_refresh, classifier_train, hotspots_refresh, triage_pending

PENDING_BATCH = 500
# on a laptop, how long an import's request goes on reading what it filed
EAGER_BUDGET_S = 60.0


@shared_task
def triage_appeal_task(appeal_id: int) -> None:
    """Right after an appeal is filed, in the request, where there are no workers (triage.handlers.read_new_appeal)."""
    appeal = Appeal.objects.select_related("area").filter(pk=appeal_id).first()
    if appeal is not None:
        appeal_triage(appeal=appeal)


@shared_task
def triage_pending_task() -> int:
    """Every few seconds (beat), and after a bulk import: every appeal waiting for its first read, in batches.
    With workers, a full batch queues the next at once. On a laptop (no broker) it runs in the request that
    imported the file: batch after batch until none is left or EAGER_BUDGET_S has passed; whatever a very large
    file leaves is read by `manage.py triage_pending` (or the next import)."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        done = triage_pending(limit=PENDING_BATCH)
        if done == PENDING_BATCH:
            triage_pending_task.delay()
        return done
    return drain(budget_s=EAGER_BUDGET_S)


def drain(*, budget_s: float | None = None) -> int:
    """Triage what is waiting, batch by batch, until nothing is (or, with a budget, until it is spent after a
    batch). Ends: every appeal read gets its Triage row, so no batch is read twice."""
    started = time.monotonic()
    total = 0
    while True:
        done = triage_pending(limit=PENDING_BATCH)
        total += done
        if done < PENDING_BATCH or (budget_s is not None and time.monotonic() - started >= budget_s):
            return total


@shared_task
def classifier_train_task() -> int:
    """Nightly (beat): learn from the day's corrections."""
    return classifier_train().version


@shared_task
def classifier_refresh_task() -> int | None:
    """Every minute (beat): retrain once the catalogue changed (a category added, renamed, merged, its examples
    edited); the check is one small query when nothing did."""
    row = classifier_refresh()
    return row.version if row is not None else None


@shared_task
def hotspots_refresh_task() -> int:
    """Hourly (beat): the city's hotspots of the last HOTSPOT_DAYS."""
    return hotspots_refresh(days=settings.GONGZHI["TRIAGE"]["HOTSPOT_DAYS"]).pk
