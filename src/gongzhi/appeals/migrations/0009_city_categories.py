"""Departmental matters a city hotline receives besides the compound's own (the shared data's first-level
labels): each goes to a backing department through the whistle. Reversible; administrators edit them after."""
from django.db import migrations

# (code, name, respond hours, resolve hours)
CITY = [
    ("construction", "城乡建设", 4, 80),
    ("environment", "环境保护", 4, 80),
    ("transport", "交通运输", 4, 80),
    ("labour", "劳动和社会保障", 4, 80),
    ("health", "卫生计生", 4, 80),
    ("education", "教育文体", 4, 80),
    ("commerce", "商贸旅游", 4, 80),
]


def seed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    RoutingRule = apps.get_model("appeals", "RoutingRule")
    start = (Category.objects.filter(parent__isnull=True).order_by("-position").values_list("position", flat=True)
             .first() or 0) + 100
    for i, (code, name, respond, resolve) in enumerate(CITY):
        if Category.objects.filter(code=code).exists():
            continue
        category = Category.objects.create(code=code, name=name, priority="normal", respond_hours=respond,
                                           resolve_hours=resolve, position=start + i * 100)
        RoutingRule.objects.create(category=category, role="backer", organisation_kind="department", position=0)


def unseed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    apps.get_model("appeals", "RoutingRule").objects.filter(category__code__in=[c[0] for c in CITY]).delete()
    Category.objects.filter(code__in=[c[0] for c in CITY], appeals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0008_client_key")]
    operations = [migrations.RunPython(seed, unseed)]
