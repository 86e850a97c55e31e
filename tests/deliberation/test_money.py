"""A project's money: every amount a line of an append-only ledger; a household's share collected once whoever holds
the list; a form sent twice records once; an expense typed in again by mistake is caught; arrears are collected
after the topic closes."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.errors import Conflict, InvalidInput
from gongzhi.core.models import AppendOnlyError
from gongzhi.deliberation import services
from gongzhi.deliberation.choices import Stage
from gongzhi.deliberation.models import MoneyEntry, Topic

from .conftest import deliberating_topic, make_estate


@pytest.fixture
def project(world, council, users):
    estate = make_estate(world.community, [(60, "a"), (60, "b"), (60, "c")])
    actor = users("secretary")
    topic = deliberating_topic(council, estate.compound, actor, title="楼道保洁")
    vote = services.vote_open(actor=actor, topic=topic, kind="council", question="是否集资雇请保洁",
                              closes_at=timezone.now() + timedelta(hours=1))
    for member in council.members.all():
        services.ballot_enter(actor=actor, vote=vote, member=member, choice="yes", channel="meeting")
    services.vote_close(actor=actor, vote=vote)
    services.resolution_publish(actor=actor, topic=topic, body="集资雇请一名保洁，每户每年分摊300元。")
    Topic.objects.filter(pk=topic.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    services.topics_take_effect()
    topic.refresh_from_db()
    p = services.project_start(actor=actor, topic=topic, title="保洁", lead="单元长", budget="900",
                               funding=[("residents", "900", "")], share_per_household="300",
                               milestones=[("保洁员到岗", timezone.localdate())])
    p.estate = estate
    return p


def test_a_household_pays_its_share_once_whoever_collects(project, users):
    actor, home = users("secretary"), project.estate.households[0]
    services.money_record(actor=actor, project=project, kind="collected", amount="300", household=home,
                          collected_by="单元长老张", key="unit-head-1-list")
    with pytest.raises(Conflict):  # the second unit head, with the same list, finds it paid
        services.money_record(actor=users("worker"), project=project, kind="collected", amount="300",
                              household=home, collected_by="单元长老李", key="unit-head-2-list")
    again = services.money_record(actor=actor, project=project, kind="collected", amount="300", household=home,
                                  key="unit-head-1-list")  # the same form, sent twice
    assert again.repeated and MoneyEntry.objects.filter(project=project).count() == 1
    assert services.paid_by(project, home.pk) == Decimal("300")
    with pytest.raises(InvalidInput):  # a refund never exceeds what the household paid
        services.money_record(actor=actor, project=project, kind="refund", amount="301", household=home,
                              key="refund-too-much")


def test_an_expense_typed_in_twice_is_caught_and_never_exceeds_the_money_in_hand(project, users):
    actor = users("secretary")
    for i, home in enumerate(project.estate.households):
        services.money_record(actor=actor, project=project, kind="collected", amount="300", household=home,
                              key=f"collect-{i}-0000")
    services.money_record(actor=actor, project=project, kind="expense", amount="770", note="保洁员工资",
                          key="expense-first-01")
    with pytest.raises(Conflict):  # back, and submitted again with a fresh form
        services.money_record(actor=actor, project=project, kind="expense", amount="770", note="保洁员工资",
                              key="expense-second-1")
    with pytest.raises(InvalidInput):
        services.money_record(actor=actor, project=project, kind="expense", amount="200", note="工具",
                              key="expense-over-01")
    assert services.balance(project) == Decimal("130")
    entry = MoneyEntry.objects.filter(project=project).first()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_arrears_are_collected_after_the_topic_closes(project, users):
    actor = users("secretary")
    topic = project.topic
    services.milestone_done(actor=actor, milestone=project.milestones.get())
    services.project_complete(actor=actor, topic=topic)
    services.topic_close(actor=actor, topic=topic)
    topic.refresh_from_db()
    assert topic.stage == Stage.CLOSED
    services.money_record(actor=actor, project=project, kind="collected", amount="300",
                          household=project.estate.households[2], key="arrears-after-close")
    with pytest.raises(Conflict):  # but no new spending on a closed project
        services.money_record(actor=actor, project=project, kind="expense", amount="10", key="spend-after-close")
