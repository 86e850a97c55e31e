"""What a community worker and a 70-year-old resident see, in a real browser."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PASSWORD = "gongzhi-demo"


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    # wait for the answer to the form itself: the login page may already be idle when Enter is pressed, and a goto
    # made before the redirect arrives is aborted by it (net::ERR_ABORTED, seen on CI)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")


def test_a_community_worker_works_the_resident_list(demo_server, browser, shoot, axe):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server, "worker")
    assert page.locator("nav.sidenav").inner_text().count("居民台账") == 1
    assert "角色授权" not in page.locator("nav.sidenav").inner_text()  # a worker does not grant roles
    shoot(page, "worker-dashboard")

    page.keyboard.press("g")
    page.keyboard.press("r")  # g r: the resident list, without a mouse
    page.wait_for_url("**/staff/residents/**")
    total = page.locator("#results [role=status]").inner_text()
    page.select_option("select[name=tag]", "elderly_alone")
    page.locator("form.filters button").click()
    page.wait_for_load_state("networkidle")
    filtered = page.locator("#results [role=status]").inner_text()
    assert filtered != total
    rows = page.locator("#results table.data tbody tr")
    assert rows.count() > 0
    first_id = rows.first.locator("td").nth(6).inner_text()
    assert "**********" in first_id  # ID numbers masked in the list
    shoot(page, "worker-residents-elderly-alone")
    assert axe(page) == []

    rows.first.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="显示完整信息").click()
    expect(page.locator("#personal")).not_to_contain_text("**********")  # revealed on purpose (and audited)
    expect(page.get_by_role("button", name="显示完整信息")).to_have_count(0)
    shoot(page, "worker-resident-revealed")
    context.close()


def test_a_resident_on_a_phone_sees_her_home_and_who_to_call(demo_server, browser, shoot, axe):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(demo_server + "/accounts/login/")
    assert axe(page) == []
    log_in(page, demo_server, "resident")
    assert page.get_by_role("heading", name="我的家").is_visible()
    assert page.locator(".partners li").count() >= 4  # lead, organiser, owners' body, steward at least
    assert page.locator("a[href^='tel:']").count() >= 1
    assert page.locator("text=居民台账").count() == 0  # no staff menu for a resident
    shoot(page, "resident-home")
    assert axe(page) == []

    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="大字模式").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # large type without a mouse
    bigger = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert bigger >= size * 1.3
    # each tab of the bottom bar still reads on one line
    lines = page.eval_on_selector_all("nav.tabs a", """tabs => tabs.map(a => {
        const name = [...a.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
        const r = document.createRange(); r.selectNodeContents(name); return r.getClientRects().length; })""")
    assert lines == [1] * len(lines), lines  # its name on one line (an unread badge beside it is not counted)
    assert page.evaluate("(n => n.scrollWidth <= n.clientWidth)(document.querySelector('nav.tabs'))")
    shoot(page, "resident-home-large-text")
    assert axe(page) == []

    for path in ["/portal/households/", "/portal/settings/"]:
        page.goto(demo_server + path)
        assert axe(page) == [], path
        shoot(page, "resident" + path.replace("/", "-").rstrip("-"))
    assert page.evaluate("document.documentElement.classList.contains('large-text')")  # remembered
    context.close()


def test_a_newcomer_finds_her_home_by_keyboard_and_asks_to_bind(demo_server, browser, shoot, axe):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    log_in(page, demo_server, "newcomer")
    assert page.get_by_role("heading", name="正在审核").is_visible()
    pending = page.locator("#pending + p").inner_text()  # …“<compound><building>…<room>”…
    compound_start = pending.split("“")[1][:2]
    page.goto(demo_server + "/portal/households/bind/")
    page.fill("#bind-q", compound_start)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("ul.choices a").first).to_contain_text(compound_start)
    for _step in range(4):  # compound → building → (unit) → room: each a link, reachable by Tab + Enter
        if page.locator("#id_claimed_name").count():
            break
        links = page.locator("ul.choices a")
        link = links.last if "household" in (links.first.get_attribute("href") or "") else links.first
        target = link.get_attribute("href")
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/portal/households/bind/{target}")
        page.wait_for_load_state("networkidle")
    page.fill("#id_claimed_name", "测试新居民")
    shoot(page, "newcomer-bind-form")
    assert axe(page) == []
    page.get_by_role("button", name="提交审核").press("Enter")
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.content()
    shoot(page, "newcomer-households")
    context.close()
