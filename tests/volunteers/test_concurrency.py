"""Real concurrent PostgreSQL connections redeem from one shelf, spend one balance, retry one order and book
one shift: nothing is oversold, no balance goes below zero, nothing is ordered twice, no shift takes more than
it holds.

These tests commit their rows (``transaction=True``) and pytest-django flushes the database after each, so
none of them may count on the demo city (tests/conftest.py): each builds its own district, community and
worker."""
import itertools
import threading

import pytest
from django.db import connection

from gongzhi.accounts.models import RoleGrant, User
from gongzhi.core.errors import DomainError
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.services import area_create
from gongzhi.volunteers import services
from gongzhi.volunteers.choices import Entry, OrderState, SignupState
from gongzhi.volunteers.models import Order, PointsAccount, PointsEntry, ShopItem, Signup

from .conftest import account, give_points, make_shift, register

pytestmark = [pytest.mark.postgresql_only, pytest.mark.django_db(transaction=True)]

_seq = itertools.count(1)


@pytest.fixture
def place():
    """A community of its own, and a worker who keeps its volunteers."""
    n = next(_seq)
    district = area_create(actor=None, kind=AreaKind.DISTRICT, name=f"并发测试区{n}", check_permission=False)
    subdistrict = area_create(actor=None, kind=AreaKind.SUBDISTRICT, name="并发测试街道", parent=district,
                              check_permission=False)
    community = area_create(actor=None, kind=AreaKind.COMMUNITY, name="并发测试社区", parent=subdistrict,
                            check_permission=False)
    worker = User.objects.create_user(f"concurrency-worker-{n}", display_name="社工")
    RoleGrant.objects.create(user=worker, role="community_worker", area=community)

    class Place:
        pass

    Place.community, Place.worker = community, worker
    return Place


def race(calls) -> list[str]:
    """Run each ``call`` in its own thread and connection, all released at once; what became of each: "ok",
    the domain error's code, or an unexpected exception's class name (which fails the assertions)."""
    start = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            start.wait()
            call()
            outcomes.append("ok")
        except DomainError as e:
            outcomes.append(e.code)
        except Exception as e:  # an IntegrityError or a deadlock must show in the outcomes
            outcomes.append(type(e).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def redeem(volunteer, item_pk, key=""):
    """What her phone sends: a fresh read of her account and the item, in the thread that orders."""
    def call():
        services.order_place(actor=volunteer.user, account=PointsAccount.objects.get(volunteer=volunteer),
                             item=ShopItem.objects.get(pk=item_pk), key=key)
    return call


def test_eight_redeem_the_last_three_on_the_shelf_at_once(place):
    item = services.item_create(actor=place.worker, area=place.community, name="食用油", points=30, stock=3)
    volunteers = [register(place.community, approver=place.worker) for _ in range(8)]
    for v in volunteers:
        give_points(v, 100, by=place.worker)
    outcomes = race([redeem(v, item.pk) for v in volunteers])
    assert outcomes == ["ok"] * 3 + ["out_of_stock"] * 5
    assert (ShopItem.objects.get(pk=item.pk).stock, Order.objects.filter(item=item).count()) == (0, 3)
    balances = PointsAccount.objects.filter(volunteer__in=volunteers).values_list("balance", flat=True)
    assert sorted(balances) == [70] * 3 + [100] * 5


def test_one_balance_spent_from_five_phones_at_once_pays_for_two(place):
    items = [services.item_create(actor=place.worker, area=place.community, name=f"物品{i}", points=10, stock=5)
             for i in range(5)]
    volunteer = register(place.community, approver=place.worker)
    give_points(volunteer, 20, by=place.worker)
    outcomes = race([redeem(volunteer, item.pk) for item in items])
    assert outcomes == ["insufficient_points"] * 3 + ["ok"] * 2
    assert account(volunteer).balance == 0
    assert Order.objects.filter(account__volunteer=volunteer).count() == 2
    assert sum(ShopItem.objects.filter(pk__in=[i.pk for i in items]).values_list("stock", flat=True)) == 23
    running = 0
    for entry in PointsEntry.objects.filter(account__volunteer=volunteer).order_by("id"):
        running += entry.delta
        assert entry.balance_after == running >= 0


def test_one_order_retried_from_four_connections_is_placed_and_charged_once(place):
    item = services.item_create(actor=place.worker, area=place.community, name="洗衣粉", points=25, stock=5)
    volunteer = register(place.community, approver=place.worker)
    give_points(volunteer, 100, by=place.worker)
    outcomes = race([redeem(volunteer, item.pk, key="tap-retry-1")] * 4)
    assert outcomes == ["ok"] * 4  # each retry answers with the one order
    assert Order.objects.filter(account__volunteer=volunteer).count() == 1
    assert (account(volunteer).balance, ShopItem.objects.get(pk=item.pk).stock) == (75, 4)
    assert PointsEntry.objects.filter(account__volunteer=volunteer, kind=Entry.REDEEM).count() == 1


def test_six_book_a_two_place_shift_at_once(place):
    shift = make_shift(actor=place.worker, area=place.community, capacity=2)
    volunteers = [register(place.community, approver=place.worker) for _ in range(6)]
    outcomes = race([lambda v=v: services.signup_book(actor=v.user, shift=shift) for v in volunteers])
    assert outcomes == ["full"] * 4 + ["ok"] * 2
    assert Signup.objects.filter(shift=shift, state=SignupState.BOOKED).count() == 2


def test_two_take_one_offered_place_at_once(place):
    shift = make_shift(actor=place.worker, area=place.community, capacity=1)
    offering, *takers = [register(place.community, approver=place.worker) for _ in range(3)]
    mine = services.signup_book(actor=offering.user, shift=shift)
    services.signup_offer(actor=offering.user, signup=mine)
    outcomes = race([lambda v=v: services.signup_take(actor=v.user, signup=mine) for v in takers])
    assert outcomes == ["gone", "ok"]
    assert list(Signup.objects.filter(shift=shift).values_list("state", flat=True).order_by("id")) == [
        SignupState.HANDED_OVER, SignupState.BOOKED]


def test_cancelling_and_ordering_the_same_goods_at_once_neither_waits_forever(place):
    """A cancel locks order, item, account; an order item, account: the same order, so no deadlock."""
    item = services.item_create(actor=place.worker, area=place.community, name="香皂", points=10, stock=10)
    volunteer = register(place.community, approver=place.worker)
    give_points(volunteer, 100, by=place.worker)
    placed = [services.order_place(actor=volunteer.user, account=account(volunteer), item=item) for _ in range(4)]
    cancels = [lambda o=o: services.order_cancel(actor=volunteer.user, order=o) for o in placed]
    outcomes = race(cancels + [redeem(volunteer, item.pk) for _ in range(4)])
    assert outcomes == ["ok"] * 8
    assert (account(volunteer).balance, ShopItem.objects.get(pk=item.pk).stock) == (60, 6)
    assert Order.objects.filter(item=item, state=OrderState.RESERVED).count() == 4
