"""Every read a deliberation page or endpoint makes, starting from what the viewer may see."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Household

from .choices import (
    BOARD_STAGES,
    MONEY_IN,
    Channel,
    Choice,
    Entry,
    MeetingState,
    ObjectionState,
    Stage,
    VoteState,
)
from .models import (
    Ballot,
    Council,
    CouncilMember,
    Meeting,
    Objection,
    Project,
    Resolution,
    RollEntry,
    Topic,
    Vote,
)
from .permissions import (
    councils_visible_to,
    entitled_parts,
    in_scope,
    public_topics,
    resident_sees,
    topics_for_resident,
    topics_for_staff,
)


def _topic_rows(qs: QuerySet[Topic]) -> QuerySet[Topic]:
    return qs.select_related("council", "scope").annotate(
        cosign_count=Count("cosigns", distinct=True),
        pending_objections=Count("objections", filter=Q(objections__state=ObjectionState.PENDING), distinct=True),
        open_votes=Count("votes", filter=Q(votes__state=VoteState.OPEN), distinct=True))


def board(viewer, *, council_id: int | None = None, q: str = "") -> dict[str, list[Topic]]:
    """The staff board: open topics by stage, in the order a topic moves."""
    qs = topics_for_staff(viewer).filter(stage__in=BOARD_STAGES)
    if council_id:
        qs = qs.filter(council_id=council_id)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    columns: dict[str, list[Topic]] = {stage: [] for stage in BOARD_STAGES}
    for topic in _topic_rows(qs).order_by("-updated_at")[:600]:
        columns[topic.stage].append(topic)
    return columns


def finished_topics(viewer, limit: int = 50) -> list[Topic]:
    return list(_topic_rows(topics_for_staff(viewer).exclude(stage__in=BOARD_STAGES)).order_by("-updated_at")[:limit])


def topic_for_staff(viewer, pk: int) -> Topic:
    topic = topics_for_staff(viewer).select_related("council__template", "scope", "proposed_by").filter(pk=pk).first()
    if topic is None:
        raise NotFound(_("议题不存在"))
    return topic


def topic_for_resident(viewer, pk: int) -> Topic:
    topic = Topic.objects.select_related("council", "scope").filter(pk=pk).first()
    if topic is None or not resident_sees(viewer, topic):
        raise NotFound(_("议题不存在"))
    return topic


def public_topic(pk: int) -> Topic:
    topic = public_topics().select_related("council", "scope").filter(pk=pk).first()
    if topic is None:
        raise NotFound(_("议题不存在"))
    return topic


def timeline(topic: Topic, *, public_only: bool):
    events = topic.events.select_related("actor").order_by("at", "id")
    return events.filter(public=True) if public_only else events


def meetings_of(topic: Topic) -> list[Meeting]:
    return list(topic.meetings.prefetch_related("attendance", "positions", "speakers").order_by("starts_at", "id"))


def meeting_for_staff(viewer, pk: int) -> Meeting:
    meeting = (Meeting.objects.select_related("topic__council", "topic__scope")
               .filter(pk=pk, topic__in=topics_for_staff(viewer)).first())
    if meeting is None:
        raise NotFound(_("会议不存在"))
    return meeting


def vote_for_staff(viewer, pk: int) -> Vote:
    vote = Vote.objects.select_related("topic__council", "topic__scope").filter(
        pk=pk, topic__in=topics_for_staff(viewer)).first()
    if vote is None:
        raise NotFound(_("表决不存在"))
    return vote


def vote_for_resident(viewer, pk: int) -> Vote:
    vote = Vote.objects.select_related("topic__council", "topic__scope").filter(pk=pk).first()
    if vote is None or not in_scope(viewer, vote.topic):
        raise NotFound(_("表决不存在"))
    return vote


def current_vote(topic: Topic) -> Vote | None:
    return topic.votes.order_by("-id").first()


@dataclass
class MyParts:
    """What an owner sees on her phone: the parts she may vote for, and which are already voted."""

    parts: list[RollEntry]
    voted: dict[int, str]  # part id → choice (her own ballots only; shown even in a secret vote: it is hers)

    @property
    def open_parts(self) -> list[RollEntry]:
        return [p for p in self.parts if p.part_id not in self.voted]


def my_parts(viewer, vote: Vote) -> MyParts:
    parts = list(entitled_parts(viewer, vote).select_related("part", "household__building", "household__unit"))
    voted = dict(Ballot.objects.filter(vote=vote, part_id__in=[p.part_id for p in parts])
                 .values_list("part_id", "choice"))
    return MyParts(parts=parts, voted=voted)


def roll_status(vote: Vote, *, q: str = "", limit: int = 200) -> list[dict]:
    """Staff's list for door-to-door collection: each part, its owner, and whether it has voted (never how, in a
    secret vote)."""
    rows = (RollEntry.objects.filter(vote=vote).select_related("part", "owner", "household__building",
                                                               "household__unit").order_by("part_id"))
    if q:
        rows = rows.filter(Q(part__number__icontains=q) | Q(household__room__icontains=q))
    rows = list(rows[:limit])
    cast = Ballot.objects.filter(vote=vote, part_id__in=[r.part_id for r in rows])
    ballots = {b[0]: b[1:] for b in cast.values_list("part_id", "choice", "channel", "pk")}
    photographed = set(cast.filter(sheet__isnull=False).values_list("part_id", flat=True))
    out = []
    for r in rows:
        ballot = ballots.get(r.part_id)
        out.append({"entry": r, "voted": ballot is not None,
                    # how a named owner voted stays unseen while the vote runs (nobody leans on her), and for good
                    # in a secret vote
                    "choice": None if (ballot is None or vote.secret or vote.state == VoteState.OPEN)
                    else Choice(ballot[0]).label,
                    "channel": Channel(ballot[1]).label if ballot else None,
                    "ballot": ballot[2] if ballot else None, "sheet": r.part_id in photographed})
    return out


def council_ballots(vote: Vote) -> list[dict]:
    members = CouncilMember.objects.filter(pk__in=vote.seated).select_related("seat").order_by("seat__position", "id")
    cast = dict(Ballot.objects.filter(vote=vote).values_list("member_id", "choice"))
    return [{"member": m, "choice": cast.get(m.pk) if not vote.secret else ("cast" if m.pk in cast else None),
             "voted": m.pk in cast} for m in members]


def council_detail(viewer, pk: int) -> tuple[Council, list[dict]]:
    """A council and its seats: each kind with its members and how many places stand empty."""
    council = councils_visible_to(viewer).select_related("template", "area").filter(pk=pk).first()
    if council is None:
        raise NotFound(_("议事会不存在"))
    members = defaultdict(list)
    for m in council.members.filter(ended_on__isnull=True).select_related("organisation"):
        members[m.seat_id].append(m)
    seats = []
    for kind in council.template.kinds.all():
        held = members.get(kind.pk, [])
        seats.append({"kind": kind, "members": held, "empty": max(kind.seats - len(held), 0) if kind.seats else 0})
    return council, seats


def councils_for(viewer) -> list[Council]:
    return list(councils_visible_to(viewer).select_related("area", "template").annotate(
        seated=Count("members", filter=Q(members__ended_on__isnull=True), distinct=True),
        open_topics=Count("topics", filter=~Q(topics__stage__in=[Stage.CLOSED, Stage.ENDED, Stage.DECLINED]),
                          distinct=True)).order_by("area__kind", "area__position", "name"))


def resident_topics(viewer) -> dict[str, list[Topic]]:
    """Her topics: those collecting co-signers, under way, under notice or being voted, and those done."""
    groups = {"act": [], "open": [], "done": []}
    for t in _topic_rows(topics_for_resident(viewer)).order_by("-updated_at")[:200]:
        if t.stage in (Stage.COSIGNING, Stage.PUBLICISING, Stage.EVALUATING) or t.open_votes:
            groups["act"].append(t)
        elif t.stage in (Stage.CLOSED, Stage.ENDED, Stage.DECLINED):
            groups["done"].append(t)
        else:
            groups["open"].append(t)
    return groups


def councils_for_resident(viewer) -> list[Council]:
    from .permissions import home_area_ids
    return list(Council.objects.filter(area_id__in=home_area_ids(viewer), is_active=True).select_related("area")
                .order_by("area__kind", "name"))


def objections_of(topic: Topic) -> list[Objection]:
    return list(topic.objections.select_related("resolution").order_by("id"))


def my_objection(viewer, topic: Topic) -> Objection | None:
    return topic.objections.filter(user=viewer).order_by("-id").first()


# --- projects and money ---------------------------------------------------------------------------------------


@dataclass
class Money:
    planned: dict[str, Decimal]
    received: dict[str, Decimal]
    collected: Decimal
    refunded: Decimal
    spent: Decimal
    balance: Decimal
    due: Decimal  # what the residents' share should bring in
    households: int
    paid_households: int


def project_money(project: Project) -> Money:
    planned = dict(project.funding.values_list("source").annotate(s=Sum("amount")))
    received = dict(project.ledger.filter(kind=Entry.RECEIVED).values_list("source").annotate(s=Sum("amount")))
    sums = dict(project.ledger.values_list("kind").annotate(s=Sum("amount")))
    z = Decimal("0")
    collected, refunded, spent = (sums.get(Entry.COLLECTED) or z, sums.get(Entry.REFUND) or z,
                                  sums.get(Entry.EXPENSE) or z)
    money_in = sum((sums.get(k) or z for k in MONEY_IN), z)
    topic = project.topic
    households = Household.objects.filter(**{f"{topic.scope.kind}_id": topic.scope_id}).count()
    paid = 0
    if project.share_per_household:
        paid = sum(1 for v in _net_paid(project).values() if v >= project.share_per_household)
    return Money(planned=planned, received=received, collected=collected, refunded=refunded, spent=spent,
                 balance=money_in - refunded - spent,
                 due=(project.share_per_household or z) * households, households=households, paid_households=paid)


def _net_paid(project: Project) -> dict[int, Decimal]:
    net: dict[int, Decimal] = defaultdict(Decimal)
    for hid, kind, amount in project.ledger.filter(household__isnull=False).values_list("household_id", "kind",
                                                                                          "amount"):
        net[hid] += amount if kind == Entry.COLLECTED else -amount
    return net


def collection(project: Project, *, unpaid_only: bool = False, q: str = "", limit: int = 400) -> list[dict]:
    """Who paid the residents' share and who has not, household by household, in building and room order."""
    topic = project.topic
    net = _net_paid(project)
    share = project.share_per_household or Decimal("0")
    rows = (Household.objects.filter(**{f"{topic.scope.kind}_id": topic.scope_id})
            .select_related("compound", "building", "unit").order_by("building__position", "unit__position",
                                                                      "position", "room"))
    if q:
        rows = rows.filter(Q(room__icontains=q) | Q(building__name__icontains=q))
    out = []
    for h in rows.iterator(chunk_size=2000):
        paid = net.get(h.pk, Decimal("0"))
        if unpaid_only and paid >= share:
            continue
        out.append({"household": h, "paid": paid, "owing": max(share - paid, Decimal("0"))})
        if len(out) >= limit:
            break
    return out


def ledger_of(project: Project, limit: int = 500):
    return project.ledger.select_related("household__building", "household__unit", "recorded_by").order_by(
        "-at", "-id")[:limit]


# --- figures ---------------------------------------------------------------------------------------------------


def figures(viewer, *, since=None) -> dict:
    """Meetings held, topics resolved, median days from proposal to resolution — per council level and area."""
    topics = topics_for_staff(viewer)
    if since is not None:
        topics = topics.filter(created_at__gte=since)
    meetings = Meeting.objects.filter(topic__in=topics, state=MeetingState.HELD)
    by: dict[tuple[str, str], dict] = {}

    def row_of(level, area_name):
        return by.setdefault((level, area_name), {"level": level, "level_label": AreaKind(level).label,
                                                 "area": area_name, "topics": 0, "resolved": 0, "meetings": 0,
                                                 "days": []})
    for level, area_name, created, resolved in topics.values_list("council__area__kind", "council__area__name",
                                                                  "created_at", "resolved_at"):
        row = row_of(level, area_name)
        row["topics"] += 1
        if resolved is not None:
            row["resolved"] += 1
            row["days"].append((resolved - created).total_seconds() / 86400)
    for level, area_name, n in (meetings.values_list("topic__council__area__kind", "topic__council__area__name")
                                .annotate(n=Count("id"))):
        row_of(level, area_name)["meetings"] = n
    rows = []
    for row in sorted(by.values(), key=lambda r: (r["level"], r["area"])):
        row["median_days"] = round(median(row["days"]), 1) if row["days"] else None
        del row["days"]
        rows.append(row)
    all_days = [(r - c).total_seconds() / 86400 for c, r in topics.filter(resolved_at__isnull=False)
                .values_list("created_at", "resolved_at")]
    return {"rows": rows, "topics": topics.count(), "resolved": topics.filter(resolved_at__isnull=False).count(),
            "meetings": meetings.count(), "median_days": round(median(all_days), 1) if all_days else None,
            "pending_objections": Objection.objects.filter(topic__in=topics, state=ObjectionState.PENDING).count(),
            "as_of": timezone.now()}


def public_resolutions(*, q: str = "", limit: int = 100) -> list[Topic]:
    qs = public_topics().select_related("council", "scope").prefetch_related(
        Prefetch("resolutions", queryset=Resolution.objects.order_by("-version"), to_attr="latest_first")
    ).order_by("-resolved_at")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(council__name__icontains=q))
    return list(qs[:limit])
