"""``manage.py catalogue_starter [--replace] [CODE …]``: give categories the starter descriptions and example
messages of appeals/data/catalogue_examples.txt (after an upgrade that brought more of them, or to undo edits).
Without ``--replace`` only categories that have none get them. The clock's triage-catalogue job then retrains."""
from django.core.management.base import BaseCommand

from gongzhi.appeals import starter
from gongzhi.appeals.models import Category


class Command(BaseCommand):
    help = "Fill (or with --replace, overwrite) categories' descriptions and examples from the starter file."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="category codes (default: every category the file names)")
        parser.add_argument("--replace", action="store_true", help="overwrite what administrators wrote")

    def handle(self, *args, codes, replace, **options):
        categories = Category.objects.filter(code__in=codes) if codes else Category.objects.all()
        changed = starter.seed(categories, replace=replace)
        self.stdout.write(f"{changed} categories given the starter words")
