"""Deliberation's test data, made on purpose: a compound whose exclusive parts, owners and accounts a test spells
out, and a council over the worker's community."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding, User
from gongzhi.deliberation import seats, services
from gongzhi.deliberation.choices import VoteKind
from gongzhi.deliberation.models import SeatKind, SeatTemplate
from gongzhi.registry.choices import AreaKind, PartKind, Tenure
from gongzhi.registry.models import ExclusivePart, Household, Resident
from gongzhi.registry.services import area_create

_seq = itertools.count(1)


@dataclass
class Estate:
    compound: object
    building: object
    households: list = field(default_factory=list)
    parts: list = field(default_factory=list)
    owners: dict = field(default_factory=dict)  # key → Resident
    accounts: dict = field(default_factory=dict)  # key → User (verified, bound to the owner's first home)


def make_estate(community, flats: list[tuple], *, accounts: bool = True) -> Estate:
    """``flats``: (area, owner key) per flat; owner key None (an owner the registry does not hold) or "developer"
    (unsold); the same key on several flats is one buyer of several parts. ``area`` None: no area registered; a
    tuple (None, contract) gives only the contract's area."""
    n = next(_seq)
    compound = area_create(actor=None, kind=AreaKind.COMPOUND, name=f"议事测试苑{n}", parent=community,
                           check_permission=False)
    building = area_create(actor=None, kind=AreaKind.BUILDING, name="1号楼", parent=compound,
                           check_permission=False)
    estate = Estate(compound=compound, building=building)
    for i, (area, key) in enumerate(flats, start=1):
        household = Household(area=building, room=str(100 + i))
        household.place_at(building)
        household.save()
        estate.households.append(household)
        owner = None
        if key not in (None, "developer"):
            owner = estate.owners.get(key)
            if owner is None:
                owner = Resident(household=household, name=f"业主{key}{n}", tenure=Tenure.OWNER)
                owner.place_at(building)
                owner.save()
                estate.owners[key] = owner
        measured, contract = (area if isinstance(area, tuple) else (area, None))
        part = ExclusivePart(household=household, kind=PartKind.DWELLING, number=household.room,
                             measured_area=None if measured is None else Decimal(str(measured)),
                             contract_area=None if contract is None else Decimal(str(contract)),
                             owner=owner, developer_held=key == "developer")
        part.place_at(building)
        part.save()
        estate.parts.append(part)
    if accounts:
        for key, owner in estate.owners.items():
            user = User.objects.create_user(f"owner-{key}-{n}", display_name=owner.name)
            HouseholdBinding.objects.create(user=user, household=owner.household, resident=owner,
                                            claimed_name=owner.name, status=BindingStatus.VERIFIED)
            estate.accounts[key] = user
    return estate


def resident_account(household, name="邻居") -> User:
    """A verified account of a new (tenant) resident of ``household``."""
    n = next(_seq)
    person = Resident(household=household, name=f"{name}{n}", tenure=Tenure.TENANT)
    person.place_at(household.area)
    person.save()
    user = User.objects.create_user(f"neighbour-{n}", display_name=person.name)
    HouseholdBinding.objects.create(user=user, household=household, resident=person, claimed_name=person.name,
                                    status=BindingStatus.VERIFIED)
    return user


@pytest.fixture
def estate_factory(db):
    return make_estate


@pytest.fixture
def council(db, world, users):
    """A 7+X council over the worker's community, with three seated members."""
    seats.seed(SeatTemplate, SeatKind)  # a transactional test may have flushed the migration's rows
    c = services.council_create(actor=users("secretary"), area=world.community, name="社区协商议事会",
                                template=SeatTemplate.objects.get(code="7x"), cosign_threshold=3)
    kinds = {k.code: k for k in c.template.kinds.all()}
    for name, seat in (("王书记", "two_committees"), ("李律师", "lawyers"), ("张代表", "residents")):
        services.member_seat(actor=users("secretary"), council=c, seat=kinds[seat], name=name)
    return c


def open_owners_vote(topic, actor, *, matter="use_fund", hours=48):
    return services.vote_open(actor=actor, topic=topic, kind=VoteKind.OWNERS, question="是否同意该方案",
                              matter=matter, closes_at=timezone.now() + timedelta(hours=hours))


def deliberating_topic(council, scope, actor, *, title="加装电梯方案"):
    """A staff topic on ``scope``, accepted and met once: ready to vote."""
    topic = services.topic_propose(actor=actor, council=council, scope=scope, title=title,
                                   body="一号楼居民提出加装电梯，需业主共同决定。")
    services.topic_accept(actor=actor, topic=topic)
    meeting = services.meeting_schedule(actor=actor, topic=topic, starts_at=timezone.now(), place="邻里会客厅")
    first = meeting.attendance.first()
    services.attendance_mark(actor=actor, attendance=first, present=True)
    services.meeting_close(actor=actor, meeting=meeting, minutes="各方充分发表意见，同意提交业主表决。")
    topic.refresh_from_db()
    return topic
