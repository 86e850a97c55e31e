"""The care network in the demo city: the community's party roster (with its 50-year members), the volunteer account
reported as an employed party member and paired with three special families, the demo resident keeping a centre
household and heading his building, service posts, a patch for the worker, visits old and new, and one request
waiting for the member to take it. Made through the services."""
from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta

from django.utils import timezone

from gongzhi.accounts.models import HouseholdBinding, User
from gongzhi.registry.models import Resident, ResidentSpecialFamily
from gongzhi.volunteers import services as volunteering
from gongzhi.volunteers.services.party import branch_of

from . import services

try:  # a dev dependency: visits at past moments
    import time_machine
except ImportError:  # pragma: no cover
    time_machine = None


@contextlib.contextmanager
def _days_ago(days: float):
    if time_machine is None:
        yield
        return
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        yield


def build_care(*, seed: int = 7) -> dict:
    rng = random.Random(seed)
    worker = User.objects.get(username="worker")
    secretary = User.objects.get(username="secretary")
    community = worker.role_grants.get(revoked_at__isnull=True).area
    branch = branch_of(community)
    if branch is None:
        return {"members": 0, "pairings": 0}
    today = timezone.localdate()
    roster = []
    for r in Resident.objects.filter(community=community, is_party_member=True, status="present").order_by("id")[:16]:
        years = rng.choice([3, 8, 15, 26, 38, 51, 55]) if r.birth_date and r.birth_date.year < 1955 else rng.randrange(1, 20)
        roster.append(volunteering.party_member_add(actor=worker, branch=branch, name=r.name, resident=r,
                                                    joined_on=date(today.year - years, rng.randrange(1, 13), 1)))
    # employed members who live here report in: the volunteer account, and the resident who keeps a centre household
    me = User.objects.get(username="volunteer")
    member = volunteering.party_member_report(actor=me, community=community, name=me.display_name.split()[-1],
                                              joined_on=date(2012, 7, 1), employer="市第三医院")
    resident = User.objects.get(username="resident")
    binding = HouseholdBinding.objects.filter(user=resident, status="verified").select_related("household").first()
    keeper = volunteering.party_member_report(actor=resident, community=community, name=resident.display_name,
                                              joined_on=date(1998, 6, 1), employer="区供电公司（退休）")
    keeper.resident = binding.resident if binding else None
    keeper.save(update_fields=["resident"])
    centre = services.centre_create(actor=worker, keeper=keeper, household=binding.household)
    services.centre_link(actor=worker, centre=centre, member=member)
    for other in roster[:4]:
        services.centre_link(actor=worker, centre=centre, member=other)
    families = list(Resident.objects.filter(community=community, status="present",
                                            pk__in=ResidentSpecialFamily.objects.values("resident_id"))
                    .select_related("household").order_by("id")[:9])
    pairings = 0
    for i, family in enumerate(families):
        partner = member if i < 3 else roster[i % max(len(roster[:4]), 1)] if roster else member
        with contextlib.suppress(Exception):
            services.pair(actor=worker, member=partner, resident=family)
            pairings += 1
    for title, text, slots in (("楼门长助理", "协助楼门长联系独居老人、转达社区通知", 6),
                               ("政策宣讲员", "在楼门院落讲解医保、养老等政策", 3),
                               ("文明引导员", "周末在小区门口引导垃圾分类", 4)):
        post = volunteering.post_create(actor=worker, area=community, title=title, description=text, slots=slots)
        if title == "楼门长助理":
            volunteering.post_claim(actor=me, post=post)
    first = families[0] if families else None
    if first is not None:  # one family visited long ago (listed), one last week
        with _days_ago(40):
            services.visit_log(actor=me, household=first.household, resident=first, kind="care", finding="well",
                               note="老人精神不错，药品充足")
    if len(families) > 1:
        with _days_ago(5):
            services.visit_log(actor=me, household=families[1].household, resident=families[1], kind="care",
                               finding="concern", note="膝盖疼，下楼困难，需要有人帮忙取药")
        services.care_request_file(actor=worker, resident=families[1],
                                   text="老人来电：降压药吃完了，膝盖疼下不了楼，请帮忙到卫生站开药送上门")
    compound = binding.household.compound if binding else None
    if compound is not None:
        services.patch_assign(actor=secretary, user=worker, area=compound)
    return {"members": len(roster) + 2, "pairings": pairings}
