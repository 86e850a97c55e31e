"""A building head (楼栋长) — a resident the secretary grants the role over her building — sees her building's
households and how to reach them on her phone, each look written to the audit log, and nothing more: not other
buildings, not the staff pages."""
import pytest

from gongzhi.access.roles import Role
from gongzhi.accounts.services import role_grant, verified_households
from gongzhi.care import services
from gongzhi.core.errors import NotFound, NotPermitted
from gongzhi.core.models import AuditEvent
from gongzhi.registry.models import Household, Resident

from .conftest import new_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(users):
    """The demo resident, made head of his own building by the secretary."""
    resident = users("resident")
    home = verified_households(resident).get()
    role_grant(actor=users("secretary"), user=resident, role=Role.BUILDING_HEAD, area=home.building)
    return resident, home


def test_the_head_sees_her_buildings_households_with_phones(head, login):
    user, home = head
    neighbour_home = Household.objects.filter(building=home.building).exclude(pk=home.pk).order_by("id").first()
    neighbour = new_resident(neighbour_home, "邻居")
    Resident.objects.filter(pk=neighbour.pk).update(phone="13811112222")
    elsewhere = Household.objects.filter(community=home.community).exclude(building=home.building).order_by("id").first()
    stranger = new_resident(elsewhere, "别楼居民")
    Resident.objects.filter(pk=stranger.pk).update(phone="13833334444")
    before = AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.VIEW_PERSONAL_DATA).count()

    page = login("resident").get("/portal/care/")
    assert page.status_code == 200
    text = page.content.decode()
    assert neighbour.name in text and "13811112222" in text
    assert stranger.name not in text and "13833334444" not in text
    assert f"/portal/care/households/{neighbour_home.pk}/visit" in text
    assert f"/portal/care/households/{elsewhere.pk}/visit" not in text
    assert AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.VIEW_PERSONAL_DATA).count() == before + 1


def test_the_head_sees_which_of_her_households_no_notice_reaches(head, login):
    """A household where someone lives and nobody verified an account is marked, for her to tell at the door."""
    from gongzhi.accounts.models import HouseholdBinding

    user, home = head
    listed = login("resident").get("/portal/care/").content.decode()
    rows = {h.pk: h for h in Household.objects.filter(building=home.building)}
    unreached = [pk for pk, h in rows.items() if h.residents.filter(status="present").exists()
                 and not HouseholdBinding.objects.filter(household=h, status="verified").exists()]
    assert home.pk not in unreached and unreached  # hers is verified; the demo building has neighbours without
    assert listed.count("没有绑定账号</span>") == len(unreached)


def test_a_resident_who_is_not_a_head_sees_no_households_and_leaves_no_audit(users, login):
    user = users("resident")
    home = verified_households(user).get()
    neighbour = new_resident(Household.objects.filter(building=home.building).exclude(pk=home.pk).first(), "邻居")
    page = login("resident").get("/portal/care/").content.decode()
    assert neighbour.name not in page
    assert not AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.VIEW_PERSONAL_DATA).exists()


def test_a_building_head_is_not_staff(head, login):
    client = login("resident")
    assert client.get("/staff/").status_code == 403
    assert client.get("/staff/care/").status_code == 403


def test_the_head_logs_a_visit_in_her_building_only(head):
    user, home = head
    neighbour_home = Household.objects.filter(building=home.building).exclude(pk=home.pk).order_by("id").first()
    visit = services.visit_log(actor=user, household=neighbour_home, kind="routine", finding="well", note="邻居都好")
    assert visit.visitor_id == user.pk
    elsewhere = Household.objects.filter(community=home.community).exclude(building=home.building).first()
    with pytest.raises(NotFound):
        services.visit_log(actor=user, household=elsewhere, kind="routine", finding="well")


def test_the_head_visit_page_works_for_her_building_only(head, login):
    user, home = head
    neighbour_home = Household.objects.filter(building=home.building).exclude(pk=home.pk).order_by("id").first()
    client = login("resident")
    assert client.get(f"/portal/care/households/{neighbour_home.pk}/visit").status_code == 200
    response = client.post(f"/portal/care/households/{neighbour_home.pk}/visit",
                           {"kind": "routine", "finding": "not_home", "note": "敲门无人应答"})
    assert response.status_code == 302
    elsewhere = Household.objects.filter(community=home.community).exclude(building=home.building).first()
    assert client.get(f"/portal/care/households/{elsewhere.pk}/visit").status_code == 404


def test_only_the_secretary_makes_a_building_head(users):
    resident = users("resident")
    home = verified_households(resident).get()
    with pytest.raises(NotPermitted):
        role_grant(actor=users("gridworker"), user=resident, role=Role.BUILDING_HEAD, area=home.building)
