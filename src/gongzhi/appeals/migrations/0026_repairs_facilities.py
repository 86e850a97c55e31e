"""公共设施 under 设施维修: the bike shed's roof, a wall, the stair rail, the letterboxes had no category of their own,
so "车棚顶棚被风刮坏" was read as anything but a repair. Routed as its family (the mutual-aid station, then the
steward); its starter words come from appeals/data/catalogue_examples.txt. Reversible while unused."""
from django.db import migrations

CODE = "repairs-facilities"


def create(apps, schema_editor):
    from gongzhi.appeals import starter

    starter.add_subcategory(apps.get_model("appeals", "Category").objects, family="repairs", code=CODE, name="公共设施",
                            priority="normal", respond_hours=2, resolve_hours=56)


def remove(apps, schema_editor):
    apps.get_model("appeals", "Category").objects.filter(code=CODE, appeals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0025_category_examples")]
    operations = [migrations.RunPython(create, remove)]
