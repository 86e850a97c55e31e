"""Volunteers in the demo city: the volunteer account serving her community and leading a patrol team, a dozen
neighbours registered by the worker, one registration waiting for approval, daily gate duty and evening patrols laid
out for two weeks (with gaps), a month of past duty with hours and points, the points shop, and errands — one
delivered to the demo resident for her to confirm, one waiting for a volunteer. Made through the services.

Past duty happens at past moments where ``time_machine`` is installed (``make demo`` installs the dev extras);
without it there is no history, only what is ahead.
"""
from __future__ import annotations

import contextlib
import random
from datetime import time, timedelta

from django.utils import timezone

from gongzhi.accounts.models import HouseholdBinding, User
from gongzhi.registry.choices import OrgKind
from gongzhi.registry.models import Organisation, Resident

from . import services
from .choices import Skill

try:  # a dev dependency: the demo's history at past moments
    import time_machine
except ImportError:  # pragma: no cover - production installs without it
    time_machine = None


@contextlib.contextmanager
def _at(moment):
    if time_machine is None:
        yield
        return
    with time_machine.travel(moment, tick=False):
        yield


def build_volunteers(*, seed: int = 7) -> dict:
    rng = random.Random(seed)
    worker = User.objects.get(username="worker")
    community = worker.role_grants.get(revoked_at__isnull=True).area
    me = User.objects.filter(username="volunteer").first()
    teams = list(Organisation.objects.filter(kind=OrgKind.VOLUNTEER_TEAM, home_area=community).order_by("id"))
    if not teams:
        teams = [Organisation.objects.create(kind=OrgKind.VOLUNTEER_TEAM, name=f"{community.name}平安巡逻队",
                                             home_area=community)]
    skills = list(Skill.values)
    people = []
    if me is not None:
        v = services.volunteer_register(actor=me, home=community, name=me.display_name.split()[-1], phone="13912345678",
                                        skills=["patrol", "errands"], availability="工作日晚上、周末")
        v = services.volunteer_decide(actor=worker, volunteer=v, decision="approve")
        services.team_join(actor=worker, team=teams[0], volunteer=v, leader=True)
        people.append(v)
    neighbours = list(Resident.objects.filter(community=community, is_volunteer=True, status="present")
                      .order_by("id")[:12])
    if len(neighbours) < 12:  # a small demo city has few residents ticked as volunteers: a few more sign up
        neighbours += list(Resident.objects.filter(community=community, status="present", is_volunteer=False,
                                                   relation="head").order_by("-id")[:12 - len(neighbours)])
    for r in neighbours:
        v = services.volunteer_enrol(actor=worker, home=community, name=r.name, phone=r.phone,
                                     skills=rng.sample(skills, 2), availability=rng.choice(["上午", "晚上", "周末"]),
                                     resident=r)
        services.team_join(actor=worker, team=rng.choice(teams), volunteer=v)
        people.append(v)
    newcomer = User.objects.filter(username="newcomer").first()
    if newcomer is not None:  # her registration waits for the worker
        services.volunteer_register(actor=newcomer, home=community, name=newcomer.display_name, skills=["tech"],
                                    availability="周末")
    gate = services.roster_create(actor=worker, area=community, kind="gate", title="东门值守", place="小区东门岗亭",
                                  team=teams[0], weekdays="1234567", start_time=time(7), end_time=time(9), capacity=2,
                                  starts_on=timezone.localdate())
    patrol = services.roster_create(actor=worker, area=community, kind="patrol", title="夜间巡逻", place="社区各小区",
                                    team=teams[0], weekdays="12345", start_time=time(19), end_time=time(21),
                                    capacity=3, starts_on=timezone.localdate())
    services.roster_create(actor=worker, area=community, kind="cleaning", title="周末环境整治", place="社区广场集合",
                           team=teams[-1], weekdays="6", start_time=time(9), end_time=time(11), capacity=6,
                           starts_on=timezone.localdate())
    now = timezone.now()
    for roster in (gate, patrol):  # about half the places of the coming week are taken: the board shows the gaps
        for shift in roster.shifts.filter(starts_at__gt=now).order_by("starts_at")[:7]:
            for v in rng.sample(people, min(len(people), rng.randrange(0, shift.capacity + 1))):
                with contextlib.suppress(Exception):
                    services.signup_book(actor=worker, shift=shift, volunteer=v)
    if me is not None:  # her own evening patrols this week
        for shift in patrol.shifts.filter(starts_at__gt=now).order_by("starts_at")[:2]:
            with contextlib.suppress(Exception):
                services.signup_book(actor=me, shift=shift)
    done = _history(worker, community, people, rng) if time_machine is not None else 0
    _shop(worker, community, me)
    _errands(worker, community, me)
    return {"volunteers": len(people), "shifts_done": done}


def _history(worker, community, people, rng) -> int:
    """A month of gate duty that happened: checked in and out at the place, hours and points granted."""
    done = 0
    today = timezone.localdate()
    for days in range(28, 0, -2):
        start = timezone.make_aware(timezone.datetime.combine(today - timedelta(days=days), time(7)))
        with _at(start - timedelta(minutes=20)):
            shift = services.shift_create(actor=worker, area=community, kind="gate", title="东门值守（历史）",
                                          place="小区东门岗亭", starts_at=start, ends_at=start + timedelta(hours=2),
                                          capacity=2)
            crew = rng.sample(people, 2)
            for v in crew:
                services.signup_book(actor=worker, shift=shift, volunteer=v)
        with _at(start + timedelta(minutes=rng.randrange(0, 10))):
            for v in crew:
                services.check_in(actor=worker, shift=shift, volunteer=v)
        with _at(start + timedelta(hours=2, minutes=rng.randrange(0, 15))):
            for v in crew:
                services.check_in(actor=worker, shift=shift, volunteer=v)  # the second scan checks out
        done += 1
    return done


def _shop(worker, community, me) -> None:
    goods = [("洗衣液2kg", 150, 20), ("大米5kg", 300, 10), ("食用油1.8L", 250, 0), ("毛巾两条", 60, 30),
             ("鸡蛋一盒", 80, 15)]
    items = [services.item_create(actor=worker, area=community, name=n, points=p, stock=s, per_order=3)
             for n, p, s in goods]
    services.item_create(actor=worker, area=community, name="党史学习读本", points=50, stock=10, account="party")
    if me is not None and hasattr(me, "volunteer"):
        account = services.account_of(me.volunteer)
        if account.balance < 60:
            services.points_adjust(actor=worker, account=account, delta=200, reason="上月社区活动补记积分")
        services.order_place(actor=me, account=account, item=items[3], quantity=1, key="demo-first-order")


def _errands(worker, community, me) -> None:
    resident = User.objects.filter(username="resident").first()
    binding = HouseholdBinding.objects.filter(user=resident, status="verified").select_related("household").first() \
        if resident else None
    if binding is not None and me is not None and binding.household.community_id == community.pk:
        errand = services.errand_request(actor=resident, household=binding.household, kind="medicine",
                                         items="降压药（苯磺酸氨氯地平片）一盒，到社区卫生站取", resident=binding.resident)
        services.errand_claim(actor=me, errand=errand)
        services.errand_deliver(actor=me, errand=errand, amount="28.50", note="药已放在门口鞋柜上，老人在家")
    alone = Resident.objects.filter(community=community, lives_alone=True, status="present").order_by("id").first()
    if alone is not None:
        services.errand_request(actor=worker, household=alone.household, kind="shopping", resident=alone,
                                items="挂面两把、鸡蛋一斤、青菜两斤")
