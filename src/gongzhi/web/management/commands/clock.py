"""The laptop's scheduler: run the periodic jobs of ``gongzhi.celery``'s beat schedule in this process.

`make demo` starts it beside the web server, so a community on one machine gets what a city gets from Celery
beat and workers: deadlines warn and escalate (the sweep), SMS and messages leave the outbox, new appeals get
their first read, hotspots refresh. One schedule, the same tasks; only where they run differs (docs/appeals.md,
"Who runs the clock").
Every job is idempotent, so a clock running beside real workers by mistake repeats nothing.
"""
import logging
import signal
import time
from datetime import datetime

from celery.schedules import schedule as every
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from gongzhi.celery import app

log = logging.getLogger("gongzhi.clock")


def fresh() -> None:
    """A long-running process drops a database connection that broke or aged out between jobs (as Django does
    between requests); not inside a transaction someone else holds open (a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = "Run the periodic jobs (sweep, outbox, triage, hotspots) in this process, as Celery beat would."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every interval job once and stop")
        parser.add_argument("--only", action="append", default=[], metavar="JOB",
                            help="run only this job of the schedule (repeat for more), e.g. --only registry-imports")

    def handle(self, *args, once=False, only=(), **options):
        app.loader.import_default_modules()  # registers every app's tasks
        now = app.now()
        jobs = []
        unknown = set(only) - set(app.conf.beat_schedule)
        if unknown:
            raise CommandError(f"no such job: {', '.join(sorted(unknown))}")
        for name, entry in app.conf.beat_schedule.items():
            if only and name not in only:
                continue
            plan = entry["schedule"]
            if isinstance(plan, int | float):
                plan = every(plan, app=app)
                last = None  # interval jobs run at once: the sweep catches up on what the laptop slept through
            else:
                plan.app = app
                last = now  # nightly jobs (training) wait for their hour
            jobs.append({"name": name, "task": entry["task"], "plan": plan, "last": last})
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        self.stdout.write(f"clock: {len(jobs)} jobs ({', '.join(j['name'] for j in jobs)}); Ctrl-C stops it")
        while not stopping:
            wait = 60.0
            for job in jobs:
                due, next_in = (True, job["plan"].run_every.total_seconds()) if job["last"] is None else (
                    job["plan"].is_due(job["last"]))
                if due and not (once and job["last"] is not None):
                    self._run(job)
                    job["last"] = app.now()
                wait = min(wait, next_in)
            if once:
                return
            try:
                time.sleep(max(wait, 1.0))
            except KeyboardInterrupt:
                return

    def _run(self, job) -> None:
        fresh()
        started = datetime.now()
        try:
            result = app.tasks[job["task"]].apply(throw=True).get()
        except Exception:  # one failing job must not stop the others: logged, tried again at its next time
            log.exception("clock: %s failed", job["name"])
            return
        finally:
            fresh()
        took = (datetime.now() - started).total_seconds()
        busy = any(result.values()) if isinstance(result, dict) else bool(result)
        if busy or took > 5:  # quiet when there was nothing to do
            self.stdout.write(f"{started:%H:%M:%S} {job['name']}: {result if result is not None else ''} "
                              f"({took:.1f} s)")
