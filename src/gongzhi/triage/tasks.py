from celery import shared_task

from gongzhi.appeals.models import Appeal

from .services import appeal_triage, classifier_train, hotspots_refresh, triage_pending


@shared_task
def triage_appeal_task(appeal_id: int) -> None:
    """Right after an appeal is filed (queued on commit)."""
    appeal = Appeal.objects.select_related("area").filter(pk=appeal_id).first()
    if appeal is not None:
        appeal_triage(appeal=appeal)


@shared_task
def triage_pending_task() -> int:
    """Every minute (beat): appeals filed in bulk, or whose own task was lost, get triaged too."""
    return triage_pending()


@shared_task
def classifier_train_task() -> int:
    """Nightly (beat): learn from the day's corrections."""
    return classifier_train().version


@shared_task
def hotspots_refresh_task() -> int:
    """Hourly (beat): the city's hotspots of the last HOTSPOT_DAYS."""
    from django.conf import settings

    return hotspots_refresh(days=settings.GONGZHI["TRIAGE"]["HOTSPOT_DAYS"]).pk
