"""The life of an appeal, every action by the right role, and the wrong roles refused."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from gongzhi.access.roles import Role
from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services
from gongzhi.appeals.choices import Action, Channel, Priority, State
from gongzhi.appeals.models import Appeal, AppealEvent, Category
from gongzhi.appeals.services.lifecycle import transition
from gongzhi.appeals.transitions import TRANSITIONS
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted, TransitionNotAllowed
from gongzhi.registry.choices import OrgKind, PartnerRole
from gongzhi.registry.models import Area, Household
from tests import factories

MONDAY_10AM = "2026-11-23 10:00 +0800"
pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY_10AM)]


def cat(code):
    return Category.objects.get(code=code)


@pytest.fixture
def home(users):
    return verified_households(users("resident")).select_related("area").get()


@pytest.fixture
def filed(users, home):
    """A resident's appeal about her own home: a leaking pipe."""
    with time_machine.travel(MONDAY_10AM, tick=False):
        return services.appeal_submit(channel=Channel.PORTAL, text="楼上漏水，天花板一直滴水", area=home.area,
                                      household=home, actor=users("resident"), category=cat("property-leak"),
                                      public=True)


@pytest.fixture
def company(users):
    return users("property").role_grants.get().organisation


def test_a_resident_files_an_appeal_with_a_number_and_a_first_event(filed, users):
    assert filed.number.startswith("20261123-") and filed.state == State.SUBMITTED
    assert filed.community_id == filed.household.community_id and filed.reporter == users("resident")
    assert filed.priority == Priority.HIGH  # the category's default
    assert filed.respond_due_at > filed.created_at
    assert list(filed.events.values_list("action", flat=True)) == [Action.SUBMIT]


def test_numbers_run_per_day(users, home):
    with time_machine.travel(MONDAY_10AM, tick=False):
        a = services.appeal_submit(channel=Channel.PORTAL, text="一", area=home.area, actor=users("resident"))
        b = services.appeal_submit(channel=Channel.PORTAL, text="二", area=home.area, actor=users("resident"))
    assert int(b.number[-5:]) == int(a.number[-5:]) + 1


def test_an_unverified_resident_cannot_file_yet(users, home):
    with pytest.raises(NotPermitted):
        services.appeal_submit(channel=Channel.PORTAL, text="路灯不亮", area=home.area, actor=users("newcomer"))


def test_a_resident_files_for_her_own_community_only_even_naming_her_home(users, home, world):
    elsewhere = world.other_compound
    assert elsewhere.community_id != home.community_id
    before = Appeal.objects.count()
    with pytest.raises(NotPermitted, match="自己居住的社区"):
        services.appeal_submit(channel=Channel.PORTAL, text="路灯不亮", area=elsewhere, household=home,
                               actor=users("resident"))
    with pytest.raises(NotPermitted, match="自己绑定的房屋"):  # a home she is not verified for
        other_home = Household.objects.filter(community=elsewhere.community).first()
        services.appeal_submit(channel=Channel.PORTAL, text="路灯不亮", area=elsewhere, household=other_home,
                               actor=users("resident"))
    assert Appeal.objects.count() == before


@pytest.mark.parametrize("text", ["", "   ", "字" * 5001])
def test_bad_text_is_refused_and_nothing_is_saved(users, home, text):
    before = Appeal.objects.count()
    with pytest.raises(InvalidInput):
        services.appeal_submit(channel=Channel.PORTAL, text=text, area=home.area, actor=users("resident"))
    assert Appeal.objects.count() == before


def test_the_whole_life_of_an_appeal(filed, users, company):
    worker, staff, resident = users("worker"), users("property"), users("resident")
    with time_machine.travel("2026-11-23 10:30 +0800", tick=False):
        services.appeal_accept(appeal=filed, actor=worker)
        services.appeal_dispatch(appeal=filed, actor=worker, party=company)
    with time_machine.travel("2026-11-23 11:00 +0800", tick=False):
        services.appeal_take(appeal=filed, actor=staff)
    with time_machine.travel("2026-11-24 15:00 +0800", tick=False):
        services.appeal_resolve(appeal=filed, actor=staff, reply="已于11月24日更换楼上住户的进水管，物业维修工张师傅")
    with time_machine.travel("2026-11-25 09:00 +0800", tick=False):
        services.appeal_rate(appeal=filed, actor=resident, rating="satisfied", comment="很快")
    filed.refresh_from_db()
    assert (filed.state, filed.rating, filed.resolved_by) == (State.CLOSED, "satisfied", company)
    assert list(filed.events.values_list("action", flat=True)) == [
        Action.SUBMIT, Action.ACCEPT, Action.DISPATCH, Action.TAKE, Action.RESOLVE, Action.RATE]
    assert filed.accepted_at < filed.respond_due_at  # responded in time


def test_the_resolve_deadline_counts_working_hours_from_acceptance(filed, users):
    with time_machine.travel("2026-11-27 16:30 +0800", tick=False):  # a Friday afternoon
        services.appeal_accept(appeal=filed, actor=users("worker"))
    filed.refresh_from_db()
    # 24 working hours (7 a day): Fri 1h + Mon, Tue, Wed 7h each + Thu 2h → Thursday 11:00
    assert timezone.localtime(filed.resolve_due_at).strftime("%a %H:%M") == "Thu 11:00"
    assert filed.resolve_warn_at < filed.resolve_due_at


def test_routing_sends_property_matters_to_the_compounds_company(users, world):
    compound = Area.objects.filter(kind="compound", organisation_roles__role=PartnerRole.STEWARD,
                                   organisation_roles__organisation__kind=OrgKind.PROPERTY_COMPANY).first()
    admin = users("admin")
    appeal = services.appeal_submit(channel=Channel.DESK, text="电梯停在三楼不动", area=compound, actor=admin,
                                    category=cat("property-elevator"))
    services.appeal_accept(appeal=appeal, actor=admin)
    services.appeal_dispatch(appeal=appeal, actor=admin)
    appeal.refresh_from_db()
    assert appeal.party.kind == OrgKind.PROPERTY_COMPANY and appeal.rule.role == PartnerRole.STEWARD
    event = appeal.events.get(action=Action.DISPATCH)
    assert event.data == {"party": appeal.party_id, "rule": appeal.rule_id}


def test_without_a_property_company_the_red_steward_gets_it(users, world):
    bare = Area.objects.filter(kind="compound").exclude(organisation_roles__role=PartnerRole.STEWARD).first()
    admin = users("admin")
    appeal = services.appeal_submit(channel=Channel.DESK, text="楼道灯坏了", area=bare, actor=admin,
                                    category=cat("property-lighting"))
    services.appeal_accept(appeal=appeal, actor=admin)
    services.appeal_dispatch(appeal=appeal, actor=admin)
    appeal.refresh_from_db()
    assert appeal.party.kind == OrgKind.RED_STEWARD


def test_neighbour_matters_go_to_the_mutual_aid_station_first(filed, users):
    services.appeal_accept(appeal=filed, actor=users("worker"), category=cat("neighbours-dispute"))
    services.appeal_dispatch(appeal=filed, actor=users("worker"))
    filed.refresh_from_db()
    assert filed.party.kind == OrgKind.MUTUAL_AID_STATION
    services.appeal_take(appeal=filed, actor=users("worker"))  # a community body: its workers act for it


def test_a_patrol_find_is_proactive_and_a_desk_appeal_needs_scope(users, world):
    patrol = services.appeal_submit(channel=Channel.PATROL, text="消防通道被车辆堵住", area=world.my_grid,
                                    actor=users("gridworker"), category=cat("security-fire-lane"))
    assert patrol.proactive and patrol.priority == Priority.URGENT
    assert patrol.respond_due_at - patrol.created_at <= timedelta(hours=1)  # on the clock, at once
    with pytest.raises(NotPermitted):
        services.appeal_submit(channel=Channel.DESK, text="x", area=world.other_compound, actor=users("worker"))


def test_a_hotline_order_is_taken_in_once(users, world):
    services.appeal_submit(channel=Channel.HOTLINE, text="小区垃圾三天没人清运", area=world.compound,
                           actor=users("admin"), hotline_order_no="BJ12345-0001")
    with pytest.raises(Conflict):
        services.appeal_submit(channel=Channel.HOTLINE, text="小区垃圾三天没人清运", area=world.compound,
                               actor=users("admin"), hotline_order_no="BJ12345-0001")
    assert Appeal.objects.filter(hotline_order_no="BJ12345-0001").count() == 1


def test_wrong_roles_are_refused_and_nothing_changes(filed, users, company):
    with pytest.raises(NotPermitted):
        services.appeal_accept(appeal=filed, actor=users("property"))
    with pytest.raises(NotPermitted):
        services.appeal_accept(appeal=filed, actor=users("resident"))
    services.appeal_accept(appeal=filed, actor=users("worker"))
    services.appeal_dispatch(appeal=filed, actor=users("worker"), party=company)
    with pytest.raises(NotPermitted):
        services.appeal_take(appeal=filed, actor=users("owners"))
    with pytest.raises(NotPermitted):
        services.appeal_resolve(appeal=filed, actor=users("worker"), reply="社区代为办结")
    filed.refresh_from_db()
    assert filed.state == State.DISPATCHED and filed.events.count() == 3


def test_another_communitys_worker_cannot_touch_it(filed, users, world, stranger_worker):
    with pytest.raises(NotPermitted):
        services.appeal_accept(appeal=filed, actor=stranger_worker)


@pytest.fixture
def stranger_worker(users, world):
    from gongzhi.accounts.models import RoleGrant, User

    u = User.objects.create_user("elsewhere-worker")
    RoleGrant.objects.create(user=u, role="community_worker", area=world.other_community)
    return User.objects.get(pk=u.pk)


def test_return_and_transfer_big_hand_helps_small_hand(filed, users, company, world):
    worker, staff = users("worker"), users("property")
    services.appeal_accept(appeal=filed, actor=worker)
    services.appeal_dispatch(appeal=filed, actor=worker, party=company)
    with pytest.raises(InvalidInput):
        services.appeal_return(appeal=filed, actor=staff, reason="")
    asked = services.appeal_return(appeal=filed, actor=staff, reason="不在我司服务范围")
    filed.refresh_from_db()
    assert filed.state == State.DISPATCHED and filed.party == company  # hers until the community agrees
    services.appeal_request_decide(request=asked, actor=worker, approve=True)
    filed.refresh_from_db()
    assert filed.state == State.RETURNED and filed.party is None
    services.appeal_dispatch(appeal=filed, actor=worker, party=company)
    # a bigger company serving the same community takes it; one serving elsewhere, wound up, or with nobody in the
    # system to take the job, is refused
    bigger = factories.organisation(name="大型物业", serving=[world.community], staff_role=Role.PROPERTY_STAFF)
    elsewhere = factories.organisation(name="别处物业", serving=[world.other_community], staff_role=Role.PROPERTY_STAFF)
    closed = factories.organisation(name="已注销物业", serving=[world.community], active=False,
                                    staff_role=Role.PROPERTY_STAFF)
    nobody = factories.organisation(name="无人物业", serving=[world.community])
    for party in (closed, nobody):
        with pytest.raises(InvalidInput):
            services.appeal_transfer(appeal=filed, actor=staff, party=party, reason="转给接不了单的公司")
    with pytest.raises(InvalidInput):
        services.appeal_transfer(appeal=filed, actor=staff, party=elsewhere, reason="转给不服务本社区的公司")
    services.appeal_transfer(appeal=filed, actor=staff, party=bigger, reason="大手拉小手：我司无水电工")
    filed.refresh_from_db()
    assert filed.party == bigger and filed.state == State.DISPATCHED
    assert filed.events.get(action=Action.TRANSFER).data == {"from": company.pk, "to": bigger.pk}


def test_closing_without_resolution_is_not_resolving(filed, users):
    services.appeal_accept(appeal=filed, actor=users("worker"))
    with pytest.raises(InvalidInput):
        services.appeal_close_unresolved(appeal=filed, actor=users("worker"), outcome="done", reply="x")
    services.appeal_close_unresolved(appeal=filed, actor=users("worker"), outcome="not_ours",
                                     reply="该楼属于相邻社区，已告知对方社区")
    filed.refresh_from_db()
    assert filed.state == State.CLOSED_UNRESOLVED and filed.resolved_at is None and filed.outcome == "not_ours"


def test_a_dissatisfied_resident_reopens_within_seven_days_and_it_counts_against_the_party(
        filed, users, company):
    worker, staff, resident = users("worker"), users("property"), users("resident")
    services.appeal_accept(appeal=filed, actor=worker)
    services.appeal_dispatch(appeal=filed, actor=worker, party=company)
    services.appeal_take(appeal=filed, actor=staff)
    services.appeal_resolve(appeal=filed, actor=staff, reply="已上门查看，系楼上住户水管问题，已修好")
    services.appeal_rate(appeal=filed, actor=resident, rating="dissatisfied", comment="还在滴水")
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        services.appeal_reopen(appeal=filed, actor=resident, reason="天花板还在滴水")
    filed.refresh_from_db()
    assert (filed.state, filed.reopen_count, filed.rating) == (State.ACCEPTED, 1, "dissatisfied")  # kept: it counts
    assert filed.events.get(action=Action.REOPEN).data["against"] == company.pk


def test_reopening_after_seven_days_is_refused(filed, users):
    services.appeal_accept(appeal=filed, actor=users("worker"))
    services.appeal_resolve(appeal=filed, actor=users("worker"), reply="社区已协调楼上住户维修水管")
    with time_machine.travel(timezone.now() + timedelta(days=8)), pytest.raises(TransitionNotAllowed):
        services.appeal_reopen(appeal=filed, actor=users("resident"), reason="又漏了")
    with pytest.raises(NotPermitted):  # and only the reporter may
        services.appeal_reopen(appeal=filed, actor=users("worker"), reason="x")


def test_pausing_moves_the_deadline_by_the_working_time_paused(filed, users):
    worker = users("worker")
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        services.appeal_accept(appeal=filed, actor=worker)
    filed.refresh_from_db()
    due = filed.resolve_due_at
    with time_machine.travel("2026-11-23 14:00 +0800", tick=False):
        services.appeal_pause(appeal=filed, actor=worker, reason="居民出差，周二回来后上门查看")
    with pytest.raises(Conflict):
        services.appeal_pause(appeal=filed, actor=worker, reason="again")
    with time_machine.travel("2026-11-24 14:00 +0800", tick=False):  # 7 working hours later
        services.appeal_resume(appeal=filed, actor=worker)
    filed.refresh_from_db()
    assert filed.paused_at is None
    assert filed.resolve_due_at > due
    from gongzhi.appeals.worktime import Calendar

    assert Calendar().between(due, filed.resolve_due_at) == timedelta(hours=7)


def test_only_one_of_two_workers_accepting_at_once_wins(filed, users):
    services.appeal_accept(appeal=filed, actor=users("worker"))
    with pytest.raises(TransitionNotAllowed) as e:
        services.appeal_accept(appeal=filed, actor=users("secretary"))
    assert e.value.status == 409
    assert filed.events.filter(action=Action.ACCEPT).count() == 1


@pytest.mark.parametrize("action", sorted(a for a, (_f, t) in TRANSITIONS.items() if t is not None))
def test_every_transition_is_refused_from_every_other_state(action):
    allowed_from, _target = TRANSITIONS[action]
    appeal = Appeal(state=State.SUBMITTED)
    for state in set(State.values) - allowed_from:
        appeal.state = state
        with pytest.raises(TransitionNotAllowed):
            transition(appeal, action, actor=None)
    assert not AppealEvent.objects.exists()


def test_redrawing_a_grid_line_moves_the_building_s_appeals_with_an_internal_timeline_event(users, world):
    """The registry redraws the grid (building_assign_grid); the appeals of that building follow into the new
    grid's queue through the BuildingRegridded event, each with a relocate event naming both grids."""
    from gongzhi.registry import services as registry_services
    from gongzhi.registry.choices import AreaKind
    from gongzhi.registry.models import Area

    building = Area.objects.filter(kind=AreaKind.BUILDING, community=world.community, grid=world.my_grid).first()
    appeal = services.appeal_submit(channel=Channel.DESK, text="楼道灯不亮", area=building, actor=users("worker"),
                                    contact_phone="13800000000")
    assert appeal.grid_id == world.my_grid.pk
    other = world.other_grid_same_community
    registry_services.building_assign_grid(actor=users("secretary"), building=building, grid=other)
    appeal.refresh_from_db()
    assert appeal.grid_id == other.pk
    moved = appeal.events.get(action=Action.RELOCATE)
    assert moved.data == {"grid": {"from": world.my_grid.pk, "to": other.pk}} and not moved.public
