"""Handing work to a worker process, never the web request's.

In a city a Celery worker takes the task as soon as the request's transaction commits. On a laptop there is no
broker: the work waits in the database (an import batch not yet started) and `manage.py clock`, which `make demo`
runs beside the web server, picks it up within seconds through the same app's periodic job. Either way a web
process never spends a minute and a few hundred megabytes on a 100,000-row file.
"""
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Conflict, NotPermitted

log = logging.getLogger(__name__)
KEEP_FAILED_DAYS = 7


def hand_to_worker(task, *args) -> None:
    """Send ``task(*args)`` to a worker once the current transaction commits; without a broker, leave it to the
    periodic job that finds the waiting work (the task must be idempotent, and that job must exist)."""
    if settings.CELERY_BROKER_URL:
        transaction.on_commit(lambda: task.delay(*args))


def run_waiting(batches, files, process, *, limit: int = 20) -> int:
    """The periodic job of an app's uploads: mark failed the batches whose worker died (keeping their file a week
    for a second try, then deleting it: it holds personal data), and import the batches waiting, oldest first.
    ``batches`` is the ImportBatch model, ``files`` the model keeping its uploads, ``process`` imports one."""
    batches.fail_stale()
    files.objects.filter(batch__status=batches.Status.FAILED,
                         batch__finished_at__lt=timezone.now() - timedelta(days=KEEP_FAILED_DAYS)).delete()
    done = 0
    for pk in list(batches.waiting().values_list("pk", flat=True)[:limit]):
        try:
            process(pk)
        except Exception:  # marked failed by ``process``; the others still run
            log.exception("import %s %s failed", batches.__name__, pk)
        done += 1
    return done


def can_redo(batch, files) -> bool:
    """A failed batch whose file is still kept (its worker died) can be started again."""
    return batch.status == batch.Status.FAILED and files.objects.filter(batch_id=batch.pk).exists()


def redo(batch, *, actor, files) -> None:
    """Put back in the queue a batch that failed because its worker died, with the file kept: only its uploader
    may. The caller hands it to a worker as after an upload (``hand_to_worker``)."""
    if batch.uploaded_by_id != actor.pk:
        raise NotPermitted(_("只有上传者可以重新导入"))
    if batch.status == batch.Status.FAILED and not can_redo(batch, files):
        raise Conflict(_("原文件已不在（导入已结束或已超过保留期限），请重新上传"), code="file_gone")
    if not batch.reopen():
        raise Conflict(_("这次导入没有失败，无需重新导入"), code="not_failed")
