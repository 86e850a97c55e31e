from django.db import migrations

from gongzhi.core.db import append_only


class Migration(migrations.Migration):
    """An appeal's timeline is what the resident and the figures rely on: rows are never changed."""

    dependencies = [("appeals", "0001_appeals")]
    operations = [append_only("appeals_appealevent")]
