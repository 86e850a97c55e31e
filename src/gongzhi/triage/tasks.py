from celery import shared_task

from gongzhi.appeals.models import Appeal

from .services import appeal_triage, classifier_train, hotspots_refresh, triage_pending

PENDING_BATCH = 500


@shared_task
def triage_appeal_task(appeal_id: int) -> None:
    """Right after an appeal is filed, in the request, where there are no workers (appeals.services.queue_triage)."""
    appeal = Appeal.objects.select_related("area").filter(pk=appeal_id).first()
    if appeal is not None:
        appeal_triage(appeal=appeal)


@shared_task
def triage_pending_task() -> int:
    """Every few seconds (beat), and after a bulk import: every appeal waiting for its first read, in batches;
    with workers, a full batch queues the next at once (on a laptop, one batch per call)."""
    from django.conf import settings

    done = triage_pending(limit=PENDING_BATCH)
    if done == PENDING_BATCH and not settings.CELERY_TASK_ALWAYS_EAGER:
        triage_pending_task.delay()
    return done



@shared_task
def classifier_train_task() -> int:
    """Nightly (beat): learn from the day's corrections."""
    return classifier_train().version


@shared_task
def hotspots_refresh_task() -> int:
    """Hourly (beat): the city's hotspots of the last HOTSPOT_DAYS."""
    from django.conf import settings

    return hotspots_refresh(days=settings.GONGZHI["TRIAGE"]["HOTSPOT_DAYS"]).pk
