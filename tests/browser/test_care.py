"""The care network in a real browser: a party member takes a special family's request on his phone and resolves it;
the worker logs a visit at a door and turns what she found into an appeal in the same step; the party member's
families, the building head's households."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_appeals import desk, phone
from tests.browser.test_browser import log_in

pytestmark = pytest.mark.browser


def test_a_paired_member_takes_a_familys_request_and_resolves_it_on_his_phone(demo_server, browser, shoot, axe):
    page = phone(browser).new_page()
    log_in(page, demo_server, "volunteer")  # 阚世豪: reported to his community, paired with two families
    page.goto(demo_server + "/portal/care/")
    held = page.locator("section.tile", has_text="交给我的求助")
    expect(held).to_contain_text("降压药吃完了")  # the demo's request, handed to him first
    shoot(page, "care-member-request")
    held.get_by_role("button", name="我来接手").click()
    expect(page.locator("body")).to_contain_text("已接手")
    reply = page.locator("section.tile", has_text="交给我的求助").locator("textarea[name=reply]")
    reply.fill("已到社区卫生站开了一个月的降压药，下午四点送到老人家里，并帮她量了血压，140/90，已提醒按时吃药。")
    page.get_by_label("答复已写清楚，仍然发送").check()
    page.get_by_role("button", name="办结").click()
    expect(page.locator("body")).to_contain_text("已办结")
    expect(page.locator("body")).not_to_contain_text("交给我的求助")
    families = page.locator(".tile", has_text="记录探访")
    assert families.count() >= 1
    expect(page.locator("body")).to_contain_text("该去看看了")  # one family last visited 40 days ago
    assert axe(page) == []
    shoot(page, "care-member-families")

    families.filter(has_text="该去看看了").first.get_by_role("link", name="记录探访").click()
    page.get_by_label("一切正常").check()
    page.fill("#v-note", "老人在家，精神好，冰箱里菜够吃三天")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("走访已记录")


def test_the_worker_logs_a_visit_and_opens_an_appeal_from_it(demo_server, browser, shoot, axe):
    page = desk(browser).new_page()
    log_in(page, demo_server, "worker")
    page.goto(demo_server + "/staff/care/visits/")
    expect(page.locator("h1")).to_contain_text("该去走访了")
    first = page.locator("table").nth(1).locator("tbody tr").first  # her patch's households, longest unvisited
    first.get_by_role("link", name="记录走访").click()
    page.get_by_label("需要关注").check()
    page.fill("#v-note", "楼道里堆放纸箱和旧家具，堵住消防通道，需要物业清理")
    page.get_by_label(re.compile("需要跟进")).check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("已转为诉求")
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("需要关注")
    number = row.locator("a").inner_text()
    assert re.fullmatch(r"\d{8}-\d{5}", number)
    assert axe(page) == []
    shoot(page, "care-visit-follow-up")
    row.locator("a").click()  # the appeal, a patrol find, in the community's queue
    expect(page.locator("body")).to_contain_text("堵住消防通道")
    page.goto(demo_server + "/staff/care/")
    expect(page.locator(".chain")).to_contain_text("中心户")
    shoot(page, "care-network")


def test_the_building_head_reaches_her_households_from_the_portal(demo_server, browser, shoot):
    page = phone(browser).new_page()
    log_in(page, demo_server, "buildinghead")  # a resident who heads her building
    expect(page).to_have_url(re.compile("/portal/$"))  # a resident's home, not a staff page
    page.get_by_role("link", name=re.compile("邻里关爱")).click()
    expect(page.locator("body")).to_contain_text("我的楼栋")
    expect(page.locator("body")).to_contain_text("每次查看都有记录")
    assert page.locator("ul.contacts li a[href^='tel:']").count() >= 1
    shoot(page, "care-building-head")


def test_the_centre_household_keeper_sees_his_members(demo_server, browser):
    page = phone(browser).new_page()
    log_in(page, demo_server, "resident")  # 孙斌 keeps a centre household
    page.get_by_role("link", name=re.compile("邻里关爱")).click()
    expect(page.locator("section.tile", has_text="我的中心户")).to_contain_text("阚世豪")
