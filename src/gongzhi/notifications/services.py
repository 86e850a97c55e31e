"""Every notification and outbox message is made here: the apps say who hears what, this writes it."""
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.accounts.models import User

from .models import Notification, OutboxMessage

MAX_ATTEMPTS = 12  # with back-off doubling from one minute to six hours: about a day and a half of retrying


class Message(NamedTuple):
    """One in-app message: to whom, once per ``key``, what it says, the page it opens (``reverse()``d by the
    caller) and, if it asks for a one-tap answer, where that answer posts."""

    user_id: int
    key: str
    title: str
    body: str = ""
    link: str = ""
    answer_url: str = ""


# An SMS is read on a phone and paid for by the segment (67 Chinese characters each): the message says what
# happened and the link or the app has the rest. A 100 KB reply was once queued whole as one body (issue 21).
SMS_MAX = 300


def sms_body(text: str) -> str:
    text = text or ""
    return text if len(text) <= SMS_MAX else text[:SMS_MAX - 1] + "…"


def notify_many(items: list[Message], *, sms: bool = False) -> int:
    """Create in-app notifications once per user and key, and queue an SMS for those with a phone when ``sms``.
    Call inside the transaction of the change they report."""
    if not items:
        return 0
    rows = [Notification(user_id=m.user_id, key=m.key[:80], title=m.title[:120], body=m.body, link=m.link[:200],
                         answer_url=m.answer_url[:200]) for m in items]
    seen = set(Notification.objects.filter(key__in={r.key for r in rows}, user_id__in={r.user_id for r in rows})
               .values_list("user_id", "key"))
    rows = [r for r in rows if (r.user_id, r.key) not in seen]  # told once: a re-run sends nothing again
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    if sms:
        phones = dict(User.objects.filter(pk__in={r.user_id for r in rows}).exclude(phone=None)
                      .exclude(phone="").values_list("pk", "phone"))
        now = timezone.now()
        OutboxMessage.objects.bulk_create(
            [OutboxMessage(channel=OutboxMessage.Channel.SMS, recipient=phones[r.user_id], subject=r.title,
                           body=sms_body(r.body), next_attempt_at=now) for r in rows if r.user_id in phones],
            batch_size=2000)
    return len(rows)


def mark_read(*, user, ids: list[int] | None = None, key_prefix: str = "") -> int:
    """Mark read the user's notifications: the ones given, those whose key starts with ``key_prefix`` (what they
    asked for is done: ``rate:42:`` once she has rated appeal 42, so the message stops offering the buttons), or
    all of them."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if key_prefix:
        qs = qs.filter(key__startswith=key_prefix)
    return qs.update(read_at=timezone.now())


def receipt_rows(*, ids: tuple[int, int], now, user=None, key: str, title: str, body: str, link: str,
                 phone: str = "") -> list:
    """The unsaved message and SMS that confirm a filing, with ids taken beforehand, for an intake that writes
    them in the same round trip as what they confirm (core.db.insert_new): in-app to ``user`` (and an SMS to her
    phone), or an SMS to ``phone`` for someone without an account."""
    rows = []
    if user is not None:
        rows.append(Notification(pk=ids[0], user=user, key=key, title=title, body=body, link=link))
        phone = user.phone
    if phone:
        rows.append(OutboxMessage(pk=ids[1], channel=OutboxMessage.Channel.SMS, recipient=phone, subject=title,
                                  body=sms_body(body), next_attempt_at=now, notification=rows[0] if rows else None))
    return rows


def queue_sms(*, phone: str, subject: str, body: str, secret: bool = False) -> None:
    """An SMS to a phone number with no account behind it (a hotline caller, a walk-in), through the outbox.
    ``secret``: the body carries a code or a password, blanked once sent or given up (``deliver_outbox``)."""
    if phone:
        OutboxMessage.objects.create(channel=OutboxMessage.Channel.SMS, recipient=phone, subject=subject[:120],
                                     body=sms_body(body), secret=secret, next_attempt_at=timezone.now())


def _backend(channel: str):
    path = settings.GONGZHI["NOTIFY_BACKENDS"].get(channel, "gongzhi.notifications.backends.NullBackend")
    return import_string(path)()


def deliver_outbox(*, limit: int = 500) -> dict[str, int]:
    """Send what is due. Each message in its own transaction; a failure is recorded and retried later."""
    sent = failed = retried = 0
    now = timezone.now()
    ids = list(OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    for pk in ids:
        with transaction.atomic():
            qs = OutboxMessage.objects.filter(pk=pk, state=OutboxMessage.State.PENDING)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)  # two workers never send the same message
            message = qs.first()
            if message is None:
                continue
            try:
                _backend(message.channel).send(message)
            except Exception as e:
                message.attempts += 1
                message.last_error = f"{type(e).__name__}: {e}"[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.state = OutboxMessage.State.FAILED
                    failed += 1
                else:
                    backoff = min(timedelta(minutes=2 ** (message.attempts - 1)), timedelta(hours=6))
                    message.next_attempt_at = timezone.now() + backoff
                    retried += 1
            else:
                message.state, message.sent_at = OutboxMessage.State.SENT, timezone.now()
                message.attempts += 1
                sent += 1
            if message.secret and message.state != OutboxMessage.State.PENDING:
                message.body = ""  # a code or a password is not kept once it went out (or never will)
            message.save()
    return {"sent": sent, "retried": retried, "failed": failed}
