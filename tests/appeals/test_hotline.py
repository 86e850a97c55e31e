"""12345 orders in bulk: the same file twice creates nothing; unplaceable orders are reported by row."""
import io
import json

import pytest
from django.core.management import call_command
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


def test_the_operator_imports_a_12345_file_on_the_page_and_reads_each_row_s_outcome(
        orders, login, world, django_capture_on_commit_callbacks):
    """The operator's day: download the template, upload the file, watch it import, read what was refused and why
    (a number twice in one file is named with the row that brought it first), download the refused rows."""
    operator = login("operator")
    template = operator.get("/staff/hotline/template")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")
    page = operator.get("/staff/hotline/").content.decode()
    assert "工单号" in page and "下载空白模板" in page
    again = [*orders, ["BJ-001", "2026-11-20 12:00", "同一工单又出现一次", world.community.name, "", "", "", "", ""]]
    upload = io.BytesIO(xlsx(again))
    upload.name = "12345-1120.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post("/staff/hotline/", {"file": upload})
    assert response.status_code == 302
    waiting = operator.get(response["Location"]).content.decode()
    assert "排队等待导入" in waiting and not Appeal.objects.filter(hotline_order_no="BJ-001").exists()  # not the web's
    call_command("clock", "--once", "--only", "appeals-imports")  # what make demo's clock (or a worker) does
    result = operator.get(response["Location"]).content.decode()
    assert "行有错误" in result and "不存在的社区" not in result.split("错误明细")[0]
    assert "与第3行重复" in result  # the title line is row 1, the header row 2: BJ-001 is on row 3
    batch_id = int(response["Location"].rstrip("/").split("/")[-1])
    errors = operator.get(f"/staff/hotline/{batch_id}/errors")
    assert errors.status_code == 200
    assert Appeal.objects.filter(hotline_order_no__in=["BJ-001", "BJ-002"]).count() == 2
    queue = operator.get("/staff/appeals/?state=submitted").content.decode()
    assert "电梯停运两天" in queue or Appeal.objects.get(hotline_order_no="BJ-001").number in queue
    # a resident has no such page
    assert login("resident").get("/staff/hotline/").status_code == 403


def test_api_orders_are_named_by_their_place_in_the_list(login, world):
    api = login("operator")
    body = [{"order_no": "API-1", "content": "路灯不亮", "community": world.community.name},
            {"order_no": "API-2", "content": "", "community": world.community.name}]
    out = api.post("/api/v1/hotline/orders", body, content_type="application/json").json()
    assert out["created"] == 1 and [e["row"] for e in out["errors"]] == [2]  # the second order, not "row 3"
    many = [{"order_no": f"MANY-{n}", "content": "路灯不亮", "community": world.community.name} for n in range(1001)]
    refused = api.post("/api/v1/hotline/orders", many, content_type="application/json")
    assert refused.status_code == 422 and "一次最多推送1000条" in refused.json()["message"]
    assert not Appeal.objects.filter(hotline_order_no__startswith="MANY-").exists()  # a day's file is uploaded


def test_a_phone_call_is_logged_at_the_desk_as_a_12345_order_once(login, world):
    worker = login("worker")
    form = {"channel": "hotline", "hotline_order_no": "GD-7788", "area": world.compound.pk, "text": "来电：楼道堆物",
            "contact_name": "李女士", "contact_phone": "13911112222"}
    missing = worker.post("/staff/appeals/new", {**form, "hotline_order_no": ""})
    assert missing.status_code == 200 and "热线工单必须有工单号" in missing.content.decode()
    assert worker.post("/staff/appeals/new", form).status_code == 302
    appeal = Appeal.objects.get(hotline_order_no="GD-7788")
    assert appeal.channel == Channel.HOTLINE and appeal.contact_name == "李女士"
    # the same order logged again from another tab, worded differently: refused by the order number, with the
    # appeal it already is one click away
    twice = worker.post("/staff/appeals/new", {**form, "client_key": "another-tab", "text": "来电：楼道里堆了杂物"})
    page = twice.content.decode()
    assert twice.status_code == 200 and f"工单号 GD-7788 已登记为诉求 {appeal.number}" in page
    assert f'href="/staff/appeals/{appeal.pk}/"' in page
    assert Appeal.objects.filter(hotline_order_no="GD-7788").count() == 1
    # the same text again (Back, then send): the appeal already filed opens
    again = worker.post("/staff/appeals/new", {**form, "client_key": "third-tab"})
    assert again.status_code == 302 and again["Location"] == f"/staff/appeals/{appeal.pk}/"


def test_the_api_takes_a_12345_order_from_staff_and_no_one_files_as_open311_by_hand(login, world):
    body = {"text": "来电：路灯不亮", "area_id": world.compound.pk, "channel": "hotline", "hotline_order_no": "GD-9"}
    done = login("operator").post("/api/v1/appeals", body, content_type="application/json")
    assert done.status_code == 201 and done.json()["channel"] == "hotline"
    resident = login("newcomer").post("/api/v1/appeals", {**body, "hotline_order_no": "GD-10"},
                                      content_type="application/json")
    assert resident.status_code == 403
    open311 = login("newcomer").post("/api/v1/appeals", {**body, "channel": "open311"},
                                     content_type="application/json")
    assert open311.status_code == 403 and not Appeal.objects.filter(channel=Channel.OPEN311).exists()
