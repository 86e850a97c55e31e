"""Votes: opened on a topic under deliberation (by the council's members, or by the owners of the exclusive parts in
its scope, the roll frozen at opening), ballots cast online by verified owners or entered by staff from a paper
sheet, a written proxy or a show of hands, and closed into a tally anyone can recount (``tally``).

A ballot locks its vote's row: closing waits for ballots being cast, and a ballot waits for a close under way,
then finds the vote closed. One ballot per part or member is the database's rule (a unique constraint), so two
phones of one household pressing at once leave one ballot.
"""
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.choices import BindingStatus
from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.core.images import reencode
from gongzhi.registry.choices import AreaKind, Tenure
from gongzhi.registry.models import ExclusivePart, headcount_key

from .. import tally
from ..choices import SPECIAL_MATTERS, Action, Channel, Choice, OwnersMatter, Rule, VoteKind, VoteState
from ..models import Ballot, CouncilMember, RollEntry, Vote
from ..permissions import home_area_ids, require_runs
from .common import locked, step, tell_residents, text

OWNERS_SCOPES = frozenset({AreaKind.COMPOUND, AreaKind.BUILDING, AreaKind.UNIT})
ROLL_BATCH = 2000


@transaction.atomic
def vote_open(*, actor, topic, kind: str, question: str, closes_at: datetime, matter: str = "",
              rule: str = Rule.MAJORITY, secret: bool = False) -> Vote:
    topic = locked(topic)
    require_runs(actor, topic)
    now = timezone.now()
    if kind not in VoteKind.values:
        raise InvalidInput(_("表决方式无效"), field="kind")
    if closes_at is None or closes_at <= now:
        raise InvalidInput(_("截止时间应晚于现在"), field="closes_at")
    question = text(question, field="question", label=_("表决事项"), least=4, most=200)
    vote = Vote(topic=topic, kind=kind, question=question, opens_at=now, closes_at=closes_at, secret=bool(secret),
                opened_by=actor)
    if kind == VoteKind.OWNERS:
        matter = matter or topic.owners_matter
        if matter not in OwnersMatter.values:
            raise InvalidInput(_("请选择业主共同决定的事项类别（民法典第二百七十八条）"), field="matter")
        if topic.scope.kind not in OWNERS_SCOPES:
            raise InvalidInput(_("业主共同决定应以小区、楼栋或单元为范围"), field="kind")
        vote.matter = matter
        vote.rule = Rule.SPECIAL if matter in SPECIAL_MATTERS else Rule.MAJORITY
    else:
        if rule not in Rule.values:
            raise InvalidInput(_("通过条件无效"), field="rule")
        vote.rule = rule
        vote.seated = list(topic.council.members.filter(ended_on__isnull=True).values_list("pk", flat=True))
        if not vote.seated:
            raise InvalidInput(_("议事会还没有在任代表，不能表决"), field="kind")
    step(topic, Action.OPEN_VOTE, actor=actor, note=question, data={"kind": kind, "rule": vote.rule,
                                                                    "closes_at": closes_at.isoformat()})
    try:
        with transaction.atomic():
            vote.save()
    except IntegrityError:
        raise Conflict(_("该议题已有进行中的表决")) from None
    if kind == VoteKind.OWNERS:
        entries = _roll(vote, topic.scope)
        if not entries:
            raise InvalidInput(_("该范围内没有登记专有部分，请先在户的页面登记房屋面积和产权人"), field="kind")
        tell_residents(topic, key=f"vote:{vote.pk}",
                       title=_("业主表决：%(q)s") % {"q": question},
                       body=_("请在%(when)s前投票") % {"when": timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M")})
    return vote


def _roll(vote: Vote, scope) -> int:
    """Freeze the roll: every exclusive part in scope, its area and its head, as the registry holds them now."""
    parts = (ExclusivePart.objects.filter(**{f"{scope.kind}_id": scope.pk}).order_by("pk")
             .values_list("pk", "measured_area", "contract_area", "owner_id", "developer_held", "household_id"))
    batch, count = [], 0
    for pk, measured, contract, owner_id, developer, household_id in parts.iterator(chunk_size=ROLL_BATCH):
        batch.append(RollEntry(vote=vote, part_id=pk, area=measured if measured is not None else contract,
                               head=headcount_key(pk, owner_id, developer), owner_id=owner_id,
                               household_id=household_id))
        if len(batch) >= ROLL_BATCH:
            RollEntry.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    RollEntry.objects.bulk_create(batch)
    return count + len(batch)


def _open_vote(vote: Vote) -> Vote:
    """The vote's row, locked, and still taking ballots."""
    vote = Vote.objects.select_for_update(of=("self",)).select_related("topic__council", "topic__scope").get(
        pk=vote.pk)
    if vote.state != VoteState.OPEN or timezone.now() >= vote.closes_at:
        raise Conflict(_("表决已经截止，不能再投票"), code="vote_closed")
    return vote


def _choice(choice: str) -> str:
    if choice not in Choice.values:
        raise InvalidInput(_("请选择同意、反对或弃权"), field="choice")
    return choice


# An owners' vote is cast from thousands of phones in the evenings before it closes. The cast is two statements
# written once here, not compiled per call: one reads the vote (share-locked: ballots go on side by side, a close
# waits for those under way and they for it) with her parts on the roll and their ballots; one inserts what is
# hers and not yet voted. Through the ORM (a Vote with its topic, her homes, the roll, the ballots, a savepoint per
# insert) deliberation.ballot_http measured 142 ballots/s, a ratio of 0.08 to http.hello_json; see the note of
# issue 23 for this version's figure.
# who may cast a part's ballot is permissions.entitled_parts' rule, written here once more in SQL: change both
_READ = (
    "SELECT v.kind, t.scope_id, CASE WHEN v.state = %s AND v.closes_at > %s THEN 1 ELSE 0 END, mine.part_id, "
    "CASE WHEN b.id IS NULL THEN 0 ELSE 1 END "
    "FROM deliberation_vote v JOIN deliberation_topic t ON t.id = v.topic_id "
    "LEFT JOIN (SELECT DISTINCT r.vote_id, r.part_id FROM deliberation_rollentry r "
    "  JOIN accounts_householdbinding hb ON hb.user_id = %s AND hb.status = %s "
    "  LEFT JOIN registry_resident rr ON rr.id = hb.resident_id "
    "  WHERE r.vote_id = %s AND (r.owner_id = hb.resident_id OR (r.household_id = hb.household_id AND rr.tenure = %s))"
    ") mine ON mine.vote_id = v.id "
    "LEFT JOIN deliberation_ballot b ON b.vote_id = v.id AND b.part_id = mine.part_id "
    "WHERE v.id = %s ORDER BY mine.part_id")
_CAST = ("INSERT INTO deliberation_ballot (vote_id, part_id, member_id, choice, channel, at, cast_by_id, proxy_name, "
         "sheet) VALUES {values} ON CONFLICT DO NOTHING RETURNING part_id")


@transaction.atomic
def ballot_cast(*, actor, vote: Vote | int, choice: str, part_ids: list[int] | None = None) -> list[Ballot]:
    """An owner votes online, for each part she owns or co-owns on the roll (or those of ``part_ids``) that has no
    ballot yet. A part already voted (on paper, or by a co-owner) keeps its ballot. Someone outside the vote's scope
    finds no vote (404); someone in it who owns no part on the roll is told so."""
    choice = _choice(choice)
    vote_id = vote.pk if isinstance(vote, Vote) else int(vote)
    now = timezone.now()
    lock = " FOR SHARE OF v" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        cursor.execute(_READ + lock, [VoteState.OPEN, connection.ops.adapt_datetimefield_value(now), actor.pk,
                                      BindingStatus.VERIFIED, vote_id, Tenure.OWNER, vote_id])
        rows = cursor.fetchall()
    if not rows:
        raise NotFound(_("表决不存在"))
    kind, scope_id, taking = rows[0][:3]
    mine = [(part, bool(voted)) for *_v, part, voted in rows
            if part is not None and (part_ids is None or part in part_ids)]
    if not mine:
        if scope_id not in home_area_ids(actor):
            raise NotFound(_("表决不存在"))
        if kind != VoteKind.OWNERS:
            raise NotPermitted(_("议事会成员表决由工作人员在会上记录"))
        raise NotPermitted(_("您不是本次表决范围内专有部分的业主，不能投票"))
    if not taking:
        raise Conflict(_("表决已经截止，不能再投票"), code="vote_closed")
    todo = [part for part, voted in mine if not voted]
    if not todo:
        raise Conflict(_("您名下的专有部分都已投票，每个专有部分只能投一票"), code="already_voted")
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_CAST.format(values=", ".join(["(%s, %s, NULL, %s, %s, %s, %s, '', NULL)"] * len(todo))),
                       [v for part in todo for v in (vote_id, part, choice, Channel.ONLINE, at, actor.pk)])
        cast = sorted(part for (part,) in cursor.fetchall())
    if not cast:  # a co-owner's ballot landed between the read and the write
        raise Conflict(_("该专有部分刚刚已由共有人投票"), code="already_voted")
    return [Ballot(vote_id=vote_id, part_id=part, choice=choice, channel=Channel.ONLINE, at=now, cast_by=actor)
            for part in cast]


@transaction.atomic
def ballot_enter(*, actor, vote: Vote, choice: str, channel: str, part: ExclusivePart | None = None,
                 member: CouncilMember | None = None, proxy_name: str = "", sheet=None) -> Ballot:
    """Staff enter a ballot: a paper sheet collected door to door (its photo kept), a written proxy (the proxy's
    name and the signed form's photo), or a member's vote at the meeting."""
    choice = _choice(choice)
    vote = _open_vote(vote)
    require_runs(actor, vote.topic)
    image = None
    if vote.kind == VoteKind.OWNERS:
        if part is None or not RollEntry.objects.filter(vote=vote, part=part).exists():
            raise NotFound(_("该专有部分不在本次表决名册上"))
        if channel not in (Channel.PAPER, Channel.PROXY):
            raise InvalidInput(_("业主表决票由工作人员录入时，应为纸质表决票或书面委托"), field="channel")
        if sheet is None:
            raise InvalidInput(_("请拍照上传表决票或委托书"), field="sheet")
        image = reencode(sheet, field="sheet")[0]
        if channel == Channel.PROXY:
            proxy_name = text(proxy_name, field="proxy_name", label=_("受托人姓名"), least=2, most=50)
    else:
        if member is None or member.pk not in vote.seated:
            raise NotFound(_("该代表不在本次表决的成员名单上"))
        channel = Channel.MEETING
    try:
        with transaction.atomic():
            return Ballot.objects.create(vote=vote, part=part if vote.kind == VoteKind.OWNERS else None,
                                         member=member if vote.kind == VoteKind.COUNCIL else None, choice=choice,
                                         channel=channel, at=timezone.now(), cast_by=actor,
                                         proxy_name=proxy_name if channel == Channel.PROXY else "", sheet=image)
    except IntegrityError:
        raise Conflict(_("该专有部分（或代表）已经投过票，每个只能投一票"), code="already_voted") from None


def count(vote: Vote) -> tally.Tally:
    """The tally from the roll and the ballots: live while open, and the recount of a closed vote."""
    if vote.kind == VoteKind.OWNERS:
        roll = RollEntry.objects.filter(vote=vote).values_list("part_id", "area", "head")
        ballots = Ballot.objects.filter(vote=vote).values_list("part_id", "choice")
        return tally.owners(roll.iterator(chunk_size=5000), ballots.iterator(chunk_size=5000), vote.rule)
    return tally.council(vote.seated, Ballot.objects.filter(vote=vote).values_list("member_id", "choice"), vote.rule)


@transaction.atomic
def vote_close(*, actor, vote: Vote) -> Vote:
    """Close and count. An owners' vote closes at its deadline (the clock does it; staff may once it is past); a
    council vote may be closed by staff once the members present have voted."""
    vote = Vote.objects.select_for_update(of=("self",)).select_related("topic__council").get(pk=vote.pk)
    if vote.state != VoteState.OPEN:
        raise Conflict(_("表决已经结束"))
    now = timezone.now()
    if actor is not None:
        require_runs(actor, vote.topic)
        if vote.kind == VoteKind.OWNERS and now < vote.closes_at:
            raise Conflict(_("业主表决要到截止时间%(when)s才能结束") % {
                "when": timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")})
    result = count(vote)
    vote.state, vote.closed_at, vote.passed, vote.result = VoteState.CLOSED, now, result.passed, result.as_dict()
    vote.save()
    topic = locked(vote.topic)
    step(topic, Action.CLOSE_VOTE, actor=actor, note=vote.question,
         data={"vote": vote.pk, "passed": result.passed, "failed": list(result.failed)})
    return vote


def votes_close_due(now=None) -> int:
    """The clock's job: close every vote past its deadline."""
    now = now or timezone.now()
    closed = 0
    for vote in Vote.objects.filter(state=VoteState.OPEN, closes_at__lte=now).only("pk"):
        try:
            vote_close(actor=None, vote=vote)
            closed += 1
        except Conflict:  # closed meanwhile by someone else
            continue
    return closed
