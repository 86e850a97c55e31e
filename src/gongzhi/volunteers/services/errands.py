"""温馨到家: a resident who cannot go out (or a worker for her) asks for shopping or medicine; an active volunteer of
her community claims it, buys and delivers it, and records what she paid; the resident (or staff for her) confirms,
and the volunteer's points are granted then. Her room and phone are shown only to the volunteer who claimed it."""
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.core.text import SHORT, free_text
from gongzhi.notifications.services import Message, notify_many
from gongzhi.registry.models import Household, Resident
from gongzhi.registry.validators import validate_phone

from ..choices import ErrandKind, ErrandState, Trigger
from ..models import Errand
from ..permissions import active_volunteer, heads, household_ids, manages
from .points import account_of, earn

MAX_AMOUNT = Decimal("5000")


def _locked(errand: Errand) -> Errand:
    return Errand.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=errand.pk)


def _asker(actor, errand: Errand) -> bool:
    """She asked it, or it is for a home bound to her account, or her building head, or staff keep her community."""
    return (errand.requested_by_id == actor.pk or errand.household_id in household_ids(actor)
            or heads(actor, errand) or manages(actor, errand))


def _tell(user_id, errand: Errand, *, key: str, title: str, body: str = "", portal: str = "portal:errands") -> None:
    if user_id:
        notify_many([Message(user_id=user_id, key=f"errand:{errand.pk}:{key}", title=title, body=body,
                             link=reverse(portal))])


@transaction.atomic
def errand_request(*, actor, household: Household, kind: str, items: str, resident: Resident | None = None,
                   deliver_by=None, contact_phone: str = "") -> Errand:
    if household is None or not (household.pk in household_ids(actor) or heads(actor, household)
                                 or manages(actor, household)):
        raise NotPermitted(_("只能为已认证的本户，或您负责的社区的居民下单"))
    if kind not in ErrandKind.values:
        raise InvalidInput(_("请选择要代办的事"), field="kind")
    if resident is not None and resident.household_id != household.pk:
        raise InvalidInput(_("该居民不在这一户"), field="resident")
    if deliver_by is not None and deliver_by <= timezone.now():
        raise InvalidInput(_("希望送达的时间须晚于现在"), field="deliver_by")
    errand = Errand(household=household, resident=resident, kind=kind, deliver_by=deliver_by, requested_by=actor,
                    items=free_text(items, field="items", limit=SHORT, required=_("请写下要买的东西或药品")),
                    contact_phone=validate_phone(contact_phone or (resident.phone if resident else "")))
    errand.place_at(household)
    errand.save()
    return errand


@transaction.atomic
def errand_claim(*, actor, errand: Errand) -> Errand:
    volunteer = active_volunteer(actor)
    if volunteer is None:
        raise NotPermitted(_("请先登记为志愿者，并等待社区审核通过"), code="not_volunteer")
    errand = _locked(errand)
    if errand.community_id != volunteer.community_id:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if errand.state != ErrandState.OPEN:
        raise Conflict(_("这单已被别的志愿者认领"), code="claimed")
    errand.state, errand.volunteer, errand.claimed_at = ErrandState.CLAIMED, volunteer, timezone.now()
    errand.save()
    _tell(errand.requested_by_id, errand, key="claimed", title=_("志愿者%(n)s已认领您的代办") % {"n": volunteer.name},
          body=errand.items[:60])
    return errand


@transaction.atomic
def errand_release(*, actor, errand: Errand) -> Errand:
    """She cannot go after all: the errand is open again for others."""
    errand = _locked(errand)
    if errand.volunteer is None or errand.volunteer.user_id != actor.pk:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if errand.state != ErrandState.CLAIMED:
        raise Conflict(_("当前状态不能放弃"), code="transition_not_allowed")
    errand.state, errand.volunteer, errand.claimed_at = ErrandState.OPEN, None, None
    errand.save()
    return errand


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value or "0").strip() or "0").quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("请填写垫付金额，如 36.50"), field="amount") from None
    if not amount.is_finite():  # "NaN" and "Infinity" parse as decimals
        raise InvalidInput(_("请填写垫付金额，如 36.50"), field="amount")
    if amount < 0 or amount > MAX_AMOUNT:
        raise InvalidInput(_("垫付金额须在0到5000元之间"), field="amount")
    return amount


@transaction.atomic
def errand_deliver(*, actor, errand: Errand, amount, note: str = "") -> Errand:
    errand = _locked(errand)
    if errand.volunteer is None or errand.volunteer.user_id != actor.pk:
        raise NotFound(_("未找到该记录，或您无权查看"))
    if errand.state != ErrandState.CLAIMED:
        raise Conflict(_("当前状态不能登记送达"), code="transition_not_allowed")
    errand.amount = _amount(amount)
    errand.delivery_note = free_text(note, field="note", limit=200)
    errand.state, errand.delivered_at = ErrandState.DELIVERED, timezone.now()
    errand.save()
    _tell(errand.requested_by_id, errand, key="delivered", title=_("代办已送达，请确认"),
          body=_("垫付%(a)s元。%(n)s") % {"a": errand.amount, "n": errand.delivery_note})
    return errand


@transaction.atomic
def errand_confirm(*, actor, errand: Errand) -> Errand:
    """She got it: the volunteer's points for the errand are granted now."""
    errand = _locked(errand)
    if not _asker(actor, errand):
        raise NotFound(_("未找到该记录，或您无权查看"))
    if errand.state != ErrandState.DELIVERED:
        raise Conflict(_("志愿者登记送达后才能确认"), code="transition_not_allowed")
    errand.state, errand.confirmed_at, errand.confirmed_by = ErrandState.CONFIRMED, timezone.now(), actor
    errand.save()
    earn(account_of(errand.volunteer), Trigger.ERRAND, place=errand, ref=f"errand:{errand.pk}",
         note=_("温馨到家：%(i)s") % {"i": errand.items[:40]}, actor=actor)
    _tell(errand.volunteer.user_id, errand, key="confirmed", title=_("居民已确认收到代办，积分已到账"),
          portal="portal:volunteer_errands")
    return errand


@transaction.atomic
def errand_cancel(*, actor, errand: Errand, reason: str = "") -> Errand:
    errand = _locked(errand)
    if not _asker(actor, errand):
        raise NotFound(_("未找到该记录，或您无权查看"))
    if errand.state not in (ErrandState.OPEN, ErrandState.CLAIMED):
        raise Conflict(_("已送达的代办不能取消"), code="transition_not_allowed")
    errand.cancel_reason = free_text(reason, field="reason", limit=200)
    errand.state = ErrandState.CANCELLED
    errand.save()
    if errand.volunteer is not None:
        _tell(errand.volunteer.user_id, errand, key="cancelled", title=_("您认领的代办已取消"),
              body=errand.cancel_reason, portal="portal:volunteer_errands")
    return errand



