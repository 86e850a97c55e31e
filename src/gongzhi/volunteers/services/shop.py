"""The points shop (积分超市): goods on the shelf, orders that reserve stock and deduct points in one transaction,
handed over at the counter or cancelled (both put back). Stock and balance move by conditional UPDATEs: the
database's row locks make concurrent orders queue on the item and the account, and a move that would take either
below zero changes no row, so nothing is oversold and no balance goes negative (tests/volunteers/test_concurrency)."""
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.core.text import free_text
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area

from ..choices import Account, Entry, OrderState
from ..models import Order, PointsAccount, ShopItem, StockMove
from ..permissions import manages, staff_scope
from .points import InsufficientPoints, post

MAX_STOCK_MOVE = 100_000


def _int(value, *, field: str, low: int, high: int, message) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(message, field=field) from None
    if not low <= number <= high:
        raise InvalidInput(message, field=field)
    return number


@transaction.atomic
def item_create(*, actor, area: Area, name: str, points, stock=0, per_order=5, account: str = Account.VOLUNTEER,
                description: str = "") -> ShopItem:
    if area is None or area.kind != AreaKind.COMMUNITY or not staff_scope(actor).covers(area):
        raise NotPermitted(_("您无权管理该社区的积分超市"))
    if account not in Account.values:
        raise InvalidInput(_("请选择可用的积分账户"), field="account")
    item = ShopItem(area=area, account=account,
                    name=free_text(name, field="name", limit=60, required=_("请填写物品名称")),
                    description=free_text(description, field="description", limit=200),
                    points=_int(points, field="points", low=1, high=1_000_000, message=_("所需积分须为正整数")),
                    per_order=_int(per_order, field="per_order", low=1, high=100, message=_("每单最多须在1到100之间")),
                    stock=0)
    item.place_at(area)
    item.save()
    stock = _int(stock or 0, field="stock", low=0, high=MAX_STOCK_MOVE, message=_("库存须为不小于零的整数"))
    if stock:
        item_restock(actor=actor, item=item, delta=stock, note=_("上架"))
    return item


@transaction.atomic
def item_restock(*, actor, item: ShopItem, delta, note: str = "") -> ShopItem:
    """Put goods on the shelf (or take broken ones off, negative): a stock move with its note."""
    if not manages(actor, item):
        raise NotPermitted(_("您无权管理该社区的积分超市"))
    delta = _int(delta, field="delta", low=-MAX_STOCK_MOVE, high=MAX_STOCK_MOVE, message=_("请填写入库数量（出库写负数）"))
    if delta == 0:
        raise InvalidInput(_("请填写入库数量（出库写负数）"), field="delta")
    note = free_text(note, field="note", limit=200)
    if delta < 0 and not note:
        raise InvalidInput(_("出库请写明原因"), field="note")
    rows = ShopItem.objects.filter(pk=item.pk)
    if delta < 0:
        rows = rows.filter(stock__gte=-delta)
    if not rows.update(stock=F("stock") + delta):
        raise Conflict(_("库存不足，不能出库这么多"), code="out_of_stock")
    StockMove.objects.create(item=item, at=timezone.now(), delta=delta, note=note, actor=actor)
    item.refresh_from_db(fields=["stock"])
    return item


@transaction.atomic
def item_update(*, actor, item: ShopItem, points=None, per_order=None, is_active=None) -> ShopItem:
    item = ShopItem.objects.select_for_update().get(pk=item.pk)
    if not manages(actor, item):
        raise NotPermitted(_("您无权管理该社区的积分超市"))
    if points is not None:
        item.points = _int(points, field="points", low=1, high=1_000_000, message=_("所需积分须为正整数"))
    if per_order is not None:
        item.per_order = _int(per_order, field="per_order", low=1, high=100, message=_("每单最多须在1到100之间"))
    if is_active is not None:
        item.is_active = bool(is_active)
    item.save()
    return item


@dataclass(frozen=True)
class Redeemed:
    """What an order left: the order, the account's balance after it, and whether this call placed it (a retried key
    answers with the first order, ``created`` false)."""

    order_id: int
    item_id: int
    item_name: str
    quantity: int
    points: int
    state: str
    balance: int
    created: bool


# A redemption is the shop's busiest write: a whole community's phones when new goods go on the shelf. It is written
# here by hand, not compiled by the ORM per call. One read, under no lock, finds the item, her account of its kind in
# its community, and an order she placed with the same key. Then one write takes the stock, moves the balance with
# its entry (points.post) and records the order: on PostgreSQL the function volunteers_redeem (migration 0004), one
# statement that is its own transaction; on SQLite the same steps from here in one transaction. The write checks
# stock and balance again under the rows' locks (the read only spares a doomed write its locks), and a second order
# with the same key fails on the unique index, after which the read finds the first. Every path locks the item
# before the account, cancelling too, so no two transactions wait on each other in a circle.
# Figures (volunteers.redeem_http, PostgreSQL, 2 workers): through the ORM (her accounts with their holders, the
# item, the key read twice, the balance re-read twice: 12 statements in a transaction) 183 req/s, a ratio of 0.092
# to http.hello_json; hand-written in one transaction (7 statements) 415 req/s, 0.205; see the note of issue 24 for
# this version's figure.
_READ = (
    "SELECT i.id, i.name, i.points, i.per_order, i.stock, i.is_active, a.id, a.balance, "
    "o.id, o.item_id, o.quantity, o.points, o.state "
    "FROM volunteers_shopitem i "
    "JOIN volunteers_pointsaccount a ON a.kind = i.account AND a.community_id = i.community_id "
    "LEFT JOIN volunteers_order o ON o.account_id = a.id AND o.\"key\" = %s AND o.\"key\" <> '' "
    "WHERE i.id = %s AND {whose}")
_HERS = ("(a.volunteer_id = (SELECT id FROM volunteers_volunteer WHERE user_id = %s) "
         "OR a.member_id = (SELECT id FROM volunteers_partymember WHERE user_id = %s))")
_REDEEM = "SELECT outcome, placed_id, new_balance FROM volunteers_redeem(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
_TAKE = "UPDATE volunteers_shopitem SET stock = stock - %s WHERE id = %s AND is_active = %s AND stock >= %s"
_ORDER = ("INSERT INTO volunteers_order (created_at, updated_at, account_id, item_id, quantity, points, state, "
          "\"key\", cancel_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '') RETURNING id")


def order_redeem(*, actor, item, quantity=1, key: str = "", account: PointsAccount | None = None) -> Redeemed:
    """Redeem ``quantity`` of ``item`` (a ShopItem or its id) with her points of its kind in its community: stock
    reserved and points deducted together, or nothing changes (409 ``out_of_stock`` / ``insufficient_points``). A
    retry with the same ``key`` answers with the first order. An item outside her shops is not found.
    ``account``: whose points, when the caller has already decided it (order_place)."""
    key = str(key or "")[:64]
    item_id = item.pk if isinstance(item, ShopItem) else int(item)
    try:
        return _redeem(actor, item_id, quantity, key, account)
    except IntegrityError:
        if not key:
            raise
        # the same key raced in from a second connection and won: the read now finds its order
        return _redeem(actor, item_id, quantity, key, account)


def _redeem(actor, item_id: int, quantity, key: str, account: PointsAccount | None) -> Redeemed:
    whose, params = ("a.id = %s", [account.pk]) if account is not None else (_HERS, [actor.pk, actor.pk])
    with connection.cursor() as cursor:
        cursor.execute(_READ.format(whose=whose), [key, item_id, *params])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("未找到该记录，或您无权查看"))
    _i, name, price, per_order, stock, active, account_id, balance, *order = row
    if order[0] is not None:
        if order[1] != item_id:
            raise Conflict(_("这个请求编号已用于另一件物品的兑换"), code="key_reused")
        return Redeemed(order[0], item_id, name, *order[2:], balance=balance, created=False)
    quantity = _int(quantity, field="quantity", low=1, high=per_order,
                    message=_("每单可兑换1到%(n)d件") % {"n": per_order})
    cost = price * quantity
    if not active or stock < quantity:
        raise Conflict(_("库存不足或已下架"), code="out_of_stock")
    if balance < cost:
        raise InsufficientPoints(cost)
    order_id, balance = _take(actor=actor, account_id=account_id, item_id=item_id, quantity=quantity, cost=cost,
                              key=key, note=f"{name} ×{quantity}")
    return Redeemed(order_id, item_id, name, quantity, cost, OrderState.RESERVED, balance, created=True)


def _take(*, actor, account_id: int, item_id: int, quantity: int, cost: int, key: str, note: str) -> tuple[int, int]:
    """The write: (the order's id, the balance after it), or out_of_stock / InsufficientPoints and nothing changed."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        # inside a caller's transaction a savepoint keeps a failed statement (the same key twice) from ending it
        with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
            cursor.execute(_REDEEM, [account_id, item_id, quantity, cost, key, note, actor.pk, now,
                                     OrderState.RESERVED, Entry.REDEEM])
            outcome, order_id, balance = cursor.fetchone()
        if outcome == "out_of_stock":
            raise Conflict(_("库存不足或已下架"), code="out_of_stock")
        if outcome == "insufficient_points":
            raise InsufficientPoints(cost)
        return order_id, balance
    at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_TAKE, [quantity, item_id, True, quantity])
        if cursor.rowcount != 1:
            raise Conflict(_("库存不足或已下架"), code="out_of_stock")
        cursor.execute(_ORDER, [at, at, account_id, item_id, quantity, cost, OrderState.RESERVED, key])
        (order_id,) = cursor.fetchone()
        entry = post(account_id, -cost, kind=Entry.REDEEM, ref=f"order:{order_id}", note=note, actor=actor, at=now)
    return order_id, entry.balance_after


def order_place(*, actor, account: PointsAccount, item: ShopItem, quantity=1, key: str = "") -> Order:
    """Redeem on a given account: her own points; at the counter, staff order for a holder who has no phone
    account. The order as order_redeem leaves it."""
    holder = account.volunteer if account.kind == Account.VOLUNTEER else account.member
    if holder is None or (holder.user_id != actor.pk and not (holder.user_id is None and manages(actor, item))):
        raise NotFound(_("未找到该记录，或您无权查看"))
    if item.account != account.kind or item.community_id != account.community_id:
        raise Conflict(_("这件物品不能用该积分兑换"), code="wrong_shop")
    done = order_redeem(actor=actor, item=item, quantity=quantity, key=key, account=account)
    return Order.objects.get(pk=done.order_id)


def _locked_order(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related(
        "item", "account__volunteer", "account__member").get(pk=order.pk)


@transaction.atomic
def order_cancel(*, actor, order: Order, reason: str = "") -> Order:
    """Before it is handed over, the holder or the shop's staff cancel: stock and points both come back."""
    order = _locked_order(order)
    holder = order.account.volunteer or order.account.member
    own = holder.user_id is not None and holder.user_id == actor.pk
    if not own and not manages(actor, order.item):
        raise NotFound(_("未找到该记录，或您无权查看"))
    if order.state != OrderState.RESERVED:
        raise Conflict(_("兑换单为「%(s)s」，不能取消") % {"s": order.get_state_display()}, code="transition_not_allowed")
    reason = free_text(reason, field="reason", limit=200)
    if not own and not reason:
        raise InvalidInput(_("请写明取消原因，会告知兑换人"), field="reason")
    return _cancel(order, actor=actor, reason=reason or _("本人取消"))


def _cancel(order: Order, *, actor, reason: str) -> Order:
    # the locks in a redemption's order: the order (locked by the caller), the item, the account
    ShopItem.objects.filter(pk=order.item_id).update(stock=F("stock") + order.quantity)
    post(order.account_id, order.points, kind=Entry.REFUND, ref=f"order:{order.pk}:refund",
         note=f"{order.item.name} ×{order.quantity} {reason}"[:200], actor=actor)
    order.state, order.cancelled_at, order.cancelled_by = OrderState.CANCELLED, timezone.now(), actor
    order.cancel_reason = reason[:200]
    order.save()
    return order


@transaction.atomic
def order_hand_over(*, actor, order: Order) -> Order:
    """At the counter: the goods leave the shelf for good."""
    order = _locked_order(order)
    if not manages(actor, order.item):
        raise NotPermitted(_("您无权办理该兑换"))
    if order.state != OrderState.RESERVED:
        raise Conflict(_("兑换单为「%(s)s」，不能领取") % {"s": order.get_state_display()}, code="transition_not_allowed")
    order.state, order.handed_at, order.handed_by = OrderState.HANDED_OVER, timezone.now(), actor
    order.save()
    return order


def expire(now=None) -> int:
    """The clock: an order nobody collected within SHOP_HOLD_DAYS goes back on the shelf, points refunded."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.GONGZHI.get("SHOP_HOLD_DAYS", 14))
    total = 0
    while True:
        with transaction.atomic():
            orders = list(Order.objects.select_for_update(skip_locked=True, of=("self",)).select_related("item")
                          .filter(state=OrderState.RESERVED, created_at__lte=cutoff).order_by("id")[:200])
            if not orders:
                return total
            for order in orders:
                _cancel(order, actor=None, reason=_("超过领取期限，自动取消"))
            total += len(orders)
