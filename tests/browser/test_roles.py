"""Each role's day through the pages, for the roles the appeal's life story (test_appeals) does not walk: the caller
without an account, the subdistrict, the secretary deciding a party's requests, the 12345 operator's export."""
import re
import subprocess
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import DEMO, ROOT
from tests.browser.test_appeals import desk, phone
from tests.browser.test_browser import log_in

pytestmark = pytest.mark.browser


def run_clock() -> str:
    """What `make demo`'s clock does once (the sweep, the outbox: the console backend prints each SMS it sends,
    on stderr)."""
    done = subprocess.run([*DEMO["manage"], "clock", "--once"], env=DEMO["env"], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return done.stdout + done.stderr


def file_at_the_desk(page, base, text: str, phone_number: str) -> str:
    """A worker logs a walk-in's problem (no account) and accepts it; returns its number."""
    page.goto(base + "/staff/appeals/new")
    page.select_option("#id_area", index=1)
    page.select_option("#id_category", index=1)
    page.fill("#id_text", text)
    page.fill("#id_contact_name", "张阿姨")
    page.fill("#id_contact_phone", phone_number)
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r".*/staff/appeals/\d+/$"))
    page.locator("#accept-form").get_by_role("button", name="受理").click()
    return page.locator("h1").inner_text()


def test_a_caller_without_an_account_follows_her_appeal_and_rates_it_from_her_sms(demo_server, browser, shoot, axe):
    worker = desk(browser).new_page()
    log_in(worker, demo_server, "worker")
    number = file_at_the_desk(worker, demo_server, "小区东门路灯不亮，晚上看不清路", "13912345678")
    worker.fill("#resolve_reply", "物业电工今天下午更换了东门路灯的灯泡和镇流器，晚上已经亮了，谢谢您的反映")
    worker.get_by_role("button", name=re.compile("^办结$|仍按原样发送")).first.click()
    if worker.get_by_role("button", name="仍按原样发送").count():
        worker.get_by_role("button", name="仍按原样发送").click()
    expect(worker.locator(".tag").first).to_have_text("已办结")

    caller = phone(browser).new_page()
    caller.goto(demo_server + "/accounts/login/")
    caller.get_by_role("link", name=re.compile("查询进度")).click()
    caller.fill("#t-number", number.replace("-", ""))
    caller.fill("#t-last4", "5678")
    caller.get_by_role("button", name="查询").click()
    expect(caller.locator("body")).to_contain_text("更换了东门路灯")
    assert "张阿姨" not in caller.content() and "13912345678" not in caller.content()
    shoot(caller, "caller-tracks")
    assert axe(caller) == []

    sent = run_clock()  # the laptop's clock delivers the outbox: her SMS carries the link
    link = re.search(r"(/t/[\w:.\-]+)", sent[sent.rindex("13912345678"):])[1]  # the link ends her SMS
    caller.goto(demo_server + link)
    caller.get_by_role("radio", name="不满意").check()
    caller.get_by_role("button", name="提交评价").click()
    expect(caller.locator("[role=alert]")).to_contain_text("哪里不满意")
    caller.get_by_role("radio", name="满意", exact=True).check()
    caller.get_by_role("textbox", name=re.compile("意见")).fill("亮了，谢谢")
    caller.get_by_role("button", name="提交评价").click()
    expect(caller.locator("[role=status]")).to_contain_text("谢谢您的评价")
    shoot(caller, "caller-rated")
    assert axe(caller) == []
    worker.reload()
    expect(worker.locator("dl.facts").first).to_contain_text("短信链接")


def test_the_secretary_decides_a_party_s_return_and_extension(demo_server, browser, shoot, axe):
    worker = desk(browser).new_page()
    log_in(worker, demo_server, "worker")
    clerk = desk(browser).new_page()
    log_in(clerk, demo_server, "property")
    company = clerk.locator("p.muted .tag").first.inner_text().split(" · ", 1)[1].strip()
    number = file_at_the_desk(worker, demo_server, "3号楼电梯异响，运行时抖动", "13900001111")
    worker.select_option("#dispatch_party",
                         worker.locator("#dispatch_party option", has_text=company).first.get_attribute("value"))
    worker.get_by_role("button", name="派单").click()

    clerk.goto(demo_server + f"/staff/appeals/?q={number}")
    clerk.locator("summary", has_text="申请延期").click()
    too_far = (datetime.now() + timedelta(days=90)).strftime("%Y-%m-%dT17:00")
    clerk.fill("#ext-due", too_far)
    clerk.fill("#ext-reason", "电梯主板需要厂家订货，约需两周")
    clerk.locator("form", has=clerk.locator("#ext-due")).get_by_role("button", name="提交申请").click()
    expect(clerk.locator("[role=alert]").first).to_contain_text("一次最多延期60天")
    expect(clerk.locator("#ext-reason")).to_have_value("电梯主板需要厂家订货，约需两周")  # what she typed is kept
    wanted = (datetime.now() + timedelta(days=20)).strftime("%Y-%m-%d")  # the server runs on this machine's clock
    clerk.fill("#ext-due", f"{wanted}T17:00")
    clerk.locator("form", has=clerk.locator("#ext-due")).get_by_role("button", name="提交申请").click()
    expect(clerk.locator(".messages, [role=status]").first).to_contain_text("已申请延期")
    clerk.locator("summary", has_text="申请退单").click()
    clerk.fill("#ret-reason", "电梯归维保公司负责，不属于物业")
    clerk.locator("form", has=clerk.locator("#ret-reason")).get_by_role("button", name="提交申请").click()

    secretary = desk(browser).new_page()
    log_in(secretary, demo_server, "secretary")
    card = secretary.get_by_role("link", name=re.compile("退单延期待审核"))
    assert int(card.locator(".figure").inner_text()) >= 1
    card.click()
    secretary.get_by_role("link", name=number).click()
    shoot(secretary, "secretary-requests")
    assert axe(secretary) == []
    extension = secretary.get_by_role("region", name="延期")
    extension.get_by_role("button", name="同意").click()
    expect(secretary.locator("dl.facts").first).to_contain_text(f"{wanted} 17:00")
    refusal = secretary.get_by_role("region", name="退单")
    refusal.get_by_label("驳回原因").fill("维保合同由物业签订，请物业督促维保公司到场")
    refusal.get_by_role("button", name="驳回").click()
    expect(secretary.locator("ol.timeline")).to_contain_text("驳回申请")
    clerk.goto(demo_server + "/staff/messages/")
    expect(clerk.locator("body")).to_contain_text("申请被驳回")
    shoot(clerk, "property-hears-rejection")

    secretary.goto(demo_server + "/staff/reply-templates/")
    secretary.fill("#rt-title", "电梯维修")
    secretary.fill("#rt-text", "您反映的{place}电梯问题，维保公司已于{date}到场检修，运行正常。")
    secretary.get_by_role("button", name="保存").click()
    expect(secretary.locator("table.data")).to_contain_text("电梯维修")
    shoot(secretary, "secretary-reply-templates")
    assert axe(secretary) == []


def test_the_subdistrict_urges_an_overdue_appeal_and_reads_the_figures(demo_server, browser, shoot, axe):
    sub = desk(browser).new_page()
    log_in(sub, demo_server, "subdistrict")
    shoot(sub, "subdistrict-home")
    assert axe(sub) == []
    sub.get_by_role("link", name=re.compile(r"^[\d,]+ 已超时$")).click()
    sub.wait_for_url(re.compile(r".*overdue=1.*"))
    sub.locator("table.data tbody tr a").first.click()
    sub.fill("#urge-note", "已超时多日，请今天内给出处理方案")
    sub.get_by_role("button", name="催办").click()
    expect(sub.locator("#supervision ~ article").last).to_contain_text("街道工作人员")
    shoot(sub, "subdistrict-urged")
    sub.goto(demo_server + "/staff/figures/?group_by=community")
    expect(sub.locator("#whistles")).to_be_visible()
    with sub.expect_download() as download:
        sub.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == ["三率", "吹哨报到"]


def test_the_12345_operator_exports_the_city_queue(demo_server, browser, shoot, axe):
    operator = desk(browser).new_page()
    log_in(operator, demo_server, "operator")
    operator.goto(demo_server + "/staff/appeals/?state=open")
    total = int(re.search(r"共 ([\d,]+) 件", operator.locator("#results [role=status]").inner_text())[1]
                .replace(",", ""))
    with operator.expect_download() as download:
        operator.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    rows = list(load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active.values)
    assert rows[0][:3] == ("编号", "登记时间", "来源") and len(rows) == total + 1
    shoot(operator, "operator-queue")
    assert axe(operator) == []


def test_a_resident_reads_what_is_held_about_her_and_her_community_corrects_it(demo_server, browser, shoot, axe):
    """个人信息保护法 on a phone: she opens 我的个人信息 from her settings, reads her ledger record, who looked at it
    and what is kept, downloads it, and asks for a correction; the worker handles it on her list and replies."""
    resident = phone(browser).new_page()
    log_in(resident, demo_server, "resident")
    resident.goto(demo_server + "/portal/settings/")
    resident.get_by_role("link", name="我的个人信息").click()
    expect(resident.get_by_role("heading", name="社区居民台账中的您")).to_be_visible()
    expect(resident.locator("body")).to_contain_text("至少保存六个月")
    with resident.expect_download() as download:
        resident.get_by_role("link", name="下载我的全部信息").click()
    assert download.value.suggested_filename.endswith(".json")
    resident.get_by_role("radio", name="更正").check()
    resident.get_by_label(re.compile("说明")).fill("我的联系电话换了，新号码请电话核实")
    resident.get_by_role("button", name="提交申请").click()
    expect(resident.locator("body")).to_contain_text("申请已提交")
    shoot(resident, "resident-my-data")
    assert axe(resident) == []

    worker = desk(browser).new_page()
    log_in(worker, demo_server, "worker")
    worker.get_by_role("link", name="个人信息申请").click()
    row = worker.locator("tr", has_text="我的联系电话换了")
    row.get_by_role("textbox").fill("已电话核实并更新台账")
    shoot(worker, "worker-data-requests")
    assert axe(worker) == []
    row.get_by_role("button", name="已办理").click()
    expect(worker.locator("[role=status], .alert").first).to_contain_text("已办理")

    resident.goto(demo_server + "/portal/my-data/")
    expect(resident.locator("body")).to_contain_text("已电话核实并更新台账")
