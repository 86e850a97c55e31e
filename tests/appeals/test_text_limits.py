"""Free text into the appeals services is capped with a clear message, pages and API alike; SMS bodies are short
(issue 21: a 100 KB reply was queued whole as an SMS body)."""
import json

import pytest

from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel, State
from gongzhi.appeals.models import Appeal, AppealEvent, Category, Whistle
from gongzhi.core.errors import InvalidInput
from gongzhi.core.text import LONG, SHORT
from gongzhi.notifications.models import OutboxMessage
from gongzhi.notifications.services import SMS_MAX

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-23 10:00 +0800")]
HUGE = "漏" * 100_000


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def company(users):
    return users("property").role_grants.get().organisation


@pytest.fixture
def taken(users, company):
    home = verified_households(users("resident")).select_related("area").get()
    appeal = services.appeal_submit(channel=Channel.PORTAL, text="楼上漏水，天花板一直滴水", area=home.area,
                                    household=home, actor=users("resident"),
                                    category=Category.objects.get(code="property-leak"), public=True)
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    services.appeal_dispatch(appeal=appeal, actor=users("worker"), party=company)
    return services.appeal_take(appeal=appeal, actor=users("property"))


def test_a_100_kb_reply_through_the_api_is_refused_and_nothing_changes(taken, login):
    events = AppealEvent.objects.filter(appeal=taken).count()
    sms = OutboxMessage.objects.count()
    response = post(login("property"), f"/api/v1/appeals/{taken.pk}/resolve", {"reply": HUGE, "after_warning": True})
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("too_long", "reply")
    assert f"最多可写{LONG}个字" in response.json()["message"]
    assert Appeal.objects.get(pk=taken.pk).state == State.IN_PROGRESS
    assert (AppealEvent.objects.filter(appeal=taken).count(), OutboxMessage.objects.count()) == (events, sms)


def test_a_100_kb_whistle_reason_through_the_api_is_refused(taken, login, users):
    department = users("department").role_grants.get().organisation
    response = post(login("worker"), f"/api/v1/appeals/{taken.pk}/whistle",
                    {"reason": HUGE, "department_id": department.pk})
    assert (response.status_code, response.json()["field"]) == (422, "reason")
    assert not Whistle.objects.filter(appeal=taken).exists()


def test_the_staff_page_refuses_a_long_reason_with_the_same_words(taken, login):
    page = login("worker").post(f"/staff/appeals/{taken.pk}/pause", {"reason": "等" * 201},
                                follow=True).content.decode()
    assert "最多可写200个字" in page
    assert Appeal.objects.get(pk=taken.pk).paused_at is None


@pytest.mark.parametrize("call", [
    lambda a, u, c: services.appeal_reclassify(appeal=a, actor=u("worker"), category=a.category, reason=HUGE),
    lambda a, u, c: services.appeal_return(appeal=a, actor=u("property"), reason=HUGE),
    lambda a, u, c: services.appeal_pause(appeal=a, actor=u("worker"), reason=HUGE),
    lambda a, u, c: services.appeal_follow_up(appeal=a, actor=u("worker"), note=HUGE),
    lambda a, u, c: services.appeal_urge(appeal=a, actor=u("subdistrict"), note=HUGE),
    lambda a, u, c: services.appeal_close_unresolved(appeal=a, actor=u("worker"), outcome="explained", reply=HUGE),
    lambda a, u, c: services.appeal_withdraw(appeal=a, actor=u("resident"), reason=HUGE),
    lambda a, u, c: services.appeal_assign(appeal=a, actor=u("property"), assignee=None, reason=HUGE),
    lambda a, u, c: services.appeal_unpublish(appeal=a, actor=u("worker"), reason=HUGE),
])
def test_every_free_text_is_capped(taken, users, company, call):
    with pytest.raises(InvalidInput) as refused:
        call(taken, users, company)
    assert refused.value.code == "too_long"


def test_text_at_the_cap_is_taken(taken, users):
    services.appeal_return(appeal=taken, actor=users("property"), reason="因" * SHORT)
    assert taken.requests.get().reason == "因" * SHORT


def test_an_sms_body_is_cut_to_a_readable_length(taken, users):
    reply = "已更换楼上住户的进水管，物业维修工张师傅11月23日上门。" + "详" * (LONG - 40)
    services.appeal_resolve(appeal=taken, actor=users("property"), reply=reply, after_warning=True)
    bodies = list(OutboxMessage.objects.filter(channel="sms").values_list("body", flat=True))
    assert bodies and all(len(b) <= SMS_MAX for b in bodies)
