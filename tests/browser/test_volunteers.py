"""Volunteers in a real browser: the worker puts on an activity that starts now and prints its check-in code; the
volunteer signs up on her phone, scans the code to check in and again to check out, sees the hours and points, and
redeems points for goods; the worker hands the goods over at the counter. And the worker's morning: approving a
registration and reading the week's gaps."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.test_appeals import desk, phone
from tests.browser.test_browser import log_in

pytestmark = pytest.mark.browser
SITE_ZONE = ZoneInfo("Asia/Shanghai")  # the demo server's TIME_ZONE: the form's times are read in it


def local(moment: datetime) -> str:
    return moment.astimezone(SITE_ZONE).strftime("%Y-%m-%dT%H:%M")


def publish_activity(staff, base, *, kind: str, title: str, place: str, capacity: int, starts: datetime,
                     ends: datetime) -> None:
    """The worker puts on a one-off activity or duty from the rosters page; its page opens."""
    staff.goto(base + "/staff/volunteers/rosters/")
    expect(staff.locator(".week")).to_be_visible()
    staff.get_by_text("发布一次性活动或值守").click()
    form = staff.locator("form:has(input[name=what][value=shift])")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=place]").fill(place)
    form.locator("input[name=capacity]").fill(str(capacity))
    form.locator("input[name=starts_at]").fill(local(starts))
    form.locator("input[name=ends_at]").fill(local(ends))
    form.get_by_role("button", name="发布").click()
    expect(staff.locator("h1")).to_contain_text(title)


def test_a_volunteer_signs_up_checks_in_by_the_code_and_redeems_her_points(demo_server, browser, shoot, axe):
    staff = desk(browser).new_page()
    log_in(staff, demo_server, "worker")
    now = datetime.now(SITE_ZONE)
    publish_activity(staff, demo_server, kind="cleaning", title="楼道小广告清理", place="3号楼一楼大厅", capacity=3,
                     starts=now - timedelta(minutes=10), ends=now + timedelta(hours=2))
    expect(staff.locator("figure.qr svg")).to_be_visible()  # the code to print and post at the place
    check_link = staff.locator("figure.qr figcaption a").get_attribute("href")
    assert "/portal/volunteer/check/" in check_link
    shoot(staff, "volunteers-shift-code")

    page = phone(browser).new_page()
    log_in(page, demo_server, "volunteer")
    expect(page).to_have_url(re.compile("/portal/volunteer/$"))  # a volunteer lands on her own pages
    before = int(page.locator(".facts strong.big").first.inner_text())
    page.get_by_role("link", name="报名值守和活动").click()
    tile = page.locator(".tile", has_text="楼道小广告清理")
    expect(tile).to_contain_text("已报 0/3 人")
    tile.get_by_role("button", name="报名").click()
    expect(page.locator("[role=status], .messages")).to_contain_text("报名成功")
    expect(page.locator(".tile", has_text="楼道小广告清理")).to_contain_text("已报名")
    assert axe(page) == []
    shoot(page, "volunteers-phone-shifts")

    page.goto(check_link)  # what scanning the code at the place opens
    page.get_by_role("button", name="签到").click()
    expect(page.locator("body")).to_contain_text("签到成功")
    shoot(page, "volunteers-phone-checked-in")
    page.get_by_role("button", name="签退").click()  # a second tap at once is taken for a double tap
    expect(page.locator("body")).to_contain_text("刚刚已签到")

    staff.reload()  # the worker sees her on duty, and checks her out when the job is done
    row = staff.locator("tr", has_text="阚世豪")
    expect(row).to_contain_text("在岗")
    row.get_by_role("button", name="签退").click()
    expect(staff.locator("tr", has_text="阚世豪")).to_contain_text("已完成")
    page.reload()
    expect(page.locator("body")).to_contain_text("已签退")

    page.get_by_role("link", name="积分").first.click()
    balance = int(page.locator("section.tile h3 strong.big").first.inner_text())
    # checked in and out within the same minute: no time served, so no points (10 an hour, by the minute)
    assert balance == before
    expect(page.locator("body")).to_contain_text("楼道小广告清理 · 已完成")
    expect(page.locator("ul.timeline").first).to_contain_text("东门值守")  # the month of gate duty before
    shoot(page, "volunteers-phone-points")

    page.get_by_role("link", name="兑换").first.click()
    towel = page.locator(".tile", has_text="毛巾两条")
    stock = int(re.search(r"剩 (\d+) 件", towel.inner_text()).group(1))
    towel.get_by_role("button", name=re.compile("兑换")).click()
    expect(page.locator("body")).to_contain_text("请到社区服务站领取")
    expect(page.locator(".tile", has_text="毛巾两条")).to_contain_text(f"剩 {stock - 1} 件")
    assert page.locator("h3", has_text="余额").first.inner_text().endswith(f"余额 {balance - 60} 分")
    assert axe(page) == []
    shoot(page, "volunteers-phone-shop")

    staff.goto(demo_server + "/staff/volunteers/shop/")
    order = staff.locator("tr", has_text="阚世豪").filter(has_text="毛巾两条").first
    order.get_by_role("button", name="领取").click()
    expect(staff.locator("body")).to_contain_text("已领取")
    shoot(staff, "volunteers-shop-counter")


def test_the_worker_approves_a_registration_and_reads_the_gaps_of_the_week(demo_server, browser, shoot, axe):
    page = desk(browser).new_page()
    log_in(page, demo_server, "worker")
    page.goto(demo_server + "/staff/")
    page.get_by_role("link", name="志愿服务").first.click()
    expect(page.locator("body")).to_contain_text("等待审核")
    page.get_by_role("link", name=re.compile("等待审核")).click()
    row = page.locator("tr", has_text="廖永福")
    row.get_by_role("button", name="批准", exact=True).click()
    expect(page.locator("body")).to_contain_text("已批准")
    assert axe(page) == []
    shoot(page, "volunteers-approve")
    page.get_by_role("link", name="排班与缺口").click()
    expect(page.locator(".page-head + p")).to_contain_text("未排满")
    assert page.locator(".week li.gap").count() >= 1  # the places nobody took yet are marked
    assert axe(page) == []
    shoot(page, "volunteers-week")


def test_the_worker_writes_up_the_duty_of_a_volunteer_whose_phone_died(demo_server, browser, shoot, axe):
    staff = desk(browser).new_page()
    log_in(staff, demo_server, "worker")
    start = datetime.now(SITE_ZONE).replace(second=0, microsecond=0) - timedelta(minutes=100)
    publish_activity(staff, demo_server, kind="patrol", title="小区夜间巡逻补记", place="北门", capacity=2,
                     starts=start, ends=start + timedelta(hours=2))

    staff.locator("select[name=volunteer]").select_option(label="阚世豪")
    staff.get_by_role("button", name="代为报名").click()
    row = staff.locator("tr", has_text="阚世豪")
    expect(row).to_contain_text("已报名")
    row.get_by_label("到岗时间（补记时填，留空为现在）").fill((start + timedelta(minutes=5)).strftime("%H:%M"))
    row.get_by_role("button", name="签到").click()
    row = staff.locator("tr", has_text="阚世豪")
    expect(row).to_contain_text("在岗")
    expect(row).to_contain_text((start + timedelta(minutes=5)).strftime("%H:%M"))
    row.get_by_label("离岗时间（补记时填，留空为现在）").fill((start + timedelta(minutes=65)).strftime("%H:%M"))
    row.get_by_role("button", name="签退").click()
    row = staff.locator("tr", has_text="阚世豪")
    expect(row).to_contain_text("已完成")
    expect(row.locator("td.num")).to_have_text("60")
    assert axe(staff) == []
    shoot(staff, "volunteers-shift-written-up")
