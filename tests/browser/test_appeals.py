"""An appeal's whole life in a real browser: a resident files it on her phone with a photo, the community
accepts and dispatches it, the property company takes and resolves it from a reply template, and the resident
rates it in one tap from her messages."""
import re
import subprocess
from io import BytesIO

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO, ROOT
from tests.browser.test_browser import log_in

pytestmark = pytest.mark.browser


def jpeg() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (800, 600), (90, 120, 160)).save(out, "JPEG")
    return out.getvalue()


def phone(browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                               has_touch=True, device_scale_factor=2)


def desk(browser):
    return browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")


def test_filed_on_a_phone_handled_by_community_and_property_rated_in_one_tap(demo_server, browser, shoot, axe):
    # the resident files it, with a photo, about her own home
    resident = phone(browser).new_page()
    log_in(resident, demo_server, "resident")
    resident.goto(demo_server + "/portal/appeals/new")
    where = resident.locator("#id_where option").first.get_attribute("value")
    assert where.startswith("home:")
    resident.select_option("#id_where", where)
    resident.fill("#id_text", "单元门禁坏了，晚上关不上，外人随便进")
    resident.select_option("#id_category", label="物业管理")
    resident.set_input_files("#id_photos", files=[{"name": "door.jpg", "mimeType": "image/jpeg",
                                                    "buffer": jpeg()}])
    resident.check("#id_public")
    shoot(resident, "appeal-resident-files")
    assert axe(resident) == []
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url(re.compile(r".*/portal/appeals/\d+/$"))
    number = resident.locator("h2").first.inner_text().split()[-1]
    assert re.fullmatch(r"\d{8}-\d{5}", number)
    expect(resident.locator("ul.photos img")).to_have_count(1)
    expect(resident.locator(".tag").first).to_have_text("待受理")
    assert axe(resident) == []
    shoot(resident, "appeal-resident-filed")

    # the property company's clerk: which company is hers
    clerk = desk(browser).new_page()
    log_in(clerk, demo_server, "property")
    company = clerk.locator("p.muted .tag").first.inner_text().split(" · ", 1)[1].strip()

    # the community worker finds it on the live queue, accepts it and dispatches it to that company
    worker = desk(browser).new_page()
    log_in(worker, demo_server, "worker")
    worker.goto(demo_server + "/staff/appeals/")
    worker.get_by_role("link", name=number).click()
    worker.wait_for_load_state("networkidle")
    # the classifier (trained by demo_city on the shared data and the demo's year) has read it first: its three
    # likeliest categories are one click each; the worker knows better and picks from the whole catalogue
    expect(worker.locator(".triage .suggestions li")).to_have_count(3)
    shoot(worker, "appeal-worker-triage")
    assert axe(worker) == []
    accept = worker.locator("#accept-form")
    accept.locator("select[name=category]").select_option(label="物业管理 / 门禁道闸")
    accept.get_by_role("button", name="受理").click()
    worker.wait_for_load_state("networkidle")
    expect(worker.locator(".facts").first).to_contain_text("物业管理/门禁道闸")
    worker.wait_for_load_state("networkidle")
    dispatch = worker.locator("form[action$='/dispatch']")
    value = dispatch.locator("select[name=party] option", has_text=company).first.get_attribute("value")
    dispatch.locator("select[name=party]").select_option(value)
    dispatch.get_by_role("button", name="派单").click()
    worker.wait_for_load_state("networkidle")
    expect(worker.locator(".page-head .tag").first).to_have_text("已派单")
    assert axe(worker) == []
    shoot(worker, "appeal-worker-dispatched")

    # the clerk sees it on the same board, takes it and replies from a template
    clerk.goto(demo_server + "/staff/appeals/")
    expect(clerk.get_by_role("link", name=number)).to_be_visible()
    shoot(clerk, "appeal-property-queue")
    clerk.get_by_role("link", name=number).click()
    clerk.wait_for_load_state("networkidle")
    clerk.locator("form[action$='/take']").get_by_role("button", name="接单").click()
    clerk.wait_for_load_state("networkidle")
    resolve = clerk.locator("form[action$='/resolve']")
    resolve.locator("#reply-template").select_option(label="已办结")
    reply = resolve.locator("textarea[name=reply]")
    expect(reply).to_have_value(re.compile(company))  # the template came filled in for this appeal
    # sent as the template stands, it says nothing of the door: the reply check holds it back and says why
    resolve.get_by_role("button", name="办结").click()
    clerk.wait_for_load_state("networkidle")
    expect(clerk.locator("p.alert.warning")).to_contain_text("答复还没有发出")
    expect(clerk.locator(".reply-check.weak")).to_contain_text("答复和诉求说的不是一件事")
    assert axe(clerk) == []
    shoot(clerk, "appeal-reply-check-warning")
    expect(reply).to_have_value(re.compile(company))  # what she had is still there to edit
    reply.fill(reply.input_value().replace("处理情况：", "处理情况：已更换门禁电磁锁，门能正常关闭"))
    expect(clerk.locator(".reply-check")).to_contain_text("写清楚了")  # checked again as she types
    assert axe(clerk) == []
    shoot(clerk, "appeal-property-resolving")
    resolve.get_by_role("button", name="修改后办结").click()
    clerk.wait_for_load_state("networkidle")
    expect(clerk.locator(".page-head .tag").first).to_have_text("已办结")

    # the resident hears of it and rates it right from her messages
    resident.goto(demo_server + "/portal/")
    expect(resident.locator("nav.tabs .badge")).to_be_visible()
    resident.get_by_role("link", name=re.compile("消息")).click()
    resident.wait_for_load_state("networkidle")
    item = resident.locator("ul.inbox li", has_text=f"{number} 已办结")
    expect(item).to_contain_text("电磁锁")
    assert axe(resident) == []
    shoot(resident, "appeal-resident-inbox")
    item.get_by_role("button", name="满意", exact=True).click()
    resident.wait_for_load_state("networkidle")
    expect(resident.locator(".messages, [role=status]").first).to_contain_text("谢谢您的评价")
    resident.goto(demo_server + "/portal/appeals/")
    resident.get_by_role("link", name=re.compile("单元门禁坏了")).click()
    expect(resident.locator("body")).to_contain_text("您的评价：满意")
    shoot(resident, "appeal-resident-rated")

    # it is on the community's public board, without her name
    resident.goto(demo_server + "/board/")
    board_link = resident.locator("a.tile").first.get_attribute("href")
    assert board_link.startswith("/board/")


def test_the_figures_page_draws_the_three_rates(demo_server, browser, shoot, axe):
    page = desk(browser).new_page()
    log_in(page, demo_server, "worker")
    from datetime import date, timedelta

    today = date.today()
    page.goto(demo_server + f"/staff/figures/?start={today - timedelta(days=90)}&end={today}&group_by=day")
    expect(page.locator("#rates-chart svg")).to_be_visible()
    assert page.locator("table.data tbody tr").count() > 5  # a row per day with appeals
    assert axe(page) == []
    shoot(page, "appeal-figures-by-day")


def test_the_worker_sees_her_communitys_hotspots_and_sends_one_to_the_grid(demo_server, browser, shoot, axe):
    page = desk(browser).new_page()
    log_in(page, demo_server, "worker")
    page.goto(demo_server + "/staff/hotspots/")
    hotspots = page.locator("li.hotspot")
    expect(hotspots.first).to_be_visible()  # the demo's month of appeals has problems raised more than once
    first = hotspots.first
    first.locator("summary").click()
    expect(first.locator("table.data tbody tr").first).to_be_visible()
    assert first.locator("table.data tbody tr").count() >= 2
    assert axe(page) == []
    shoot(page, "hotspots-worker")
    title = first.locator("strong").first.inner_text()
    first.get_by_role("button", name="转为主动治理任务").click()
    expect(page.get_by_text("已生成主动治理任务")).to_be_visible()  # the new patrol appeal's own page
    assert title in page.locator("body").inner_text() and "巡查发现" in page.locator("body").inner_text()
    page.goto(demo_server + "/staff/hotspots/")
    expect(page.locator("li.hotspot").first.get_by_text("已转任务")).to_be_visible()


def test_a_grid_worker_reads_her_queue_on_a_phone_one_card_per_appeal(demo_server, browser, shoot, axe):
    page = phone(browser).new_page()
    log_in(page, demo_server, "gridworker")
    page.goto(demo_server + "/staff/appeals/")
    first = page.locator("table.data tbody tr").first
    expect(first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing to scroll sideways
    number = first.locator("td").first
    assert number.get_attribute("data-label") == "编号"  # each cell says which column it is
    assert page.evaluate("el => getComputedStyle(el, '::before').content", number.element_handle()) == '"编号"'
    box = first.bounding_box()
    assert box["width"] > 300  # a card across the screen, not seven squeezed columns
    page.select_option("#q-state", "closed")  # rows swapped in by HTMX are labelled too
    page.wait_for_url(re.compile(r".*state=closed.*"))
    expect(page.locator("table.data tbody tr").first.locator("td").first).to_have_attribute("data-label", "编号")
    # the filtered list replaced the old one, so the 20-second refresh asks for the filtered list again
    assert page.locator("#results").count() == 1
    assert "state=closed" in page.locator("#results").get_attribute("hx-get")
    shoot(page, "appeal-queue-phone")
    assert axe(page) == []
    # Back from an appeal returns to the whole filtered page, its filters showing what the list holds (a cached
    # fragment came back, unstyled, with no menu and no filters)
    page.locator("table.data tbody tr a").first.click()
    page.wait_for_url(re.compile(r".*/staff/appeals/\d+/$"))
    page.go_back()
    page.wait_for_url(re.compile(r".*state=closed.*"))
    expect(page.locator("#q-state")).to_have_value("closed")
    expect(page.locator("nav.sidenav, .sidenav").first).to_be_attached()


def test_the_12345_operator_imports_the_day_s_file_and_reads_the_rows_refused(demo_server, browser, shoot, axe):
    """The operator's morning: the template, the day's file, the page following the import, the rows refused and
    why (a community not hers, an order number twice in the file)."""
    from openpyxl import Workbook

    operator = desk(browser).new_page()
    log_in(operator, demo_server, "operator")
    operator.get_by_role("link", name="12345导入").click()
    with operator.expect_download() as download:
        operator.get_by_role("link", name="下载空白模板").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    community = operator.evaluate("fetch('/api/v1/areas?kind=community&page_size=1').then(r => r.json())")
    name = community["items"][0]["name"]
    book = Workbook()
    sheet = book.active
    sheet.append(["工单号", "诉求内容", "社区", "联系电话"])
    sheet.append(["BR-0001", "小区门口夜间施工噪音很大，影响休息", name, "13800002222"])
    sheet.append(["BR-0002", "路灯不亮", "没有这个社区", ""])
    sheet.append(["BR-0001", "同一个工单又出现一次", name, ""])
    out = BytesIO()
    book.save(out)
    operator.set_input_files("#id_file", files=[{"name": "12345-today.xlsx", "buffer": out.getvalue(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    shoot(operator, "hotline-import-upload")
    assert axe(operator) == []
    operator.get_by_role("button", name="上传并导入").click()
    operator.wait_for_url(re.compile(r".*/staff/hotline/\d+/$"))
    expect(operator.locator("#result")).to_contain_text("排队等待导入")  # the web process imports nothing
    subprocess.run([*DEMO["manage"], "clock", "--once", "--only", "appeals-imports"], env=DEMO["env"], cwd=ROOT,
                   check=True, capture_output=True)  # make demo's clock, once
    expect(operator.locator("#result")).to_contain_text("2 行有错误", timeout=20000)  # the page follows it
    expect(operator.locator("#result")).to_contain_text("与第2行重复")
    shoot(operator, "hotline-import-result")
    assert axe(operator) == []


def test_a_department_called_in_by_a_whistle_co_handles_it_through_its_pages(demo_server, browser, shoot, axe):
    """吹哨报到 as each side lives it: the worker accepts an appeal from her to-do list and whistles a department;
    the department finds it on its home page, reports in naming its handler, says what it did; the worker sends it
    back once, then confirms and rates it; the figures count the department's report-in."""
    called = desk(browser).new_page()
    log_in(called, demo_server, "department")
    department = called.locator("p.muted .tag").first.inner_text().split(" · ", 1)[1].strip()

    worker = desk(browser).new_page()
    log_in(worker, demo_server, "worker")
    worker.get_by_role("link", name=re.compile("待受理")).click()
    worker.wait_for_url(re.compile(r".*state=submitted.*"))
    worker.locator("table.data tbody tr a").first.click()
    worker.wait_for_url(re.compile(r".*/staff/appeals/\d+/$"))
    number = worker.locator("h1").inner_text()
    category = worker.locator("#accept-form select[name=category]")
    if category.input_value() == "":
        category.select_option(index=1)
    worker.locator("#accept-form").get_by_role("button", name="受理").click()
    expect(worker.locator("[role=status], .messages").first).to_contain_text("已受理")
    worker.select_option("#w-dept", label=department)
    worker.fill("#w-reason", "工地夜间施工，需执法部门到场")
    worker.get_by_role("button", name="吹哨").click()
    expect(worker.locator("#cohandling + article")).to_contain_text("待报到")
    shoot(worker, "cohandling-worker-whistled")

    called.goto(demo_server + "/staff/")
    waiting = called.get_by_role("link", name=re.compile("待报到"))
    assert int(waiting.locator(".figure").inner_text()) >= 1
    shoot(called, "cohandling-department-home")
    assert axe(called) == []
    waiting.click()
    called.wait_for_url(re.compile(r".*/staff/whistles/.*status=waiting.*"))
    shoot(called, "cohandling-department-list")
    assert axe(called) == []
    called.get_by_role("link", name=number).click()
    card = called.locator("article.whistle").first
    card.get_by_label("经办人", exact=True).fill("执法队 王队长")
    card.get_by_role("button", name="报到").click()
    card = called.locator("article.whistle").first
    expect(card).to_contain_text("协办中")
    card.get_by_label("做了什么、结果如何").fill("已到场约谈施工方，责令夜间22点后停工")
    card.get_by_role("button", name="提交反馈").click()
    expect(called.locator("article.whistle").first).to_contain_text("待社区确认")
    shoot(called, "cohandling-department-fed-back")
    assert axe(called) == []

    worker.goto(demo_server + "/staff/")
    worker.get_by_role("link", name=re.compile("协办待确认")).click()
    worker.get_by_role("link", name=number).click()
    card = worker.locator("article.whistle").first
    expect(card).to_contain_text("夜间22点后停工")
    card.get_by_label("退回原因").fill("昨晚十一点仍在施工")
    card.get_by_role("button", name="退回重办").click()
    expect(worker.locator("article.whistle").first).to_contain_text("被退回重办")

    called.reload()
    card = called.locator("article.whistle").first
    expect(card).to_contain_text("被退回 1 次")
    card.get_by_label("做了什么、结果如何").fill("已立案处罚施工方，执法队连续三晚巡查")
    card.get_by_role("button", name="提交反馈").click()

    worker.reload()
    card = worker.locator("article.whistle").first
    card.get_by_label("基本满意").check()
    card.get_by_label("评价意见（不满意时必填）").fill("处理及时，第二次到位")
    card.get_by_role("button", name="确认").click()
    expect(worker.locator("article.whistle").first).to_contain_text("已确认")
    expect(worker.locator("ol.timeline")).to_contain_text("退回协办")
    shoot(worker, "cohandling-worker-confirmed")
    assert axe(worker) == []

    worker.goto(demo_server + "/staff/figures/#whistles")
    table = worker.locator("#whistles + p + table")
    expect(table).to_contain_text(department)
    shoot(worker, "cohandling-figures")
