"""Two people act on one appeal at once: the one who loses the race hears that it changed (409), not that she has
no right to act (403) — issue 21."""
import pytest

from gongzhi.access.roles import Role
from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services
from gongzhi.appeals.choices import Action, Channel, State
from gongzhi.appeals.models import Appeal, Category
from gongzhi.core.errors import Conflict, NotPermitted
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-23 10:00 +0800")]


@pytest.fixture
def dispatched(users):
    home = verified_households(users("resident")).select_related("area").get()
    appeal = services.appeal_submit(channel=Channel.PORTAL, text="楼上漏水，天花板一直滴水", area=home.area,
                                    household=home, actor=users("resident"),
                                    category=Category.objects.get(code="property-leak"))
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    company = users("property").role_grants.get().organisation
    return services.appeal_dispatch(appeal=appeal, actor=users("worker"), party=company)


def test_the_party_that_loses_a_race_with_a_transfer_is_told_it_changed(dispatched, users, world):
    as_she_saw_it = Appeal.objects.get(pk=dispatched.pk)  # her page, loaded before the transfer
    bigger = factories.organisation(name="大型物业", serving=[world.community], staff_role=Role.PROPERTY_STAFF)
    services.appeal_transfer(appeal=dispatched, actor=users("worker"), party=bigger, reason="大手拉小手")
    with pytest.raises(Conflict) as lost:
        services.appeal_take(appeal=as_she_saw_it, actor=users("property"))
    assert (lost.value.status, lost.value.code) == (409, "changed_meanwhile")
    fresh = Appeal.objects.get(pk=dispatched.pk)
    assert (fresh.party, fresh.state) == (bigger, State.DISPATCHED)
    assert not fresh.events.filter(action=Action.TAKE).exists()


def test_someone_who_never_had_the_right_is_still_refused_as_such(dispatched, users):
    with pytest.raises(NotPermitted) as refused:  # the owners' committee never takes a job
        services.appeal_take(appeal=Appeal.objects.get(pk=dispatched.pk), actor=users("owners"))
    assert refused.value.status == 403
