from celery import shared_task

from .hotline import hotline_import_process, hotline_imports_pending
from .sweep import sweep


@shared_task
def appeals_sweep_task() -> dict:
    """Every minute (beat); idempotent, so an overlapping or repeated run escalates nothing twice."""
    return sweep()


@shared_task(acks_late=True)
def process_hotline_import(batch_id: int) -> None:
    """A day's 12345 file: imported by a worker, not in the request that uploaded it."""
    hotline_import_process(batch_id)


@shared_task
def hotline_imports_pending_task() -> int:
    """Every few seconds (beat; the clock): 12345 files no worker took yet are imported, those whose worker died
    are marked failed. Returns how many were imported."""
    return hotline_imports_pending()
