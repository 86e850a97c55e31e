"""Volunteers' test data, made on purpose: volunteers with their own accounts, registered and approved the way
a resident and a worker do it, and shifts placed relative to the clock (never on a fixed date).

Tests that read or move the clock take ``frozen``: the clock stands still at the real "now" for all the test
does (fixtures made after it included) and moves only when the test moves it: ``frozen.shift(timedelta(…))``.
"""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.choices import BindingStatus
from gongzhi.accounts.models import HouseholdBinding, User
from gongzhi.registry.choices import Tenure
from gongzhi.registry.models import Household, Resident
from gongzhi.volunteers import services
from gongzhi.volunteers.models import PointsAccount, Volunteer

_seq = itertools.count(1)


def register(home, *, approver=None, name: str = "") -> Volunteer:
    """A new account that registers as a volunteer of ``home``; approved by ``approver`` when given (her
    points account opens then). Read back from the database, so its ``user`` carries no cached standing."""
    n = next(_seq)
    name = name or f"志愿者{n}"
    user = User.objects.create_user(f"volunteer-{n}", display_name=name)
    volunteer = services.volunteer_register(actor=user, home=home, name=name, phone=f"139{n:08d}",
                                            skills=["patrol"])
    if approver is not None:
        services.volunteer_decide(actor=approver, volunteer=volunteer, decision="approve")
    return Volunteer.objects.select_related("user").get(pk=volunteer.pk)


def account(volunteer: Volunteer) -> PointsAccount:
    """Her points account as the database holds it now."""
    return PointsAccount.objects.get(volunteer=volunteer)


def give_points(volunteer: Volunteer, points: int, *, by) -> PointsAccount:
    """Staff credit her ``points`` (a correction with its reason), as the shop tests' starting balance."""
    services.points_adjust(actor=by, account=account(volunteer), delta=points, reason="测试起始积分")
    return account(volunteer)


def make_shift(*, actor, area, starts_in=timedelta(hours=1), length=timedelta(hours=2), capacity=2,
               kind="patrol", title="夜间巡逻"):
    start = timezone.now() + starts_in
    return services.shift_create(actor=actor, area=area, kind=kind, title=title, starts_at=start,
                                 ends_at=start + length, capacity=capacity)


def resident_at(household, name: str = "居民") -> User:
    """A verified account of a new resident of ``household`` (made as tests/deliberation/conftest.py does)."""
    n = next(_seq)
    person = Resident(household=household, name=f"{name}{n}", tenure=Tenure.TENANT)
    person.place_at(household.area)
    person.save()
    user = User.objects.create_user(f"errand-resident-{n}", display_name=person.name)
    HouseholdBinding.objects.create(user=user, household=household, resident=person, claimed_name=person.name,
                                    status=BindingStatus.VERIFIED)
    return user


@pytest.fixture
def frozen():
    """The clock held at the real now; ``frozen.shift(delta)`` moves it."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def worker(users):
    return users("worker")


@pytest.fixture
def volunteer_factory(world, worker):
    """``volunteer_factory()``: an approved volunteer of the worker's community; ``home=``/``approver=`` for
    another (``approver=None`` leaves her pending)."""

    def make(*, home=None, approver=worker, name: str = "") -> Volunteer:
        return register(home or world.community, approver=approver, name=name)

    return make


@pytest.fixture
def volunteer(volunteer_factory):
    """An approved volunteer of the worker's community, with her own account."""
    return volunteer_factory(name="李红")


@pytest.fixture
def second_volunteer(volunteer_factory):
    return volunteer_factory(name="张强")


@pytest.fixture
def far_volunteer(volunteer_factory, world, users):
    """An approved volunteer of another community (the subdistrict approves her: it keeps both)."""
    return volunteer_factory(home=world.other_community, approver=users("subdistrict"), name="王芳")


@pytest.fixture
def shift_factory(world, worker):
    """``shift_factory(starts_in=…, length=…, capacity=…)``: a shift of the worker's community, from now."""

    def make(**kwargs):
        kwargs.setdefault("actor", worker)
        kwargs.setdefault("area", world.community)
        return make_shift(**kwargs)

    return make


@pytest.fixture
def household(world):
    """A home in the worker's community (a compound of it)."""
    return Household.objects.filter(compound=world.compound).order_by("id").first()
