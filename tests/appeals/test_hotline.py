"""12345 orders in bulk: the same file twice creates nothing; unplaceable orders are reported by row."""
import io
import json

import pytest
from openpyxl import Workbook

from gongzhi.appeals.choices import Channel, State
from gongzhi.appeals.hotline import hotline_import, hotline_orders
from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.core.errors import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db
HEADERS = ["工单号", "来电时间", "诉求内容", "社区", "小区", "楼栋", "类别", "来电人", "联系电话"]


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["北京市12345热线派单明细"])  # a title line above the header, as exports have
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def orders(world):
    building = world.compound.children.filter(kind="building").first()
    return [
        ["BJ-001", "2026-11-20 09:12", "电梯停运两天", world.community.name, world.compound.name, building.name,
         "物业管理/电梯", "王先生", "13912345678"],
        ["BJ-002", "2026-11-20 10:00", "小区垃圾无人清运", world.community.name, "", "", "垃圾清运", "", ""],
        ["BJ-003", "2026-11-20 11:00", "晚上施工扰民", "不存在的社区", "", "", "", "", ""],
        ["", "2026-11-20 11:00", "没有工单号", world.community.name, "", "", "", "", ""],
    ]


def test_orders_are_placed_categorised_and_bad_rows_reported(users, world, orders):
    outcome = hotline_import(actor=users("worker"), data=xlsx(orders), file_name="派单.xlsx")
    assert (outcome.rows, outcome.created, outcome.existing, outcome.refused) == (4, 2, 0, 2)
    assert {(e["row"], e["column"]) for e in outcome.errors} == {(5, "社区"), (6, "工单号")}
    lift = Appeal.objects.get(hotline_order_no="BJ-001")
    assert lift.channel == Channel.HOTLINE and lift.state == State.SUBMITTED
    assert lift.compound_id == world.compound.pk and lift.area.kind == "building"
    assert lift.category.code == "property-elevator" and lift.priority == "high"
    assert lift.respond_due_at is not None and lift.number.count("-") == 1
    garbage = Appeal.objects.get(hotline_order_no="BJ-002")
    assert garbage.area == world.community and garbage.category.code == "sanitation-garbage"
    assert AppealEvent.objects.filter(appeal__in=[lift, garbage], action="submit").count() == 2


def test_the_same_orders_again_create_nothing(users, orders):
    data = xlsx(orders)
    hotline_import(actor=users("worker"), data=data, file_name="a.xlsx")
    before = Appeal.objects.count()
    again = hotline_import(actor=users("worker"), data=data, file_name="a.xlsx")
    assert (again.created, again.existing) == (0, 2) and Appeal.objects.count() == before


def test_orders_arrive_as_csv_or_through_the_api(users, world):
    csv = f"工单号,诉求内容,社区\nCSV-1,楼道灯不亮,{world.community.name}\n".encode("gb18030")
    assert hotline_import(actor=users("worker"), data=csv, file_name="orders.csv").created == 1
    outcome = hotline_orders(actor=users("worker"), orders=[
        {"order_no": "API-1", "content": "路面塌陷", "community": world.community.name},
        {"order_no": "CSV-1", "content": "楼道灯不亮", "community": world.community.name},
    ])
    assert (outcome.created, outcome.existing) == (1, 1)


def test_another_communitys_orders_are_not_taken_in_here(users, world):
    outcome = hotline_orders(actor=users("worker"), orders=[
        {"order_no": "X-1", "content": "问题", "community": world.other_community.name}])
    assert outcome.created == 0 and outcome.errors[0]["column"] == "社区"
    with pytest.raises(NotPermitted):
        hotline_orders(actor=users("property"), orders=[])


def test_a_file_without_the_columns_is_refused_clearly(users):
    with pytest.raises(InvalidInput) as e:
        hotline_import(actor=users("worker"), data=json.dumps([{"a": 1}]).encode(), file_name="x.json")
    assert "工单号" in str(e.value.message)
