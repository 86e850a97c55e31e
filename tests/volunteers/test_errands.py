"""温馨到家: a resident with a verified home asks, a volunteer of her community claims (one only), delivers with
what she paid, and earns her points when the resident confirms."""
from decimal import Decimal

import pytest

from gongzhi.accounts.models import User
from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.notifications.models import Notification
from gongzhi.volunteers import services
from gongzhi.volunteers.choices import ErrandState, Trigger
from gongzhi.volunteers.models import Errand, PointsEntry, PointsRule

from .conftest import account, resident_at

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def asker(household):
    """A resident of the worker's community, her home verified."""
    return resident_at(household, "独居老人")


@pytest.fixture
def errand(asker, household):
    return services.errand_request(actor=asker, household=household, kind="medicine", items="降压药（硝苯地平）两盒")


@pytest.fixture
def claimed(errand, volunteer):
    return services.errand_claim(actor=volunteer.user, errand=errand)


def state(errand) -> str:
    return Errand.objects.get(pk=errand.pk).state


def test_a_resident_asks_an_errand_for_her_verified_home(errand, asker, household, world):
    assert (errand.state, errand.requested_by_id, errand.household_id, errand.community_id) == (
        ErrandState.OPEN, asker.pk, household.pk, world.community.pk)


def test_an_account_without_that_home_cannot_ask_for_it(household):
    stranger = User.objects.create_user("errand-stranger", display_name="路人")
    with pytest.raises(NotPermitted):
        services.errand_request(actor=stranger, household=household, kind="shopping", items="大米一袋")
    assert not Errand.objects.exists()


def test_one_volunteer_claims_an_errand(errand, volunteer, second_volunteer, asker):
    services.errand_claim(actor=volunteer.user, errand=errand)
    with pytest.raises(Conflict) as refused:
        services.errand_claim(actor=second_volunteer.user, errand=errand)
    assert refused.value.code == "claimed"
    claimed = Errand.objects.get(pk=errand.pk)
    assert (claimed.state, claimed.volunteer_id) == (ErrandState.CLAIMED, volunteer.pk)
    assert Notification.objects.filter(user=asker, key=f"errand:{errand.pk}:claimed").exists()


def test_a_volunteer_of_another_community_does_not_find_the_errand(errand, far_volunteer):
    with pytest.raises(NotFound):
        services.errand_claim(actor=far_volunteer.user, errand=errand)
    assert state(errand) == ErrandState.OPEN


def test_a_confirmed_delivery_earns_the_volunteer_the_errand_points(claimed, volunteer, asker):
    delivered = services.errand_deliver(actor=volunteer.user, errand=claimed, amount="36.5", note="放在门口鞋柜上")
    assert (delivered.state, delivered.amount) == (ErrandState.DELIVERED, Decimal("36.50"))
    assert account(volunteer).balance == 0  # not before she confirms
    services.errand_confirm(actor=asker, errand=delivered)
    entry = PointsEntry.objects.get(account__volunteer=volunteer)
    rule = PointsRule.objects.get(account="volunteer", trigger=Trigger.ERRAND, area=None)
    assert (state(claimed), entry.delta, entry.rule_id, entry.ref) == (
        ErrandState.CONFIRMED, 20, rule.pk, f"errand:{claimed.pk}")
    assert account(volunteer).balance == 20


def test_a_delivery_is_confirmed_once(claimed, volunteer, asker):
    services.errand_deliver(actor=volunteer.user, errand=claimed, amount="12")
    services.errand_confirm(actor=asker, errand=claimed)
    with pytest.raises(Conflict):
        services.errand_confirm(actor=asker, errand=claimed)
    assert account(volunteer).balance == 20


def test_only_the_claiming_volunteer_delivers(claimed, second_volunteer):
    with pytest.raises(NotFound):
        services.errand_deliver(actor=second_volunteer.user, errand=claimed, amount="10")
    assert state(claimed) == ErrandState.CLAIMED


@pytest.mark.parametrize("amount", ["abc", "-1", "5000.01", "1e30"])
def test_an_unreadable_amount_changes_nothing(claimed, volunteer, amount):
    with pytest.raises(InvalidInput) as refused:
        services.errand_deliver(actor=volunteer.user, errand=claimed, amount=amount)
    assert refused.value.field == "amount"
    unchanged = Errand.objects.get(pk=claimed.pk)
    assert (unchanged.state, unchanged.amount, unchanged.delivered_at) == (ErrandState.CLAIMED, None, None)


def test_nan_as_the_amount_is_refused_as_input(claimed, volunteer):
    """"NaN" parses as a decimal: it is refused as any unreadable amount, not a server error."""
    with pytest.raises(InvalidInput):
        services.errand_deliver(actor=volunteer.user, errand=claimed, amount="NaN")
    assert state(claimed) == ErrandState.CLAIMED


def test_a_delivered_errand_cannot_be_cancelled(claimed, volunteer, asker):
    services.errand_deliver(actor=volunteer.user, errand=claimed, amount="36.5")
    with pytest.raises(Conflict) as refused:
        services.errand_cancel(actor=asker, errand=claimed, reason="不要了")
    assert refused.value.code == "transition_not_allowed"
    assert state(claimed) == ErrandState.DELIVERED


def test_cancelling_a_claimed_errand_tells_the_volunteer(claimed, volunteer, asker):
    services.errand_cancel(actor=asker, errand=claimed, reason="家人已经买回来了")
    assert state(claimed) == ErrandState.CANCELLED
    told = Notification.objects.filter(user_id=volunteer.user_id, key=f"errand:{claimed.pk}:cancelled")
    assert told.exists()


def test_the_volunteer_who_claimed_it_reads_the_door_with_its_unit(claimed, volunteer, household, login):
    """Each unit has a 101: the address she is sent to names the unit, or she knocks at the wrong door."""
    household.refresh_from_db()
    assert household.unit_id is not None  # the demo's homes lie in units
    page = login(volunteer.user.username).get("/portal/volunteer/errands/").content.decode()
    assert f"送到：{household.address}" in page


def test_the_ask_form_starts_empty_and_keeps_what_was_typed_when_refused(asker, household, login):
    client = login(asker.username)
    blank = client.get("/portal/errands/").content.decode()
    assert "generator object" not in blank and '></textarea>' in blank
    refused = client.post("/portal/errands/", {"household": household.pk, "kind": "nonsense",
                                                "items": "鸡蛋一斤"}).content.decode()
    assert ">鸡蛋一斤</textarea>" in refused and Errand.objects.count() == 0
