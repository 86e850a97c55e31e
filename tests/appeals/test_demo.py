"""The demo's year of appeals: every state, timelines that agree with the states, numbers unique."""
import pytest
from django.db.models import Count, Max

from gongzhi.appeals.choices import State
from gongzhi.appeals.demo import build_appeals
from gongzhi.appeals.models import Appeal, AppealEvent

pytestmark = pytest.mark.django_db


def test_a_year_of_appeals_in_every_state_with_consistent_timelines():
    assert build_appeals(count=600, quiet=True) == 600
    states = set(Appeal.objects.values_list("state", flat=True))
    assert states >= {State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS, State.CLOSED,
                      State.CLOSED_UNRESOLVED, State.MERGED}
    for child in Appeal.objects.filter(state=State.MERGED).select_related("parent"):  # merged into an open one
        assert child.parent.state in (State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS)
        assert child.parent.compound_id == child.compound_id and child.parent_id < child.pk
    assert Appeal.objects.values("number").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    last = {row["appeal_id"]: row["last"] for row in AppealEvent.objects.values("appeal_id").annotate(last=Max("id"))}
    ends = dict(AppealEvent.objects.filter(pk__in=last.values()).values_list("appeal_id", "to_state"))
    assert all(ends[a.pk] == a.state for a in Appeal.objects.all())
    closed = Appeal.objects.filter(state=State.CLOSED_UNRESOLVED)
    assert not closed.filter(outcome="").exists() and not closed.filter(resolved_at__isnull=False).exists()


def test_the_demo_merges_only_reports_of_the_same_problem():
    """A worker merges a report of the same trouble; hotspots trust her merges, so a demo merge of 路灯坏了 into
    物业费涨价 showed as one hotspot."""
    from gongzhi.appeals.demo import TEXTS

    build_appeals(count=600, quiet=True)
    problems = [p for texts in TEXTS.values() for p in texts]

    def problem(text):
        return next(p for p in problems if p in text)

    merged = Appeal.objects.filter(state=State.MERGED).select_related("parent")
    assert merged.exists()
    assert all(problem(child.text) == problem(child.parent.text) for child in merged)


def test_the_demo_s_callers_live_where_their_trouble_is_and_can_be_called_back():
    build_appeals(count=300, quiet=True)
    desk = Appeal.objects.filter(channel="desk", resident__isnull=False).select_related("resident")
    assert desk.count() > 20
    for appeal in desk:  # found in the ledger at the desk: her name and number, her compound
        assert appeal.resident.compound_id == appeal.compound_id
        assert (appeal.contact_name, appeal.contact_phone) == (appeal.resident.name, appeal.resident.phone)
    hotline = Appeal.objects.filter(channel="hotline")
    assert hotline.exclude(contact_phone="").count() > 0.9 * hotline.count()  # the hotline gives name and number
    assert not hotline.exclude(resident=None).exists() and not Appeal.objects.filter(channel="patrol").exclude(
        contact_phone="").exists()


def test_nothing_in_the_demo_happened_after_now():
    import re

    from django.utils import timezone

    build_appeals(count=600, quiet=True)
    now = timezone.now()
    for column in ("accepted_at", "resolved_at", "closed_at", "updated_at"):
        assert not Appeal.objects.filter(**{f"{column}__gt": now}).exists(), column
    dated = 0
    for reply, resolved_at in Appeal.objects.exclude(resolved_at=None).values_list("reply", "resolved_at"):
        for day in re.findall(r"\d\d月\d\d日", reply):  # "已于11月28日上门处理": the day it was resolved, not after
            assert day == timezone.localtime(resolved_at).strftime("%m月%d日"), reply
            dated += 1
    assert dated > 10
