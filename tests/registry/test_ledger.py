"""Excel ledgers in and out: what a community worker sees when she uploads her spreadsheet."""
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from gongzhi.core.errors import NotPermitted
from gongzhi.core.models import AuditEvent
from gongzhi.registry import ledger
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.ledger import HEADERS, ledger_export, ledger_import
from gongzhi.registry.models import Area, ExclusivePart, Household, LedgerImport, Resident
from gongzhi.registry.validators import id_check_char

pytestmark = pytest.mark.django_db


def idn(born: date, serial: int) -> str:
    first17 = f"110105{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


def workbook(rows, headers=HEADERS, preamble=()) -> bytes:
    wb = Workbook()
    ws = wb.active
    for line in preamble:
        ws.append(line)
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def person(community, **extra):
    row = {"社区": community.name, "网格": "", "小区": "新建家园", "楼栋": "3号楼", "单元": "2单元", "门牌号": "501",
           "姓名": "林晓梅", "身份证号": idn(date(1958, 4, 9), 24), "联系电话": "13911112222",
           "与户主关系": "户主", "产权关系": "业主", "产权面积": 76.4, "独居": "是", "特殊家庭": "失独"}
    row.update(extra)
    return row


def test_good_rows_are_imported_and_places_created(users, world):
    data = workbook([person(world.community),
                     person(world.community, 姓名="林小军", 身份证号=idn(date(1990, 1, 2), 35), 与户主关系="子女",
                            产权关系="同住家属", 产权面积="", 独居="否", 特殊家庭="")])
    batch = ledger_import(actor=users("worker"), data=data, file_name="台账.xlsx")
    assert (batch.status, batch.rows, batch.created, batch.refused) == ("done", 2, 2, 0)
    mei = Resident.objects.get(name="林晓梅")
    assert mei.household.address.endswith("新建家园3号楼2单元501")
    assert mei.community_id == world.community.pk and mei.birth_date == date(1958, 4, 9)
    assert mei.lives_alone
    part = ExclusivePart.objects.get(household=mei.household_id)  # the area is the home's, not hers
    assert (part.kind, part.number, str(part.measured_area), part.owner) == ("dwelling", "501", "76.40", mei)
    assert part.community_id == world.community.pk and part.unit_id == mei.unit_id
    assert list(mei.special_families.values_list("kind", flat=True)) == ["bereaved"]
    assert Household.objects.get(pk=mei.household_id).residents.count() == 2
    assert AuditEvent.objects.filter(action="import_ledger", target_id=str(batch.pk)).exists()


def test_every_bad_row_is_reported_with_row_column_and_reason(users, world):
    data = workbook([
        person(world.community),                                                  # row 2: fine
        person(world.community, 姓名="", 身份证号=idn(date(1970, 1, 1), 11)),        # row 3: no name
        person(world.community, 姓名="错号", 身份证号="110105194912310021"),          # row 4: checksum
        person(world.community, 姓名="租客", 身份证号="", 产权关系="租户"),            # row 5: tenant with area
        person(world.community, 姓名="外人", 社区="不存在社区", 身份证号=""),          # row 6: unknown community
        person(world.community, 姓名="电话错", 身份证号="", 联系电话="12345"),         # row 7: phone
    ])
    batch = ledger_import(actor=users("worker"), data=data, file_name="bad.xlsx")
    report = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert batch.created == 1 and batch.refused == 5
    assert report[(3, "姓名")] == "姓名不能为空"
    assert "校验位" in report[(4, "身份证号")]
    assert "只有业主" in report[(5, "产权面积")]
    assert (6, "社区") in report
    assert "电话号码格式不正确" in report[(7, "联系电话")]
    assert not Resident.objects.filter(name__in=["错号", "租客", "外人", "电话错"]).exists()


def test_reimporting_the_same_file_changes_nothing(users, world):
    data = workbook([person(world.community), person(world.community, 姓名="无证件", 身份证号="", 产权关系="租户",
                                                     产权面积="")])
    first = ledger_import(actor=users("worker"), data=data, file_name="a.xlsx")
    residents, households, areas = Resident.objects.count(), Household.objects.count(), Area.objects.count()
    again = ledger_import(actor=users("worker"), data=data, file_name="a.xlsx")
    assert (first.created, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert (Resident.objects.count(), Household.objects.count(), Area.objects.count()) == (
        residents, households, areas)


def test_a_bad_area_is_reported_in_the_ledgers_words(users, world):
    data = workbook([person(world.community, 产权面积="七十"),
                     person(world.community, 姓名="大面积", 身份证号="", 产权面积=100000)])
    batch = ledger_import(actor=users("worker"), data=data, file_name="bad.xlsx")
    report = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert report == {(2, "产权面积"): "产权面积应为数字，单位平方米", (3, "产权面积"): "产权面积应在0到100000平方米之间"}


def test_the_area_on_an_owners_row_sets_her_homes_dwelling(users, world):
    worker = users("worker")
    home = (Household.objects.filter(community=world.community, parts__owner__isnull=False,
                                      parts__kind="dwelling").order_by("id").first())
    part = home.parts.get(kind="dwelling")
    owner = part.owner
    row = {"社区": world.community.name, "小区": home.compound.name, "楼栋": home.building.name,
           "单元": home.unit.name, "门牌号": home.room, "姓名": "共有人", "与户主关系": "配偶", "产权关系": "业主"}
    assert ledger_import(actor=worker, data=workbook([row]), file_name="a.xlsx").created == 1
    batch = ledger_import(actor=worker, data=workbook([row | {"产权面积": "99.5㎡"}]), file_name="b.xlsx")
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 0)  # her row changed her home's part
    part.refresh_from_db()
    assert (part.measured_area, part.owner) == (Decimal("99.50"), owner)  # the buyer of record stays
    again = ledger_import(actor=worker, data=workbook([row | {"产权面积": "99.5㎡"}]), file_name="b.xlsx")
    assert (again.updated, again.unchanged) == (0, 1)
    ExclusivePart.objects.filter(pk=part.pk).update(owner=None)
    ledger_import(actor=worker, data=workbook([row | {"产权面积": ""}]), file_name="a.xlsx")
    part.refresh_from_db()
    assert part.measured_area == Decimal("99.50") and part.owner is None  # a blank cell leaves the part alone
    ledger_import(actor=worker, data=workbook([row | {"产权面积": 99.5}]), file_name="c.xlsx")
    part.refresh_from_db()
    assert part.owner == Resident.objects.get(household=home, name="共有人")  # an ownerless part becomes hers
    assert home.parts.filter(kind="dwelling").count() == 1


def test_the_export_writes_each_owners_home_area_and_the_dwelling_number_follows_the_door(users, world):
    part = (ExclusivePart.objects.filter(compound=world.compound, kind="dwelling", owner__tenure="owner",
                                         owner__status="present", measured_area__isnull=False)
            .select_related("owner").order_by("id").first())
    data, _count = ledger_export(actor=users("worker"), area=world.compound)
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    header = list(rows[0])
    by_name = {(r[header.index("门牌号")], r[header.index("姓名")]): r[header.index("产权面积")] for r in rows[1:]}
    assert by_name[(part.household.room, part.owner.name)] == float(part.measured_area)
    others = Resident.objects.filter(household=part.household_id, status="present").exclude(pk=part.owner_id)
    assert all(by_name[(part.household.room, r.name)] is None for r in others)  # co-owners and family: blank


def test_a_changed_row_updates_the_same_resident(users, world):
    ledger_import(actor=users("worker"), data=workbook([person(world.community)]), file_name="a.xlsx")
    batch = ledger_import(actor=users("worker"), data=workbook([person(world.community, 联系电话="13800000000")]),
                          file_name="b.xlsx")
    assert (batch.created, batch.updated) == (0, 1)
    assert Resident.objects.get(name="林晓梅").phone == "13800000000"


def test_nothing_is_half_imported_when_the_import_dies(users, world, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(ledger, "_sync_special_families", crash)  # dies after residents were written
    residents, areas = Resident.objects.count(), Area.objects.count()
    with pytest.raises(RuntimeError):
        ledger_import(actor=users("worker"), data=workbook([person(world.community)]), file_name="a.xlsx")
    assert (Resident.objects.count(), Area.objects.count()) == (residents, areas)
    batch = LedgerImport.objects.latest("id")
    assert batch.status == "failed" and "未做任何修改" in batch.failure


def test_headers_may_use_the_names_other_ledgers_use(users, world):
    headers = ["所属社区", "小区名称", "楼号", "房号", "居民姓名", "身份证号码", "手机号"]
    row = dict(zip(headers, [world.community.name, "别名小区", "1号楼", "101", "别名", idn(date(1980, 2, 3), 41),
                             "13700001111"], strict=True))
    batch = ledger_import(actor=users("worker"), data=workbook([row], headers=headers, preamble=[["某社区居民台账"]]),
                          file_name="other.xlsx")
    assert batch.created == 1 and Resident.objects.get(name="别名").phone == "13700001111"


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(users):
    batch = ledger_import(actor=users("worker"), data=b"PK\x03\x04 not really a zip", file_name="x.xlsx")
    assert batch.status == "failed" and "无法读取该文件" in batch.failure
    batch = ledger_import(actor=users("worker"), data=b"name,room\n", file_name="x.csv")
    assert batch.status == "failed" and "没有找到表头" in batch.failure


def test_a_ledger_kept_as_csv_in_gb18030_imports_too(users, world):
    text = "社区,小区,楼栋,门牌号,姓名,联系电话\n" + f"{world.community.name},表格小区,2号楼,301,陈表格,13700002222\n"
    batch = ledger_import(actor=users("worker"), data=text.encode("gb18030"), file_name="台账.csv")
    assert batch.created == 1 and Resident.objects.get(name="陈表格").household.room == "301"


def test_a_missing_required_column_is_named(users, world):
    headers = [h for h in HEADERS if h != "门牌号"]
    batch = ledger_import(actor=users("worker"), data=workbook([], headers=headers + ["社区"]), file_name="x.xlsx")
    assert batch.status == "failed" and "门牌号" in batch.failure


def test_nobody_imports_into_another_community(users, world):
    batch = ledger_import(actor=users("worker"), data=workbook([person(world.other_community)]),
                          file_name="x.xlsx")
    assert batch.created == 0 and batch.errors[0]["column"] == "社区"
    with pytest.raises(NotPermitted):
        ledger_import(actor=users("property"), data=workbook([person(world.community)]), file_name="x.xlsx")


def test_an_id_number_stored_as_a_number_is_caught(users, world):
    batch = ledger_import(actor=users("worker"), data=workbook([person(world.community, 身份证号=110105195804090240)]),
                          file_name="x.xlsx")
    assert batch.created == 0 and "存成了数字" in batch.errors[0]["reason"]


def test_export_round_trips_through_import_unchanged(users, world):
    worker = users("worker")
    compound = world.compound
    data, count = ledger_export(actor=worker, area=compound)
    assert count == Resident.objects.filter(compound=compound, status="present").count() > 0
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:7] == ["街道", "社区", "网格", "小区", "楼栋", "单元", "门牌号"]
    batch = ledger_import(actor=worker, data=data, file_name="export.xlsx")
    assert (batch.created, batch.updated, batch.refused, batch.unchanged) == (0, 0, 0, count)
    assert AuditEvent.objects.filter(action="export_personal_data", actor=worker).exists()


def test_export_is_refused_outside_ones_scope(users, world):
    with pytest.raises(NotPermitted):
        ledger_export(actor=users("worker"), area=world.other_compound)


def test_the_import_page_shows_the_report_and_offers_the_bad_rows_as_a_workbook(
        login, world, django_capture_on_commit_callbacks):
    client = login("worker")
    data = workbook([person(world.community), person(world.community, 姓名="", 身份证号="")])
    upload = io.BytesIO(data)
    upload.name = "台账.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post("/staff/ledger/import", {"file": upload})
    assert "排队等待导入" in client.get(posted["Location"]).content.decode()  # the web process imports nothing
    call_command("clock", "--once", "--only", "registry-imports")  # what make demo's clock (or a worker) does
    response = client.get(posted["Location"])
    page = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num">3</td><td>姓名</td><td>姓名不能为空</td>' in page
    batch = LedgerImport.objects.latest("id")
    errors = client.get(f"/staff/ledger/import/{batch.pk}/errors.xlsx")
    rows = list(load_workbook(io.BytesIO(errors.content), read_only=True).active.iter_rows(values_only=True))
    assert any("姓名不能为空" in str(cell) for row in rows for cell in row)
    assert Area.objects.filter(kind=AreaKind.COMPOUND, name="新建家园").exists()


def test_a_waiting_import_runs_once_and_forgets_the_file(users, world):
    from gongzhi.registry.ledger import ledger_import_process, ledger_import_start
    from gongzhi.registry.models import LedgerFile

    batch = ledger_import_start(actor=users("worker"), data=workbook([person(world.community)]), file_name="a.xlsx")
    assert batch.status == "running" and LedgerFile.objects.filter(batch=batch).exists()
    done = ledger_import_process(batch.pk)
    again = ledger_import_process(batch.pk)  # a redelivered task
    assert (done.status, done.created, again.created) == ("done", 1, 1)
    assert Resident.objects.filter(name="林晓梅").count() == 1
    assert not LedgerFile.objects.filter(batch=batch).exists()  # no copy of the ledger lingers


def test_the_result_page_follows_a_running_import(login, users, world):
    from gongzhi.registry.ledger import ledger_import_start

    batch = ledger_import_start(actor=users("worker"), data=workbook([person(world.community)]), file_name="a.xlsx")
    page = login("worker").get(f"/staff/ledger/import/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "排队等待导入" in page  # no worker has it yet: it says so
    LedgerImport.claim(batch.pk)
    page = login("worker").get(f"/staff/ledger/import/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "正在导入" in page and "<progress" in page
