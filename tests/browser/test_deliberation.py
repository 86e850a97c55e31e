"""协商议事 in a real browser: the secretary runs a hearing on a tablet (roll call by tapping names, the listed
speaker, each party's position, the minutes), the members vote at the meeting and the resolution goes up for
notice; an owner votes on her phone on the lift her building decides by area and headcount, and objects to a
resolution under notice."""
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_appeals import phone
from tests.browser.test_browser import log_in

pytestmark = pytest.mark.browser


def tablet(browser):
    return browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN", has_touch=True)


def test_a_hearing_on_a_tablet_then_the_members_vote_and_the_resolution_is_publicised(demo_server, browser, shoot,
                                                                                        axe):
    page = tablet(browser).new_page()
    log_in(page, demo_server, "secretary")
    page.goto(demo_server + "/staff/deliberation/")
    expect(page.locator(".kanban")).to_contain_text("广场舞时间和音量")
    shoot(page, "deliberation-board")
    page.get_by_role("link", name=re.compile("广场舞时间和音量")).click()
    expect(page.locator("h1")).to_contain_text("广场舞时间和音量")
    page.get_by_role("link", name="听证会").click()
    page.get_by_role("button", name="开始会议").click()
    roll = page.locator("ul.roll-call button.roll")
    count = roll.count()
    assert count >= 4  # the council's seated members and the stakeholder
    for i in range(count - 1):  # one is absent
        roll.nth(i).click()
        expect(roll.nth(i)).to_have_attribute("aria-pressed", "true")
    page.fill("#spk-name", "广场舞队领队")
    page.select_option("#spk-side", "for")
    page.get_by_role("button", name="列入").click()
    page.locator("ol.speakers textarea").first.fill("愿意把结束时间提前到晚上八点半，音量调小")
    page.get_by_role("button", name="已发言").click()
    page.fill("#pos-party", "楼上住户代表")
    page.fill("#pos-text", "八点半以后不放音乐就可以接受")
    page.get_by_role("button", name="记录意见").click()
    expect(page.locator("ul.positions")).to_contain_text("八点半以后不放音乐")
    expect(page.locator("h2#roll-h")).to_contain_text(f"已到 {count - 1}/{count}")
    assert axe(page) == []
    shoot(page, "deliberation-meeting-tablet")
    page.fill("#minutes", "双方同意：广场舞每晚八点半前结束，音量不超过55分贝，由广场舞队自我管理，提交议事会表决。")
    page.get_by_role("button", name="结束会议并保存纪要").click()
    expect(page.locator(".page-head .tag").first).to_have_text("协商中")

    # the members vote at the meeting, recorded on the same tablet
    expect(page.locator("#v-kind")).to_be_visible()  # the next step, laid open once the meeting is held
    page.select_option("#v-kind", "council")
    page.fill("#v-closes", (datetime.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#v-q", "是否同意广场舞每晚八点半前结束")
    page.get_by_role("button", name="发起", exact=True).click()
    page.get_by_role("link", name="是否同意广场舞每晚八点半前结束").click()
    rows = page.locator("table.data tbody tr", has=page.locator("form.choice-buttons"))
    members = rows.count()
    assert members >= 3
    for i in range(members):
        page.locator("form.choice-buttons").first.get_by_role("button", name="同意" if i else "弃权").click()
    expect(page.locator("#live")).to_contain_text(f"{members} 张表决票")
    shoot(page, "deliberation-council-vote")
    page.get_by_role("button", name="结束表决并计票").click()
    expect(page.locator(".page-head")).to_contain_text("通过")
    page.get_by_role("link", name="广场舞时间和音量").click()
    page.get_by_role("button", name="公示决议").click()
    expect(page.locator(".page-head .tag").first).to_have_text("公示中")
    expect(page.locator("article.resolution")).to_contain_text("通过")
    shoot(page, "deliberation-topic-publicised")


def test_an_owner_votes_on_her_phone_and_objects_to_a_resolution_under_notice(demo_server, browser, shoot, axe):
    page = phone(browser).new_page()
    log_in(page, demo_server, "resident")
    page.goto(demo_server + "/portal/")
    page.get_by_role("link", name="议事").click()
    expect(page.locator("main")).to_contain_text("需要您参与")
    page.get_by_role("link", name=re.compile("加装电梯")).click()
    expect(page.locator("section.vote")).to_contain_text("四分之三")
    assert axe(page) == []
    shoot(page, "deliberation-owner-vote-phone")
    page.locator(".ballot").get_by_role("link", name="同意").click()  # a ballot is final: first choose…
    expect(page.locator(".ballot")).to_contain_text("确认投出吗")
    shoot(page, "deliberation-owner-confirms-phone")
    page.get_by_role("button", name="确认投出：同意").click()  # … then confirm
    expect(page.locator(".alert, .messages, [role=status]").first).to_contain_text("表决票已投出")
    expect(page.locator("section.vote")).to_contain_text("您已投：同意")
    expect(page.locator(".ballot")).to_have_count(0)  # one ballot per part: no second chance
    shoot(page, "deliberation-owner-voted-phone")

    page.goto(demo_server + "/portal/topics/")
    page.get_by_role("link", name=re.compile("楼道堆物集中清理")).click()
    page.locator("summary", has_text="我有异议").click()
    page.fill("#obj", "清理期间老人搬不动东西，希望志愿者上门帮忙")
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator("main")).to_contain_text("您的异议：清理期间老人搬不动东西")
    shoot(page, "deliberation-objection-phone")

    # the secretary sees her ballot in the live tally and her objection waiting for an answer
    staff = tablet(browser).new_page()
    log_in(staff, demo_server, "secretary")
    staff.goto(demo_server + "/staff/deliberation/")
    staff.get_by_role("link", name=re.compile("楼道堆物集中清理")).click()
    expect(staff.locator(".objection")).to_contain_text("待答复")
    staff.goto(demo_server + "/staff/deliberation/")
    staff.get_by_role("link", name=re.compile("加装电梯")).click()
    staff.get_by_role("link", name=re.compile("是否同意.*加装电梯")).click()
    expect(staff.locator("ul.checks")).to_contain_text("参与表决人数")
    shoot(staff, "deliberation-owners-tally")
