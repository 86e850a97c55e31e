"""The points ledger and the shop: an order reserves stock and deducts points together or changes nothing,
a retry orders nothing twice, cancelling and the clock put both back; the ledger is append-only and its
balance is the sum of its entries; staff corrections; which rule earns."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.core.models import AppendOnlyError
from gongzhi.volunteers import services
from gongzhi.volunteers.choices import Entry, OrderState, Trigger
from gongzhi.volunteers.models import Order, PointsEntry, PointsRule, ShopItem
from gongzhi.volunteers.services import InsufficientPoints, shop
from gongzhi.volunteers.services.points import rule_for

from .conftest import account, give_points

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def item(world, worker):
    """洗衣液: 30 points each, three on the shelf."""
    return services.item_create(actor=worker, area=world.community, name="洗衣液", points=30, stock=3)


@pytest.fixture
def saver(volunteer, worker):
    """A volunteer with 100 points."""
    give_points(volunteer, 100, by=worker)
    return volunteer


def order(volunteer, item, quantity=1, key=""):
    return services.order_place(actor=volunteer.user, account=account(volunteer), item=item,
                                quantity=quantity, key=key)


def stock(item) -> int:
    return ShopItem.objects.get(pk=item.pk).stock


# --- ordering -----------------------------------------------------------------------------------------------

def test_an_order_reserves_stock_and_deducts_points_together(saver, item):
    placed = order(saver, item, quantity=2)
    assert (placed.state, placed.points, placed.quantity) == (OrderState.RESERVED, 60, 2)
    assert (stock(item), account(saver).balance) == (1, 40)
    entry = PointsEntry.objects.get(account__volunteer=saver, kind=Entry.REDEEM)
    assert (entry.delta, entry.balance_after, entry.ref) == (-60, 40, f"order:{placed.pk}")


def test_too_few_points_refuse_the_order_and_leave_the_shelf_alone(volunteer, worker, item):
    give_points(volunteer, 50, by=worker)
    with pytest.raises(InsufficientPoints) as refused:
        order(volunteer, item, quantity=2)
    assert refused.value.code == "insufficient_points"
    assert (stock(item), account(volunteer).balance, Order.objects.count()) == (3, 50, 0)


def test_an_empty_shelf_refuses_the_order_and_leaves_the_points_alone(saver, item):
    order(saver, item, quantity=3)
    with pytest.raises(Conflict) as refused:
        order(saver, item)
    assert refused.value.code == "out_of_stock"
    assert (stock(item), account(saver).balance, Order.objects.count()) == (0, 10, 1)


def test_points_spent_elsewhere_after_the_read_leave_the_shelf_as_it_was(saver, item):
    """The write checks again under the rows' locks: the balance read was 100, another phone spent it since."""
    with pytest.raises(InsufficientPoints):
        shop._take(actor=saver.user, account_id=account(saver).pk, item_id=item.pk, quantity=1, cost=500, key="",
                   note="洗衣液 ×1")
    assert (stock(item), account(saver).balance, Order.objects.count()) == (3, 100, 0)
    assert PointsEntry.objects.filter(kind=Entry.REDEEM).count() == 0


def test_goods_sold_out_after_the_read_cost_no_points(saver, item):
    with pytest.raises(Conflict) as refused:
        shop._take(actor=saver.user, account_id=account(saver).pk, item_id=item.pk, quantity=4, cost=120, key="",
                   note="洗衣液 ×4")
    assert refused.value.code == "out_of_stock"
    assert (stock(item), account(saver).balance, Order.objects.count()) == (3, 100, 0)


def test_the_write_records_the_order_its_entry_and_the_stock(saver, item):
    order_id, balance = shop._take(actor=saver.user, account_id=account(saver).pk, item_id=item.pk, quantity=2,
                                   cost=60, key="k-9", note="洗衣液 ×2")
    placed = Order.objects.get(pk=order_id)
    assert (balance, placed.key, placed.state, placed.points, stock(item)) == (40, "k-9", OrderState.RESERVED, 60, 1)
    entry = PointsEntry.objects.get(ref=f"order:{order_id}")
    assert (entry.delta, entry.balance_after, entry.actor_id, entry.note) == (-60, 40, saver.user.pk, "洗衣液 ×2")


def test_a_retried_order_with_the_same_key_is_placed_and_charged_once(saver, item):
    first = order(saver, item, key="tap-7f3a")
    again = order(saver, item, key="tap-7f3a")
    assert again.pk == first.pk
    assert (stock(item), account(saver).balance, Order.objects.count()) == (2, 70, 1)
    assert PointsEntry.objects.filter(account__volunteer=saver, kind=Entry.REDEEM).count() == 1


def test_another_community_s_shop_does_not_take_her_points(saver, users, world):
    far_item = services.item_create(actor=users("subdistrict"), area=world.other_community, name="大米",
                                    points=10, stock=5)
    with pytest.raises(Conflict) as refused:
        order(saver, far_item)
    assert refused.value.code == "wrong_shop"
    assert (stock(far_item), account(saver).balance) == (5, 100)


def test_nobody_orders_on_her_account_but_her(saver, second_volunteer, item):
    with pytest.raises(NotFound):
        services.order_place(actor=second_volunteer.user, account=account(saver), item=item)
    assert account(saver).balance == 100


# --- cancelling and the clock -------------------------------------------------------------------------------

def test_cancelling_an_order_puts_back_stock_and_points(saver, item):
    placed = order(saver, item, quantity=2)
    cancelled = services.order_cancel(actor=saver.user, order=placed)
    assert cancelled.state == OrderState.CANCELLED
    assert (stock(item), account(saver).balance) == (3, 100)
    refund = PointsEntry.objects.get(account__volunteer=saver, kind=Entry.REFUND)
    assert (refund.delta, refund.balance_after, refund.ref) == (60, 100, f"order:{placed.pk}:refund")


def test_an_order_is_cancelled_once(saver, item):
    placed = order(saver, item)
    services.order_cancel(actor=saver.user, order=placed)
    with pytest.raises(Conflict) as refused:
        services.order_cancel(actor=saver.user, order=placed)
    assert refused.value.code == "transition_not_allowed"
    assert (stock(item), account(saver).balance) == (3, 100)
    assert PointsEntry.objects.filter(account__volunteer=saver, kind=Entry.REFUND).count() == 1


def test_a_handed_over_order_cannot_be_cancelled(saver, worker, item):
    placed = order(saver, item)
    services.order_hand_over(actor=worker, order=placed)
    with pytest.raises(Conflict):
        services.order_cancel(actor=saver.user, order=placed)
    with pytest.raises(Conflict):
        services.order_cancel(actor=worker, order=placed, reason="误操作")
    assert (Order.objects.get(pk=placed.pk).state, stock(item), account(saver).balance) == (
        OrderState.HANDED_OVER, 2, 70)


def test_uncollected_orders_go_back_after_the_holding_period(frozen, saver, worker, item):
    waiting = order(saver, item)
    collected = order(saver, item)
    services.order_hand_over(actor=worker, order=collected)
    frozen.shift(timedelta(days=settings.GONGZHI["SHOP_HOLD_DAYS"]) - timedelta(minutes=1))
    assert services.expire() == 0
    frozen.shift(timedelta(minutes=1))
    assert services.expire() == 1
    states = dict(Order.objects.values_list("pk", "state"))
    assert states == {waiting.pk: OrderState.CANCELLED, collected.pk: OrderState.HANDED_OVER}
    assert (stock(item), account(saver).balance) == (2, 70)
    assert PointsEntry.objects.filter(account__volunteer=saver, kind=Entry.REFUND,
                                      ref=f"order:{waiting.pk}:refund").exists()
    assert services.expire() == 0


def test_an_item_s_stock_is_its_moves_less_what_orders_hold(saver, worker, item):
    services.item_restock(actor=worker, item=item, delta=5, note="街道配送")
    services.item_restock(actor=worker, item=item, delta=-1, note="包装破损")
    kept, handed, dropped = order(saver, item), order(saver, item), order(saver, item)
    services.order_hand_over(actor=worker, order=handed)
    services.order_cancel(actor=saver.user, order=dropped)
    moves = item.moves.aggregate(total=Sum("delta"))["total"]
    held = Order.objects.filter(item=item, state__in=(OrderState.RESERVED, OrderState.HANDED_OVER)) \
        .aggregate(total=Sum("quantity"))["total"]
    assert (moves, held, stock(item)) == (7, 2, 5)
    assert kept.state == OrderState.RESERVED


# --- the ledger ---------------------------------------------------------------------------------------------

def test_a_balance_is_the_running_sum_of_its_ledger(saver, worker, item):
    services.points_adjust(actor=worker, account=account(saver), delta="25", reason="补录上月巡逻")
    dropped = order(saver, item, quantity=2)
    services.order_cancel(actor=saver.user, order=dropped)
    order(saver, item, quantity=3)
    services.points_adjust(actor=worker, account=account(saver), delta=-5, reason="重复记分更正")
    services.points_help(actor=worker, account=account(saver), what="陪独居老人就医")
    running, entries = 0, list(PointsEntry.objects.filter(account__volunteer=saver).order_by("id"))
    for entry in entries:
        running += entry.delta
        assert entry.balance_after == running, entry.note
    assert [e.kind for e in entries] == [Entry.ADJUST, Entry.ADJUST, Entry.REDEEM, Entry.REFUND, Entry.REDEEM,
                                         Entry.ADJUST, Entry.EARN]
    assert account(saver).balance == running == 100 + 25 - 90 - 5 + 10


def test_ledger_entries_cannot_be_changed_or_removed(saver):
    entry = PointsEntry.objects.get(account__volunteer=saver)
    entry.delta = 1000
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.filter(pk=entry.pk).update(delta=1000)
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.filter(pk=entry.pk).delete()
    # nor behind the ORM's back: the database refuses it
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE volunteers_pointsentry SET delta = 1000 WHERE id = %s", [entry.pk])
    assert PointsEntry.objects.get(pk=entry.pk).delta == 100


def test_staff_correct_a_balance_only_with_a_reason(saver, worker):
    with pytest.raises(InvalidInput) as refused:
        services.points_adjust(actor=worker, account=account(saver), delta=20, reason="  ")
    assert refused.value.field == "reason"
    assert (account(saver).balance, PointsEntry.objects.filter(account__volunteer=saver).count()) == (100, 1)


def test_a_correction_cannot_take_a_balance_below_zero(saver, worker):
    with pytest.raises(InsufficientPoints):
        services.points_adjust(actor=worker, account=account(saver), delta=-101, reason="更正")
    assert account(saver).balance == 100
    services.points_adjust(actor=worker, account=account(saver), delta=-100, reason="更正")
    assert account(saver).balance == 0


def test_a_resident_cannot_correct_points(saver, users):
    with pytest.raises(NotPermitted):
        services.points_adjust(actor=users("resident"), account=account(saver), delta=50, reason="帮忙了")
    assert account(saver).balance == 100


def test_a_volunteer_cannot_correct_her_own_points(saver):
    with pytest.raises(NotPermitted):
        services.points_adjust(actor=saver.user, account=account(saver), delta=50, reason="多干了一小时")
    assert account(saver).balance == 100


def test_the_community_s_rule_wins_over_the_city_s(world):
    city = PointsRule.objects.get(account="volunteer", trigger=Trigger.HOURS, area=None)
    ours = PointsRule.objects.create(account="volunteer", trigger=Trigger.HOURS, area=world.community,
                                     points=15)
    assert rule_for("volunteer", Trigger.HOURS, place=world.compound) == ours
    assert rule_for("volunteer", Trigger.HOURS, place=world.other_compound) == city


def test_a_check_out_earns_by_the_community_s_rule(frozen, volunteer, world, shift_factory):
    PointsRule.objects.create(account="volunteer", trigger=Trigger.HOURS, area=world.community, points=15)
    shift = shift_factory(starts_in=timedelta(0), length=timedelta(hours=2))
    services.check_in(actor=volunteer.user, shift=shift)
    frozen.shift(timedelta(hours=1))
    services.check_in(actor=volunteer.user, shift=shift)
    assert account(volunteer).balance == 15
