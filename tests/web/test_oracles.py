"""What exists out of a user's sight is not told by how she is refused (issue 21)."""
import json

import pytest
import time_machine

from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel
from gongzhi.appeals.models import Category, Whistle
from gongzhi.core.errors import Conflict
from gongzhi.registry import services as registry
from gongzhi.registry.ledger import ledger_import
from gongzhi.registry.models import Household, Resident
from tests.registry.test_ledger import person, workbook

NEUTRAL = "该身份证号无法在此登记"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def hidden_appeal(users, world):
    """An appeal off the board, in a community the resident does not live in."""
    return services.appeal_submit(channel=Channel.DESK, text="楼道灯不亮", area=world.other_compound,
                                  actor=users("admin"), category=Category.objects.get(code="property-leak"))


def test_supporting_a_hidden_appeal_answers_as_for_an_id_nobody_uses(login, hidden_appeal):
    resident = login("resident")
    hidden = post(resident, f"/api/v1/appeals/{hidden_appeal.pk}/support", {"support": True})
    missing = post(resident, "/api/v1/appeals/999999999/support", {"support": True})
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.status_code == 404


def test_supporting_her_own_appeal_off_the_board_is_refused_as_before(login, users):
    home = users("resident").bindings.get().household
    mine = services.appeal_submit(channel=Channel.PORTAL, text="卫生间漏水", area=home.area, household=home,
                                  actor=users("resident"))
    response = post(login("resident"), f"/api/v1/appeals/{mine.pk}/support", {"support": True})
    assert response.status_code in (403, 422) and response.json()["code"] != "not_found"


def test_reporting_in_on_a_whistle_one_cannot_see_answers_as_for_an_id_nobody_uses(login, users, world):
    worker = users("worker")
    department = users("department").role_grants.get().organisation
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        appeal = services.appeal_submit(channel=Channel.DESK, text="夜间施工扰民", area=world.compound, actor=worker,
                                        category=Category.objects.get(code="noise-construction"))
        services.appeal_accept(appeal=appeal, actor=worker)
        whistle = services.appeal_whistle(appeal=appeal, actor=worker, department=department, reason="需执法")
    outsider = login("resident")
    hidden = post(outsider, f"/api/v1/whistles/{whistle.pk}/report-in", {"handler_name": "张三"})
    missing = post(outsider, "/api/v1/whistles/999999999/report-in", {"handler_name": "张三"})
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json()) and hidden.status_code == 404
    assert Whistle.objects.get(pk=whistle.pk).reported_at is None


def someone_in(community) -> Resident:
    return Resident.objects.filter(community=community, id_number__isnull=False).order_by("id").first()


def test_registering_a_number_kept_in_another_community_does_not_say_it_is_registered(users, world):
    household = Household.objects.filter(community=world.community).first()
    elsewhere = someone_in(world.other_community)
    with pytest.raises(Conflict) as refused:
        registry.resident_create(actor=users("worker"), household=household, name="某人",
                                 id_number=elsewhere.id_number)
    assert refused.value.code == "id_number_refused" and NEUTRAL in str(refused.value.message)
    assert "登记" in str(refused.value.message) and "已" not in str(refused.value.message)


def test_registering_a_number_she_can_see_still_says_it_is_there(users, world):
    household = Household.objects.filter(community=world.community).first()
    with pytest.raises(Conflict) as refused:
        registry.resident_create(actor=users("worker"), household=household, name="某人",
                                 id_number=someone_in(world.community).id_number)
    assert refused.value.code == "id_number_taken"


def test_the_ledger_does_not_say_a_number_is_registered_in_another_community(users, world):
    elsewhere = someone_in(world.other_community)
    batch = ledger_import(actor=users("worker"), data=workbook([person(world.community, 身份证号=elsewhere.id_number)]),
                          file_name="x.xlsx")
    assert batch.created == 0
    assert [NEUTRAL in e["reason"] and "以外" not in e["reason"] for e in batch.errors] == [True]
    assert Resident.objects.get(pk=elsewhere.pk).community_id == world.other_community.pk
