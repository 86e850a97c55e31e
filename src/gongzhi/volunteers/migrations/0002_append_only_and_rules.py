"""The points ledger and the stock moves refuse UPDATE and DELETE; the city's starting points rules are data."""
from django.db import migrations

from gongzhi.core.db import append_only

RULES = [  # (account, trigger, points, note)
    ("volunteer", "hours", 10, "每服务1小时10分（按分钟折算）"),
    ("volunteer", "errand", 20, "每完成一次温馨到家20分"),
    ("volunteer", "help", 10, "帮扶服务经社区认定10分"),
    ("party", "hours", 10, "党员志愿服务每小时10分"),
    ("party", "shift", 2, "党员每次到岗2分"),
    ("party", "help", 10, "结对帮扶经社区认定10分"),
]


def seed(apps, schema_editor):
    rule = apps.get_model("volunteers", "PointsRule")
    rule.objects.bulk_create([rule(account=a, trigger=t, points=p, note=n) for a, t, p, n in RULES])


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [
        append_only("volunteers_pointsentry"),
        append_only("volunteers_stockmove"),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
