"""Visits are append-only. A special family's request needs its category (answered within 2 hours, on the clock
round the day) and the care ladder's rungs in the appeals' escalation table: centre household at once when the
member is late, the branch 2 hours later, the community 4 hours later. Both are data, editable in the admin."""
from decimal import Decimal

from django.db import migrations

from gongzhi.core.db import append_only

EXAMPLES = """老人降压药吃完了，腿脚不便下不了楼，请帮忙去卫生站开药
我家老人一个人住，今天一直没接电话，麻烦去看一下
独居老人家里断水了，她自己不会弄
失独老人生病在家没人照顾，想请人帮忙买点吃的
我爸摔了一跤起不来，我在外地赶不回去，请社区帮忙看看
低保户家里的煤气灶坏了没钱修
残疾人家里轮椅坏了出不了门
老人想去医院复查，没人陪同，请帮忙安排一下
特困户家里冰箱空了，好几天没买菜了
孤寡老人家暖气不热，屋里很冷
帮忙给五楼的独居老人送一下药
老人手机没电联系不上，能不能上门看一眼
瘫痪在床的老人需要人帮忙翻身擦洗
我妈记性不好总忘记吃药，能不能有人提醒一下
老人家里灯泡坏了够不着换
帮忙代缴一下老人的水电费，她不会用手机
留守老人想给孙子寄点东西，不知道怎么弄
老两口都病了，想请人帮忙做顿饭
老人住院了，家里的花草没人浇水
残疾人想办理补贴，跑不动腿，请帮忙代办
独居老人说家里有煤气味，很害怕
老人夜里起来头晕，想请人陪着去医院
失能老人家里的尿不湿用完了
老人家的下水道堵了，味道很大
请帮忙给老人买两斤鸡蛋一把挂面送上门
老人助听器坏了，听不见电话
优抚对象老人想咨询待遇，行动不便请上门
特殊家庭的孩子放学没人接
老人家里的门锁坏了，进不去家
请结对的党员来一趟，老人有事要商量
低保老人的药费报销不会弄，请帮忙
老人家的窗户关不上，刮风往里灌
老人一个人过节，想有人来陪着说说话
独居老人楼道灯坏了，晚上不敢出门
老人的血压计坏了，想请人帮忙看看
老人想剪头发，自己出不了门
老人家的电视没信号了，一个人闷得慌
帮老人取一下快递，她下不了楼
老人要交医保，不会在手机上操作
老人家里米吃完了，请帮忙扛一袋米上楼"""

RUNGS = [(1, "党员中心户督办", "centre", Decimal("0")), (2, "党支部督办", "branch", Decimal("2")),
         (3, "社区督办", "community", Decimal("4"))]


def seed(apps, schema_editor):
    category = apps.get_model("appeals", "Category")
    rung = apps.get_model("appeals", "EscalationRung")
    parent, _created = category.objects.get_or_create(code="care", defaults={
        "name": "关爱帮扶", "position": 900,
        "description": "特殊家庭（孤寡、失独、特困、残疾、低保等）和独居老人的生活求助，由结对党员和党员中心户先办"})
    category.objects.get_or_create(code="care-request", defaults={
        "name": "特殊家庭求助", "parent": parent, "priority": "urgent", "respond_hours": Decimal("2"),
        "resolve_hours": Decimal("24"), "examples": EXAMPLES,
        "description": "结对帮扶的特殊家庭通过党员中心户网络提出的求助：买药、就医陪同、生活照料、家中突发情况"})
    for level, name, target, after in RUNGS:
        rung.objects.get_or_create(ladder="care", level=level,
                                   defaults={"name": name, "target": target, "after_hours": after})


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial"), ("appeals", "0028_escalation_ladders")]

    operations = [
        append_only("care_visit"),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
