"""Each first-level label of the shared city data trains the catalogue category of the same name."""
from django.db import migrations

LABELS = {"城乡建设": "construction", "环境保护": "environment", "交通运输": "transport",
          "劳动和社会保障": "labour", "卫生计生": "health", "教育文体": "education", "商贸旅游": "commerce"}


def seed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    LabelMapping = apps.get_model("triage", "LabelMapping")
    for label, code in LABELS.items():
        LabelMapping.objects.get_or_create(label=label,
                                           defaults={"category": Category.objects.filter(code=code).first()})


def unseed(apps, schema_editor):
    apps.get_model("triage", "LabelMapping").objects.filter(label__in=LABELS).delete()


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_triage"), ("appeals", "0009_city_categories")]
    operations = [migrations.RunPython(seed, unseed)]
