"""How triage reacts to appeals' events and fills their pages' slots (connected in gongzhi/web/reactions.py)."""
from django.conf import settings
from django.urls import reverse

from gongzhi.appeals.events import AppealsImported, AppealSubmitted

from . import selectors
from .tasks import triage_appeal_task, triage_pending_task


def read_new_appeal(event: AppealSubmitted) -> None:
    """The machine's first read, once the appeal is safely stored. On a laptop (no broker) it runs right away, in
    the request. With workers, a new appeal sends no message of its own: publishing one costs the request more
    than writing the appeal does, so beat's triage-pending task reads every appeal still waiting, every few
    seconds, in batches."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        triage_appeal_task.delay(event.appeal_id)


def read_imported(event: AppealsImported) -> None:
    """A batch came in (a 12345 file): read what waits now, rather than at beat's next turn."""
    triage_pending_task.delay()


def appeal_page(*, viewer, appeal) -> dict:
    """On the staff appeal page: the machine's reading (categories, place), the duplicates to merge, and where the
    resolve form asks how its reply reads."""
    return {"panel": selectors.triage_panel(viewer=viewer, appeal=appeal),
            "candidates": selectors.duplicate_candidates(viewer=viewer, appeal=appeal),
            "reply_check_url": reverse("staff:reply_check", args=[appeal.pk])}


def figures_page(*, viewer, start, end) -> dict:
    """On the figures page: how the replies sent in the period read, per party."""
    return {"replies": selectors.reply_quality(viewer=viewer, start=start, end=end)}
