"""Who hears of what happens to an appeal. Called inside the service's transaction, so a message is queued
exactly when the change it reports is committed (the outbox delivers it later, retrying a failing gateway).
The messages themselves are made by ``notifications.services``; this module says who hears what."""
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.accounts.selectors import staff_of
from gongzhi.notifications.services import Message, mark_read, notify_many, queue_sms, receipt_rows

from .models import Appeal
from .tracking import tracking_url


def staff_link(appeal_id: int) -> str:
    return reverse("staff:appeal_detail", args=[appeal_id])


def portal_link(appeal_id: int) -> str:
    return reverse("portal:appeal_detail", args=[appeal_id])


def _group(appeal: Appeal) -> list[Appeal]:
    """The appeal and every appeal merged into it: each reporter hears of the group's progress."""
    return [appeal, *Appeal.objects.filter(parent=appeal).only("id", "number", "reporter_id", "contact_phone",
                                                               "channel", "reopen_count")]


def tell_reporters(appeal: Appeal, kind: str, title: str, body: str, *, sms: bool = False,
                   asks_rating: bool = False) -> None:
    """In-app for residents with an account (and SMS to their phone when ``sms``); an SMS to the contact phone
    for the walk-in or hotline caller without one. ``asks_rating`` puts the rating buttons in the message."""
    items = []
    for member in _group(appeal):
        key = f"{kind}:{member.pk}:{appeal.reopen_count}"
        if member.reporter_id:
            items.append(Message(member.reporter_id, key, title % {"n": member.number}, body,
                                 portal_link(member.pk),
                                 reverse("portal:appeal_rate", args=[member.pk]) if asks_rating else ""))
        elif sms and member.contact_phone:  # no account: the SMS carries her link to follow (and rate) it
            link = _("查看进度并评价：%(url)s") if asks_rating else _("查看进度：%(url)s")
            queue_sms(phone=member.contact_phone, subject=title % {"n": member.number},
                      body=f"{body}\n{link % {'url': tracking_url(member, appeal.reopen_count)}}")
    notify_many(items, sms=sms)


def _tell_staff(grants, appeal: Appeal, key: str, title: str, body: str = "", *, sms: bool = False) -> None:
    """One message about ``appeal`` to each person holding one of ``grants`` (a staff_of() query), opening it."""
    users = set(grants.values_list("user_id", flat=True))
    notify_many([Message(u, key, title % {"n": appeal.number}, body, staff_link(appeal.pk)) for u in users], sms=sms)


def tell_party(appeal: Appeal, event, title: str, body: str = "") -> None:
    """The staff of the party the appeal is now with, once per dispatch or transfer (``event``)."""
    if appeal.party_id is not None:
        _tell_staff(staff_of(organisations=[appeal.party_id]), appeal, f"party:{event.pk}", title, body)


def tell_party_members(party, appeal: Appeal, event, title: str, body: str = "") -> None:
    """The staff of ``party`` (which may no longer hold the appeal), once per ``event``."""
    if party is not None:
        _tell_staff(staff_of(organisations=[party.pk]), appeal, f"party:{event.pk}", title, body)


def received(appeal: Appeal, *, now, reporter=None, ids: tuple[int, int]) -> list:
    """The receipt for a new appeal (it has no merged group yet), unsaved for the intake to write with the appeal
    (core.db.insert_new, ``ids`` from next_ids): in-app and by SMS to the reporter, or by SMS to the contact
    phone a walk-in or a caller left."""
    return receipt_rows(ids=ids, now=now, user=reporter, key=f"received:{appeal.pk}:0",
                        title=_("已收到您的诉求 %(n)s") % {"n": appeal.number},
                        body=_("社区会尽快受理，您可以在“我的诉求”里看到办理进度。"),
                        link=portal_link(appeal.pk), phone=appeal.contact_phone)


def progress(appeal: Appeal, event, title: str, body: str = "") -> None:
    """A step the resident follows (accepted, dispatched): in the app, for those with an account; a caller
    without one follows it at /track/ and hears by SMS only of the receipt and the reply."""
    tell_reporters(appeal, f"{event.action}-{event.pk}", title, body)


def resolved(appeal: Appeal) -> None:
    tell_reporters(appeal, "rate", _("您的诉求 %(n)s 已办结，请评价"), appeal.reply, sms=True, asks_rating=True)


def rated(appeal: Appeal, actor) -> None:
    """Her rating is given: the messages asking for it are read and stop offering the buttons."""
    mark_read(user=actor, key_prefix=f"rate:{appeal.pk}:")


def closed_unresolved(appeal: Appeal) -> None:
    tell_reporters(appeal, "closed", _("您的诉求 %(n)s 已关闭"), appeal.reply, sms=True)


def paused(appeal: Appeal, event) -> None:
    tell_reporters(appeal, f"paused-{event.pk}", _("您的诉求 %(n)s 暂停计时"), appeal.pause_reason)


def merged(appeal: Appeal, into: Appeal) -> None:
    tell_reporters(appeal, f"merged-{into.pk}", _("您的诉求 %(n)s 已与相同问题合并办理"),
                   _("您可以继续查看办理进度，办结后请评价。"))


def whistle_blown(appeal: Appeal, whistle, grants) -> None:
    """The called body's staff (``grants``), in the app and by SMS: 吹哨 is urgent by nature."""
    _tell_staff(grants, appeal, f"whistle:{whistle.pk}", _("诉求 %(n)s 吹哨，请报到"), whistle.reason, sms=True)


def whistle_sent_back(appeal: Appeal, whistle, grants, reason: str) -> None:
    _tell_staff(grants, appeal, f"whistle:{whistle.pk}:back:{whistle.sent_back}", _("诉求 %(n)s 的协办被社区退回"),
                reason)


def assigned(appeal: Appeal, event, user, *, link: str = "") -> None:
    if link:  # the holder of a ladder's appeal works it on her own page
        notify_many([Message(user.pk, f"assigned:{event.pk}", _("诉求 %(n)s 指定您为经办人") % {"n": appeal.number},
                             event.reason, link)], sms=True)
        return
    _tell_staff_users([user.pk], appeal, f"assigned:{event.pk}", _("诉求 %(n)s 指定您为经办人"), event.reason)


def _tell_staff_users(users, appeal: Appeal, key: str, title: str, body: str = "") -> None:
    notify_many([Message(u, key, title % {"n": appeal.number}, body, staff_link(appeal.pk)) for u in users])


def urged(appeal: Appeal, event, title: str, body: str) -> None:
    """催办: whoever holds the appeal now — its 经办人, the party's staff, the community side — by SMS too."""
    notify_many([Message(u, f"urge:{event.pk}", title % {"n": appeal.number}, body, staff_link(appeal.pk))
                 for u in _handlers(appeal)], sms=True)


def _community_side(appeal: Appeal):
    """The grants of the community side of the appeal's place: its workers and secretary, the grid's workers."""
    return (staff_of(areas=[appeal.community_id], roles=[Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY])
            | staff_of(areas=[appeal.grid_id], roles=[Role.GRID_WORKER]))


def _handlers(appeal: Appeal) -> set[int]:
    """Whoever works the appeal now: the community side, the party holding it, its 经办人."""
    grants = _community_side(appeal)
    if appeal.party_id:
        grants = grants | staff_of(organisations=[appeal.party_id])
    return set(grants.values_list("user_id", flat=True)) | ({appeal.assignee_id} if appeal.assignee_id else set())


def tell_handlers(appeal: Appeal, event, title: str, body: str = "") -> None:
    notify_many([Message(u, f"handlers:{event.pk}", title % {"n": appeal.number}, body, staff_link(appeal.pk))
                 for u in _handlers(appeal)])


def digest(items: list[tuple[int, str, str, str, int]], title_many: str, *, overdue: bool, sms: bool, now) -> None:
    """What one sweep run has for each person — (user id, key, title, body, appeal id) — as one message: the
    appeal's own when there is one, else a digest naming them (up to 20) and opening the queue filtered to them.
    A worker with 185 overdue appeals gets one message (and one SMS), not 185."""
    by_user: dict[int, list] = defaultdict(list)
    for item in items:
        by_user[item[0]].append(item)
    queue = reverse("staff:appeal_queue") + ("?state=open&overdue=1" if overdue else "?state=open&due=soon")
    out = []
    for user, mine in by_user.items():
        if len(mine) == 1:
            u, key, title, body, pk, *link = mine[0]
            out.append(Message(u, key, title, body, (link and link[0]) or staff_link(pk)))
            continue
        lines = [item[2] for item in mine[:20]]
        if len(mine) > 20:
            lines.append(_("……等 %(n)s 件") % {"n": len(mine)})
        key = f"digest:{'overdue' if overdue else 'soon'}:{now:%Y%m%d%H%M%S}:{min(i[4] for i in mine)}:{len(mine)}"
        holder = {item[5] for item in mine if len(item) > 5 and item[5]}
        out.append(Message(user, key, title_many % {"count": len(mine)}, "\n".join(lines),
                           holder.pop() if len(holder) == 1 and len(mine[0]) > 5 else queue))
    notify_many(out, sms=sms)


def to_staff(items: list[tuple[int, str, str, str, int]], *, sms: bool) -> None:
    """Messages to staff about appeals — (user id, key, title, body, appeal id) — each opening the appeal."""
    notify_many([Message(u, key, title, body, staff_link(pk)) for u, key, title, body, pk in items], sms=sms)


def tell_community(appeal: Appeal, event, title: str, body: str = "") -> None:
    """The community side of the appeal's place: its workers and secretary, and the grid's workers."""
    _tell_staff(_community_side(appeal), appeal, f"community:{event.pk}", title, body)
