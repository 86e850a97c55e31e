from celery import shared_task

from .services import deliver_outbox


@shared_task
def deliver_outbox_task() -> dict:
    """Every minute (beat): send due SMS and e-mail; safe to run on several workers at once."""
    return deliver_outbox()
