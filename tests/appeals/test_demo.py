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
