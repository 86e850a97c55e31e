"""The points ledger: every change of a balance is one append-only entry written with the account's new balance,
in the caller's transaction. The balance moves by a conditional UPDATE (``balance >= cost`` for a charge), so two
charges at once can never take it below zero: the second waits for the first's row lock and then finds too little.
A ``ref`` (``signup:12:hours``) is unique per account: what is granted for a thing is granted once."""
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.core.text import SHORT, free_text
from gongzhi.registry.choices import PLACE_KINDS

from ..choices import Account, Entry, Trigger
from ..models import PartyMember, PointsAccount, PointsEntry, PointsRule, Volunteer
from ..permissions import staff_scope

MAX_ADJUST = 100_000


class InsufficientPoints(Conflict):
    default_code = "insufficient_points"

    def __init__(self, need: int):
        super().__init__(_("积分不足：需要%(need)d分") % {"need": need})


def account_of(holder: Volunteer | PartyMember) -> PointsAccount:
    """The holder's account, opened on first use."""
    if isinstance(holder, Volunteer):
        account, _created = PointsAccount.objects.get_or_create(
            volunteer=holder, defaults={"kind": Account.VOLUNTEER, "community_id": holder.community_id})
    else:
        account, _created = PointsAccount.objects.get_or_create(
            member=holder, defaults={"kind": Account.PARTY, "community_id": holder.community_id})
    return account


# A balance moves by one conditional UPDATE … RETURNING and its entry by one INSERT … RETURNING, written once here
# rather than compiled by the ORM per call (an UPDATE, a re-read of the balance, a create). On PostgreSQL the two are
# the function volunteers_post (migration 0004), one statement; SQLite (3.35+) runs them from here.
_MOVE = ("UPDATE volunteers_pointsaccount SET balance = balance + %s, earned = earned + %s "
         "WHERE id = %s AND balance + %s >= 0 RETURNING balance")  # as volunteers_post
_ENTRY = ("INSERT INTO volunteers_pointsentry (account_id, at, kind, delta, balance_after, rule_id, ref, note, "
          "actor_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id")
_POST = "SELECT entry_id, new_balance FROM volunteers_post(%s, %s, %s, %s, %s, %s, %s, %s, %s)"
_ENTRY_FIELDS = ["id", "account_id", "at", "kind", "delta", "balance_after", "rule_id", "ref", "note", "actor_id"]


def post(account_id: int, delta: int, *, kind: str, ref: str = "", rule: PointsRule | None = None, note: str = "",
         actor=None, at=None) -> PointsEntry:
    """Move a balance by ``delta`` and write its entry; a charge larger than the balance raises InsufficientPoints
    and changes nothing. Call inside a transaction."""
    if delta == 0:
        raise InvalidInput(_("积分变动不能为零"), field="delta")
    earned = delta > 0 and kind == Entry.EARN
    at = at or timezone.now()
    rule_id, actor_id, note = (rule.pk if rule else None), (actor.pk if actor is not None else None), note[:200]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POST, [account_id, delta, kind, ref, rule_id, note, actor_id, at, earned])
            row = cursor.fetchone()
            if row is None:
                raise InsufficientPoints(-delta)
            pk, balance = row
        else:
            cursor.execute(_MOVE, [delta, delta if earned else 0, account_id, delta])
            row = cursor.fetchone()
            if row is None:
                raise InsufficientPoints(-delta)
            balance = row[0]
            cursor.execute(_ENTRY, [account_id, connection.ops.adapt_datetimefield_value(at), kind, delta, balance,
                                    rule_id, ref, note, actor_id])
            (pk,) = cursor.fetchone()
    return PointsEntry.from_db(connection.alias, _ENTRY_FIELDS,
                               [pk, account_id, at, kind, delta, balance, rule_id, ref, note, actor_id])


def rule_for(account: str, trigger: str, *, place, shift_kind: str = "") -> PointsRule | None:
    """The active rule for ``trigger`` nearest ``place`` (a placed row): a unit's before its building's … before the
    city's; one naming the shift's kind before one for every kind."""
    rules = [r for r in PointsRule.objects.filter(account=account, trigger=trigger, is_active=True)
             .select_related("area") if not r.shift_kind or r.shift_kind == shift_kind]

    def reach(rule):
        if rule.area_id is None:
            return 0
        if getattr(place, f"{rule.area.kind}_id", None) != rule.area_id:
            return None
        return 1 + PLACE_KINDS.index(rule.area.kind)

    fitting = [(reach(r), bool(r.shift_kind), -r.pk, r) for r in rules if reach(r) is not None]
    return max(fitting, key=lambda t: t[:3])[3] if fitting else None


def earn(account: PointsAccount, trigger: str, *, place, ref: str, minutes: int = 0, shift_kind: str = "",
         note: str = "", actor=None) -> PointsEntry | None:
    """Grant what the rules give for ``trigger`` (per hour: pro rata by the minute, rounded down), once per ``ref``."""
    rule = rule_for(account.kind, trigger, place=place, shift_kind=shift_kind)
    if rule is None:
        return None
    amount = rule.points * minutes // 60 if trigger == Trigger.HOURS else rule.points
    if amount <= 0 or PointsEntry.objects.filter(account=account, ref=ref).exists():
        return None
    return post(account.pk, amount, kind=Entry.EARN, ref=ref, rule=rule, note=note, actor=actor)


@transaction.atomic
def points_adjust(*, actor, account: PointsAccount, delta, reason: str) -> PointsEntry:
    """Staff correct a balance, up or down, with the reason on the entry (the holder sees it)."""
    holder = account.volunteer or account.member
    if not staff_scope(actor).covers(holder):
        raise NotPermitted(_("您无权调整该积分账户"))
    try:
        delta = int(str(delta).strip())
    except ValueError:
        raise InvalidInput(_("请填写整数积分，扣减写负数"), field="delta") from None
    if not delta or abs(delta) > MAX_ADJUST:
        raise InvalidInput(_("调整积分须为非零整数，且不超过%(n)d") % {"n": MAX_ADJUST}, field="delta")
    reason = free_text(reason, field="reason", limit=200, required=_("请写明调整原因"))
    return post(account.pk, delta, kind=Entry.ADJUST, note=reason, actor=actor)


@transaction.atomic
def points_help(*, actor, account: PointsAccount, what: str) -> PointsEntry:
    """Staff confirm a help given (帮扶): the HELP rule's points, with what was done."""
    holder = account.volunteer or account.member
    if not staff_scope(actor).covers(holder):
        raise NotPermitted(_("您无权为该账户记分"))
    what = free_text(what, field="what", limit=SHORT, required=_("请写明帮扶了什么"))
    rule = rule_for(account.kind, Trigger.HELP, place=holder)
    if rule is None:
        raise Conflict(_("本社区还没有帮扶服务的积分规则"), code="no_rule")
    return post(account.pk, rule.points, kind=Entry.EARN, rule=rule, note=what[:200], actor=actor)
