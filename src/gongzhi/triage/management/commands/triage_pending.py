import json

from django.core.management.base import BaseCommand

from gongzhi.triage.tasks import drain


class Command(BaseCommand):
    help = ("Give every appeal still waiting its first read (where no Celery beat runs: after a very large "
            "hotline import on a laptop, or from cron next to appeals_sweep). Idempotent.")

    def handle(self, *args, **options):
        self.stdout.write(json.dumps({"triaged": drain()}))
