"""供水 under 物业管理: water inside the compound (二次供水 pumps and tanks, low pressure upstairs, a building's water
cut, meters) is the property company's, but had no category, so "停水了" and "水压太小" read as 城乡建设, the city's
water company (found by the second held-apart set, eval/catalogue/second.csv). Routed as its family; its starter
words come from appeals/data/catalogue_examples.txt. Reversible while unused."""
from django.db import migrations

CODE = "property-water"


def create(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    family = Category.objects.filter(code="property").first()
    if family is None or Category.objects.filter(code=CODE).exists():
        return
    last = family.children.order_by("-position").values_list("position", flat=True).first() or family.position
    Category.objects.create(parent=family, code=CODE, name="供水", priority="high", respond_hours=1,
                            resolve_hours=24, position=last + 1)
    from gongzhi.appeals import starter

    starter.seed(Category.objects.filter(code=CODE))


def remove(apps, schema_editor):
    apps.get_model("appeals", "Category").objects.filter(code=CODE, appeals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0026_repairs_facilities")]
    operations = [migrations.RunPython(create, remove)]
