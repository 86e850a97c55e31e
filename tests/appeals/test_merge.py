"""Merging duplicates: one group handled once, every reporter informed and heard."""
from datetime import date

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding
from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services
from gongzhi.appeals.choices import Action, Channel, State
from gongzhi.appeals.figures import rates
from gongzhi.appeals.models import Appeal, AppealEvent, Category
from gongzhi.core.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from gongzhi.notifications.models import Notification, OutboxMessage

MONDAY = "2026-11-23 10:00 +0800"
pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY)]


@pytest.fixture
def neighbours(users):
    """Two verified residents of the same grid report the same broken lift."""
    HouseholdBinding.objects.filter(user=users("newcomer")).update(status=BindingStatus.VERIFIED,
                                                                   decided_at=timezone.now())
    lift = Category.objects.get(code="property-elevator")
    with time_machine.travel(MONDAY, tick=False):
        out = []
        for name, text in (("resident", "3号楼电梯又停了，老人下不了楼"), ("newcomer", "电梯坏了两天了没人修")):
            home = verified_households(users(name)).select_related("area").get()
            out.append(services.appeal_submit(channel=Channel.PORTAL, text=text, area=home.area, household=home,
                                              actor=users(name), category=lift))
        return out


def test_a_duplicate_merged_follows_its_group_and_both_reporters_rate_the_one_reply(neighbours, users, login):
    first, second = neighbours
    worker = users("worker")
    with time_machine.travel(MONDAY, tick=False):
        services.appeal_accept(appeal=first, actor=worker)
        services.appeal_merge(appeal=second, into=first, actor=worker, reason="同一部电梯")
        second.refresh_from_db()
        assert (second.state, second.parent_id) == (State.MERGED, first.pk)
        assert AppealEvent.objects.filter(appeal=first, action=Action.MERGED_IN).exists()
        assert Notification.objects.filter(user=users("newcomer"), key__startswith="merged-").exists()
        services.appeal_resolve(appeal=first, actor=worker, reply="维保公司已更换门机板，电梯恢复运行")
    # the one reply reaches both, each with the rating buttons (and an SMS to each phone)
    for name, appeal in (("resident", first), ("newcomer", second)):
        note = Notification.objects.get(user=users(name), key__startswith="rate:")
        assert note.link == f"/portal/appeals/{appeal.pk}/" and "门机板" in note.body
    assert OutboxMessage.objects.filter(body__contains="门机板").count() == 2
    # the second reporter follows the group's progress and reply on her own page
    page = login("newcomer").get(f"/portal/appeals/{second.pk}/").content.decode()
    assert "门机板" in page and "已合并在一起办理" in page and 'value="satisfied"' in page
    services.appeal_rate(appeal=first, actor=users("resident"), rating="satisfied")
    services.appeal_rate(appeal=second, actor=users("newcomer"), rating="dissatisfied", comment="还是经常坏")
    second.refresh_from_db()
    assert (second.state, second.rating) == (State.MERGED, "dissatisfied")
    with pytest.raises(TransitionNotAllowed):  # once per reply
        services.appeal_rate(appeal=second, actor=users("newcomer"), rating="satisfied")
    # one matter in the response and resolution rates; two voices in the satisfaction rate
    row = rates(viewer=worker, group_by="community", start=date(2026, 11, 23), end=date(2026, 11, 30),
                queryset=Appeal.objects.filter(pk__in=[first.pk, second.pk]))[0]
    assert (row["total"], row["merged"], row["counts"]["resolved"], row["counts"]["finished"]) == (1, 1, 1, 1)
    assert (row["counts"]["rated"], row["satisfaction_rate"]) == (2, 0.5)


def test_a_merged_reporter_may_reopen_the_group(neighbours, users):
    first, second = neighbours
    worker = users("worker")
    services.appeal_accept(appeal=first, actor=worker)
    services.appeal_merge(appeal=second, into=first, actor=worker)
    services.appeal_resolve(appeal=first, actor=worker, reply="维保公司今天上午更换了电梯门机板，电梯已恢复运行")
    services.appeal_rate(appeal=second, actor=users("newcomer"), rating="dissatisfied")
    services.appeal_reopen(appeal=second, actor=users("newcomer"), reason="今天又停了")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.reopen_count, first.resolved_at) == (State.ACCEPTED, 1, None)
    # her rating stays on the record and counts until she rates the next reply, which she may
    assert (second.state, second.rating) == (State.MERGED, "dissatisfied")
    assert first.events.filter(action=Action.REOPEN, data__via=second.pk).exists()
    assert not services.rating_open(second)
    services.appeal_resolve(appeal=first, actor=worker, reply="维保公司更换了电梯控制主板并连续观察两天，电梯运行正常")
    second.refresh_from_db()
    assert services.rating_open(second)
    services.appeal_rate(appeal=second, actor=users("newcomer"), rating="satisfied")
    assert list(second.ratings.values_list("rating", "round")) == [("dissatisfied", 0), ("satisfied", 1)]


def test_merging_is_the_communitys_call_and_refuses_nonsense(neighbours, users):
    first, second = neighbours
    with pytest.raises(NotPermitted):
        services.appeal_merge(appeal=second, into=first, actor=users("property"))
    with pytest.raises(NotPermitted):
        services.appeal_merge(appeal=second, into=first, actor=users("newcomer"))
    with pytest.raises(InvalidInput):
        services.appeal_merge(appeal=first, into=first, actor=users("worker"))
    services.appeal_close_unresolved(appeal=first, actor=users("worker"), outcome="withdrawn", reply="居民撤回")
    with pytest.raises(TransitionNotAllowed):  # nothing to merge into any more
        services.appeal_merge(appeal=second, into=first, actor=users("worker"))
    second.refresh_from_db()
    assert second.state == State.SUBMITTED and second.parent_id is None


def test_merging_into_a_merged_appeal_joins_its_group(neighbours, users, world):
    first, second = neighbours
    worker = users("worker")
    third = services.appeal_submit(channel=Channel.DESK, text="电梯停运", area=world.compound, actor=worker,
                                   contact_phone="13900001111")
    services.appeal_merge(appeal=second, into=first, actor=worker)
    services.appeal_merge(appeal=third, into=second, actor=worker)
    third.refresh_from_db()
    assert third.parent_id == first.pk
    services.appeal_accept(appeal=first, actor=worker)
    services.appeal_resolve(appeal=first, actor=worker, reply="电梯已修复：维保公司今天更换了门机板，已恢复运行")
    # the walk-in without an account hears of it by SMS to the phone she left
    assert OutboxMessage.objects.filter(recipient="13900001111", body__contains="电梯已修复").exists()


def test_the_merge_form_suggests_open_appeals_of_the_same_compound(neighbours, login):
    first, second = neighbours
    page = login("worker").get(f"/staff/appeals/{second.pk}/").content.decode()
    assert "合并重复诉求" in page and first.number in page
    day, count = first.number.split("-")
    typed = f"{day}{int(count)}"  # as read out: no dash, no leading zeros
    response = login("worker").post(f"/staff/appeals/{second.pk}/merge", {"into": typed})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.parent_id == first.pk
    page = login("worker").get(f"/staff/appeals/{first.pk}/").content.decode()
    assert second.number in page and "合并的同类诉求" in page


def test_merge_through_the_api(neighbours, login):
    first, second = neighbours
    api = login("worker")
    missing = api.post(f"/api/v1/appeals/{second.pk}/merge", {"into": "20990101-00001"},
                       content_type="application/json")
    assert missing.status_code == 422 and "没有找到" in missing.json()["message"]
    done = api.post(f"/api/v1/appeals/{second.pk}/merge", {"into": first.number}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "merged"
    assert done.json()["merged_into_id"] == first.pk
    refused = login("property").post(f"/api/v1/appeals/{first.pk}/merge", {"into": second.number},
                                     content_type="application/json")
    assert refused.status_code == 404  # she cannot see it at all


def test_a_retried_request_files_one_appeal(login, users, world):
    api = login("worker")
    body = {"channel": "desk", "text": "路灯不亮", "area_id": world.compound.pk}
    first = api.post("/api/v1/appeals", body, content_type="application/json", headers={"Idempotency-Key": "k-1"})
    again = api.post("/api/v1/appeals", body, content_type="application/json", headers={"Idempotency-Key": "k-1"})
    other = api.post("/api/v1/appeals", body, content_type="application/json", headers={"Idempotency-Key": "k-2"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    assert Appeal.objects.filter(text="路灯不亮").count() == 2
    # a double tap on the desk form: the form's key files it once
    page = login("worker").get("/staff/appeals/new").content.decode()
    key = page.split('name="client_key" value="')[1].split('"')[0]
    form = {"channel": "desk", "area": world.compound.pk, "text": "井盖丢了", "client_key": key}
    login("worker").post("/staff/appeals/new", form)
    login("worker").post("/staff/appeals/new", form)
    assert Appeal.objects.filter(text="井盖丢了").count() == 1
