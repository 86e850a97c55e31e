"""Appeal reads, starting from what the viewer may see."""
import re
import unicodedata
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, active_grants, organisations_for, roles_with, scope_for
from gongzhi.accounts.selectors import staff_of, staffed_by
from gongzhi.core.db import from_row, select_columns
from gongzhi.core.errors import InvalidInput
from gongzhi.core.params import id_param
from gongzhi.registry.choices import AreaKind, OrgKind, ResidentStatus
from gongzhi.registry.models import Area, Household, Organisation, Resident
from gongzhi.registry.permissions import get_visible, residents_visible_to
from gongzhi.registry.selectors import (
    attach_places,
    count_number_search,
    elderly_cutoff,
    full_view,
    search_residents,
)

from .choices import MERGE_TARGET_STATES, OPEN_STATES, Action, State, WhistleStatus
from .forms import place_label
from .models import Appeal, AppealEvent, AppealRequest, Category, ReplyTemplate, Supervision, Whistle
from .permissions import (
    COMMUNITY_BODIES,
    acts_for_community,
    acts_for_party,
    appeals_visible_to,
    called_on,
    shared_compounds,
)

# 20261124-00042 as people write it: the dash left out or doubled as a date (2026-11-24-42), zeros dropped
_NUMBER = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})-?(\d{1,7})(?!\d)")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d]")
_WRAPPING = "【】[]（）()《》<>“”\"'‘’。.,，、:：;；!！?？"


def number_match(text: str) -> Q:
    """Appeals numbered ``text``, or whose 12345 order number it is, as a person reads it off a message or says it
    on the phone: full-width digits, spaces, any dash or none, the day's count without its leading zeros, the
    words or brackets around it when pasted from the SMS; an order number in either case."""
    text = _DASHES.sub("-", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))).strip(_WRAPPING)
    wanted = Q(number=text) | Q(hotline_order_no__in=sorted({text, text.upper()}))
    if found := _NUMBER.search(text):
        wanted |= Q(number=f"{found[1]}{found[2]}{found[3]}-{int(found[4]):05d}")
    return wanted


FOLLOW_UP_DAYS = 30  # 待回访: appeals finished this recently that nobody has called back yet


def appeal_list(*, viewer, area: Area | None = None, state: str = "", category: int | None = None,
                overdue: bool = False, number: str = "", due_soon: bool = False, follow_up: bool = False,
                mine: bool = False, assigned: bool = False, pending: bool = False,
                supervised: bool = False) -> QuerySet[Appeal]:
    """The queue's appeals. ``due_soon``: open, past the warning point of the step it is at, not yet overdue
    (即将超时); ``follow_up``: finished in the last 30 days and not called back since (待回访); ``mine``: those the
    viewer took an action on herself (我经手的), whatever their state and wherever they are now; ``assigned``: those
    she is the 经办人 of (her worklist); ``pending``: a party's 退单 or 延期 waits for approval (待审核)."""
    if mine:
        qs = Appeal.objects.filter(pk__in=AppealEvent.objects.filter(actor=viewer).values("appeal_id"))
    else:
        qs = appeals_visible_to(viewer)
    if assigned:
        qs = qs.filter(assignee=viewer)
    if supervised:  # a 督办 waits for the handlers' answer
        qs = qs.filter(Exists(Supervision.objects.filter(appeal_id=OuterRef("pk"), answered_at__isnull=True)))
    if pending:
        qs = qs.filter(Exists(AppealRequest.objects.filter(appeal_id=OuterRef("pk"), state="pending")))
    if number.strip():
        qs = qs.filter(number_match(number))
    if area is not None:
        qs = qs.filter(**{f"{area.kind}_id": area.pk})
    if state:
        if state == "open":
            qs = qs.filter(state__in=OPEN_STATES)
        elif state in State.values:
            qs = qs.filter(state=state)
        else:
            raise InvalidInput(_("未知的状态"), field="state")
    if category is not None:
        qs = qs.filter(Q(category_id=category) | Q(category__parent_id=category))
    now = timezone.now()
    if overdue:
        qs = qs.filter(overdue_q(now))
    if due_soon:
        qs = qs.filter(Q(state=State.SUBMITTED, respond_warn_at__lte=now, respond_due_at__gte=now)
                       | Q(state__in=OPEN_STATES - {State.SUBMITTED}, resolve_warn_at__lte=now,
                           resolve_due_at__gte=now), paused_at__isnull=True)
    if follow_up:
        qs = qs.filter(follow_up_due_q(now))
    # the places (area, compound, building, unit, household) are attached to the page by ``with_places``: joined
    # here, five more tables took PostgreSQL 42 ms to plan for a 3 ms query (appeals.queue)
    return qs.select_related("category__parent", "party", "assignee").order_by("-id")


PLACE_FIELDS = ("area", "compound", "building", "unit", "grid", "community")


def with_places(appeals) -> list[Appeal]:
    """The appeals with their places read in two queries (areas, households), as ``place_text`` names them."""
    appeals = list(appeals)
    ids = {getattr(a, f"{f}_id") for a in appeals for f in PLACE_FIELDS} - {None}
    # the names and what place_label reads: a whole row of each took 30 ms a page
    areas = (Area.objects.only("id", "name", "kind", "community_id", "compound_id", "grid_id", "subdistrict_id",
                               "district_id").in_bulk(ids) if ids else {})
    homes = {a.household_id for a in appeals} - {None}
    households = Household.objects.only("id", "room", "area_id").in_bulk(homes) if homes else {}
    fields = [Appeal._meta.get_field(f) for f in PLACE_FIELDS]
    household = Appeal._meta.get_field("household")
    for appeal in appeals:
        for field in fields:
            if (pk := getattr(appeal, field.attname)) in areas:
                field.set_cached_value(appeal, areas[pk])
        if appeal.household_id in households:
            household.set_cached_value(appeal, households[appeal.household_id])
    return appeals


def overdue_q(now) -> Q:
    """Open and past the deadline of the step it is at (respond while 待受理, resolve after), clock running."""
    return Q(Q(state=State.SUBMITTED, respond_due_at__lt=now)
             | Q(state__in=OPEN_STATES - {State.SUBMITTED}, resolve_due_at__lt=now), paused_at__isnull=True)


def follow_up_due_q(now) -> Q:
    """待回访: resolved or closed in the last ``FOLLOW_UP_DAYS`` days, with no 回访 since."""
    since = now - timedelta(days=FOLLOW_UP_DAYS)
    finished = (Q(state__in=(State.RESOLVED, State.CLOSED), resolved_at__gte=since)
                | Q(state=State.CLOSED_UNRESOLVED, closed_at__gte=since))
    called_back = AppealEvent.objects.filter(appeal_id=OuterRef("pk"), action=Action.FOLLOW_UP,
                                             at__gte=Coalesce(OuterRef("resolved_at"), OuterRef("closed_at")))
    return finished & Q(parent__isnull=True) & ~Exists(called_back)


def appeal_detail(*, viewer, pk) -> Appeal:
    return with_places([get_visible(appeals_visible_to(viewer).select_related("category__parent", "party", "assignee"),
                                    pk)])[0]


def appeal_timeline(*, viewer, appeal: Appeal) -> QuerySet[AppealEvent]:
    """The whole timeline for staff on the case; the public part for the resident who filed it. A merged
    appeal's timeline goes on with its group's: that is the progress its reporter follows."""
    mine = Q(appeal=appeal)
    if appeal.parent_id:
        mine |= Q(appeal_id=appeal.parent_id)
    events = AppealEvent.objects.filter(mine).select_related("actor", "party", "appeal").order_by("at", "id")
    if acts_for_community(viewer, appeal) or acts_for_party(viewer, appeal):
        return events
    return events.filter(public=True)


def merge_candidates(*, viewer, appeal: Appeal, limit: int = 8) -> list[dict]:
    """Appeals the viewer handles that this one may be merged into (``MERGE_TARGET_STATES``: not yet closed, as
    ``services.appeal_merge`` allows) about the same compound (or community) in the last 30 days, same first-
    level category first: what a worker would look through before merging by hand. Plain rows (id, text,
    building_id, category_id, family): the merge box scores up to 200 of them per view, and loads only the few
    it shows."""
    if appeal.state not in OPEN_STATES or not acts_for_community(viewer, appeal):
        return []
    since = timezone.now() - timedelta(days=30)
    place = {"compound_id": appeal.compound_id} if appeal.compound_id else {"community_id": appeal.community_id}
    rows = list(appeals_visible_to(viewer).filter(created_at__gte=since, parent__isnull=True, **place)
                .filter(state__in=MERGE_TARGET_STATES).exclude(pk=appeal.pk)
                .order_by("-id").values("id", "text", "building_id", "category_id", "category__parent_id")[:200])
    for row in rows:  # the first-level category
        row["family"] = row.pop("category__parent_id") or row["category_id"]
    mine = (appeal.category.parent_id or appeal.category_id) if appeal.category_id else None
    rows.sort(key=lambda r: (mine is None or r["family"] != mine, -r["id"]))
    return rows[:limit]


def reply_templates(appeal: Appeal) -> list[dict]:
    """The reply templates for this appeal's category (and its parent, and the general ones), filled in."""
    cats = [c for c in (appeal.category_id, appeal.category.parent_id if appeal.category_id else None) if c]
    templates = ReplyTemplate.objects.filter(Q(category__isnull=True) | Q(category_id__in=cats), is_active=True).filter(
        Q(community__isnull=True) | Q(community_id=appeal.community_id))
    place = appeal.household.address if appeal.household_id else appeal.area.name
    values = {"number": appeal.number, "place": place, "date": timezone.localdate().strftime("%m月%d日"),
              "party": appeal.party.name if appeal.party_id else (appeal.community.name if appeal.community_id
                                                                   else "")}
    out = []
    # the community's own and the category's first
    for t in templates.order_by(F("community_id").desc(nulls_last=True), F("category_id").desc(nulls_last=True),
                                "position", "id"):
        text = t.text
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        out.append({"id": t.pk, "title": t.title, "text": text})
    return out


def portal_places(households) -> tuple[list, dict[str, tuple]]:
    """Where a resident may say the problem is: one of her verified homes, or — from the registry tree — the
    shared parts of her compound (the compound, each building) and her community. Returns grouped choices and
    value → (area, household)."""
    choices, lookup = [], {}
    homes = []
    for h in households:
        homes.append((f"home:{h.pk}", h.address))
        lookup[f"home:{h.pk}"] = (h.area, h)
    choices.append((_("我家"), homes))
    compounds = {h.compound_id for h in households if h.compound_id}
    shared = []
    for area in (Area.objects.filter(Q(pk__in=compounds) | Q(compound_id__in=compounds, kind=AreaKind.BUILDING))
                 .select_related("compound").order_by("compound_id", "kind", "position", "name")):
        label = (_("%(c)s 公共区域（道路、绿地、车棚等）") % {"c": area.name} if area.kind == AreaKind.COMPOUND
                 else _("%(c)s%(b)s 楼内公共部位（楼道、电梯等）") % {"c": area.compound.name, "b": area.name})
        shared.append((f"area:{area.pk}", label))
        lookup[f"area:{area.pk}"] = (area, None)
    for community in Area.objects.filter(pk__in={h.community_id for h in households}).order_by("name"):
        shared.append((f"area:{community.pk}", _("%(c)s 其他地方（请在下面写明）") % {"c": community.name}))
        lookup[f"area:{community.pk}"] = (community, None)
    if shared:
        choices.append((_("小区和社区"), shared))
    return choices, lookup


def desk_residents(*, viewer, text: str, limit: int = 10) -> list:
    """Find the resident at the desk by name, phone (or its last four digits), ID number, or address — words
    like “阳光小区 3号楼 501” each narrow the search. Only residents the worker may see and handle."""
    text = (text or "").strip()[:60]
    if len(text) < 2:
        return []
    count_number_search(viewer, text)
    qs = residents_visible_to(viewer).filter(scope_for(viewer, Perm.HANDLE_APPEALS).q())
    words = text.split()
    if len(words) == 1 and (text.isdigit() or len(text) == 18):
        # a phone, its last four digits, an ID number, a room: beyond the last four, only where she sees them
        qs = search_residents(qs, text, full=full_view(viewer))
    else:
        for word in words:
            digits = Q(phone__endswith=word) if word.isdigit() and len(word) == 4 else Q(pk__in=[])
            qs = qs.filter(Q(name__contains=word) | Q(household__room=word) | Q(building__name=word)
                           | Q(unit__name=word) | Q(compound__name__contains=word) | digits)
    return attach_places(list(qs.select_related("household").order_by("household_id", "id")[:limit]))


FILING_KINDS = (AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.COMPOUND)


def filing_places(*, viewer) -> QuerySet[Area]:
    """The places a worker files appeals about: the communities, grids and compounds she handles; for a grid
    worker on patrol also the buildings of her grid and the compounds it covers part of."""
    scope = scope_for(viewer, Perm.HANDLE_APPEALS)
    wanted = Q(scope.q(), kind__in=FILING_KINDS)
    if compounds := shared_compounds(viewer):
        grids = [g.area_id for g in active_grants(viewer) if g.role == Role.GRID_WORKER]
        wanted |= Q(pk__in=sorted(compounds)) | Q(kind=AreaKind.BUILDING, grid_id__in=grids)
    return (Area.objects.filter(wanted).select_related("community", "compound")
            .order_by("community_id", "kind", "position", "id"))


QUEUE_KINDS = (AreaKind.DISTRICT, AreaKind.SUBDISTRICT, *FILING_KINDS)


def queue_areas(*, viewer, area: Area | None, flat_max: int) -> list[tuple[str, list[tuple[Area, str]]]]:
    """The places the queue's filter offers, as (group label, [(place, label)]); an empty label is no group.

    A worker with up to ``flat_max`` places (her community's grids and compounds) gets them all, each named with
    its community. Someone with more (a subdistrict, the 12345 centre) walks down from her top places: once she
    chooses one, the list holds the way up to it, the places beside it and the places right under it. So arrow
    keys move along one level (each step refreshes the list), a city operator reaches any grid in four choices,
    and no list is longer than one place's children."""
    scope = scope_for(viewer, Perm.HANDLE_APPEALS)
    if not scope:
        return []
    if not scope.everywhere:
        flat = list(filing_places(viewer=viewer)[:flat_max + 1])
        if len(flat) <= flat_max:
            return [("", [(a, f"{a.get_kind_display()} · {place_label(a)}") for a in flat])]

    def listed(places, mark=""):
        return [(a, f"{mark}{a.get_kind_display()} · {a.name}") for a in places]

    def children(place):
        return list(Area.objects.filter(parent=place, kind__in=QUEUE_KINDS).order_by("kind", "position", "id"))

    tops = (Area.objects.filter(kind__in=[AreaKind.DISTRICT, AreaKind.SUBDISTRICT]) if scope.everywhere
            else Area.objects.filter(pk__in=[pk for _kind, pk in scope.places], kind__in=QUEUE_KINDS))
    tops = list(tops.order_by("kind", "position", "id"))
    if area is None:
        return [("", listed(tops))]
    above = [getattr(area, f"{kind}_id") for kind in QUEUE_KINDS if kind != area.kind]
    up = sorted((a for a in Area.objects.filter(pk__in=[pk for pk in above if pk]) if scope.covers(a)),
                key=lambda a: QUEUE_KINDS.index(a.kind))
    parent = next((a for a in up if a.pk == area.parent_id), None)
    groups = [("", listed(up, "↑ ")),
              (_("%(place)s 下") % {"place": parent.name} if parent else _("我负责的区域"),
               listed(children(parent) if parent is not None else tops)),
              (_("%(place)s 下") % {"place": area.name}, listed(children(area)))]
    return [(label, options) for label, options in groups if options]


def filing_place_search(*, viewer, text: str, limit: int = 15) -> list[Area]:
    """Places among hers whose name (or community's name) holds every word typed: “阳光 二网格”."""
    words = (text or "").split()[:4]
    if not words:
        return []
    qs = filing_places(viewer=viewer)
    for word in words:
        qs = qs.filter(Q(name__contains=word[:40]) | Q(community__name__contains=word[:40]))
    return list(qs[:limit])


def desk_residents_by_pk(*, viewer, pk: int) -> list:
    qs = residents_visible_to(viewer).filter(scope_for(viewer, Perm.HANDLE_APPEALS).q(), pk=pk)
    return attach_places(list(qs.select_related("household__area")))


def merge_target(*, viewer, value: str) -> Appeal:
    """The appeal to merge into, by its number (20261123-00042, typed as number_match takes it), its 12345 order
    number or id, among those the worker can see."""
    value = (value or "").strip()
    qs = appeals_visible_to(viewer)
    target = (qs.filter(number_match(value)).first() if value else None) or (
        qs.filter(pk=pk).first() if (pk := id_param(value)) else None)
    if target is None:
        raise InvalidInput(_("没有找到编号为“%(n)s”的诉求") % {"n": value}, field="into")
    return target


def parties_for(appeal: Appeal):
    """Who an appeal may be dispatched or transferred to: the active bodies serving its compound, community,
    subdistrict or district — and any property company serving the same community, so a small one can hand a job
    to a bigger neighbour (大手拉小手) — that can take it: someone there holds a role that works appeals, or it is
    a body the community's own workers act for. A school or a company with no one in the system is not offered:
    nobody would ever take the job."""
    chain = [getattr(appeal, f"{k}_id") for k in ("compound", "community", "subdistrict", "district")]
    condition = Q(area_roles__area_id__in=[i for i in chain if i])
    if appeal.community_id:
        condition |= Q(kind=OrgKind.PROPERTY_COMPANY, area_roles__area__community_id=appeal.community_id)
    return (Organisation.objects.filter(condition, is_active=True)
            .filter(Q(kind__in=COMMUNITY_BODIES) | Q(staffed_by(roles_with(Perm.WORK_APPEALS))))
            .distinct().order_by("kind", "name"))


def intake_lookup(*, area_id: int, household_id: int | None, category_id: int | None):
    """The area, household and category (with its parent) an intake names, in one query written here rather
    than three compiled per request: every resident's filing starts with it. Each is None when not found (the
    household and category also when not given); a retired category is returned, for the caller to refuse."""
    sql = (f"SELECT {select_columns(Area, 'a')}, {select_columns(Household, 'h')}, {select_columns(Category, 'c')}, "
           f"{select_columns(Category, 'p')} FROM {Area._meta.db_table} a "
           f"LEFT JOIN {Household._meta.db_table} h ON h.id = %s "
           f"LEFT JOIN {Category._meta.db_table} c ON c.id = %s "
           f"LEFT JOIN {Category._meta.db_table} p ON p.id = c.parent_id WHERE a.id = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [household_id, category_id, area_id])
        row = cursor.fetchone()
    if row is None:
        return None, None, None
    at = 0
    found = []
    for model in (Area, Household, Category, Category):
        found.append(from_row(model, row, at))
        at += len(model._meta.concrete_fields)
    area, household, category, parent = found
    if category is not None and category.parent_id is not None:
        category.parent = parent
    return area, household, category


def whistle_status_q(status: str, now=None) -> Q:
    """Whistles whose co-handling stands at ``status`` (``WhistleStatus``), or "overdue": past what it must do
    next (report in, or act and say what it did), or "open": not yet confirmed."""
    now = now or timezone.now()
    reported, fed_back = Q(reported_at__isnull=False), Q(fed_back_at__isnull=False)
    unconfirmed = Q(confirmed_at__isnull=True)
    conditions = {
        WhistleStatus.WAITING: Q(reported_at__isnull=True),
        WhistleStatus.HANDLING: reported & ~fed_back & unconfirmed & Q(sent_back=0),
        WhistleStatus.SENT_BACK: reported & ~fed_back & unconfirmed & Q(sent_back__gt=0),
        WhistleStatus.FED_BACK: fed_back & unconfirmed,
        WhistleStatus.CONFIRMED: ~unconfirmed,
        "open": unconfirmed,
        "overdue": Q(reported_at__isnull=True, report_due_at__lt=now)
        | (reported & ~fed_back & unconfirmed & Q(handle_due_at__lt=now)),
    }
    if status not in conditions:
        raise InvalidInput(_("未知的协办状态"), field="status")
    return conditions[status]


def cohandling(*, viewer, side: str, status: str = "open") -> QuerySet[Whistle]:
    """协办: whistles the viewer's body is called in on (``side="called"``), or those blown on appeals she handles
    (``"blown"``), due first."""
    if side == "called":
        qs = Whistle.objects.filter(called_on(viewer))
    else:
        scope = scope_for(viewer, Perm.HANDLE_APPEALS)
        qs = Whistle.objects.filter(scope.q("appeal__")) if scope else Whistle.objects.none()
    if status:
        qs = qs.filter(whistle_status_q(status))
    return (qs.select_related("appeal__category__parent", "department", "subdistrict")  # places: with_places
            .order_by(F("confirmed_at").desc(nulls_first=True), "report_due_at", "id"))


def cohandling_sides(viewer) -> list[str]:
    """Which lists of whistles the viewer has: those her body is called in on, those her area blew."""
    sides = []
    if any(g.role in (Role.DEPARTMENT_STAFF, Role.SUBDISTRICT_STAFF) for g in active_grants(viewer)):
        sides.append("called")
    if scope_for(viewer, Perm.HANDLE_APPEALS):
        sides.append("blown")
    return sides


def todo(viewer) -> list[dict]:
    """The home page's to-do list: what waits for the viewer, by role, each a count (one indexed query each)
    linking to the queue (or the 协办 list) filtered to exactly those. Only what her roles have: a property
    clerk sees what was dispatched to her company, a department what it is called in on, a community all its
    steps."""
    now = timezone.now()
    queue, whistles = reverse("staff:appeal_queue"), reverse("staff:cohandling")
    visible = appeals_visible_to(viewer)
    community = scope_for(viewer, Perm.HANDLE_APPEALS)
    party = bool(organisations_for(viewer, Perm.WORK_APPEALS))
    items = []

    def add(label, qs, url, alert=False):
        items.append({"label": label, "count": qs.count(), "url": url, "alert": alert})

    if community:
        add(_("待受理"), visible.filter(state=State.SUBMITTED), f"{queue}?state=submitted")
        add(_("被退回"), visible.filter(state=State.RETURNED), f"{queue}?state=returned", alert=True)
        add(_("退单延期待审核"), visible.filter(pk__in=AppealRequest.objects.filter(state="pending").values("appeal_id")),
            f"{queue}?state=open&pending=1", alert=True)
    if party:
        add(_("待接单"), visible.filter(state=State.DISPATCHED), f"{queue}?state=dispatched")
    if community or party:
        add(_("督办待回复"), visible.filter(state__in=OPEN_STATES, pk__in=Supervision.objects.filter(
            answered_at__isnull=True).values("appeal_id")), f"{queue}?state=open&supervised=1", alert=True)
        add(_("指派给我"), visible.filter(assignee=viewer, state__in=OPEN_STATES), f"{queue}?state=open&assigned=1")
        add(_("即将超时"), appeal_list(viewer=viewer, state="open", due_soon=True), f"{queue}?state=open&due=soon")
        add(_("已超时"), visible.filter(overdue_q(now)), f"{queue}?state=open&overdue=1", alert=True)
    if community:
        add(_("待回访"), visible.filter(follow_up_due_q(now)), f"{queue}?state=&follow_up=1")
        blown = Whistle.objects.filter(community.q("appeal__"))
        add(_("协办待确认"), blown.filter(whistle_status_q(WhistleStatus.FED_BACK)),
            f"{whistles}?side=blown&status=fed_back")
    if "called" in cohandling_sides(viewer):
        called = Whistle.objects.filter(called_on(viewer))
        add(_("待报到"), called.filter(whistle_status_q(WhistleStatus.WAITING)),
            f"{whistles}?side=called&status=waiting")
        add(_("协办待反馈"), called.filter(reported_at__isnull=False, fed_back_at__isnull=True,
                                           confirmed_at__isnull=True), f"{whistles}?side=called&status=open")
        add(_("协办已超时"), called.filter(whistle_status_q("overdue", now)),
            f"{whistles}?side=called&status=overdue", alert=True)
    return items


def tracked_appeal(*, number: str, last4: str) -> Appeal | None:
    """进度查询 without an account: the appeal numbered ``number`` whose contact phone (or its reporter's) ends in
    ``last4``. Both must match; an appeal with no phone on it is never found this way."""
    last4 = unicodedata.normalize("NFKC", last4 or "").strip()
    if not re.fullmatch(r"[0-9]{4}", last4) or not (number or "").strip():
        return None
    return (Appeal.objects.filter(number_match(number))
            .filter(Q(contact_phone__endswith=last4) | Q(reporter__phone__endswith=last4, contact_phone=""))
            .select_related("category__parent", "area", "compound", "building", "unit", "household", "parent")
            .first())


COMMUNITY_HANDLERS = (Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER)


def assignable(appeal: Appeal):
    """Who may be its 经办人: the people of the side holding it now — the dispatched party's staff, or (before
    dispatch, or with a body the community runs) the community's workers, secretary and the grid's workers."""
    if appeal.party_id and appeal.party.kind not in COMMUNITY_BODIES:
        grants = staff_of(organisations=[appeal.party_id], roles=roles_with(Perm.WORK_APPEALS))
    else:
        grants = (staff_of(areas=[appeal.community_id], roles=COMMUNITY_HANDLERS[:2])
                  | staff_of(areas=[appeal.grid_id], roles=[Role.GRID_WORKER]))
    return (get_user_model().objects.filter(pk__in=grants.values("user_id"), is_active=True)
            .order_by("display_name", "username"))


def colleagues(viewer):
    """The people who share one of the viewer's areas or organisations (a hand-over goes to one of them)."""
    grants = active_grants(viewer)
    areas = [g.area_id for g in grants if g.area_id]
    orgs = [g.organisation_id for g in grants if g.organisation_id]
    people = staff_of(areas=areas, organisations=orgs).values("user_id")
    return get_user_model().objects.filter(pk__in=people, is_active=True).order_by("display_name", "username")


def template_communities(viewer) -> QuerySet[Area]:
    """The communities whose reply templates the viewer edits: those she handles appeals in."""
    scope = scope_for(viewer, Perm.HANDLE_APPEALS)
    if not scope or scope.everywhere:
        return Area.objects.none()
    return Area.objects.filter(scope.q(), kind=AreaKind.COMMUNITY).order_by("name")


def elderly_alone_home(appeal: Appeal) -> bool:
    """The appeal is about a home where someone 60 or older lives alone (the registry knows): its call-out fee
    is waived. Told to the handlers as that and nothing more (no name, no age)."""
    if not appeal.household_id:
        return False
    return Resident.objects.filter(household_id=appeal.household_id, status=ResidentStatus.PRESENT,
                                   lives_alone=True, birth_date__lte=elderly_cutoff()).exists()


def transfer_parties(appeal: Appeal) -> list:
    """Where the party holding an appeal may transfer it, its 大手拉小手 partner first (marked ``is_paired``)."""
    parties = list(parties_for(appeal).exclude(pk=appeal.party_id) if appeal.party_id else parties_for(appeal))
    pair = appeal.party.paired_with_id if appeal.party_id else None
    partners = ({pair} | set(Organisation.objects.filter(paired_with_id=appeal.party_id).values_list("pk", flat=True)
                             if appeal.party_id else ())) - {None}
    for party in parties:
        party.is_paired = party.pk in partners
    return sorted(parties, key=lambda p: not p.is_paired)


def answered(appeal: Appeal) -> list[tuple[str, str]]:
    """The intake questions' answers as (question, answer), in the category's order; a key no longer asked keeps
    its own name."""
    details = appeal.details or {}
    labels = {q["key"]: q["label"] for q in (appeal.category.questions if appeal.category_id else [])}
    return [(labels.get(key, key), value) for key, value in details.items()]


def just_filed(*, actor, text: str, area_id: int, minutes: int = 10) -> Appeal | None:
    """The same appeal (same text, same place) this person filed in the last few minutes: a form sent again after
    Back carries a new key, and must not file it twice."""
    since = timezone.now() - timedelta(minutes=minutes)
    return (Appeal.objects.filter(entered_by=actor, area_id=area_id, created_at__gte=since,
                                  text=(text or "").strip()).order_by("-id").first())
