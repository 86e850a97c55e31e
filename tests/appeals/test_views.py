"""The pages: a resident files and rates on her phone; the community and the property company work the queue."""
import pytest

from gongzhi.accounts.services import verified_households
from gongzhi.appeals.models import Appeal, Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed_by_page(login, users):
    home = verified_households(users("resident")).get()
    client = login("resident")
    response = client.post("/portal/appeals/new", {"where": f"home:{home.pk}", "text": "单元门禁坏了，关不上",
                                                   "category": Category.objects.get(code="property").pk,
                                                   "public": "on"})
    assert response.status_code == 302
    return Appeal.objects.get(text="单元门禁坏了，关不上")


def test_the_resident_files_from_the_portal_and_sees_it(filed_by_page, login):
    page = login("resident").get("/portal/appeals/").content.decode()
    assert filed_by_page.number in page and "单元门禁坏了" in page
    assert filed_by_page.public and filed_by_page.channel == "portal"


def test_a_newcomer_is_sent_to_verify_first(login):
    response = login("newcomer").get("/portal/appeals/new")
    assert response.status_code == 302 and response["Location"].endswith("/portal/households/")


def test_the_queue_and_the_actions_through_the_pages(filed_by_page, login, users):
    worker = login("worker")
    queue = worker.get("/staff/appeals/").content.decode()
    assert filed_by_page.number in queue
    detail = worker.get(f"/staff/appeals/{filed_by_page.pk}/").content.decode()
    assert "受理" in detail and "派单" not in detail.split("办理记录")[1].split("</section>")[1][:0]
    accepted = worker.post(f"/staff/appeals/{filed_by_page.pk}/accept", {"category": Category.objects.get(
        code="property-access").pk}, follow=True).content.decode()
    assert "已受理" in accepted and "已社区受理" not in accepted  # told in plain words
    company = users("property").role_grants.get().organisation
    worker.post(f"/staff/appeals/{filed_by_page.pk}/dispatch", {"party": company.pk})
    staff = login("property")
    assert filed_by_page.number in staff.get("/staff/appeals/").content.decode()  # the shared board
    staff.post(f"/staff/appeals/{filed_by_page.pk}/take")
    resolved = staff.post(f"/staff/appeals/{filed_by_page.pk}/resolve",
                          {"reply": "已更换门禁闭门器，维修工刘师傅 11月24日"}, follow=True).content.decode()
    assert "已办结，答复已发给居民" in resolved
    filed_by_page.refresh_from_db()
    assert filed_by_page.state == "resolved"
    resident = login("resident")
    page = resident.get(f"/portal/appeals/{filed_by_page.pk}/").content.decode()
    assert "已更换门禁闭门器" in page and 'value="satisfied"' in page
    resident.post(f"/portal/appeals/{filed_by_page.pk}/rate", {"rating": "satisfied"})
    filed_by_page.refresh_from_db()
    assert (filed_by_page.state, filed_by_page.rating) == ("closed", "satisfied")


def test_an_action_refused_shows_why_and_changes_nothing(filed_by_page, login):
    staff = login("property")
    assert staff.get(f"/staff/appeals/{filed_by_page.pk}/").status_code == 404  # not dispatched to them
    worker = login("worker")
    response = worker.post(f"/staff/appeals/{filed_by_page.pk}/resolve", {"reply": "x"}, follow=True)
    assert 'class="alert error"' in response.content.decode()  # told why, on the same page
    filed_by_page.refresh_from_db()
    assert filed_by_page.state == "submitted"


def test_desk_intake_needs_the_community_role(login, world):
    assert login("property").get("/staff/appeals/new").status_code == 403
    worker = login("worker")
    response = worker.post("/staff/appeals/new", {"channel": "desk", "area": world.compound.pk,
                                                  "text": "老人来电：楼道灯坏了", "contact_name": "张大爷"})
    assert response.status_code == 302
    appeal = Appeal.objects.get(text="老人来电：楼道灯坏了")
    assert appeal.channel == "desk" and appeal.entered_by.username == "worker"


def test_other_residents_cannot_open_it(filed_by_page, login):
    assert login("newcomer").get(f"/portal/appeals/{filed_by_page.pk}/").status_code == 404


def test_the_resident_s_phone_is_masked_until_the_handler_reveals_it_and_each_reveal_is_audited(login, world):
    from gongzhi.core.models import AuditEvent

    worker = login("worker")
    worker.post("/staff/appeals/new", {"channel": "desk", "area": world.compound.pk, "text": "老人来电：楼道灯坏了",
                                       "contact_name": "张大爷", "contact_phone": "13912345678"})
    appeal = Appeal.objects.get(text="老人来电：楼道灯坏了")
    page = worker.get(f"/staff/appeals/{appeal.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page  # looking at the case shows no number
    assert not AuditEvent.objects.filter(action="view_personal_data", target_id=str(appeal.pk)).exists()
    shown = worker.post(f"/staff/appeals/{appeal.pk}/contact", headers={"HX-Request": "true"}).content.decode()
    assert 'href="tel:13912345678"' in shown and "<html" not in shown  # just the contact, to call her back
    seen = AuditEvent.objects.get(action="view_personal_data", target_type="appeals.appeal", target_id=str(appeal.pk))
    assert seen.actor.username == "worker" and seen.data == {"fields": ["contact_phone"]}
    assert "13912345678" in worker.post(f"/staff/appeals/{appeal.pk}/contact").content.decode()  # without JS
    assert AuditEvent.objects.filter(action="view_personal_data", target_id=str(appeal.pk)).count() == 2
    # a property clerk the appeal was never dispatched to cannot reach it, and nothing is recorded for her
    assert login("property").post(f"/staff/appeals/{appeal.pk}/contact").status_code == 404
    assert AuditEvent.objects.filter(action="view_personal_data", target_id=str(appeal.pk)).count() == 2


def test_a_worker_with_too_many_places_for_a_list_finds_the_place_by_name(login, world, monkeypatch):
    """The city's 12345 centre files for any of tens of thousands of grids and compounds: the desk form offers a
    search instead of a list, and what is found and filed stays within the worker's places."""
    from gongzhi.appeals import forms

    monkeypatch.setattr(forms, "PLACE_SELECT_MAX", 3)
    subdistrict = login("subdistrict")
    page = subdistrict.get("/staff/appeals/new").content.decode()
    assert '<select name="area"' not in page and 'name="area_q"' in page
    assert world.compound.name not in page  # the places are not listed
    found = subdistrict.get("/staff/appeals/new/places", {"area_q": world.compound.name}).content.decode()
    assert f"?id={world.compound.pk}" in found and world.community.name in found
    assert 'hx-target="#id_area_chosen"' in found  # the choice lands in the form's place field
    assert "没有找到" in subdistrict.get("/staff/appeals/new/places", {"area_q": "不存在的小区"}).content.decode()
    picked = subdistrict.get("/staff/appeals/new/place", {"id": world.compound.pk}).content.decode()
    assert f'name="area" value="{world.compound.pk}"' in picked
    response = subdistrict.post("/staff/appeals/new", {"channel": "desk", "area": world.compound.pk,
                                                       "text": "来电：小区东门路灯不亮", "contact_name": "王女士"})
    assert response.status_code == 302
    assert Appeal.objects.get(text="来电：小区东门路灯不亮").compound_id == world.compound.pk

    # a community worker with few places keeps her list; a place outside them is neither found nor filed
    monkeypatch.setattr(forms, "PLACE_SELECT_MAX", 150)
    worker = login("worker")
    assert '<select name="area"' in worker.get("/staff/appeals/new").content.decode()
    monkeypatch.setattr(forms, "PLACE_SELECT_MAX", 1)
    assert f"?id={world.other_compound.pk}" not in worker.get(
        "/staff/appeals/new/places", {"area_q": world.other_compound.name}).content.decode()
    assert worker.get("/staff/appeals/new/place", {"id": world.other_compound.pk}).status_code == 404
    refused = worker.post("/staff/appeals/new", {"channel": "desk", "area": world.other_compound.pk,
                                                 "text": "来电：别的社区的事", "contact_name": "王女士"})
    assert refused.status_code == 200 and 'id="id_area_error"' in refused.content.decode()
    assert not Appeal.objects.filter(text="来电：别的社区的事").exists()
    assert world.other_compound.name not in refused.content.decode()  # the refused place is not echoed back


def test_a_resident_filing_on_her_phone_can_be_called_back(filed_by_page, users, login):
    resident = users("resident")
    assert resident.phone and resident.display_name
    assert (filed_by_page.contact_name, filed_by_page.contact_phone) == (resident.display_name, resident.phone)
    page = login("worker").get(f"/staff/appeals/{filed_by_page.pk}/").content.decode()
    assert f"{resident.phone[:3]}****{resident.phone[-4:]}" in page and "显示号码" in page


def test_an_appeal_filed_at_the_desk_for_a_resident_with_an_account_is_hers_to_follow_and_rate(login, users):
    from gongzhi.accounts.models import HouseholdBinding
    from gongzhi.notifications.models import Notification

    me = HouseholdBinding.objects.get(user=users("resident"), status="verified").resident
    worker = login("worker")
    worker.post("/staff/appeals/new", {"channel": "desk", "resident": me.pk, "text": "来站里说：楼下餐馆油烟大"})
    appeal = Appeal.objects.get(text="来站里说：楼下餐馆油烟大")
    assert appeal.reporter == users("resident") and appeal.entered_by == users("worker")
    resident = login("resident")
    assert appeal.number in resident.get("/portal/appeals/").content.decode()  # in 我的诉求
    assert Notification.objects.filter(user=users("resident"), link=f"/portal/appeals/{appeal.pk}/").exists()
    assert resident.get(f"/portal/appeals/{appeal.pk}/").status_code == 200
    # someone without an account stays a contact only
    worker.post("/staff/appeals/new", {"channel": "desk", "area": me.compound_id, "text": "路人：路灯不亮",
                                       "contact_name": "路人甲", "contact_phone": "13900001111"})
    other = Appeal.objects.get(text="路人：路灯不亮")
    assert other.reporter is None and other.contact_phone == "13900001111"


def test_on_the_board_her_own_appeal_is_marked_hers_with_nothing_to_back(filed_by_page, login, users):
    from gongzhi.appeals import services

    services.appeal_accept(appeal=filed_by_page, actor=users("worker"))
    page = login("resident").get(f"/board/{filed_by_page.community_id}/").content.decode()
    mine = page.split(f'id="a{filed_by_page.pk}"')[1].split("</article>")[0]
    assert "您反映的问题" in mine and "我也遇到" not in mine and "<form" not in mine


def test_a_worker_finds_an_appeal_by_the_number_the_caller_reads_out(filed_by_page, login, users, world):
    from gongzhi.appeals import services
    from gongzhi.appeals.choices import Channel

    day, count = filed_by_page.number.split("-")
    Appeal.objects.filter(pk=filed_by_page.pk).update(state="closed")  # done: not in the default (open) list
    hotline = services.appeal_submit(channel=Channel.HOTLINE, text="小区垃圾三天没人清运", area=world.compound,
                                     actor=users("admin"), hotline_order_no="BJ12345-0077")
    elsewhere = services.appeal_submit(channel=Channel.HOTLINE, text="路灯不亮", area=world.other_compound,
                                       actor=users("admin"), hotline_order_no="BJ12345-0078")
    worker = login("worker")
    assert filed_by_page.number not in worker.get("/staff/appeals/").content.decode().split("<tbody>")[1]
    # as typed on a Chinese keyboard: full-width digits, no dash, the day's count without its zeros
    typed = "".join(chr(ord(c) + 0xFEE0) for c in day + str(int(count)))
    found = worker.get("/staff/appeals/", {"q": f" {typed} "})
    assert found.status_code == 302 and found["Location"] == f"/staff/appeals/{filed_by_page.pk}/"
    by_order = worker.get("/staff/appeals/", {"q": "BJ12345-0077"})
    assert by_order["Location"] == f"/staff/appeals/{hotline.pk}/"
    # pasted from the SMS with what surrounds it, another dash, the order number in lower case
    for typed_again in (f"【{filed_by_page.number}】", f"诉求{day}—{count}。", f"{day[:4]}-{day[4:6]}-{day[6:]}-{count}"):
        assert worker.get("/staff/appeals/", {"q": typed_again})["Location"] == f"/staff/appeals/{filed_by_page.pk}/"
    assert worker.get("/staff/appeals/", {"q": "bj12345-0077"})["Location"] == f"/staff/appeals/{hotline.pk}/"
    # the list refreshing itself shows the one found, whatever its state
    refreshed = worker.get("/staff/appeals/", {"q": typed}, headers={"HX-Request": "true"}).content.decode()
    assert filed_by_page.number in refreshed and hotline.number not in refreshed and "不限状态" in refreshed
    # another community's appeal is not found by its number
    other = worker.get("/staff/appeals/", {"q": elsewhere.number})
    assert other.status_code == 200 and "没有找到这个编号的诉求" in other.content.decode()
    api = worker.get("/api/v1/appeals", {"number": filed_by_page.number}).json()
    assert [a["number"] for a in api["items"]] == [filed_by_page.number]


def test_the_city_operator_walks_the_queue_filter_down_to_a_grid(filed_by_page, login, world):
    """The 12345 centre has the whole city: its area filter starts at districts and subdistricts, and each choice
    lists the way back up, the places beside it and those right under it, so a community's or a grid's queue is a
    few choices away and no list holds the city's tens of thousands of grids and compounds."""
    operator = login("operator")
    subdistrict, community = world.community.subdistrict, world.community

    def options(query=None, **headers):
        response = operator.get("/staff/appeals/", query or {}, headers=headers)
        page = response.content.decode()
        return response, page, page.split('<select id="q-area"')[1].split("</select>")[0]

    _response, _page, top = options()
    assert subdistrict.name in top and community.name not in top and world.my_grid.name not in top
    # a filter change (HTMX) redraws the filters with the list: what they show is what the list holds
    response, page, under = options({"area": subdistrict.pk}, **{"HX-Request": "true"})
    assert "<html" not in page and 'id="q-state"' in page and "HX-Request" in response["Vary"]
    assert f'<optgroup label="{subdistrict.name} 下">' in under and f"社区 · {community.name}" in under
    assert f'value="{subdistrict.pk}" selected' in under
    _response, page, under = options({"area": community.pk})
    assert f"↑ 街道 · {subdistrict.name}" in under
    assert f"社区 · {world.other_community.name}" in under  # beside it: arrow keys move along the communities
    assert f'<optgroup label="{community.name} 下">' in under and f"网格 · {world.my_grid.name}" in under
    assert filed_by_page.number in page.split("<tbody>")[1]  # the community's queue
    _response, page, _under = options({"area": world.other_community.pk})
    assert filed_by_page.number not in page.split("<tbody>")[1]
    # the 20-second refresh takes only the list, leaving an open drop-down alone
    assert 'hx-trigger="every 20s" hx-select="#results"' in page
    # a community worker keeps her one list, each place named with its community
    worker_page = login("worker").get("/staff/appeals/").content.decode()
    assert f"网格 · {community.name} {world.my_grid.name}" in worker_page


def test_a_merged_appeal_is_not_shown_overdue(filed_by_page, login):
    from datetime import timedelta

    from django.utils import timezone

    late = timezone.now() - timedelta(days=3)
    Appeal.objects.filter(pk=filed_by_page.pk).update(respond_due_at=late)
    worker = login("worker")
    row = worker.get("/staff/appeals/", {"state": ""}).content.decode().split(filed_by_page.number)[0]
    assert row.rsplit("<tr", 1)[1].startswith(' class="overdue"')  # open and late: red
    Appeal.objects.filter(pk=filed_by_page.pk).update(state="merged")
    row = worker.get("/staff/appeals/", {"state": ""}).content.decode().split(filed_by_page.number)[0]
    assert not row.rsplit("<tr", 1)[1].startswith(' class="overdue"')
    assert "overdue-text" not in worker.get(f"/staff/appeals/{filed_by_page.pk}/").content.decode()


def test_a_return_waits_for_the_communitys_approval_through_the_page_and_the_api(login, users, world):
    """退单 through the page and the API: the clerk asks, the community approves (or rejects, saying why); until then
    the job stays hers."""
    from gongzhi.appeals import services
    from gongzhi.appeals.choices import Channel
    from gongzhi.appeals.models import Category

    company = users("property").role_grants.get().organisation
    appeals = []
    for text in ("单元门禁坏了", "地下车库灯不亮"):
        appeal = services.appeal_submit(channel=Channel.DESK, text=text, area=world.compound, actor=users("worker"),
                                        category=Category.objects.get(code="property-access"))
        services.appeal_accept(appeal=appeal, actor=users("worker"))
        appeals.append(services.appeal_dispatch(appeal=appeal, actor=users("worker"), party=company))
    clerk, worker = login("property"), login("worker")
    response = clerk.post(f"/staff/appeals/{appeals[0].pk}/return", {"reason": "不属于我司服务范围"}, follow=True)
    assert response.status_code == 200 and "已申请退单，等待社区审核" in response.content.decode()
    page = worker.get(f"/staff/appeals/{appeals[0].pk}/").content.decode()
    assert "申请退单" in page and "不属于我司服务范围" in page
    asked = appeals[0].requests.get()
    refused = worker.post(f"/staff/requests/{asked.pk}/reject", {}, follow=True).content.decode()
    assert "驳回时请写明原因" in refused
    worker.post(f"/staff/requests/{asked.pk}/approve")
    # handed back: the clerk lands on her queue with the message, not on a 404
    opened = clerk.get(f"/staff/appeals/{appeals[0].pk}/")
    assert opened.status_code == 404
    api = clerk.post(f"/api/v1/appeals/{appeals[1].pk}/return", {"reason": "不属于我司服务范围"},
                     content_type="application/json")
    assert api.status_code == 200 and api.json()["state"] == "dispatched"
    pending = appeals[1].requests.get()
    decided = worker.post(f"/api/v1/requests/{pending.pk}/decide", {"approve": True},
                          content_type="application/json")
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    appeals[1].refresh_from_db()
    assert appeals[1].state == "returned"
    home = worker.get("/staff/").content.decode()
    assert "退单延期待审核" in home


def test_a_short_reply_keeps_what_was_typed_and_the_held_back_page_switches_language_without_405(login, users, world):
    from gongzhi.appeals import services
    from gongzhi.appeals.choices import Channel
    from gongzhi.appeals.models import Category
    from gongzhi.notifications.models import Notification

    appeal = services.appeal_submit(channel=Channel.DESK, text="楼道灯不亮", area=world.compound, actor=users("worker"),
                                    category=Category.objects.get(code="property-lighting"))
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    worker = login("worker")
    short = worker.post(f"/staff/appeals/{appeal.pk}/resolve", {"reply": "已处理"})
    page = short.content.decode()
    assert short.status_code == 200 and "已处理</textarea>" in page and "请写明办理结果" in page
    # the page answered a POST: "back to this page" (the language switch) leads to the appeal, not to /resolve
    assert f'name="next" value="/staff/appeals/{appeal.pk}/"' in page
    weak = worker.post(f"/staff/appeals/{appeal.pk}/resolve", {"reply": "您的留言已收悉。"}).content.decode()
    assert "仍按原样发送" in weak and f'name="next" value="/staff/appeals/{appeal.pk}/"' in weak
    # a job handed back: the community hears of it, with the reason
    company = users("property").role_grants.get().organisation
    services.appeal_dispatch(appeal=appeal, actor=users("worker"), party=company)
    services.appeal_return(appeal=appeal, actor=users("property"), reason="灯具属于市政路灯，不归物业")
    note = Notification.objects.get(user=users("worker"), key__startswith="community:")
    assert appeal.number in note.title and "市政路灯" in note.body and note.link == f"/staff/appeals/{appeal.pk}/"
