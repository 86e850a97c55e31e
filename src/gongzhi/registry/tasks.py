"""Background work of the registry (a Celery worker in a city; `manage.py clock` on a laptop)."""
from celery import shared_task

from .ledger import ledger_import_process, ledger_imports_pending


@shared_task(acks_late=True)
def process_ledger_import(batch_id: int) -> None:
    """A 100,000-row ledger takes a minute: longer than a web request may wait."""
    ledger_import_process(batch_id)


@shared_task
def ledger_imports_pending_task() -> int:
    """Every few seconds (beat; the clock): batches no worker took yet are imported, those whose worker died are
    marked failed. Returns how many were imported."""
    return ledger_imports_pending()
