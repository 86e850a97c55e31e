"""Owners' votes as the Civil Code counts them (art. 278): area and headcount side by side, quorum of 2/3 of both,
majority of the participating, the special 3/4 matters, one buyer of several parts, the developer's unsold parts,
one ballot per part, nothing after closing, and a tally anyone can recount."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.deliberation import services, tally
from gongzhi.deliberation.choices import Channel, Choice, Rule, Stage
from gongzhi.deliberation.models import Ballot, RollEntry

from .conftest import deliberating_topic, open_owners_vote, resident_account


def _jpeg() -> SimpleUploadedFile:
    from io import BytesIO

    from PIL import Image
    out = BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return SimpleUploadedFile("sheet.jpg", out.getvalue(), content_type="image/jpeg")


def _vote(estate, council, users, **kw):
    topic = deliberating_topic(council, estate.compound, users("secretary"))
    return topic, open_owners_vote(topic, users("secretary"), **kw)


def test_passes_by_headcount_but_fails_by_area(estate_factory, world, council, users):
    # three small flats say yes, one large flat says no: 3 of 4 heads, but 150 of 390 ㎡
    estate = estate_factory(world.community, [(50, "a"), (50, "b"), (50, "c"), (240, "d")])
    topic, vote = _vote(estate, council, users)
    for key, choice in (("a", Choice.YES), ("b", Choice.YES), ("c", Choice.YES), ("d", Choice.NO)):
        services.ballot_cast(actor=estate.accounts[key], vote=vote, choice=choice)
    with time_machine.travel(vote.closes_at + timedelta(minutes=1), tick=False):
        services.votes_close_due()
    vote.refresh_from_db()
    result = tally.Tally.from_dict(vote.result)
    assert vote.passed is False
    assert result.quorum and result.majority_heads and not result.majority_area
    assert result.failed == ("majority_area",)
    assert (result.yes.area, result.yes.heads, result.participating.area) == (Decimal("150"), 3, Decimal("390"))
    topic.refresh_from_db()
    assert topic.stage == Stage.DELIBERATING  # back to deliberate; the failed vote is on its timeline
    assert topic.events.filter(action="close_vote", data__passed=False).exists()


def test_fails_the_quorum(estate_factory, world, council, users):
    # 2 of 4 heads take part (< 2/3) though they hold most of the area
    estate = estate_factory(world.community, [(200, "a"), (200, "b"), (10, "c"), (10, "d")])
    _topic, vote = _vote(estate, council, users)
    services.ballot_cast(actor=estate.accounts["a"], vote=vote, choice=Choice.YES)
    services.ballot_cast(actor=estate.accounts["b"], vote=vote, choice=Choice.YES)
    result = services.count(vote)
    assert result.quorum_area and not result.quorum_heads
    assert result.failed == ("quorum_heads",) and not result.passed


def test_one_owner_of_three_flats_counts_once_by_head(estate_factory, world, council, users):
    estate = estate_factory(world.community, [(80, "a"), (80, "a"), (80, "a"), (80, "b"), (80, "c")])
    _topic, vote = _vote(estate, council, users)
    ballots = services.ballot_cast(actor=estate.accounts["a"], vote=vote, choice=Choice.YES)
    assert len(ballots) == 3  # a ballot for each of her parts
    services.ballot_cast(actor=estate.accounts["b"], vote=vote, choice=Choice.NO)
    result = services.count(vote)
    assert result.total.heads == 3 and result.total.area == Decimal("400")
    assert result.participating.heads == 2 and result.participating.area == Decimal("320")
    assert result.yes.heads == 1 and result.yes.area == Decimal("240")
    # area: 240 of 320 > 1/2; heads: 1 of 2 is not more than half
    assert result.majority_area and not result.majority_heads


def test_developer_unsold_flats_count_once_together(estate_factory, world, council, users, login):
    estate = estate_factory(world.community, [(90, "developer")] * 4 + [(90, "a"), (90, "b")])
    _topic, vote = _vote(estate, council, users)
    assert services.count(vote).total.heads == 3  # the developer once, a, b
    # the developer votes its unsold flats on paper, entered by staff with the sheet's photo
    for part in estate.parts[:4]:
        services.ballot_enter(actor=users("secretary"), vote=vote, part=part, choice=Choice.NO,
                              channel=Channel.PAPER, sheet=_jpeg())
    services.ballot_cast(actor=estate.accounts["a"], vote=vote, choice=Choice.YES)
    result = services.count(vote)
    assert result.participating.heads == 2 and result.no.heads == 1 and result.no.area == Decimal("360")
    assert Ballot.objects.filter(vote=vote, channel=Channel.PAPER).exclude(sheet=None).count() == 4


def test_special_matters_need_three_quarters(estate_factory, world, council, users):
    # raising the maintenance fund: 70% yes by area and head is not enough
    estate = estate_factory(world.community, [(100, k) for k in "abcdefghij"])
    _topic, vote = _vote(estate, council, users, matter="raise_fund")
    assert vote.rule == Rule.SPECIAL
    for key in "abcdefg":
        services.ballot_cast(actor=estate.accounts[key], vote=vote, choice=Choice.YES)
    for key in "hij":
        services.ballot_cast(actor=estate.accounts[key], vote=vote, choice=Choice.ABSTAIN)
    result = services.count(vote)
    assert result.quorum and result.failed == ("majority_area", "majority_heads")
    # the same ballots pass an ordinary matter: abstentions participate but do not agree
    assert tally.owners([(p.pk, p.area, p.headcount_key) for p in estate.parts],
                        Ballot.objects.filter(vote=vote).values_list("part_id", "choice"), Rule.MAJORITY).passed


def test_one_ballot_per_part_whatever_the_channel(estate_factory, world, council, users):
    estate = estate_factory(world.community, [(80, "a"), (80, "b")])
    _topic, vote = _vote(estate, council, users)
    services.ballot_cast(actor=estate.accounts["a"], vote=vote, choice=Choice.YES)
    with pytest.raises(Conflict):
        services.ballot_cast(actor=estate.accounts["a"], vote=vote, choice=Choice.NO)
    with pytest.raises(Conflict):
        services.ballot_enter(actor=users("secretary"), vote=vote, part=estate.parts[0], choice=Choice.NO,
                              channel=Channel.PAPER, sheet=_jpeg())
    # a co-owner living in the flat (tenure owner, not the buyer of record) finds it voted
    spouse = resident_account(estate.households[0], "配偶")
    spouse_resident = spouse.bindings.get().resident
    spouse_resident.tenure = "owner"
    spouse_resident.save()
    spouse.__dict__.pop("_gz_homes", None)
    with pytest.raises(Conflict):
        services.ballot_cast(actor=spouse, vote=vote, choice=Choice.NO)
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert services.count(vote).yes.heads == 1


def test_no_ballot_after_closing_and_the_tally_recounts(estate_factory, world, council, users):
    estate = estate_factory(world.community, [(80, "a"), (80, "b"), (70, "c")])
    _topic, vote = _vote(estate, council, users, hours=1)
    services.ballot_cast(actor=estate.accounts["a"], vote=vote, choice=Choice.YES)
    services.ballot_cast(actor=estate.accounts["b"], vote=vote, choice=Choice.YES)
    with pytest.raises(Conflict):  # staff cannot cut an owners' vote short
        services.vote_close(actor=users("secretary"), vote=vote)
    with time_machine.travel(vote.closes_at + timedelta(seconds=1), tick=False):
        with pytest.raises(Conflict):  # past the deadline, even before the clock closes it
            services.ballot_cast(actor=estate.accounts["c"], vote=vote, choice=Choice.NO)
        services.votes_close_due()
        with pytest.raises(Conflict):
            services.ballot_cast(actor=estate.accounts["c"], vote=vote, choice=Choice.NO)
    vote.refresh_from_db()
    assert vote.passed is True
    assert services.count(vote).as_dict() == vote.result  # reproducible from the roll and the ballots


def test_the_roll_is_frozen_when_the_vote_opens(estate_factory, world, council, users):
    estate = estate_factory(world.community, [(80, "a"), (None, "b"), ((None, 95), "c")])
    _topic, vote = _vote(estate, council, users)
    roll = {r.part_id: r.area for r in RollEntry.objects.filter(vote=vote)}
    assert roll == {estate.parts[0].pk: Decimal("80"), estate.parts[1].pk: None, estate.parts[2].pk: Decimal("95")}
    part = estate.parts[0]
    part.measured_area = Decimal("500")
    part.save()
    result = services.count(vote)
    assert result.total.area == Decimal("175") and result.parts_without_area == 1


def test_out_of_scope_residents_neither_see_nor_vote(estate_factory, world, council, users):
    estate = estate_factory(world.community, [(80, "a"), (80, "b")])
    other = estate_factory(world.community, [(80, "x")])
    topic, vote = _vote(estate, council, users)
    outsider = other.accounts["x"]
    with pytest.raises(NotFound):  # no such vote, for her
        services.ballot_cast(actor=outsider, vote=vote, choice=Choice.YES)
    from gongzhi.deliberation.selectors import topic_for_resident
    with pytest.raises(NotFound):
        topic_for_resident(outsider, topic.pk)
    # a tenant in scope sees the topic but owns no part
    tenant = resident_account(estate.households[1])
    assert topic_for_resident(tenant, topic.pk) == topic
    with pytest.raises(NotPermitted):
        services.ballot_cast(actor=tenant, vote=vote, choice=Choice.YES)


def test_owners_vote_needs_a_compound_building_or_unit_and_parts(world, council, users):
    actor = users("secretary")
    topic = deliberating_topic(council, world.community, actor)
    with pytest.raises(InvalidInput):
        open_owners_vote(topic, actor)
    topic.refresh_from_db()
    assert topic.stage == Stage.DELIBERATING


def test_the_building_head_is_asked_to_tell_the_owners_without_an_account(estate_factory, world, council, users):
    """楼栋长转告: two of the three owners have no account; the building's head is told how many to tell at the door,
    the one with an account is told herself, and a head of another building hears nothing of it."""
    from gongzhi.access.roles import Role
    from gongzhi.accounts.models import RoleGrant
    from gongzhi.notifications.models import Notification

    estate = estate_factory(world.community, [(80, "a"), (80, "b"), (80, "c")], accounts=False)
    head = resident_account(estate.households[0], name="楼栋长")
    RoleGrant.objects.create(user=head, role=Role.BUILDING_HEAD, area=estate.building)
    elsewhere = estate_factory(world.community, [(80, "x")])
    other_head = elsewhere.accounts["x"]
    RoleGrant.objects.create(user=other_head, role=Role.BUILDING_HEAD, area=elsewhere.building)
    _topic, vote = _vote(estate, council, users)
    mine = Notification.objects.filter(user=head, key__contains=f"vote:{vote.pk}").order_by("id")
    assert [n.title for n in mine] == ["业主表决：是否同意该方案", "请转告：业主表决：是否同意该方案"]
    assert "有 2 户没有绑定账号" in mine.last().body  # flats 102 and 103; her own flat reads it
    assert not Notification.objects.filter(user=other_head, key__contains=f"vote:{vote.pk}").exists()
