"""The starting catalogue (two levels, deadlines in working hours) and the routing rules over the six partners.

Administrators edit both afterwards; this only seeds an empty table and is reversible.
"""
from django.db import migrations

# (code, name, priority, respond hours, resolve hours, routing: [(role, organisation kind)], children)
CATALOGUE = [
    ("property", "物业管理", "normal", 2, 40, [("steward", "")], [
        ("property-elevator", "电梯", "high", 1, 16),
        ("property-leak", "漏水渗水", "high", 2, 24),
        ("property-access", "门禁道闸", "normal", 2, 24),
        ("property-lighting", "公共照明", "normal", 2, 40),
        ("property-fees", "物业收费", "normal", 4, 56),
    ]),
    ("sanitation", "环境卫生", "normal", 2, 24, [("steward", "")], [
        ("sanitation-garbage", "垃圾清运", "normal", 2, 16),
        ("sanitation-clutter", "楼道堆物", "normal", 2, 24),
        ("sanitation-pests", "病媒消杀", "normal", 4, 40),
    ]),
    ("parking", "停车", "normal", 2, 40, [("steward", "")], [
        ("parking-disorder", "乱停乱放", "normal", 2, 24),
        # e-bikes charged indoors start fires: a safety matter, first in line (003)
        ("parking-ebike", "电动车上楼充电", "high", 1, 16),
    ]),
    ("heating", "供暖", "high", 1, 24, [("steward", ""), ("backer", "department")], [
        ("heating-cold", "室温不达标", "high", 1, 24),
        ("heating-pipe", "管道故障", "high", 1, 16),
    ]),
    ("noise", "噪音", "normal", 2, 40, [("backer", "department")], [
        ("noise-construction", "施工噪音", "normal", 2, 24),
        ("noise-business", "商业噪音", "normal", 2, 40),
    ]),
    ("greening", "绿化", "normal", 4, 80, [("steward", "")], [
        ("greening-trees", "树木修剪", "normal", 4, 80),
        ("greening-damage", "绿地破坏", "normal", 4, 56),
    ]),
    ("security", "治安", "urgent", 1, 8, [("backer", "department")], [
        ("security-hazard", "治安隐患", "urgent", 1, 8),
        ("security-fire-lane", "消防通道堵塞", "urgent", 1, 8),
    ]),
    # small matters go to the residents' own mutual-aid station first (002)
    ("neighbours", "邻里纠纷", "normal", 2, 56, [("serves", "mutual_aid_station"), ("organiser", "")], [
        ("neighbours-dispute", "邻里矛盾", "normal", 2, 56),
        ("neighbours-noise", "邻里噪音", "normal", 2, 40),
        ("neighbours-leak", "楼上漏水纠纷", "normal", 2, 40),
    ]),
    ("repairs", "设施维修", "normal", 2, 56, [("serves", "mutual_aid_station"), ("steward", "")], [
        ("repairs-road", "路面破损", "normal", 4, 80),
        ("repairs-fitness", "健身器材", "normal", 4, 56),
        ("repairs-drain", "下水道堵塞", "high", 2, 24),
    ]),
    ("epidemic", "疫情防控", "urgent", 1, 4, [("organiser", "")], [
        ("epidemic-help", "求助", "urgent", 1, 4),
    ]),
    ("other", "其他", "normal", 2, 56, [("organiser", "")], []),
]


def seed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    RoutingRule = apps.get_model("appeals", "RoutingRule")
    if Category.objects.exists():
        return
    for position, (code, name, priority, respond, resolve, routes, children) in enumerate(CATALOGUE):
        parent = Category.objects.create(code=code, name=name, priority=priority, respond_hours=respond,
                                         resolve_hours=resolve, position=position * 100)
        for order, (role, kind) in enumerate(routes):
            RoutingRule.objects.create(category=parent, role=role, organisation_kind=kind, position=order)
        for child_position, (child_code, child_name, p, r, d) in enumerate(children):
            Category.objects.create(parent=parent, code=child_code, name=child_name, priority=p, respond_hours=r,
                                    resolve_hours=d, position=position * 100 + child_position + 1)


def unseed(apps, schema_editor):
    apps.get_model("appeals", "RoutingRule").objects.all().delete()
    Category = apps.get_model("appeals", "Category")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_appealevent_append_only")]
    operations = [migrations.RunPython(seed, unseed)]
