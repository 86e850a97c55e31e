"""The queue's to-do filters (即将超时, 待回访, 我经手的), its place column, and the queue and figures as .xlsx."""
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel
from gongzhi.appeals.models import Category
from gongzhi.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-23 10:00 +0800")]


@pytest.fixture
def filed(users, world):
    worker = users("worker")
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        return services.appeal_submit(channel=Channel.DESK, text="=HYPERLINK(\"http://x\")楼道灯坏了\x0b",
                                      area=world.compound, actor=worker,
                                      category=Category.objects.get(code="property-elevator"))


def test_due_soon_overdue_and_follow_up_filters_hold_what_their_cards_count(filed, login, users):
    worker = login("worker")
    # respond due 11:00 (1 working hour), warned from 10:48
    with time_machine.travel("2026-11-23 10:50 +0800", tick=False):
        soon = worker.get("/staff/appeals/?state=open&due=soon").content.decode()
        assert filed.number in soon
        assert filed.number not in worker.get("/staff/appeals/?state=open&overdue=1").content.decode()
    with time_machine.travel("2026-11-23 11:05 +0800", tick=False):
        assert filed.number not in worker.get("/staff/appeals/?state=open&due=soon").content.decode()
        assert filed.number in worker.get("/staff/appeals/?state=open&overdue=1").content.decode()
        appeal = services.appeal_accept(appeal=filed, actor=users("worker"))
        services.appeal_resolve(appeal=appeal, actor=users("worker"), reply="已更换楼道灯泡，经检查照明恢复正常，物业王师傅负责",
                                after_warning=True)
        follow = worker.get("/staff/appeals/?state=&follow_up=1").content.decode()
        assert filed.number in follow
        services.appeal_follow_up(appeal=appeal, actor=users("worker"), note="电话回访，居民说灯亮了")
        assert filed.number not in worker.get("/staff/appeals/?state=&follow_up=1").content.decode()


def test_mine_lists_what_she_handled_after_it_left_her_company(filed, login, users, world):
    worker = users("worker")
    appeal = services.appeal_accept(appeal=filed, actor=worker)
    clerk = users("property")
    company = clerk.role_grants.get().organisation
    services.appeal_dispatch(appeal=appeal, actor=worker, party=company)
    services.appeal_take(appeal=appeal, actor=clerk)
    asked = services.appeal_return(appeal=appeal, actor=clerk, reason="不属于物业服务范围，应由社区协调")
    waiting = login("property").get("/staff/appeals/?state=&mine=1").content.decode()
    assert filed.number in waiting and "已转出" not in waiting  # still hers until the community agrees
    services.appeal_request_decide(request=asked, actor=worker, approve=True)
    page = login("property").get("/staff/appeals/?state=&mine=1").content.decode()
    assert filed.number in page and "已转出" in page  # listed, but no longer hers to open
    assert f'/staff/appeals/{filed.pk}/"' not in page


def test_the_queue_shows_where_and_exports_what_it_shows(filed, login, users):
    worker = login("worker")
    page = worker.get("/staff/appeals/").content.decode()
    assert filed.place_text in page
    response = worker.get("/staff/appeals/export.xlsx?state=open")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][0] == "编号" and len(rows) == 1 + login("worker").get("/staff/appeals/?state=open").context[
        "page_obj"].paginator.count
    mine = next(r for r in rows if r[0] == filed.number)
    # the text stays text: no formula from a resident's "=HYPERLINK(…)" (written with the apostrophe a spreadsheet
    # shows for typed text, so that editing the cell or saving as CSV does not run it either), no control character
    assert mine[6] == '\'=HYPERLINK("http://x")楼道灯坏了'
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == mine[6])
    assert cell.data_type == "s"
    assert AuditEvent.objects.filter(actor=users("worker"), action="export_personal_data").exists()
    # what the filter leaves out is not exported
    closed = load_workbook(BytesIO(b"".join(worker.get("/staff/appeals/export.xlsx?state=closed")
                                            .streaming_content))).active
    assert filed.number not in [r[0] for r in closed.values]


def test_the_figures_export_by_month_and_grid(filed, login):
    worker = login("worker")
    for group in ("month", "grid", "district"):
        page = worker.get(f"/staff/figures/?start=2026-11-01&end=2026-11-30&group_by={group}")
        assert page.status_code == 200
    response = worker.get("/staff/figures/?start=2026-11-01&end=2026-11-30&group_by=month&format=xlsx")
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rates = list(book["三率"].values)
    assert rates[0][0] == "月份" and any(r[0] == "2026-11" for r in rates[1:])
    assert "吹哨报到" in book.sheetnames
