"""Closing an appeal: the reply that resolves it, closing it unresolved, the resident's rating (满意度) and her
reopening it (重新办理) when it was not solved."""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import events
from gongzhi.core.errors import InvalidInput, TransitionNotAllowed
from gongzhi.core.text import LONG, SHORT, free_text

from .. import notify
from ..choices import Action, Outcome, Rating, State, Step
from ..events import AppealResolved
from ..models import Appeal, AppealEvent, AppealRating
from ..permissions import require_may, require_reporter
from ..selectors import elderly_alone_home
from ..transitions import allows
from .lifecycle import locked, start_clock, transition

# a resolve's reply has at least this many characters: the resident reads it
MIN_REPLY = 5


@transaction.atomic
def appeal_resolve(*, appeal: Appeal, actor, reply: str, after_warning: bool = False) -> Appeal:
    """Resolved, with a reply the resident reads: what was done, by whom, when. The reply check's scores are kept
    for the figures; ``after_warning`` says the handler was told the reply looked weak and sent it anyway."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.RESOLVE)
    by = None if appeal.state == State.ACCEPTED else appeal.party
    reply = free_text(reply, field="reply", limit=LONG)
    if len(reply) < MIN_REPLY:
        raise InvalidInput(_("请写明办理结果，居民会看到这段答复"), field="reply")
    now = timezone.now()
    appeal.reply, appeal.resolved_at, appeal.resolved_by = reply, now, by
    appeal.paused_at, appeal.pause_reason = None, ""
    appeal.fee_waived = elderly_alone_home(appeal)  # 60+ living alone: no call-out fee, counted
    transition(appeal, Action.RESOLVE, actor=actor, party=by, reason=reply, at=now,
               data={"fee_waived": True} if appeal.fee_waived else None)
    # the reply check records it, or refuses a weak one not yet confirmed (WeakReply): pages and API alike
    events.publish(AppealResolved(appeal=appeal, reply=reply, actor_id=getattr(actor, "pk", None),
                                  party_id=by.pk if by else None, at=now, after_warning=after_warning))
    notify.resolved(appeal)  # one reply to everyone in a merged group (the bulk reply)
    return appeal


@transaction.atomic
def appeal_close_unresolved(*, appeal: Appeal, actor, outcome: str, reply: str) -> Appeal:
    """Closed without being resolved — not ours, explained, duplicate, withdrawn — and counted as such."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.CLOSE_UNRESOLVED)
    if outcome not in Outcome.values:
        raise InvalidInput(_("请选择未解决的原因"), field="outcome")
    reply = free_text(reply, field="reply", limit=LONG, required=_("请向居民说明原因"))
    now = timezone.now()
    appeal.outcome, appeal.reply, appeal.closed_at = outcome, reply, now
    transition(appeal, Action.CLOSE_UNRESOLVED, actor=actor, reason=reply, at=now, data={"outcome": outcome})
    notify.closed_unresolved(appeal)
    return appeal


def rating_open(appeal: Appeal, parent: Appeal | None = None) -> bool:
    """Whether the reporter may rate now: her own resolved appeal, or — merged into another — once the group's
    appeal is resolved (until the rating period ends), and only once per reply."""
    if appeal.state == State.RESOLVED:
        return True
    if appeal.state != State.MERGED:
        return False
    parent = parent or appeal.parent
    return (parent.state in (State.RESOLVED, State.CLOSED) and parent.resolved_at is not None
            and timezone.now() - parent.resolved_at <= timedelta(days=settings.GONGZHI["AUTO_CLOSE_DAYS"])
            and not AppealRating.objects.filter(appeal=appeal, round=parent.reopen_count).exists())


def record_rating(appeal: Appeal, *, rating: str, comment: str, via: str, at, recorded_by, group: Appeal | None = None):
    """Keep the rating on the record (``AppealRating``, never cleared) and as the appeal's latest. ``group``: the
    appeal whose reply a merged reporter rates."""
    rated = group or appeal
    AppealRating.objects.create(appeal=appeal, at=at, rating=rating, comment=comment, via=via,
                                round=rated.reopen_count, party_id=rated.resolved_by_id, recorded_by=recorded_by)
    appeal.rating, appeal.rating_comment = rating, comment


@transaction.atomic
def appeal_rate(*, appeal: Appeal, actor, rating: str, comment: str = "") -> Appeal:
    """The resident rates the reply; rating closes the appeal (a dissatisfied one may still be reopened).
    A reporter whose appeal was merged rates the group's reply on her own appeal, which stays merged."""
    appeal = locked(appeal)
    require_reporter(actor, appeal)
    if rating not in Rating.values:
        raise InvalidInput(_("请选择满意、基本满意或不满意"), field="rating")
    now = timezone.now()
    comment = free_text(comment, field="comment", limit=SHORT)
    if appeal.state == State.MERGED:
        parent = Appeal.objects.select_for_update().get(pk=appeal.parent_id)
        if not rating_open(appeal, parent):
            raise TransitionNotAllowed(_("合并办理的诉求还没有答复，或已经评价过"))
        record_rating(appeal, rating=rating, comment=comment, via=AppealRating.Via.PORTAL, at=now,
                      recorded_by=actor, group=parent)
        appeal.save()
        AppealEvent.objects.create(appeal=appeal, at=now, actor=actor, action=Action.RATE, from_state=State.MERGED,
                                   to_state=State.MERGED, reason=comment,
                                   data={"rating": rating, "group": parent.pk})
        notify.rated(appeal, actor)
        return appeal
    record_rating(appeal, rating=rating, comment=comment, via=AppealRating.Via.PORTAL, at=now, recorded_by=actor)
    appeal.closed_at = now
    transition(appeal, Action.RATE, actor=actor, at=now, data={"rating": rating},  # the timeline says which
               reason=" ".join(filter(None, [str(Rating(rating).label), appeal.rating_comment])))
    notify.rated(appeal, actor)
    return appeal


@transaction.atomic
def appeal_reopen(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """A dissatisfied resident reopens within GONGZHI["REOPEN_DAYS"] of the reply; it counts against the
    party that closed it (kept in the event), and the community takes it up again. A reporter in a merged
    group reopens the group's appeal."""
    appeal = locked(appeal)
    require_reporter(actor, appeal)
    via = None
    if appeal.state == State.MERGED:
        via, appeal = appeal, locked(appeal.parent)
    finished = appeal.resolved_at or appeal.closed_at
    if not allows(Action.REOPEN, appeal.state):
        raise TransitionNotAllowed(_("诉求还在办理中，不需要重新办理"))
    if finished is None or timezone.now() - finished > timedelta(days=settings.GONGZHI["REOPEN_DAYS"]):
        raise TransitionNotAllowed(_("答复已超过%(n)d天，不能重新办理，请重新反映") % {
            "n": settings.GONGZHI["REOPEN_DAYS"]})
    reason = free_text(reason, field="reason", limit=SHORT, required=_("请说说哪里还没有解决"))
    data = {"against": appeal.resolved_by_id, "rating": appeal.rating, "outcome": appeal.outcome}
    if via is not None:
        data["via"] = via.pk
    appeal.reopen_count += 1
    # the rating stays: it is the latest on record, and counts until the next reply is rated (AppealRating)
    appeal.outcome = ""
    appeal.resolved_at = appeal.closed_at = None
    appeal.party = None
    now = timezone.now()
    start_clock(appeal, Step.RESOLVE, now)
    transition(appeal, Action.REOPEN, actor=actor, reason=reason.strip(), at=now, data=data)
    # every rating stays on the record; the next reply is rated afresh by everyone in the group (a new round)
    return via or appeal




def link_rating_open(appeal: Appeal, round_: int) -> bool:
    """Whether the caller's SMS link (for the reply numbered ``round_``) may still rate: the appeal is resolved
    with that reply and nobody rated it yet."""
    if appeal.state == State.MERGED:  # a merged caller rates her group's reply
        return rating_open(appeal) and appeal.parent.reopen_count == round_
    return (appeal.state == State.RESOLVED and appeal.reopen_count == round_
            and not AppealRating.objects.filter(appeal=appeal, round=round_).exists())


@transaction.atomic
def appeal_rate_by_link(*, appeal: Appeal, round_: int, rating: str, comment: str = "") -> Appeal:
    """A caller or walk-in without an account rates the reply from the link in her SMS (``tracking_token``): once
    per reply, kept on the record like any rating; an unhappy one asks why."""
    appeal = locked(appeal)
    if not link_rating_open(appeal, round_):
        raise TransitionNotAllowed(_("这条答复已经评价过，或诉求又在办理中"))
    if rating not in Rating.values:
        raise InvalidInput(_("请选择满意、基本满意或不满意"), field="rating")
    comment = free_text(comment, field="comment", limit=SHORT)
    if rating == Rating.DISSATISFIED and not comment:
        raise InvalidInput(_("请说说哪里不满意，社区会再联系您"), field="comment")
    now = timezone.now()
    if appeal.state == State.MERGED:
        record_rating(appeal, rating=rating, comment=comment, via=AppealRating.Via.SMS_LINK, at=now,
                      recorded_by=None, group=appeal.parent)
        appeal.save()
        AppealEvent.objects.create(appeal=appeal, at=now, action=Action.RATE, from_state=State.MERGED,
                                   to_state=State.MERGED, reason=comment,
                                   data={"rating": rating, "group": appeal.parent_id, "via": "sms_link"})
        return appeal
    record_rating(appeal, rating=rating, comment=comment, via=AppealRating.Via.SMS_LINK, at=now, recorded_by=None)
    appeal.closed_at = now
    transition(appeal, Action.RATE, actor=None, at=now, data={"rating": rating, "via": "sms_link"},
               reason=" ".join(filter(None, [str(Rating(rating).label), comment])))
    return appeal
