"""Visits are append-only. A special family's request needs its category (answered within 2 hours, on the clock
round the day) and the care ladder's rungs in the appeals' escalation table: centre household at once when the
member is late, the branch 2 hours later, the community 4 hours later. Both are data, editable in the admin."""
from decimal import Decimal

from django.db import migrations

from gongzhi.core.db import append_only

RUNGS = [(1, "党员中心户督办", "centre", Decimal("0")), (2, "党支部督办", "branch", Decimal("2")),
         (3, "社区督办", "community", Decimal("4"))]


def seed(apps, schema_editor):
    category = apps.get_model("appeals", "Category")
    rung = apps.get_model("appeals", "EscalationRung")
    parent, _created = category.objects.get_or_create(code="care", defaults={"name": "关爱帮扶", "position": 900})
    category.objects.get_or_create(code="care-request", defaults={
        "name": "特殊家庭求助", "parent": parent, "priority": "urgent", "respond_hours": Decimal("2"),
        "resolve_hours": Decimal("24"), "description": "结对帮扶的特殊家庭通过党员中心户网络提出的求助：买药、就医陪同、生活照料、家中突发情况"})
    for level, name, target, after in RUNGS:
        rung.objects.get_or_create(ladder="care", level=level,
                                   defaults={"name": name, "target": target, "after_hours": after})


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial"), ("appeals", "0028_escalation_ladders")]

    operations = [
        append_only("care_visit"),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
