"""Triage reads the community's own catalogue, in a real browser: the administrator adds a category with its
residents' words, the clock retrains, and the worker accepts a new appeal of it in one click; a message the
machine cannot read gets no one-click guess, and the worker chooses."""
import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO, ROOT
from tests.browser.test_appeals import desk, phone
from tests.browser.test_browser import log_in

pytestmark = pytest.mark.browser

PARCELS = ["快递柜满了放不进去", "快递员把包裹扔在单元门口就走了", "快递丢了驿站不认账", "驿站取件排长队",
           "快递柜超时还要收钱", "快递员不送上门非让下楼拿", "包裹被人冒领了", "小区快递点搬得太远了",
           "快递车在小区里横冲直撞", "外卖和快递都不让进小区，只能去东门口拿", "菜鸟驿站老板态度太差",
           "快递柜坏了取不出件"]


def file_on_phone(browser, base, text) -> str:
    resident = phone(browser).new_page()
    log_in(resident, base, "resident")
    resident.goto(base + "/portal/appeals/new")
    resident.fill("#id_text", text)  # no category chosen: 不清楚，交给社区判断
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url(re.compile(r".*/portal/appeals/\d+/$"))
    number = resident.locator("h2").first.inner_text().split()[-1]
    resident.context.close()
    return number


def test_a_category_the_administrator_adds_is_suggested_and_an_unreadable_message_is_left_to_the_worker(
        demo_server, browser, shoot, axe):
    admin = desk(browser).new_page()
    log_in(admin, demo_server, "admin")
    admin.goto(demo_server + "/admin/appeals/category/add/")
    admin.fill("#id_code", "parcels")
    admin.fill("#id_name", "快递服务")
    admin.fill("#id_position", "1050")
    admin.fill("#id_description", "小区里收发快递的事：快递柜、驿站、快递员不送上门、包裹丢失或被冒领")
    admin.fill("#id_examples", "\n".join(PARCELS))
    shoot(admin, "triage-admin-adds-category")
    admin.locator("input[name=_save]").click()
    expect(admin.locator(".messagelist")).to_contain_text("快递服务")
    admin.goto(demo_server + "/admin/appeals/category/?q=parcels")
    expect(admin.locator("#result_list")).to_contain_text("快递服务")
    shoot(admin, "triage-admin-categories")
    # make demo's clock: its minute job sees the catalogue changed and retrains
    subprocess.run([*DEMO["manage"], "clock", "--once", "--only", "triage-catalogue"], env=DEMO["env"], cwd=ROOT,
                   check=True, capture_output=True)

    parcel = file_on_phone(browser, demo_server, "我的包裹显示已签收，可是快递柜和驿站都没有，快递小哥电话也不接")
    worker = desk(browser).new_page()
    log_in(worker, demo_server, "worker")
    worker.goto(demo_server + "/staff/appeals/")
    worker.get_by_role("link", name=parcel).click()
    worker.wait_for_load_state("networkidle")
    panel = worker.locator(".triage")
    first = panel.locator(".suggestions li").first
    expect(first.get_by_role("button")).to_have_text("按“快递服务”受理")
    assert axe(worker) == []
    shoot(worker, "triage-worker-new-category")
    first.get_by_role("button").click()
    worker.wait_for_load_state("networkidle")
    expect(worker.locator(".facts").first).to_contain_text("快递服务")
    expect(worker.locator(".page-head .tag").first).not_to_have_text("待受理")

    # a message that says nothing the machine can read: no guess to click, the worker reads and chooses
    vague = file_on_phone(browser, demo_server, "你好，在吗？")
    worker.goto(demo_server + "/staff/appeals/")
    worker.get_by_role("link", name=vague).click()
    worker.wait_for_load_state("networkidle")
    expect(panel).to_contain_text("机器拿不准")
    expect(panel.get_by_role("button", name=re.compile("受理"))).to_have_count(0)
    assert axe(worker) == []
    shoot(worker, "triage-worker-unsure")
    accept = worker.locator("#accept-form")
    accept.locator("select[name=category]").select_option(label="其他")
    accept.get_by_role("button", name="受理").click()
    worker.wait_for_load_state("networkidle")
    expect(worker.locator(".facts").first).to_contain_text("其他")
