"""A special family's request climbs the care ladder: her paired member first, then his centre household's keeper, the
branch's contact, then the community — each step when the one holding it lets its time limit pass (the appeals
sweep, run with the clock moved forward)."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services as appeals
from gongzhi.appeals.choices import Action, Channel, Priority, State
from gongzhi.appeals.models import Appeal, AppealEvent, Category
from gongzhi.appeals.sweep import sweep
from gongzhi.care import services
from gongzhi.care.models import CentreHousehold
from gongzhi.notifications.models import Notification

from .conftest import reported_member

pytestmark = pytest.mark.django_db

TEXT = "降压药吃完了，膝盖疼下不了楼，请帮忙到卫生站开药送上门"
REPLY = "已到社区卫生站开好降压药，下午三点送到老人家中，并提醒按时服药，下周再去看望"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def holder(appeal) -> int | None:
    return Appeal.objects.values_list("assignee_id", flat=True).get(pk=appeal.pk)


def file(net, actor=None) -> Appeal:
    return services.care_request_file(actor=actor or net.family_user, resident=net.family, text=TEXT)


def test_a_request_goes_to_the_paired_member_on_the_care_ladder(frozen, net):
    appeal = file(net)
    appeal.refresh_from_db()
    assert (appeal.channel, appeal.ladder, appeal.category.code) == (Channel.CARE, "care", "care-request")
    assert appeal.assignee_id == net.member.user_id
    assert appeal.priority == Priority.URGENT and appeal.state == State.SUBMITTED
    assert appeal.respond_due_at == timezone.now() + timedelta(hours=2)  # on the clock round the day
    assert appeal.resident_id == net.family.pk and appeal.household_id == net.family.household_id
    page = client_of(net.member.user).get("/portal/care/").content.decode()
    assert TEXT in page  # it is on his phone, to take


def test_the_worker_may_file_for_the_family(net, worker):
    appeal = file(net, actor=worker)
    assert (appeal.ladder, holder(appeal)) == ("care", net.member.user_id)
    assert appeal.reporter_id == net.family_user.pk  # she follows it in her own list, as if she had filed it
    assert client_of(net.family_user).get(f"/portal/appeals/{appeal.pk}/").status_code == 200


def test_a_late_request_climbs_member_centre_branch_community(frozen, net, users):
    appeal = file(net)
    due = Appeal.objects.get(pk=appeal.pk).respond_due_at
    keeper, branch, worker = net.keeper.user, net.branch_user, users("worker")

    frozen.move_to(due - timedelta(minutes=5))
    sweep()
    assert holder(appeal) == net.member.user_id  # not late yet: still his

    frozen.move_to(due + timedelta(minutes=1))
    sweep()
    assert holder(appeal) == keeper.pk
    handed = AppealEvent.objects.filter(appeal=appeal, action=Action.ASSIGN).order_by("id")
    assert [(e.public, e.data["to"]) for e in handed] == [(False, keeper.pk)]  # an internal line of the timeline
    assert Notification.objects.filter(user=keeper, key__startswith="assigned:").count() == 1
    assert not Notification.objects.filter(user=branch).exists()
    assert not Notification.objects.filter(user=worker, key__contains=f"appeal:{appeal.pk}:").exists()
    sweep()  # a second run right after changes nothing
    assert handed.count() == 1

    frozen.move_to(due + timedelta(hours=2, minutes=1))
    sweep()
    assert holder(appeal) == branch.pk
    assert Notification.objects.filter(user=branch, key__startswith="assigned:").count() == 1
    assert not Notification.objects.filter(user=worker, key__contains=f"appeal:{appeal.pk}:").exists()

    frozen.move_to(due + timedelta(hours=2 + 4, minutes=1))
    sweep()
    assert holder(appeal) is None  # the community's queue
    assert Notification.objects.filter(user=worker, key=f"appeal:{appeal.pk}:respond:escalate:3").exists()
    assert [e.data["to"] for e in handed.all()] == [keeper.pk, branch.pk, None]
    assert Appeal.objects.get(pk=appeal.pk).escalation_level == 3


def test_the_member_takes_and_resolves_it_on_his_phone(frozen, net):
    appeal = file(net)
    member = client_of(net.member.user)
    assert member.post(f"/portal/care/requests/{appeal.pk}/take").status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.ACCEPTED and appeal.accepted_at is not None
    page = member.get("/portal/care/").content.decode()
    assert f"/portal/care/requests/{appeal.pk}/resolve" in page
    frozen.shift(timedelta(hours=1))
    assert member.post(f"/portal/care/requests/{appeal.pk}/resolve", {"reply": REPLY}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == State.RESOLVED and appeal.reply == REPLY
    # resolved, it is off his list: nothing more to do with it there
    assert member.post(f"/portal/care/requests/{appeal.pk}/resolve", {"reply": REPLY}).status_code == 404


def test_the_holder_may_accept_and_resolve_through_the_appeals_services(net):
    appeal = file(net)
    appeals.appeal_accept(appeal=appeal, actor=net.member.user)
    appeals.appeal_resolve(appeal=appeal, actor=net.member.user, reply=REPLY)
    assert Appeal.objects.get(pk=appeal.pk).state == State.RESOLVED


@pytest.mark.parametrize("who", ["keeper", "branch", "stranger", "worker"])
def test_someone_not_holding_it_gets_404(net, who, users):
    appeal = file(net)
    person = {"keeper": net.keeper.user, "branch": net.branch_user, "stranger": users("resident"),
              "worker": users("worker")}[who]
    client = client_of(person)
    for action in ("take", "resolve"):
        assert client.post(f"/portal/care/requests/{appeal.pk}/{action}", {"reply": REPLY}).status_code == 404
    assert Appeal.objects.get(pk=appeal.pk).state == State.SUBMITTED


def test_after_the_hand_up_the_member_no_longer_holds_it(frozen, net):
    appeal = file(net)
    frozen.move_to(Appeal.objects.get(pk=appeal.pk).respond_due_at + timedelta(minutes=1))
    sweep()
    member = client_of(net.member.user)
    assert member.post(f"/portal/care/requests/{appeal.pk}/take").status_code == 404
    assert TEXT not in member.get("/portal/care/").content.decode()
    # the keeper holds it now: it is on his phone and he takes it
    keeper = client_of(net.keeper.user)
    assert TEXT in keeper.get("/portal/care/").content.decode()
    assert keeper.post(f"/portal/care/requests/{appeal.pk}/take").status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).state == State.ACCEPTED


def test_a_keeper_without_an_account_is_skipped(frozen, make_network):
    net = make_network(keeper_account=False)
    appeal = file(net)
    frozen.move_to(Appeal.objects.get(pk=appeal.pk).respond_due_at + timedelta(minutes=1))
    sweep()
    assert holder(appeal) == net.branch_user.pk


def test_an_accepted_request_left_unresolved_also_climbs(frozen, net):
    appeal = file(net)
    appeals.appeal_accept(appeal=appeal, actor=net.member.user)
    frozen.move_to(Appeal.objects.get(pk=appeal.pk).resolve_due_at + timedelta(minutes=1))
    sweep()
    assert holder(appeal) == net.keeper.user_id
    # the keeper may finish it
    appeals.appeal_resolve(appeal=Appeal.objects.get(pk=appeal.pk), actor=net.keeper.user, reply=REPLY)
    assert Appeal.objects.get(pk=appeal.pk).state == State.RESOLVED


def test_a_city_appeal_still_climbs_the_city_ladder(frozen, users):
    resident = users("resident")
    home = verified_households(resident).select_related("area").get()
    appeal = appeals.appeal_submit(channel=Channel.PORTAL, text="电梯困人，请尽快处理", area=home.area, household=home,
                                   actor=resident, priority=Priority.URGENT,
                                   category=Category.objects.get(code="property-elevator"))
    appeal.refresh_from_db()
    assert (appeal.ladder, appeal.assignee_id) == ("", None)
    frozen.move_to(appeal.respond_due_at + timedelta(minutes=1))
    assert sweep()["respond_escalate"] == 1
    assert Notification.objects.filter(user=users("worker"), key=f"appeal:{appeal.pk}:respond:escalate:1").exists()
    assert not Notification.objects.filter(user=users("subdistrict")).exists()
    assert holder(appeal) is None
    assert not AppealEvent.objects.filter(appeal=appeal, action=Action.ASSIGN).exists()  # nobody hands it up
    frozen.move_to(appeal.respond_due_at + timedelta(hours=8, minutes=1))
    assert sweep()["climbed"] == 1
    assert Notification.objects.filter(user=users("subdistrict"),
                                       key=f"appeal:{appeal.pk}:respond:escalate:2").exists()
    assert Appeal.objects.get(pk=appeal.pk).escalation_level == 2


# --- bugs ------------------------------------------------------------------------------------------------------------


def test_the_members_can_open_the_messages_the_care_ladder_sends_them(frozen, net):
    """(Found and fixed with this test.) every message the sweep sends along the care ladder links to a staff page a party member without a
    staff role cannot open (403): the warning to the member that his time is nearly up and the 督办 when it passes
    (appeals/notify.py digest → staff_link), and the message handing the request to the centre keeper or the branch's
    contact (appeals/services/handling.py appeals_hand_up → notify.assigned → staff_link). They should open his care
    page (/portal/care/), where the request waits for him, e.g. by letting the ladder's keeper give the link
    (appeals_hand_up(…, link=reverse("portal:care"))) and by the sweep linking ladder appeals there."""
    appeal = file(net)
    due = Appeal.objects.get(pk=appeal.pk).respond_due_at
    frozen.move_to(due - timedelta(minutes=10))
    sweep()
    frozen.move_to(due + timedelta(minutes=1))
    sweep()
    member, keeper = net.member.user, net.keeper.user
    assert Notification.objects.filter(user=member).count() >= 2  # warned, then told it went up
    assert Notification.objects.filter(user=keeper, key__startswith="assigned:").exists()
    for person in (member, keeper):
        client = client_of(person)
        for note in Notification.objects.filter(user=person):
            assert client.get(note.link).status_code == 200, (person, note.title, note.link)


def test_a_request_to_a_keepers_own_family_goes_to_the_branch_when_he_is_late(frozen, world, worker):
    """(Found and fixed with this test.) a centre keeper may be paired with families himself (the network page lists them as the centre's own),
    but care.chain.chain_of finds the branch only through a CentreMember link, which a keeper never has to his own
    centre: his family's late request skips the branch and drops into the community's queue unannounced
    (care/chain.py lines 20-27)."""
    from .conftest import branch_contact, households, new_resident, special, verified_account

    homes = households(world.community, count=2)
    keeper = reported_member(world.community, "中心户党员")
    services.centre_create(actor=worker, keeper=keeper, household=homes[0])
    branch = branch_contact(world.community)
    family = special(new_resident(homes[1], "失独老人"))
    services.pair(actor=worker, member=keeper, resident=family)
    appeal = services.care_request_file(actor=verified_account(family), resident=family, text=TEXT)
    assert holder(appeal) == keeper.user_id
    frozen.move_to(Appeal.objects.get(pk=appeal.pk).respond_due_at + timedelta(minutes=1))
    sweep()
    assert holder(appeal) == branch.pk
    assert CentreHousehold.objects.filter(keeper=keeper).exists()


def test_a_request_that_falls_to_the_community_early_is_announced(frozen, world, worker, users):
    """(Found and fixed with this test.) a member not (or no longer) linked to a centre household has nobody above him but the community: when he
    is late, the sweep's first care rung hands the request to nobody (assignee None, the community's queue), yet
    only the person handed it is told (appeals_hand_up notifies a new holder only) and the community's staff hear of
    it only at the community rung, four hours later, for an urgent request nobody holds."""
    from .conftest import households, new_resident, special, verified_account

    member = reported_member(world.community, "未入中心户的党员")
    family = special(new_resident(households(world.community, count=1)[0], "低保老人"))
    services.pair(actor=worker, member=member, resident=family)
    appeal = services.care_request_file(actor=verified_account(family), resident=family, text=TEXT)
    told = Notification.objects.filter(user=users("worker"))
    before = told.count()
    frozen.move_to(Appeal.objects.get(pk=appeal.pk).respond_due_at + timedelta(minutes=1))
    sweep()
    assert holder(appeal) is None
    assert told.count() > before  # the community is told the request is now theirs
