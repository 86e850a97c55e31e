"""The three rates, computed so that closing cannot pass for solving."""
from datetime import date

import pytest
import time_machine

from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel
from gongzhi.appeals.figures import rates
from gongzhi.appeals.hotline import hotline_orders
from gongzhi.appeals.models import Category
from gongzhi.core.errors import InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-23 10:00 +0800")]


def at(when):
    return time_machine.travel(f"2026-11-{when} +0800", tick=False)


@pytest.fixture
def period(users, world):
    worker = users("worker")
    company = users("property").role_grants.get().organisation
    leak = Category.objects.get(code="property-leak")  # respond within 2 working hours

    def desk(text):
        return services.appeal_submit(channel=Channel.DESK, text=text, area=world.compound, actor=worker,
                                      category=leak)

    with at("23 10:00"):
        a, b, c = desk("甲"), desk("乙"), desk("丙")
        hotline_orders(actor=worker, orders=[{"order_no": "R-1", "content": "戊", "community": world.community.name}])
    with at("23 10:30"):
        services.appeal_accept(appeal=a, actor=worker)
        services.appeal_accept(appeal=c, actor=worker)
        services.appeal_dispatch(appeal=a, actor=worker, party=company)
        services.appeal_take(appeal=a, actor=users("property"))
        services.appeal_close_unresolved(appeal=c, actor=worker, outcome="duplicate", reply="与甲重复")
    with at("23 15:00"):  # after the 12:00 deadline
        services.appeal_accept(appeal=b, actor=worker)
        services.appeal_close_unresolved(appeal=b, actor=worker, outcome="not_ours", reply="属市政管网")
        services.appeal_resolve(appeal=a, actor=users("property"), reply="已修复楼顶防水，物业工程部")
    a.reporter = users("resident")  # let a resident rate it, as if she had filed it
    a.save(update_fields=["reporter"])
    with at("24 08:50"):
        services.appeal_rate(appeal=a, actor=users("resident"), rating="satisfied")
        desk("丁")  # not yet due when counted
    return world


def test_the_three_rates_for_a_community(period, users):
    with at("24 09:00"):
        row = next(r for r in rates(viewer=users("worker"), group_by="community", start=date(2026, 11, 23),
                                    end=date(2026, 11, 24)) if r["key"] == period.community.pk)
    assert (row["total"], row["hotline"]) == (5, 1)
    assert row["response_rate"] == 0.5      # 甲 and 丙 on time, 乙 late, the hotline order not accepted
    assert row["resolution_rate"] == 0.5    # 甲 resolved, 乙 closed unresolved; 丙 (duplicate) not counted
    assert row["satisfaction_rate"] == 1.0


def test_by_party_and_by_day(period, users):
    with at("24 09:00"):
        by_party = rates(viewer=users("worker"), group_by="party", start=date(2026, 11, 23), end=date(2026, 11, 24))
        by_day = rates(viewer=users("worker"), group_by="day", start=date(2026, 11, 23), end=date(2026, 11, 24))
    company = users("property").role_grants.get().organisation
    assert next(r for r in by_party if r["key"] == company.pk)["resolution_rate"] == 1.0
    assert [r["total"] for r in by_day] == [4, 1]


def test_figures_only_cover_what_the_viewer_may_see(period, users):
    with at("24 09:00"):
        assert rates(viewer=users("newcomer"), group_by="community", start=date(2026, 11, 23),
                     end=date(2026, 11, 24)) == []
    with pytest.raises(InvalidInput):
        rates(viewer=users("worker"), group_by="planet", start=date(2026, 11, 1), end=date(2026, 11, 2))


def test_the_figures_page_and_api(period, login):
    with at("24 09:00"):  # signed in that morning (a session lasts 12 hours)
        worker = login("worker")
        page = worker.get("/staff/figures/?start=2026-11-23&end=2026-11-24").content.decode()
        api = worker.get("/api/v1/figures/rates?start=2026-11-23&end=2026-11-24&group_by=community").json()
    assert period.community.name in page and "50%" in page
    assert any(r["label"] == period.community.name and r["satisfaction_rate"] == 1.0 for r in api)


@pytest.mark.parametrize("start, end", [("0001-01-01", "0001-01-02"), ("2026-11-01", "9999-12-31")])
def test_a_period_at_the_calendars_ends_is_refused_not_a_server_error(start, end, login):
    """Year 1 in Beijing is year 0 in UTC, and 9999-12-31 has no next day: both overflowed the clock's arithmetic."""
    worker = login("worker")
    for path in ("figures/rates", "figures/replies"):
        answer = worker.get(f"/api/v1/{path}?start={start}&end={end}")
        assert (answer.status_code, answer.json()["field"]) == (422, "start" if start < "1900" else "end")
    page = worker.get(f"/staff/figures/?start={start}&end={end}")
    assert page.status_code == 200 and "1900-01-01" in page.content.decode()


def test_a_reopen_keeps_the_unhappy_voice_and_charges_the_party_that_closed_it(users, world, login):
    """Rated 不满意 then reopened, the appeal still counts as dissatisfied (满意率 0%, not “—”), the rating stays on
    the record beside the next one, and the reopen counts against the company whose reply was undone — even once
    the appeal is with someone else. A caller rates on the phone: the worker records it at the call-back."""
    worker, clerk = users("worker"), users("property")
    company = clerk.role_grants.get().organisation
    home = __import__("gongzhi.accounts.services", fromlist=["x"]).verified_households(users("resident")).get()
    with at("23 10:00"):
        appeal = services.appeal_submit(channel=Channel.PORTAL, text="楼道漏水", area=home.area, household=home,
                                        actor=users("resident"), category=Category.objects.get(code="property-leak"))
        services.appeal_accept(appeal=appeal, actor=worker)
        services.appeal_dispatch(appeal=appeal, actor=worker, party=company)
        services.appeal_take(appeal=appeal, actor=clerk)
        services.appeal_resolve(appeal=appeal, actor=clerk, after_warning=True,
                                reply="已由物业维修工李师傅更换漏水管段，经检查不再漏水")
        services.appeal_rate(appeal=appeal, actor=users("resident"), rating="dissatisfied", comment="还在漏")
        services.appeal_reopen(appeal=appeal, actor=users("resident"), reason="还在漏水")
    day = date(2026, 11, 23)
    row = rates(viewer=worker, group_by="community", start=day, end=day)
    mine = next(r for r in row if r["key"] == world.community.pk)
    assert mine["satisfaction_rate"] == 0.0 and mine["reopened"] == 1
    by_party = rates(viewer=worker, group_by="party", start=day, end=day)
    assert next(r for r in by_party if r["key"] is None)["reopened"] == 0  # it waits unassigned now…
    assert next(r for r in by_party if r["key"] == company.pk)["reopened"] == 1  # …but counts against the company
    with at("23 14:00"):
        services.appeal_resolve(appeal=appeal, actor=worker, after_warning=True,
                                reply="社区协调防水公司于今日下午重做楼顶防水，经检查已不再漏水")
        services.appeal_follow_up(appeal=appeal, actor=worker, note="电话回访，居民说这次好了", rating="satisfied")
    appeal.refresh_from_db()
    assert appeal.state == "closed" and appeal.rating == "satisfied"
    assert list(appeal.ratings.values_list("rating", "via", "round")) == [("dissatisfied", "portal", 0),
                                                                         ("satisfied", "phone", 1)]
    mine = next(r for r in rates(viewer=worker, group_by="community", start=day, end=day)
                if r["key"] == world.community.pk)
    assert mine["satisfaction_rate"] == 1.0
    page = login("worker").get(f"/staff/appeals/{appeal.pk}/").content.decode()
    assert "电话回访" in page and "还在漏" in page and "第2次答复" in page
