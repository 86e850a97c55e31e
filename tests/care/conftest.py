"""The care network's test data, made the way the community makes it: party members with their own accounts report to
the worker's community, a centre household links them, a special family (a resident given a special-family tag) is
paired with one of them by the worker, and the branch's contact has an account. Nothing is on a fixed date: a test
that reads or moves the clock takes ``frozen`` (the clock stands at the real now and moves only with
``frozen.shift``).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding, User
from gongzhi.care import services
from gongzhi.care.models import CentreHousehold, Pairing
from gongzhi.registry.choices import SpecialFamily, Tenure
from gongzhi.registry.models import Household, OrganisationMember, Resident, ResidentSpecialFamily
from gongzhi.volunteers import services as volunteering
from gongzhi.volunteers.models import PartyMember
from gongzhi.volunteers.services.party import branch_of

_seq = itertools.count(1)


def account(name: str = "用户", *, phone: str | None = None) -> User:
    n = next(_seq)
    return User.objects.create_user(f"care-{n}", display_name=f"{name}{n}", phone=phone)


def reported_member(community, name: str = "党员", *, joined_on: date | None = None) -> PartyMember:
    """An employed party member with her own account who reports to ``community`` (her party account opens)."""
    user = account(name)
    member = volunteering.party_member_report(actor=user, community=community, name=user.display_name,
                                              joined_on=joined_on or date(2010, 7, 1), employer="市第一医院")
    return PartyMember.objects.select_related("user").get(pk=member.pk)


def roster_member(community, name: str = "老党员", *, joined_on: date, by) -> PartyMember:
    """A member staff put on the community branch's roster (no account)."""
    return volunteering.party_member_add(actor=by, branch=branch_of(community), name=name, joined_on=joined_on)


def new_resident(household: Household, name: str = "居民") -> Resident:
    n = next(_seq)
    person = Resident(household=household, name=f"{name}{n}", tenure=Tenure.TENANT, phone=f"1370000{n:04d}")
    person.place_at(household.area)
    person.save()
    return person


def verified_account(resident: Resident) -> User:
    """A verified account of ``resident``'s household, bound to her."""
    user = account(resident.name)
    HouseholdBinding.objects.create(user=user, household=resident.household, resident=resident,
                                    claimed_name=resident.name, status=BindingStatus.VERIFIED)
    return user


def special(resident: Resident, kind: str = SpecialFamily.SOLITARY) -> Resident:
    ResidentSpecialFamily.objects.create(resident=resident, kind=kind)
    return resident


def households(community, *, count: int, exclude=()) -> list[Household]:
    return list(Household.objects.filter(community=community).exclude(pk__in=[h.pk for h in exclude])
                .select_related("area").order_by("id")[:count])


def branch_contact(community) -> User:
    """The branch's contact person, with an account (the existing contacts of the demo city have none)."""
    user = account("支部联系人")
    OrganisationMember.objects.create(organisation=branch_of(community), name=user.display_name, user=user,
                                      is_contact=True, post="组织委员")
    return user


@dataclass
class Network:
    community: object
    member: PartyMember  # paired with ``family``, linked to ``centre``
    keeper: PartyMember
    centre: CentreHousehold
    branch_user: User
    family: Resident  # a special family's resident
    family_user: User  # her verified account
    pairing: Pairing


@pytest.fixture
def frozen():
    """The clock held at the real now; ``frozen.shift(delta)`` moves it."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def worker(users):
    return users("worker")


@pytest.fixture
def make_network(world, worker):
    """``make_network(keeper_account=True)``: a whole care chain in the worker's community, made by the worker."""

    def make(*, keeper_account: bool = True) -> Network:
        community = world.community
        homes = households(community, count=2)
        member = reported_member(community, "结对党员")
        keeper = reported_member(community, "中心户党员")
        if not keeper_account:
            keeper.user = None
            keeper.save(update_fields=["user"])
        centre = services.centre_create(actor=worker, keeper=keeper, household=homes[0])
        services.centre_link(actor=worker, centre=centre, member=member)
        branch_user = branch_contact(community)
        family = special(new_resident(homes[1], "独居老人"))
        family_user = verified_account(family)
        pairing = services.pair(actor=worker, member=member, resident=family)
        return Network(community=community, member=member, keeper=keeper, centre=centre, branch_user=branch_user,
                       family=family, family_user=family_user, pairing=pairing)

    return make


@pytest.fixture
def net(make_network):
    return make_network()
