"""Who hears of what happens to an appeal. Called inside the service's transaction, so a message is queued
exactly when the change it reports is committed (the outbox delivers it later, retrying a failing gateway)."""
from django.utils.translation import gettext as _

from gongzhi.accounts.models import RoleGrant
from gongzhi.notifications.services import mark_read, notify_many, queue_sms

from .models import Appeal


def _group(appeal: Appeal) -> list[Appeal]:
    """The appeal and every appeal merged into it: each reporter hears of the group's progress."""
    return [appeal, *Appeal.objects.filter(parent=appeal).only("id", "number", "reporter_id", "contact_phone",
                                                               "channel", "reopen_count")]


def tell_reporters(appeal: Appeal, kind: str, title: str, body: str, *, sms: bool = False) -> None:
    """In-app for residents with an account (and SMS to their phone when ``sms``); an SMS to the contact phone
    for the walk-in or hotline caller without one. ``kind`` "rate" puts the rating buttons in the message."""
    items = []
    for member in _group(appeal):
        key = f"{kind}:{member.pk}:{appeal.reopen_count}"
        if member.reporter_id:
            items.append((member.reporter_id, key, title % {"n": member.number}, body,
                          f"/portal/appeals/{member.pk}/"))
        elif sms and member.contact_phone:
            queue_sms(phone=member.contact_phone, subject=title % {"n": member.number}, body=body)
    notify_many(items, sms=sms)


def tell_party(appeal: Appeal, event, title: str, body: str = "") -> None:
    """The staff of the party the appeal is now with, once per dispatch or transfer (``event``)."""
    if appeal.party_id is None:
        return
    users = RoleGrant.objects.filter(organisation_id=appeal.party_id, revoked_at__isnull=True).values_list(
        "user_id", flat=True)
    key = f"party:{event.pk}"
    notify_many([(u, key, title % {"n": appeal.number}, body, f"/staff/appeals/{appeal.pk}/") for u in set(users)])


def received(appeal: Appeal, *, now, reporter=None, ids: tuple[int, int]) -> list:
    """The receipt for a new appeal (it has no merged group yet), unsaved for the intake to write with the appeal
    (core.db.insert_new, ``ids`` from next_ids): in-app and by SMS to the reporter, or by SMS to the contact
    phone a walk-in or a caller left."""
    from gongzhi.notifications.models import Notification, OutboxMessage

    title = _("已收到您的诉求 %(n)s") % {"n": appeal.number}
    body = _("社区会尽快受理，您可以在“我的诉求”里看到办理进度。")
    phone, rows = appeal.contact_phone, []
    if reporter is not None:
        rows.append(Notification(pk=ids[0], user=reporter, key=f"received:{appeal.pk}:0", title=title, body=body,
                                 link=f"/portal/appeals/{appeal.pk}/"))
        phone = reporter.phone
    if phone:
        rows.append(OutboxMessage(pk=ids[1], channel=OutboxMessage.Channel.SMS, recipient=phone, subject=title,
                                  body=body, next_attempt_at=now, notification=rows[0] if rows else None))
    return rows


def resolved(appeal: Appeal) -> None:
    tell_reporters(appeal, "rate", _("您的诉求 %(n)s 已办结，请评价"), appeal.reply, sms=True)


def rated(appeal: Appeal, actor) -> None:
    """Her rating is given: the messages asking for it are read and stop offering the buttons."""
    mark_read(user=actor, key_prefix=f"rate:{appeal.pk}:")


def closed_unresolved(appeal: Appeal) -> None:
    tell_reporters(appeal, "closed", _("您的诉求 %(n)s 已关闭"), appeal.reply, sms=True)


def paused(appeal: Appeal, event) -> None:
    tell_reporters(appeal, f"paused-{event.pk}", _("您的诉求 %(n)s 暂停计时"), appeal.pause_reason)
