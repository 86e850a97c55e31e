"""/api/v1 for deliberation: the topics a caller may see, one topic with its timeline, a vote's tally, and casting
an owner's ballot (the phone app's one write)."""
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.params import Id, Pages, one_of

from . import selectors, services
from .choices import Choice
from .models import Topic
from .permissions import sees_as_staff, topics_for_resident, topics_for_staff

router = Router(tags=["deliberation"])


class TopicOut(Schema):
    id: int
    title: str
    stage: str
    stage_label: str
    council: str
    scope_id: int
    scope: str
    origin: str
    created_at: datetime
    notice_ends_at: datetime | None
    resolved_at: datetime | None

    @staticmethod
    def resolve_stage_label(obj):
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_council(obj):
        return obj.council.name

    @staticmethod
    def resolve_scope(obj):
        return obj.scope.name


class TopicEventOut(Schema):
    at: datetime
    action: str
    label: str
    note: str

    @staticmethod
    def resolve_label(obj):
        return str(obj.get_action_display())


class ResolutionOut(Schema):
    version: int
    text: str
    adopted: bool
    published_at: datetime
    notice_ends_at: datetime
    reason: str


class TopicDetailOut(TopicOut):
    body: str
    timeline: list[TopicEventOut]
    resolutions: list[ResolutionOut]

    @staticmethod
    def resolve_resolutions(obj):
        return list(obj.resolutions.order_by("version"))


class TallyCountOut(Schema):
    area: Decimal
    heads: int


class TallyOut(Schema):
    vote_id: int
    kind: str
    rule: str
    state: str
    closes_at: datetime
    total: TallyCountOut
    participating: TallyCountOut
    yes: TallyCountOut
    no: TallyCountOut
    abstain: TallyCountOut
    ballots: int
    quorum_area: bool
    quorum_heads: bool
    majority_area: bool
    majority_heads: bool
    failed: list[str]
    passed: bool


class OwnerBallotIn(Schema):
    choice: one_of(Choice.values)
    part_ids: list[Id] | None = None


class OwnerBallotOut(Schema):
    part_id: int
    choice: str
    at: datetime


def _visible(request, pk: int):
    user = request.user
    topic = topics_for_staff(user).filter(pk=pk).first()
    return topic if topic is not None else selectors.topic_for_resident(user, pk)


@router.get("/deliberation/topics", response=list[TopicOut])
@paginate(Pages)
def list_topics(request):
    """Topics the caller may see: staff, those of their area; a resident, those concerning her verified homes."""
    mine = topics_for_resident(request.user).values("pk")
    staff = topics_for_staff(request.user).values("pk")
    return (Topic.objects.filter(Q(pk__in=staff) | Q(pk__in=mine)).select_related("council", "scope")
            .order_by("-id"))


@router.get("/deliberation/topics/{pk}", response=TopicDetailOut)
def get_topic(request, pk: Id):
    """One topic, with its timeline (staff see every line; residents the public ones) and every resolution version."""
    topic = _visible(request, pk)
    topic.timeline = list(selectors.timeline(topic, public_only=not sees_as_staff(request.user, topic)))
    return topic


@router.get("/deliberation/votes/{pk}/tally", response=TallyOut)
def get_tally(request, pk: Id):
    user = request.user
    vote = selectors.vote_for_staff(user, pk) if topics_for_staff(user).filter(votes=pk).exists() \
        else selectors.vote_for_resident(user, pk)
    result = vote.result if vote.state == "closed" else services.count(vote).as_dict()
    return {"vote_id": vote.pk, "kind": vote.kind, "rule": vote.rule, "state": vote.state,
            "closes_at": vote.closes_at, **result}


@router.post("/deliberation/votes/{pk}/ballots", response={201: list[OwnerBallotOut]})
def cast_ballot(request, pk: Id, body: OwnerBallotIn):
    """An owner votes for the parts she owns or co-owns on the roll (or those of ``part_ids``): one ballot per part,
    never changed. 409 ``already_voted`` when they all have one, ``vote_closed`` after the deadline."""
    ballots = services.ballot_cast(actor=request.user, vote=pk, choice=body.choice, part_ids=body.part_ids)
    return Status(201, [{"part_id": b.part_id, "choice": b.choice, "at": b.at} for b in ballots])

