"""供水 under 物业管理: water inside the compound (二次供水 pumps and tanks, low pressure upstairs, a building's water
cut, meters) is the property company's, but had no category, so "停水了" and "水压太小" read as 城乡建设, the city's
water company (found by the second held-apart set, eval/catalogue/second.csv). Routed as its family; its starter
words come from appeals/data/catalogue_examples.txt. Reversible while unused."""
from django.db import migrations

CODE = "property-water"


def create(apps, schema_editor):
    from gongzhi.appeals import starter

    starter.add_subcategory(apps.get_model("appeals", "Category").objects, family="property", code=CODE, name="供水",
                            priority="high", respond_hours=1, resolve_hours=24)


def remove(apps, schema_editor):
    apps.get_model("appeals", "Category").objects.filter(code=CODE, appeals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0026_repairs_facilities")]
    operations = [migrations.RunPython(create, remove)]
