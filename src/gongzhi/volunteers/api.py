"""/api/v1 for volunteers: her standing and balances, the shifts she may take and signing up, the shop and
redeeming (the phone app's writes). An order takes an ``Idempotency-Key`` header: a retry orders nothing twice."""
from datetime import datetime

from ninja import Router, Schema, Status

from gongzhi.core.errors import NotFound, NotPermitted
from gongzhi.core.params import Id

from . import selectors, services
from .models import Order
from .permissions import active_volunteer, volunteer_of

router = Router(tags=["volunteers"])


class PointsAccountOut(Schema):
    id: int
    kind: str
    balance: int
    earned: int


class VolunteerMeOut(Schema):
    volunteer_id: int | None
    state: str | None
    community: str | None
    accounts: list[PointsAccountOut]


class VolunteerShiftOut(Schema):
    id: int
    title: str
    kind: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    mine: bool


class ShiftSignupOut(Schema):
    id: int
    shift_id: int
    state: str


class ShopItemOut(Schema):
    id: int
    name: str
    points: int
    stock: int
    per_order: int


class ShopOrderIn(Schema):
    item: Id
    quantity: int = 1


class ShopOrderOut(Schema):
    id: int
    item_id: int
    quantity: int
    points: int
    state: str
    balance: int


@router.get("/volunteers/me", response=VolunteerMeOut, url_name="volunteer_me")
def me(request):
    """Her volunteer standing and her points accounts (volunteer, party member), balances read from the account."""
    v = volunteer_of(request.user)
    return {"volunteer_id": v.pk if v else None, "state": v.state if v else None,
            "community": v.home.name if v else None, "accounts": selectors.accounts_of(request.user)}


def _volunteer(request):
    v = active_volunteer(request.user)
    if v is None:
        raise NotPermitted(code="not_volunteer")
    return v


@router.get("/volunteers/shifts", response=list[VolunteerShiftOut])
def list_shifts(request, kind: str = ""):
    """Shifts of the coming two weeks she may take (her community's and where she is lent to)."""
    return list(selectors.open_shifts(_volunteer(request), kind=kind[:16])[:500])


@router.post("/volunteers/shifts/{pk}/signups", response={201: ShiftSignupOut})
def book_shift(request, pk: Id):
    """Sign up: 409 ``full``, ``overlap`` (booked on another shift at that time), ``already_booked``."""
    shift = selectors.open_shifts(_volunteer(request)).filter(pk=pk).first()  # a volunteer first; then hers only
    if shift is None:
        raise NotFound()
    signup = services.signup_book(actor=request.user, shift=shift)
    return Status(201, {"id": signup.pk, "shift_id": shift.pk, "state": signup.state})


@router.get("/volunteers/items", response=list[ShopItemOut])
def list_items(request, account: Id | None = None):
    accounts = [a for a in selectors.accounts_of(request.user) if account in (None, a.pk)]
    return [item for a in accounts for item in selectors.shop_items(a)]


@router.post("/volunteers/orders", response={201: ShopOrderOut, 200: ShopOrderOut})
def place_order(request, body: ShopOrderIn):
    """Redeem points for goods: stock reserved and points deducted together, or 409 ``out_of_stock`` /
    ``insufficient_points`` and nothing changes. The same ``Idempotency-Key`` answers 200 with the first order."""
    done = services.order_redeem(actor=request.user, item=body.item, quantity=body.quantity,
                                 key=request.headers.get("Idempotency-Key", ""))
    return Status(201 if done.created else 200, {
        "id": done.order_id, "item_id": done.item_id, "quantity": done.quantity, "points": done.points,
        "state": done.state, "balance": done.balance})


class ShopOrderCancelIn(Schema):
    reason: str = ""


@router.post("/volunteers/orders/{pk}/cancel", response=ShopOrderOut)
def cancel_order(request, pk: Id, body: ShopOrderCancelIn | None = None):
    """Her own order before it is handed over; the shop's staff with a ``reason`` the holder is told."""
    order = Order.objects.filter(pk=pk).first()
    if order is None:
        raise NotFound()
    order = services.order_cancel(actor=request.user, order=order, reason=body.reason if body else "")
    balance = type(order.account).objects.filter(pk=order.account_id).values_list("balance", flat=True).get()
    return {"id": order.pk, "item_id": order.item_id, "quantity": order.quantity, "points": order.points,
            "state": order.state, "balance": balance}
