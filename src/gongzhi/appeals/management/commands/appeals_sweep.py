import json

from django.core.management.base import BaseCommand

from gongzhi.appeals.sweep import sweep


class Command(BaseCommand):
    help = "Warn at 80% of a deadline, escalate overdue appeals once, close unrated replies (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(sweep()))
