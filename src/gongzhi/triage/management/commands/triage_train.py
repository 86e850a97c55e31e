"""Train a new classifier version on the catalogue's words, the shared data and this instance's own categorised
appeals."""
from django.core.management.base import BaseCommand

from gongzhi.triage.services import classifier_train


class Command(BaseCommand):
    help = "Train the triage classifier (a new version under var/models/, used from then on)."

    def add_arguments(self, parser):
        parser.add_argument("--data", default=None, help="folder with the shared train.csv (default: settings)")

    def handle(self, *args, data, **options):
        row = classifier_train(data_dir=data)
        self.stdout.write(f"v{row.version}: {row.catalogue_examples} catalogue + {row.shared_examples} shared + "
                          f"{row.own_examples} own examples "
                          f"({row.corrections} corrected), {len(row.classes)} categories, {row.seconds} s → {row.file}")
