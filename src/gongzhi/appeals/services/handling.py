"""Working an appeal: accept (受理), the machine's first read applied, dispatch (派单), take (接单), return (退单),
transfer (转派), reclassify, pause and resume the clock, follow up (回访), take it off the public board."""
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.core.text import SHORT, free_text
from gongzhi.registry.models import Area, Organisation

from .. import notify, routing
from ..choices import OPEN_STATES, Action, Priority, Rating, State, Step
from ..extensions import HOLDER_PAGE
from ..models import Appeal, AppealRating, Category
from ..permissions import may_assign, require_may
from ..selectors import assignable, parties_for
from ..worktime import Calendar, deadline
from .closing import record_rating
from .lifecycle import assign_grid, locked, place, start_clock, transition


def require_eligible(appeal: Appeal, party: Organisation) -> None:
    """A party named by a person must be active and serve the appeal's place (the list the form offers)."""
    if not parties_for(appeal).filter(pk=party.pk).exists():
        raise InvalidInput(_("“%(name)s”不在为该地点服务的单位之列，请重新选择") % {"name": party.name}, field="party")


@transaction.atomic
def appeal_accept(*, appeal: Appeal, actor, category: Category | None = None, priority: str = "") -> Appeal:
    """The community accepts (受理) it: this is the response; the resolve clock starts."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.ACCEPT)
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
    start_clock(appeal, Step.RESOLVE, now)
    event = transition(appeal, Action.ACCEPT, actor=actor, at=now,
                       data={"category": appeal.category_id, "priority": appeal.priority})
    notify.progress(appeal, event, _("您的诉求 %(n)s 已受理"), _("社区已受理，正在安排办理。"))
    return appeal


@transaction.atomic
def appeal_triage_apply(*, appeal: Appeal, category: Category | None, area: Area | None, data: dict) -> Appeal:
    """The machine's first read, applied (智能分拨): a place read from the text narrows the appeal's area, and a
    category the classifier is sure of is set. With a category and a party the routing rules find, the appeal
    is accepted and dispatched at once, as a worker would; otherwise it waits for one. No actor: the timeline
    says the system did it, and ``data`` says how sure it was."""
    appeal = locked(appeal)
    if appeal.state != State.SUBMITTED:
        return appeal  # a person got there first
    if area is not None:
        place(appeal, area)
    if category is not None and appeal.category_id is None:
        appeal.category = category
        appeal.priority = appeal.priority if appeal.priority != Priority.NORMAL else category.priority
    transition(appeal, Action.TRIAGE, actor=None, public=False,
               data={**data, "category": appeal.category_id, "area": appeal.area_id})
    if category is None or appeal.category_id != category.pk or (found := routing.route(appeal)) is None:
        return appeal
    now = timezone.now()
    appeal.accepted_at = appeal.responded_at = now
    start_clock(appeal, Step.RESOLVE, now)
    transition(appeal, Action.ACCEPT, actor=None, at=now,
               data={"category": appeal.category_id, "priority": appeal.priority, "by": "triage"})
    appeal.party, appeal.rule = found
    event = transition(appeal, Action.DISPATCH, actor=None, party=appeal.party,
                       data={"party": appeal.party_id, "rule": appeal.rule_id, "by": "triage"})
    notify.tell_party(appeal, event, _("新派单：诉求 %(n)s"), appeal.text[:200])
    notify.progress(appeal, event, _("您的诉求 %(n)s 已受理并派给 %(party)s") % {
        "n": "%(n)s", "party": appeal.party.name.replace("%", "%%")}, _("承办单位会尽快联系您或上门处理。"))
    return appeal


@transaction.atomic
def appeal_reclassify(*, appeal: Appeal, actor, category: Category, reason: str = "") -> Appeal:
    """A worker sets the right category on an open appeal (the machine's, or a colleague's, was wrong).
    Deadlines already running stay as they are; the correction is training data for the classifier."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.RECLASSIFY)
    if not category.is_active:
        raise InvalidInput(_("该类别已停用"), field="category")
    reason = free_text(reason, field="reason", limit=SHORT)
    before = appeal.category_id
    appeal.category = category
    transition(appeal, Action.RECLASSIFY, actor=actor, reason=reason, public=False,
               data={"from": before, "to": category.pk})
    return appeal


@transaction.atomic
def appeal_dispatch(*, appeal: Appeal, actor, party: Organisation | None = None, reason: str = "") -> Appeal:
    """Send it to the party responsible: the one named, or the one the routing rules find."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.DISPATCH)
    rule = None
    if party is None:
        found = routing.route(appeal)
        if found is None:
            raise InvalidInput(_("没有找到负责该类诉求的单位，请手动选择承办单位"), code="no_route", field="party")
        party, rule = found
    else:
        require_eligible(appeal, party)
    reason = free_text(reason, field="reason", limit=SHORT)
    appeal.party, appeal.rule = party, rule
    event = transition(appeal, Action.DISPATCH, actor=actor, reason=reason, party=party,  # the timeline names it
                       data={"party": party.pk, "rule": rule.pk if rule else None})
    notify.tell_party(appeal, event, _("新派单：诉求 %(n)s"), appeal.text[:200])
    notify.progress(appeal, event, _("您的诉求 %(n)s 已派给 %(party)s") % {
        "n": "%(n)s", "party": party.name.replace("%", "%%")}, _("承办单位会尽快联系您或上门处理。"))
    return appeal


@transaction.atomic
def appeal_take(*, appeal: Appeal, actor) -> Appeal:
    """The party accepts the job (接单)."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.TAKE)
    transition(appeal, Action.TAKE, actor=actor, party=appeal.party)
    return appeal


@transaction.atomic
def appeal_transfer(*, appeal: Appeal, actor, party: Organisation, reason: str) -> Appeal:
    """Hand the job to another party (转派): the community may, and so may the party holding it — e.g. a small
    property company handing a job it cannot staff to a bigger one serving the same community (大手拉小手)."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.TRANSFER)
    if party is None:
        raise InvalidInput(_("请选择转派给哪个单位"), field="party")
    if party.pk == appeal.party_id:
        raise InvalidInput(_("已在该单位办理"), field="party")
    require_eligible(appeal, party)
    reason = free_text(reason, field="reason", limit=SHORT, required=_("请写明转派原因"))
    previous = appeal.party
    appeal.party = party
    appeal.rule = None
    event = transition(appeal, Action.TRANSFER, actor=actor, party=previous,
                       reason=_("转给%(to)s：%(why)s") % {"to": party.name, "why": reason.strip()},
                       data={"from": previous.pk if previous else None, "to": party.pk})
    notify.tell_party(appeal, event, _("转派给您：诉求 %(n)s"), reason.strip())
    return appeal



@transaction.atomic
def appeal_unpublish(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """Take an appeal off the public board (e.g. it names someone); the resident's choice is kept on record."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.UNPUBLISH)
    if not appeal.public:
        raise Conflict(_("该诉求没有公示"), code="not_public")
    reason = free_text(reason, field="reason", limit=200, required=_("请写明撤下原因"))
    appeal.public = False
    transition(appeal, Action.UNPUBLISH, actor=actor, reason=reason, public=False)
    return appeal


@transaction.atomic
def appeal_pause(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """Stop the clock while waiting on the resident (nobody home, a document to come); she sees why."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.PAUSE)
    if appeal.paused_at is not None:
        raise Conflict(_("已经在暂停中"), code="already_paused")
    reason = free_text(reason, field="reason", limit=Appeal._meta.get_field("pause_reason").max_length,
                       required=_("请写明暂停原因，居民会看到"))
    appeal.paused_at, appeal.pause_reason = timezone.now(), reason
    event = transition(appeal, Action.PAUSE, actor=actor, reason=appeal.pause_reason, at=appeal.paused_at)
    notify.paused(appeal, event)
    return appeal


@transaction.atomic
def appeal_resume(*, appeal: Appeal, actor) -> Appeal:
    """Restart the clock: the deadlines move by the working time spent paused."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.RESUME)
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
    transition(appeal, Action.RESUME, actor=actor, at=now, data={"paused_minutes": int(spent.total_seconds() // 60)})
    return appeal


@transaction.atomic
def appeal_follow_up(*, appeal: Appeal, actor, note: str, rating: str = "") -> Appeal:
    """A worker's call-back (回访) after the reply: what the resident said, and — when she rates the reply on the
    phone — her rating, kept on the record like one given in the app (a caller without an account rates so). A
    rating by phone on a resolved appeal closes it, as hers in the app would."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.FOLLOW_UP)
    note = free_text(note, field="note", limit=SHORT, required=_("请记录回访情况"))
    now = timezone.now()
    if rating:
        if rating not in Rating.values:
            raise InvalidInput(_("请选择满意、基本满意或不满意"), field="rating")
        if appeal.resolved_at is None or appeal.state not in (State.RESOLVED, State.CLOSED):
            raise InvalidInput(_("诉求办结答复后才能记录居民的评价"), field="rating")
        record_rating(appeal, rating=rating, comment=note.strip()[:500], via=AppealRating.Via.PHONE, at=now,
                      recorded_by=actor)
    transition(appeal, Action.FOLLOW_UP, actor=actor, reason=note.strip(), public=False, at=now,
               data={"rating": rating} if rating else None)
    if rating and appeal.state == State.RESOLVED:
        appeal.closed_at = now
        transition(appeal, Action.RATE, actor=actor, at=now, data={"rating": rating, "via": "phone"},
                   reason=str(Rating(rating).label))
    return appeal




@transaction.atomic
def appeal_assign_grid(*, appeal: Appeal, grid_id: int | None, actor) -> Appeal:
    """Put an appeal in one grid's queue (a hotspot task about a compound wholly inside one grid)."""
    appeal = locked(appeal)
    require_may(actor, appeal, Action.RELOCATE)
    assign_grid(appeal, grid_id, actor=actor)
    return appeal


def _require_assignable(appeal: Appeal, actor, assignee) -> None:
    if not may_assign(actor, appeal):
        raise NotPermitted(_("只有正在办理这条诉求的一方可以指定经办人"))
    if assignee is not None and not assignable(appeal).filter(pk=assignee.pk).exists():
        raise InvalidInput(_("%(who)s 不是本单位（本社区）的工作人员，不能做经办人") % {"who": assignee}, field="assignee")


@transaction.atomic
def appeal_assign(*, appeal: Appeal, actor, assignee, reason: str = "") -> Appeal:
    """Name the person who has it (经办人), inside the side holding it; ``None`` takes it off anyone's worklist."""
    appeal = locked(appeal)
    _require_assignable(appeal, actor, assignee)
    reason = free_text(reason, field="reason", limit=SHORT)
    if appeal.assignee_id == getattr(assignee, "pk", None):
        return appeal
    before = appeal.assignee_id
    appeal.assignee = assignee
    event = transition(appeal, Action.ASSIGN, actor=actor, public=False,
                       reason=(_("经办人：%(who)s") % {"who": assignee} if assignee else _("取消经办人"))
                       + (f"（{reason.strip()}）" if (reason or "").strip() else ""),
                       data={"from": before, "to": getattr(assignee, "pk", None)})
    if assignee is not None and assignee.pk != actor.pk:
        notify.assigned(appeal, event, assignee)
    return appeal


def appeals_hand_over(*, actor, from_user, to_user, reason: str) -> int:
    """交接: every open appeal ``from_user`` is the 经办人 of goes to ``to_user`` (she is away, or has left), each
    with its event; one the actor may not assign, or ``to_user`` may not take, is left as it is. Returns how many
    moved."""
    # shorter than an assignment's reason, which carries it with 交接：in front
    reason = free_text(reason, field="reason", limit=200, required=_("请写明交接原因（如休假、调岗）"))
    moved = 0
    for pk in Appeal.objects.filter(assignee=from_user, state__in=OPEN_STATES).values_list("pk", flat=True):
        try:
            appeal_assign(appeal=Appeal(pk=pk), actor=actor, assignee=to_user, reason=_("交接：%(why)s") % {
                "why": reason.strip()})
        except (NotPermitted, InvalidInput):
            continue
        moved += 1
    return moved


@transaction.atomic
def appeals_hand_up(assignments: dict[int, int | None], *, reason: str, at=None) -> int:
    """Hand appeals on an app's own ladder to whoever stands at the rung they reached (the care network's keeper
    answers AppealsEscalated with this): each gets its new 经办人 (None: the community's queue) and an internal line;
    the new holder is told. Appeals no longer on a ladder, or closed meanwhile, are left."""
    at = at or timezone.now()
    moved = 0
    users = {u.pk: u for u in User.objects.filter(pk__in={v for v in assignments.values() if v})}
    for appeal in Appeal.objects.select_for_update(of=("self",)).filter(
            pk__in=list(assignments), ladder__gt="", state__in=OPEN_STATES).order_by("pk"):
        target = assignments[appeal.pk]
        if appeal.assignee_id == target:
            continue
        before = appeal.assignee_id
        appeal.assignee_id = target
        who = users.get(target)
        event = transition(appeal, Action.ASSIGN, actor=None, public=False, at=at,
                           reason=f"{reason}：{who}" if who else f"{reason}：{_('社区')}",
                           data={"from": before, "to": target, "ladder": appeal.ladder})
        if who is not None:
            page = HOLDER_PAGE.get(appeal.ladder)
            notify.assigned(appeal, event, who, link=reverse(page) if page else "")
        else:  # nobody on the ladder with an account: the community takes it now, and hears so at once
            notify.tell_community(appeal, event, _("诉求 %(n)s 无人接手，已转社区办理"), appeal.text[:60])
        moved += 1
    return moved
