"""The points shop (积分超市): goods on the shelf, orders that reserve stock and deduct points in one transaction,
handed over at the counter or cancelled (both put back). Stock and balance move by conditional UPDATEs: the
database's row locks make concurrent orders queue on the item and the account, and a move that would take either
below zero changes no row, so nothing is oversold and no balance goes negative (tests/volunteers/test_concurrency)."""
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
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
from .points import post

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


def order_place(*, actor, account: PointsAccount, item: ShopItem, quantity=1, key: str = "") -> Order:
    """Redeem: reserve ``quantity`` of ``item`` and deduct its points, or change nothing. A retry with the same
    ``key`` returns the first order."""
    key = str(key or "")[:64]
    try:
        return _place(actor=actor, account=account, item=item, quantity=quantity, key=key)
    except IntegrityError:
        # the same key raced in from a second connection: the first order stands, this one added nothing
        existing = Order.objects.filter(account=account, key=key).first() if key else None
        if existing is None:
            raise
        return existing


@transaction.atomic
def _place(*, actor, account: PointsAccount, item: ShopItem, quantity, key: str) -> Order:
    holder = account.volunteer if account.kind == Account.VOLUNTEER else account.member
    # her own points; at the counter, staff order for a holder who has no phone account
    if holder is None or (holder.user_id != actor.pk and not (holder.user_id is None and manages(actor, item))):
        raise NotFound(_("未找到该记录，或您无权查看"))
    if key:
        existing = Order.objects.filter(account=account, key=key).first()
        if existing is not None:
            if existing.item_id != item.pk:
                raise Conflict(_("这个请求编号已用于另一件物品的兑换"), code="key_reused")
            return existing
    quantity = _int(quantity, field="quantity", low=1, high=item.per_order,
                    message=_("每单可兑换1到%(n)d件") % {"n": item.per_order})
    if item.account != account.kind or item.community_id != account.community_id:
        raise Conflict(_("这件物品不能用该积分兑换"), code="wrong_shop")
    cost = item.points * quantity
    if not ShopItem.objects.filter(pk=item.pk, is_active=True, stock__gte=quantity).update(
            stock=F("stock") - quantity):
        raise Conflict(_("库存不足或已下架"), code="out_of_stock")
    order = Order.objects.create(account=account, item=item, quantity=quantity, points=cost, key=key)
    post(account.pk, -cost, kind=Entry.REDEEM, ref=f"order:{order.pk}", note=f"{item.name} ×{quantity}", actor=actor)
    return order


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
