"""Every change to an appeal: one function per action, one transaction, one timeline event each."""
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import BindingStatus, Role
from gongzhi.accounts.models import RoleGrant, User
from gongzhi.accounts.scopes import Perm, scope_for
from gongzhi.accounts.services import has_verified_home, verified_households
from gongzhi.core.db import insert_new, next_ids
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted, TransitionNotAllowed
from gongzhi.registry.choices import AreaKind, OrgKind
from gongzhi.registry.models import Area, Household, Organisation, Resident
from gongzhi.registry.validators import validate_phone

from . import notify, routing
from .choices import MERGE_TARGET_STATES, OPEN_STATES, Action, Channel, Outcome, Priority, Rating, State, Step
from .models import Appeal, AppealCounter, AppealEvent, AppealSupport, Category, Whistle
from .permissions import (
    acts_for_community,
    acts_for_party,
    require_community,
    require_party,
    require_reporter,
)
from .worktime import Calendar, deadline

MAX_TEXT = 5000

# action → (states it may start from, state it leads to); None keeps the state (notes, follow-ups, pauses)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.ACCEPT: (frozenset({State.SUBMITTED}), State.ACCEPTED),
    Action.DISPATCH: (frozenset({State.ACCEPTED, State.RETURNED}), State.DISPATCHED),
    Action.TAKE: (frozenset({State.DISPATCHED}), State.IN_PROGRESS),
    Action.RETURN: (frozenset({State.DISPATCHED, State.IN_PROGRESS}), State.RETURNED),
    Action.TRANSFER: (frozenset({State.DISPATCHED, State.IN_PROGRESS}), State.DISPATCHED),
    # the community may settle a small matter itself, right after accepting it
    Action.RESOLVE: (frozenset({State.ACCEPTED, State.IN_PROGRESS}), State.RESOLVED),
    Action.CLOSE_UNRESOLVED: (frozenset({State.SUBMITTED, State.ACCEPTED, State.RETURNED, State.DISPATCHED,
                                         State.IN_PROGRESS}), State.CLOSED_UNRESOLVED),
    Action.RATE: (frozenset({State.RESOLVED}), State.CLOSED),
    Action.CLOSE: (frozenset({State.RESOLVED}), State.CLOSED),
    Action.REOPEN: (frozenset({State.RESOLVED, State.CLOSED, State.CLOSED_UNRESOLVED}), State.ACCEPTED),
    Action.PAUSE: (frozenset({State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS}), None),
    Action.RESUME: (frozenset({State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS}), None),
    Action.FOLLOW_UP: (frozenset(State.values), None),
    Action.WHISTLE: (frozenset({State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS, State.RETURNED}), None),
    Action.REPORT_IN: (frozenset({State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS, State.RETURNED}), None),
    Action.MERGE: (OPEN_STATES, State.MERGED),
    Action.MERGED_IN: (MERGE_TARGET_STATES, None),
    Action.UNPUBLISH: (frozenset(State.values), None),
    Action.TRIAGE: (frozenset({State.SUBMITTED}), None),
    Action.RECLASSIFY: (OPEN_STATES, None),
}


def _transition(appeal: Appeal, action: str, *, actor, party=None, reason: str = "", data: dict | None = None,
                public: bool = True, at=None) -> AppealEvent:
    allowed_from, target = TRANSITIONS[action]
    if appeal.state not in allowed_from:
        raise TransitionNotAllowed(
            _("诉求当前状态为“%(s)s”，不能执行“%(a)s”") % {"s": appeal.get_state_display(),
                                                        "a": Action(action).label})
    at = at or timezone.now()
    event = AppealEvent.objects.create(appeal=appeal, at=at, actor=actor, party=party, action=action,
                                       from_state=appeal.state, to_state=target or appeal.state,
                                       reason=reason, data=data or {}, public=public)
    if target is not None:
        appeal.state = target
    appeal.save()
    return event


def _locked(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("category", "party", "area").get(
        pk=appeal.pk)


def appeal_numbers(now, count: int = 1) -> list[str]:
    """A block of today's readable numbers (20261123-00042), taken in one upsert on the day's counter row: the
    row lock makes concurrent takers wait, so a number is never given twice. Outside a transaction the lock lasts
    that one statement; inside one, until it ends."""
    day = timezone.localdate(now)
    table = connection.ops.quote_name(AppealCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + EXCLUDED.last RETURNING last",
            [day, count])
        last = cursor.fetchone()[0]
    return [f"{day:%Y%m%d}-{n:05d}" for n in range(last - count + 1, last + 1)]


def _hours(appeal: Appeal, step: str) -> Decimal:
    if appeal.category is not None:
        return appeal.category.respond_hours if step == Step.RESPOND else appeal.category.resolve_hours
    return Decimal(2) if step == Step.RESPOND else Decimal(56)


def _start_clock(appeal: Appeal, step: str, start) -> None:
    """Set a step's deadline and its early warning (GONGZHI["WARN_AT"] of the way there)."""
    hours = float(_hours(appeal, step))
    urgent = appeal.priority == Priority.URGENT
    if urgent:
        hours = min(hours, 2.0)  # first priority: handled at once, day or night (003)
    calendar = None if urgent else Calendar.load(timezone.localdate(start))
    due = deadline(start, hours, on_the_clock=urgent, calendar=calendar)
    warn = deadline(start, hours * settings.GONGZHI["WARN_AT"], on_the_clock=urgent, calendar=calendar)
    setattr(appeal, f"{step}_due_at", due)
    setattr(appeal, f"{step}_warn_at", warn)


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请写下您遇到的问题"), field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("诉求内容不能超过%(n)d字") % {"n": MAX_TEXT}, field="text")
    return text


def appeal_submit(
    *, channel: str, text: str, area: Area, actor, category: Category | None = None, priority: str = "",
    household: Household | None = None, resident: Resident | None = None, contact_name: str = "",
    contact_phone: str = "", contact_preference: str = "", public: bool = False, hotline_order_no: str = "",
    photos=(), idempotency_key: str = "",
) -> Appeal:
    """Take in an appeal from any channel; it waits for the community to accept it. With an idempotency key
    (a retried request, a double tap), the appeal that key already filed is returned and nothing new is made."""
    idempotency_key = (idempotency_key or "").strip()[:64] if getattr(actor, "pk", None) else ""
    if channel not in Channel.values:
        raise InvalidInput(_("未知的诉求来源"), field="channel")
    if priority and priority not in Priority.values:
        raise InvalidInput(_("未知的优先级"), field="priority")
    if area.kind in (AreaKind.DISTRICT, AreaKind.SUBDISTRICT):
        raise InvalidInput(_("请选择到社区、小区或楼栋"), field="area")
    if category is not None and not category.is_active:
        raise InvalidInput(_("该类别已停用，请重新选择"), field="category")
    if channel == Channel.PORTAL:
        # a resident acts for a household only after a worker verified the binding (实名认证)
        if household is not None:
            if not has_verified_home(actor, household_id=household.pk):
                raise NotPermitted(_("只能为自己绑定的房屋反映问题") if verified_households(actor).exists()
                                   else _("请先绑定并通过实名认证，再反映问题"))
            if household.community_id != area.community_id:  # her home, but a place in another community
                raise NotPermitted(_("只能为自己居住的社区反映问题"))
        elif not has_verified_home(actor, community_id=area.community_id):
            raise NotPermitted(_("只能为自己居住的社区反映问题") if verified_households(actor).exists()
                               else _("请先绑定并通过实名认证，再反映问题"))
    elif channel in (Channel.DESK, Channel.PATROL) and not scope_for(actor, Perm.HANDLE_APPEALS).covers(area):
        raise NotPermitted(_("您无权为该地点登记诉求"))
    prepared = _prepare_photos(photos)
    hotline_order_no = (hotline_order_no or "").strip()[:40]
    if channel == Channel.HOTLINE and not hotline_order_no:
        raise InvalidInput(_("热线工单必须有工单号"), field="hotline_order_no")
    now = timezone.now()
    text = _clean_text(text)
    reporter = actor if channel == Channel.PORTAL else None
    if reporter is not None:  # reach her as her account has her, unless she said otherwise
        contact_name = contact_name or reporter.display_name
        contact_phone = contact_phone or _valid_phone_or_blank(reporter.phone)
    if resident is not None:  # found at the desk: reach her as the ledger has her, unless told otherwise
        contact_name = contact_name or resident.name
        contact_phone = contact_phone or resident.phone
        # with an account of her own she follows it, is told of each step and rates it, as if she had filed it
        reporter = reporter or User.objects.filter(bindings__resident=resident,
                                                   bindings__status=BindingStatus.VERIFIED).order_by("bindings__id").first()
    contact_phone = validate_phone(contact_phone)
    # the number first, on its own: outside a caller's transaction the day's counter is locked only for that
    # one statement, not while the appeal is written (a gap if what follows fails; never a number twice)
    number = appeal_numbers(now)[0]
    appeal = Appeal(
        number=number, channel=channel, text=text, area=area, household=household,
        resident=resident, reporter=reporter, entered_by=actor,
        category=category, priority=priority or (category.priority if category else Priority.NORMAL),
        contact_name=(contact_name or "").strip()[:50], contact_phone=contact_phone,
        contact_preference=(contact_preference or "").strip()[:100], public=public,
        proactive=channel == Channel.PATROL, hotline_order_no=hotline_order_no, client_key=idempotency_key,
    )
    appeal.place_at(area)
    _start_clock(appeal, Step.RESPOND, now)
    try:
        # every intake passes here: the appeal, its timeline event and its receipt are written with ids taken
        # beforehand, in one round trip (core.db.insert_new) — inside a caller's transaction, a savepoint
        with transaction.atomic():
            return _submit(appeal, actor=actor, now=now, prepared=prepared)
    except IntegrityError:
        if idempotency_key:  # the same request, retried while the first was being saved
            earlier = Appeal.objects.filter(entered_by=actor, client_key=idempotency_key).first()
            if earlier is not None:
                earlier.replayed = True
                return earlier
        if hotline_order_no:
            raise Conflict(_("该热线工单已导入"), code="hotline_order_exists", field="hotline_order_no") from None
        raise


def _valid_phone_or_blank(phone: str | None) -> str:
    try:
        return validate_phone(phone or "")
    except InvalidInput:  # an old account's malformed number must not stop her filing
        return ""


def _submit(appeal: Appeal, *, actor, now, prepared) -> Appeal:
    from gongzhi.notifications.models import Notification, OutboxMessage

    appeal.pk, event_id, note_id, sms_id = next_ids(Appeal, AppealEvent, Notification, OutboxMessage)
    appeal.submit_event = AppealEvent(pk=event_id, appeal=appeal, at=now, actor=actor, action=Action.SUBMIT,
                                      to_state=State.SUBMITTED, data={"channel": appeal.channel})
    receipt = notify.received(appeal, now=now, reporter=appeal.reporter, ids=(note_id, sms_id))
    insert_new(appeal, appeal.submit_event, *receipt)
    _store_photos(appeal, actor, prepared)
    pk = appeal.pk
    transaction.on_commit(lambda: queue_triage(pk), robust=True)
    return appeal


def queue_triage(appeal_id: int | None = None) -> None:
    """The machine's first read (gongzhi.triage), after the appeal is safely stored. On a laptop (no broker) it
    runs right away, in the request. With workers, a new appeal sends no message of its own: publishing one costs
    the request more than writing the appeal does, so beat's triage-pending task reads every appeal still
    waiting, every few seconds, in batches. Without an id (bulk imports): that task, now. A failure here never
    undoes the filing."""
    from django.conf import settings

    from gongzhi.triage.tasks import triage_appeal_task, triage_pending_task

    if appeal_id is None:
        triage_pending_task.delay()
    elif settings.CELERY_TASK_ALWAYS_EAGER:
        triage_appeal_task.delay(appeal_id)


@transaction.atomic
def appeal_accept(*, appeal: Appeal, actor, category: Category | None = None, priority: str = "") -> Appeal:
    """The community accepts (受理) it: this is the response; the resolve clock starts."""
    appeal = _locked(appeal)
    require_community(actor, appeal)
    if category is not None:
        appeal.category = category
    if priority:
        if priority not in Priority.values:
            raise InvalidInput(_("未知的优先级"), field="priority")
        appeal.priority = priority
    if appeal.category is None:
        raise InvalidInput(_("受理前请先选择类别"), field="category")
    now = timezone.now()
    appeal.accepted_at = appeal.responded_at = now
    _start_clock(appeal, Step.RESOLVE, now)
    _transition(appeal, Action.ACCEPT, actor=actor, at=now,
                data={"category": appeal.category_id, "priority": appeal.priority})
    return appeal


@transaction.atomic
def appeal_triage_apply(*, appeal: Appeal, category: Category | None, area: Area | None, data: dict) -> Appeal:
    """The machine's first read, applied (智能分拨): a place read from the text narrows the appeal's area, and a
    category the classifier is sure of is set. With a category and a party the routing rules find, the appeal
    is accepted and dispatched at once, as a worker would; otherwise it waits for one. No actor: the timeline
    says the system did it, and ``data`` says how sure it was."""
    appeal = _locked(appeal)
    if appeal.state != State.SUBMITTED:
        return appeal  # a person got there first
    if area is not None:
        appeal.area = area
        appeal.place_at(area)
    if category is not None and appeal.category_id is None:
        appeal.category = category
        appeal.priority = appeal.priority if appeal.priority != Priority.NORMAL else category.priority
    _transition(appeal, Action.TRIAGE, actor=None, public=False,
                data={**data, "category": appeal.category_id, "area": appeal.area_id})
    if category is None or appeal.category_id != category.pk or (found := routing.route(appeal)) is None:
        return appeal
    now = timezone.now()
    appeal.accepted_at = appeal.responded_at = now
    _start_clock(appeal, Step.RESOLVE, now)
    _transition(appeal, Action.ACCEPT, actor=None, at=now,
                data={"category": appeal.category_id, "priority": appeal.priority, "by": "triage"})
    appeal.party, appeal.rule = found
    event = _transition(appeal, Action.DISPATCH, actor=None,
                        data={"party": appeal.party_id, "rule": appeal.rule_id, "by": "triage"})
    notify.tell_party(appeal, event, _("新派单：诉求 %(n)s"), appeal.text[:200])
    return appeal


@transaction.atomic
def appeal_reclassify(*, appeal: Appeal, actor, category: Category, reason: str = "") -> Appeal:
    """A worker sets the right category on an open appeal (the machine's, or a colleague's, was wrong).
    Deadlines already running stay as they are; the correction is training data for the classifier."""
    appeal = _locked(appeal)
    require_community(actor, appeal)
    if not category.is_active:
        raise InvalidInput(_("该类别已停用"), field="category")
    before = appeal.category_id
    appeal.category = category
    _transition(appeal, Action.RECLASSIFY, actor=actor, reason=reason, public=False,
                data={"from": before, "to": category.pk})
    return appeal


@transaction.atomic
def appeal_dispatch(*, appeal: Appeal, actor, party: Organisation | None = None, reason: str = "") -> Appeal:
    """Send it to the party responsible: the one named, or the one the routing rules find."""
    appeal = _locked(appeal)
    require_community(actor, appeal)
    rule = None
    if party is None:
        found = routing.route(appeal)
        if found is None:
            raise InvalidInput(_("没有找到负责该类诉求的单位，请手动选择承办单位"), code="no_route", field="party")
        party, rule = found
    appeal.party, appeal.rule = party, rule
    event = _transition(appeal, Action.DISPATCH, actor=actor, reason=reason,
                data={"party": party.pk, "rule": rule.pk if rule else None})
    notify.tell_party(appeal, event, _("新派单：诉求 %(n)s"), appeal.text[:200])
    return appeal


@transaction.atomic
def appeal_take(*, appeal: Appeal, actor) -> Appeal:
    """The party accepts the job (接单)."""
    appeal = _locked(appeal)
    require_party(actor, appeal)
    _transition(appeal, Action.TAKE, actor=actor, party=appeal.party)
    return appeal


@transaction.atomic
def appeal_return(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """The party sends it back to the community (退单), saying why; the community dispatches again."""
    appeal = _locked(appeal)
    require_party(actor, appeal)
    if not (reason or "").strip():
        raise InvalidInput(_("请写明退单原因"), field="reason")
    party = appeal.party
    appeal.party = None
    _transition(appeal, Action.RETURN, actor=actor, party=party, reason=reason.strip())
    return appeal


@transaction.atomic
def appeal_transfer(*, appeal: Appeal, actor, party: Organisation, reason: str) -> Appeal:
    """Hand the job to another party (转派): the community may, and so may the party holding it — e.g. a small
    property company handing a job it cannot staff to a bigger one serving the same community (大手拉小手)."""
    appeal = _locked(appeal)
    if not (acts_for_community(actor, appeal) or acts_for_party(actor, appeal)):
        raise NotPermitted(_("只有社区或承办单位可以转派"))
    if party.pk == appeal.party_id:
        raise InvalidInput(_("已在该单位办理"), field="party")
    if not (reason or "").strip():
        raise InvalidInput(_("请写明转派原因"), field="reason")
    previous = appeal.party
    appeal.party = party
    appeal.rule = None
    event = _transition(appeal, Action.TRANSFER, actor=actor, party=previous, reason=reason.strip(),
                data={"from": previous.pk if previous else None, "to": party.pk})
    notify.tell_party(appeal, event, _("转派给您：诉求 %(n)s"), reason.strip())
    return appeal


# a resolve's reply has at least this many characters: the resident reads it
MIN_REPLY = 5


@transaction.atomic
def appeal_resolve(*, appeal: Appeal, actor, reply: str, after_warning: bool = False) -> Appeal:
    """Resolved, with a reply the resident reads: what was done, by whom, when. The reply check's scores are kept
    for the figures; ``after_warning`` says the handler was told the reply looked weak and sent it anyway."""
    from gongzhi.triage.services import reply_record

    appeal = _locked(appeal)
    if appeal.state == State.ACCEPTED:
        require_community(actor, appeal)
        by = None
    else:
        require_party(actor, appeal)
        by = appeal.party
    reply = (reply or "").strip()
    if len(reply) < MIN_REPLY:
        raise InvalidInput(_("请写明办理结果，居民会看到这段答复"), field="reply")
    now = timezone.now()
    appeal.reply, appeal.resolved_at, appeal.resolved_by = reply, now, by
    appeal.paused_at, appeal.pause_reason = None, ""
    _transition(appeal, Action.RESOLVE, actor=actor, party=by, reason=reply, at=now)
    reply_record(appeal=appeal, reply=reply, actor=actor, party=by, at=now, sent_after_warning=after_warning)
    notify.resolved(appeal)  # one reply to everyone in a merged group (the bulk reply)
    return appeal


@transaction.atomic
def appeal_close_unresolved(*, appeal: Appeal, actor, outcome: str, reply: str) -> Appeal:
    """Closed without being resolved — not ours, explained, duplicate, withdrawn — and counted as such."""
    appeal = _locked(appeal)
    require_community(actor, appeal)
    if outcome not in Outcome.values:
        raise InvalidInput(_("请选择未解决的原因"), field="outcome")
    reply = (reply or "").strip()
    if not reply:
        raise InvalidInput(_("请向居民说明原因"), field="reply")
    now = timezone.now()
    appeal.outcome, appeal.reply, appeal.closed_at = outcome, reply, now
    _transition(appeal, Action.CLOSE_UNRESOLVED, actor=actor, reason=reply, at=now, data={"outcome": outcome})
    notify.closed_unresolved(appeal)
    return appeal


def rating_open(appeal: Appeal, parent: Appeal | None = None) -> bool:
    """Whether the reporter may rate now: her own resolved appeal, or — merged into another — once the group's
    appeal is resolved (until the rating period ends), and only once per reply."""
    if appeal.state == State.RESOLVED:
        return True
    if appeal.state != State.MERGED or appeal.rating:
        return False
    parent = parent or appeal.parent
    return (parent.state in (State.RESOLVED, State.CLOSED) and parent.resolved_at is not None
            and timezone.now() - parent.resolved_at <= timedelta(days=settings.GONGZHI["AUTO_CLOSE_DAYS"]))


@transaction.atomic
def appeal_rate(*, appeal: Appeal, actor, rating: str, comment: str = "") -> Appeal:
    """The resident rates the reply; rating closes the appeal (a dissatisfied one may still be reopened).
    A reporter whose appeal was merged rates the group's reply on her own appeal, which stays merged."""
    appeal = _locked(appeal)
    require_reporter(actor, appeal)
    if rating not in Rating.values:
        raise InvalidInput(_("请选择满意、基本满意或不满意"), field="rating")
    now = timezone.now()
    comment = (comment or "").strip()[:500]
    if appeal.state == State.MERGED:
        parent = Appeal.objects.select_for_update().get(pk=appeal.parent_id)
        if not rating_open(appeal, parent):
            raise TransitionNotAllowed(_("合并办理的诉求还没有答复，或已经评价过"))
        appeal.rating, appeal.rating_comment = rating, comment
        appeal.save()
        AppealEvent.objects.create(appeal=appeal, at=now, actor=actor, action=Action.RATE, from_state=State.MERGED,
                                   to_state=State.MERGED, reason=comment,
                                   data={"rating": rating, "group": parent.pk})
        notify.rated(appeal, actor)
        return appeal
    appeal.rating, appeal.rating_comment, appeal.closed_at = rating, comment, now
    _transition(appeal, Action.RATE, actor=actor, at=now, data={"rating": rating}, reason=appeal.rating_comment)
    notify.rated(appeal, actor)
    return appeal


@transaction.atomic
def appeal_reopen(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """A dissatisfied resident reopens within GONGZHI["REOPEN_DAYS"] of the reply; it counts against the
    party that closed it (kept in the event), and the community takes it up again. A reporter in a merged
    group reopens the group's appeal."""
    appeal = _locked(appeal)
    require_reporter(actor, appeal)
    via = None
    if appeal.state == State.MERGED:
        via, appeal = appeal, _locked(appeal.parent)
    finished = appeal.resolved_at or appeal.closed_at
    if appeal.state not in TRANSITIONS[Action.REOPEN][0]:
        raise TransitionNotAllowed(_("诉求还在办理中，不需要重新办理"))
    if finished is None or timezone.now() - finished > timedelta(days=settings.GONGZHI["REOPEN_DAYS"]):
        raise TransitionNotAllowed(_("答复已超过%(n)d天，不能重新办理，请重新反映") % {
            "n": settings.GONGZHI["REOPEN_DAYS"]})
    if not (reason or "").strip():
        raise InvalidInput(_("请说说哪里还没有解决"), field="reason")
    data = {"against": appeal.resolved_by_id, "rating": appeal.rating, "outcome": appeal.outcome}
    if via is not None:
        data["via"] = via.pk
    appeal.reopen_count += 1
    appeal.rating = appeal.rating_comment = appeal.outcome = ""
    appeal.resolved_at = appeal.closed_at = None
    appeal.party = None
    now = timezone.now()
    _start_clock(appeal, Step.RESOLVE, now)
    _transition(appeal, Action.REOPEN, actor=actor, reason=reason.strip(), at=now, data=data)
    # the earlier ratings stay on the timelines; the next reply is rated afresh by everyone in the group
    Appeal.objects.filter(parent=appeal).exclude(rating="").update(rating="", rating_comment="")
    return via or appeal


@transaction.atomic
def appeal_merge(*, appeal: Appeal, into: Appeal, actor, reason: str = "") -> Appeal:
    """Merge a duplicate into the appeal that carries the matter. The duplicate stops its own clock and
    follows the group: its reporter sees the group's progress, gets its reply and rates it. Only the group's
    appeal counts in the response and resolution rates; every reporter's rating counts in satisfaction."""
    if appeal.pk == into.pk:
        raise InvalidInput(_("不能合并到自己"), field="into")
    first, second = sorted([appeal.pk, into.pk])  # lock in id order: two merges never deadlock
    locked = {a.pk: a for a in Appeal.objects.select_for_update(of=("self",)).select_related(
        "category", "party", "area").filter(pk__in=[first, second]).order_by("pk")}
    appeal, into = locked[appeal.pk], locked[into.pk]
    if into.state == State.MERGED:
        into = _locked(into.parent)  # merging into a merged appeal means merging into its group
        if into.pk == appeal.pk:
            raise InvalidInput(_("不能合并到自己"), field="into")
    require_community(actor, appeal)
    require_community(actor, into)
    if appeal.state not in OPEN_STATES:
        raise TransitionNotAllowed(_("只能合并尚未办结的诉求"))
    if into.state not in TRANSITIONS[Action.MERGED_IN][0]:
        raise TransitionNotAllowed(_("只能并入尚未关闭的诉求"))
    now = timezone.now()
    Appeal.objects.filter(parent=appeal).update(parent=into)  # its own duplicates follow it
    appeal.parent, appeal.paused_at, appeal.pause_reason = into, None, ""
    reason = (reason or "").strip()[:500]
    _transition(appeal, Action.MERGE, actor=actor, at=now, reason=reason,
                data={"into": into.pk, "number": into.number})
    _transition(into, Action.MERGED_IN, actor=actor, at=now, reason=reason,
                data={"merged": appeal.pk, "number": appeal.number})
    notify.tell_reporters(appeal, f"merged-{into.pk}", _("您的诉求 %(n)s 已与相同问题合并办理"),
                          _("您可以继续查看办理进度，办结后请评价。"))
    if into.state == State.RESOLVED:
        notify.resolved(into)  # the group already has its reply: she hears it and may rate it now
    return appeal


@transaction.atomic
def appeal_unpublish(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """Take an appeal off the public board (e.g. it names someone); the resident's choice is kept on record."""
    appeal = _locked(appeal)
    require_community(actor, appeal)
    if not appeal.public:
        raise Conflict(_("该诉求没有公示"), code="not_public")
    if not (reason or "").strip():
        raise InvalidInput(_("请写明撤下原因"), field="reason")
    appeal.public = False
    _transition(appeal, Action.UNPUBLISH, actor=actor, reason=reason.strip()[:200], public=False)
    return appeal


@transaction.atomic
def appeal_pause(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """Stop the clock while waiting on the resident (nobody home, a document to come); she sees why."""
    appeal = _locked(appeal)
    if not (acts_for_party(actor, appeal) or acts_for_community(actor, appeal)):
        raise NotPermitted(_("只有社区或承办单位可以暂停计时"))
    if appeal.paused_at is not None:
        raise Conflict(_("已经在暂停中"), code="already_paused")
    if not (reason or "").strip():
        raise InvalidInput(_("请写明暂停原因，居民会看到"), field="reason")
    appeal.paused_at, appeal.pause_reason = timezone.now(), reason.strip()[:200]
    event = _transition(appeal, Action.PAUSE, actor=actor, reason=appeal.pause_reason, at=appeal.paused_at)
    notify.paused(appeal, event)
    return appeal


@transaction.atomic
def appeal_resume(*, appeal: Appeal, actor) -> Appeal:
    """Restart the clock: the deadlines move by the working time spent paused."""
    appeal = _locked(appeal)
    if not (acts_for_party(actor, appeal) or acts_for_community(actor, appeal)):
        raise NotPermitted(_("只有社区或承办单位可以恢复计时"))
    if appeal.paused_at is None:
        raise Conflict(_("没有暂停"), code="not_paused")
    now = timezone.now()
    urgent = appeal.priority == Priority.URGENT
    calendar = Calendar.load(timezone.localdate(appeal.paused_at), days=400)
    spent = (now - appeal.paused_at) if urgent else calendar.between(appeal.paused_at, now)
    for field in ("respond_due_at", "respond_warn_at", "resolve_due_at", "resolve_warn_at"):
        value = getattr(appeal, field)
        if value is not None and value > appeal.paused_at:
            hours = spent.total_seconds() / 3600
            setattr(appeal, field, deadline(value, hours, on_the_clock=urgent, calendar=calendar))
    appeal.paused_at, appeal.pause_reason = None, ""
    _transition(appeal, Action.RESUME, actor=actor, at=now, data={"paused_minutes": int(spent.total_seconds() // 60)})
    return appeal


@transaction.atomic
def appeal_follow_up(*, appeal: Appeal, actor, note: str) -> Appeal:
    """A worker's call-back (回访) after the reply: what the resident said."""
    appeal = _locked(appeal)
    require_community(actor, appeal)
    if not (note or "").strip():
        raise InvalidInput(_("请记录回访情况"), field="note")
    _transition(appeal, Action.FOLLOW_UP, actor=actor, reason=note.strip(), public=False)
    return appeal


@transaction.atomic
def appeal_whistle(*, appeal: Appeal, actor, reason: str, department: Organisation | None = None) -> Whistle:
    """Blow the whistle (街乡吹哨): call in the subdistrict, or a named department, to report in and act."""
    from gongzhi.notifications.services import notify_many

    appeal = _locked(appeal)
    require_community(actor, appeal)
    if not (reason or "").strip():
        raise InvalidInput(_("请写明为什么需要吹哨"), field="reason")
    if department is not None and department.kind != OrgKind.DEPARTMENT:
        raise InvalidInput(_("只能向职能部门吹哨"), field="department")
    now = timezone.now()
    target = {"department": department} if department else {"subdistrict_id": appeal.subdistrict_id}
    if Whistle.objects.filter(appeal=appeal, reported_at__isnull=True, **target).exists():
        raise Conflict(_("已向该单位吹哨，正在等待报到"), code="whistle_pending")
    whistle = Whistle.objects.create(
        appeal=appeal, blown_by=actor, blown_at=now, reason=reason.strip(), **target,
        report_due_at=deadline(now, settings.GONGZHI["REPORT_IN_HOURS"], on_the_clock=appeal.priority ==
                               Priority.URGENT, calendar=Calendar.load(timezone.localdate(now))),
    )
    _transition(appeal, Action.WHISTLE, actor=actor, reason=whistle.reason, at=now,
                data={"whistle": whistle.pk, "department": department.pk if department else None,
                      "subdistrict": None if department else appeal.subdistrict_id})
    called = RoleGrant.objects.filter(revoked_at__isnull=True).filter(
        Q(organisation=department) if department else Q(area_id=appeal.subdistrict_id, role=Role.SUBDISTRICT_STAFF))
    title = _("诉求 %(n)s 吹哨，请报到") % {"n": appeal.number}
    notify_many([(u, f"whistle:{whistle.pk}", title, whistle.reason, f"/staff/appeals/{appeal.pk}/")
                 for u in called.values_list("user_id", flat=True)], sms=True)
    return whistle


@transaction.atomic
def whistle_report_in(*, whistle: Whistle, actor, handler_name: str, handler_phone: str = "") -> Whistle:
    """部门报到: the department (or subdistrict) acknowledges and names who handles it. Who then holds the job is
    the community's call: it dispatches or transfers the appeal to the department, which takes it as usual."""
    whistle = Whistle.objects.select_for_update().get(pk=whistle.pk)
    appeal = _locked(whistle.appeal)
    if whistle.department_id:
        allowed = RoleGrant.objects.filter(user=actor, organisation_id=whistle.department_id,
                                           revoked_at__isnull=True).exists()
    else:
        allowed = scope_for(actor, Perm.HANDLE_APPEALS).covers(appeal) and RoleGrant.objects.filter(
            user=actor, role=Role.SUBDISTRICT_STAFF, area_id=whistle.subdistrict_id, revoked_at__isnull=True).exists()
    if not allowed:
        raise NotPermitted(_("只有被吹哨的单位可以报到"))
    if whistle.reported_at is not None:
        raise Conflict(_("已经报到"), code="already_reported")
    handler_name = (handler_name or "").strip()
    if not handler_name:
        raise InvalidInput(_("请写明经办人"), field="handler_name")
    now = timezone.now()
    whistle.reported_at, whistle.reported_by = now, actor
    whistle.handler_name, whistle.handler_phone = handler_name[:50], validate_phone(handler_phone)
    whistle.save()
    late = now > whistle.report_due_at
    _transition(appeal, Action.REPORT_IN, actor=actor, party=whistle.department, at=now,
                reason=_("经办人：%(name)s") % {"name": whistle.handler_name},
                data={"whistle": whistle.pk, "late": late})
    return whistle


MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 15 * 1024 * 1024
PHOTO_EDGE = 1600


def _reencode(upload) -> tuple[bytes, int, int]:
    """Decode with Pillow (refusing what is not an image), turn upright, shrink, and write a fresh JPEG: the
    camera's EXIF — GPS position included — is not carried over."""
    from io import BytesIO

    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload.size > MAX_PHOTO_BYTES:
        raise InvalidInput(_("照片“%(name)s”太大，请小于15MB") % {"name": upload.name}, field="photos")
    try:
        with Image.open(upload) as image:
            if image.width * image.height > 60_000_000:
                raise InvalidInput(_("照片“%(name)s”尺寸过大") % {"name": upload.name}, field="photos")
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            image = image.convert("RGB")
            out = BytesIO()
            image.save(out, "JPEG", quality=82, optimize=True)
            return out.getvalue(), image.width, image.height
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidInput(_("“%(name)s”不是可以识别的照片") % {"name": upload.name}, field="photos") from None


def _prepare_photos(files, already: int = 0) -> list[tuple[bytes, int, int]]:
    files = list(files or [])
    if already + len(files) > MAX_PHOTOS:
        raise InvalidInput(_("每条诉求最多%(n)d张照片") % {"n": MAX_PHOTOS}, field="photos")
    prepared, refused = [], []
    for upload in files:  # all checked before anything is stored, and every bad one named at once
        try:
            prepared.append(_reencode(upload))
        except InvalidInput as e:
            refused.append(e.message)
    if refused:
        raise InvalidInput("；".join(refused), field="photos")
    return prepared


def _store_photos(appeal: Appeal, actor, prepared) -> list:
    from django.core.files.base import ContentFile

    from .models import AppealPhoto

    photos = []
    for data, width, height in prepared:
        photo = AppealPhoto(appeal=appeal, uploaded_by=actor, width=width, height=height)
        photo.image.save("photo.jpg", ContentFile(data), save=False)
        photo.save()
        photos.append(photo)
    return photos


@transaction.atomic
def appeal_add_photos(*, appeal: Appeal, actor, files) -> list:
    """Attach photos (up to MAX_PHOTOS per appeal) — by its reporter, or by staff working it."""
    appeal = _locked(appeal)
    if not (appeal.reporter_id == getattr(actor, "pk", None) or acts_for_community(actor, appeal)
            or acts_for_party(actor, appeal)):
        raise NotPermitted(_("您不能为这条诉求上传照片"))
    return _store_photos(appeal, actor, _prepare_photos(files, appeal.photos.count()))


def appeal_support(*, appeal: Appeal, actor, support: bool = True) -> int:
    """我也遇到: a resident living in the appeal's community backs an appeal on its public board (or takes it back).
    Once per person; pressing twice changes nothing. Returns how many back it now."""
    if not appeal.public or appeal.parent_id is not None:
        raise NotPermitted(_("只能附议公示栏上的诉求"))
    if appeal.reporter_id is not None and appeal.reporter_id == getattr(actor, "pk", None):
        raise InvalidInput(_("这是您自己反映的问题"))
    if not verified_households(actor).filter(community_id=appeal.community_id).exists():
        raise NotPermitted(_("只有本社区认证居民可以附议"))
    if support:
        if appeal.state not in OPEN_STATES:
            raise TransitionNotAllowed(_("该诉求已办结，无需附议"))
        AppealSupport.objects.get_or_create(appeal=appeal, user=actor, defaults={"at": timezone.now()})
    else:
        AppealSupport.objects.filter(appeal=appeal, user=actor).delete()
    return AppealSupport.objects.filter(appeal=appeal).count()
