from celery import shared_task

from .sweep import sweep


@shared_task
def appeals_sweep_task() -> dict:
    """Every minute (beat); idempotent, so an overlapping or repeated run escalates nothing twice."""
    return sweep()
