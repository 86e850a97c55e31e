"""The one Celery app. Without CELERY_BROKER_URL tasks run in-process (CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.prod")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Periodic jobs and their schedules: all here, each naming the app's task it runs (its tasks.py).
app.conf.beat_schedule = {
    "appeals-sweep": {"task": "gongzhi.appeals.tasks.appeals_sweep_task", "schedule": 60.0},
    # uploaded files waiting for a worker (on a laptop, all of them: the clock is its worker) or whose worker died
    "registry-imports": {"task": "gongzhi.registry.tasks.ledger_imports_pending_task", "schedule": 5.0},
    "appeals-imports": {"task": "gongzhi.appeals.tasks.hotline_imports_pending_task", "schedule": 5.0},
    # 协商议事: an owners' vote closes at its deadline; a resolution takes effect when its notice period ends
    "deliberation-clock": {"task": "gongzhi.deliberation.tasks.deliberation_clock_task", "schedule": 60.0},
    "volunteers-clock": {"task": "gongzhi.volunteers.tasks.volunteers_clock_task", "schedule": 600.0},
    "deliver-outbox": {"task": "gongzhi.notifications.tasks.deliver_outbox_task", "schedule": 60.0},
    # new appeals send no message of their own (triage.handlers.read_new_appeal): this reads them within seconds
    "triage-pending": {"task": "gongzhi.triage.tasks.triage_pending_task", "schedule": 5.0},
    # the catalogue changed (a category added, renamed, merged; its examples edited): suggestions follow it
    "triage-catalogue": {"task": "gongzhi.triage.tasks.classifier_refresh_task", "schedule": 60.0},
    "triage-train": {"task": "gongzhi.triage.tasks.classifier_train_task", "schedule": crontab(hour=3, minute=0)},
    "triage-hotspots": {"task": "gongzhi.triage.tasks.hotspots_refresh_task", "schedule": crontab(minute=7)},
}
