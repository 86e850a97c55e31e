"""Background work of the registry (Celery; in-process when no broker is configured)."""
from celery import shared_task

from .ledger import ledger_import_process


@shared_task(acks_late=True)
def process_ledger_import(batch_id: int) -> None:
    """A 100,000-row ledger takes a minute: longer than a web request may wait."""
    ledger_import_process(batch_id)
