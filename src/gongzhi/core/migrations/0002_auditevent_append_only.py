from django.db import migrations

from gongzhi.core.db import append_only


class Migration(migrations.Migration):
    """The audit log is evidence: the database itself refuses to change its rows."""

    dependencies = [("core", "0001_initial")]
    operations = [append_only("core_auditevent")]
