"""A caller without an account follows her appeal by number and phone digits, and rates it from her SMS link."""
import re

import pytest
from django.core.cache import cache

from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel
from gongzhi.appeals.models import Category
from gongzhi.notifications.models import OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-23 10:00 +0800")]


@pytest.fixture
def called_in(users, world):
    cache.clear()
    worker = users("worker")
    appeal = services.appeal_submit(channel=Channel.DESK, text="小区路灯不亮", area=world.compound, actor=worker,
                                    contact_name="张阿姨", contact_phone="13912345678",
                                    category=Category.objects.get(code="property-elevator"))
    return services.appeal_accept(appeal=appeal, actor=worker)


def test_she_follows_it_with_the_number_and_four_digits_and_nothing_else(called_in, client):
    assert client.get("/track/").status_code == 200
    wrong = client.post("/track/", {"number": called_in.number, "last4": "0000"}).content.decode()
    assert "没有找到" in wrong and "小区路灯不亮" not in wrong
    page = client.post("/track/", {"number": called_in.number.replace("-", ""), "last4": "5678"}).content.decode()
    assert "小区路灯不亮" in page and "已受理" in page
    assert "张阿姨" not in page and "13912345678" not in page  # nothing personal, no staff names
    for _ in range(12):
        last = client.post("/track/", {"number": called_in.number, "last4": "1111"})
    assert last.status_code == 429  # four digits are not guessed by trying them all


def test_her_sms_link_shows_the_reply_and_rates_it_once(called_in, client, users):
    services.appeal_resolve(appeal=called_in, actor=users("worker"), after_warning=True,
                            reply="物业电工今天下午更换了路灯灯泡，晚上已经亮了")
    sms = OutboxMessage.objects.filter(recipient="13912345678", subject__contains="已办结").get()
    link = re.search(r"https?://\S+(/t/\S+)", sms.body)[1]
    page = client.get(link).content.decode()
    assert "更换了路灯灯泡" in page and 'name="rating"' in page
    refused = client.post(link, {"rating": "dissatisfied"}).content.decode()
    assert "哪里不满意" in refused
    client.post(link, {"rating": "satisfied", "comment": "亮了，谢谢"})
    called_in.refresh_from_db()
    assert called_in.state == "closed" and called_in.rating == "satisfied"
    assert list(called_in.ratings.values_list("via", flat=True)) == ["sms_link"]
    again = client.post(link, {"rating": "dissatisfied", "comment": "改主意"}).content.decode()
    assert "已经评价过" in again
    called_in.refresh_from_db()
    assert called_in.rating == "satisfied"
    assert client.get(link[:-3] + "xyz").status_code == 404  # a forged token
