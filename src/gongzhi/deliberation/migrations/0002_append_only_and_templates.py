"""The history tables refuse UPDATE and DELETE; the seat templates of the seeds are data to start from."""
from django.db import migrations

from gongzhi.core.db import append_only
from gongzhi.deliberation import seats


def seed(apps, schema_editor):
    seats.seed(apps.get_model("deliberation", "SeatTemplate"), apps.get_model("deliberation", "SeatKind"))


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]

    operations = [
        append_only("deliberation_topicevent"),
        append_only("deliberation_ballot"),
        append_only("deliberation_resolution"),
        append_only("deliberation_moneyentry"),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
