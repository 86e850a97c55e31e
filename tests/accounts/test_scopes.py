"""Every role against data outside its scope: 404 or 403, never a leak. And inside it: what each may see.

The out-of-scope data is a whole district created for the test ("elsewhere"), plus finer edges: the
grid worker's neighbouring grid, a compound the property company does not serve.
"""
from datetime import date

import pytest

from gongzhi.registry import services
from gongzhi.registry.choices import AreaKind, OrgKind
from gongzhi.registry.models import Area, Household, Resident
from gongzhi.registry.validators import id_check_char

pytestmark = pytest.mark.django_db

STAFF = ["operator", "subdistrict", "district", "secretary", "worker", "gridworker", "property", "owners", "department",
         "volunteer"]
EVERYONE_BUT_ADMIN = [*STAFF, "resident", "newcomer"]
SECRET_NAME = "界外测试人"
SECRET_PHONE = "13355557777"


def idn(born, serial):
    first17 = f"110105{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def elsewhere(users, world):
    admin = users("admin")
    district = services.area_create(actor=admin, kind=AreaKind.DISTRICT, name="远方区")
    sub = services.area_create(actor=admin, kind=AreaKind.SUBDISTRICT, name="远方街道", parent=district)
    community = services.area_create(actor=admin, kind=AreaKind.COMMUNITY, name="远方社区", parent=sub)
    grid = services.area_create(actor=admin, kind=AreaKind.GRID, name="第一网格", parent=community)
    compound = services.area_create(actor=admin, kind=AreaKind.COMPOUND, name="远方小区", parent=community)
    building = services.area_create(actor=admin, kind=AreaKind.BUILDING, name="1号楼", parent=compound, grid=grid)
    household = services.household_create(actor=admin, area=building, room="8801")  # no other home has it
    resident = services.resident_create(actor=admin, household=household, name=SECRET_NAME, phone=SECRET_PHONE,
                                        id_number=idn(date(1951, 7, 8), 55))
    org = services.organisation_create(actor=admin, kind=OrgKind.SOCIAL_ORG, name="远方社工事务所",
                                       home_area=community)

    class Elsewhere:
        pass

    Elsewhere.subdistrict, Elsewhere.community, Elsewhere.compound = sub, community, compound
    Elsewhere.household, Elsewhere.resident, Elsewhere.org = household, resident, org
    return Elsewhere


def denied(response) -> bool:
    return response.status_code in (403, 404)


def leaks(response, resident=None) -> bool:
    """The outsider's name, phone or her or her home's page link appears (a search box echoing the query is not a
    leak). Asked of lists narrowed to her (by her name, her room number), so it can fail however long the list."""
    body = response.content.decode().replace(f'value="{SECRET_NAME}"', "")
    link = resident is not None and (f"/residents/{resident.pk}/" in body
                                     or f"/households/{resident.household_id}/" in body)
    return SECRET_NAME in body or SECRET_PHONE in body or link


@pytest.mark.parametrize("username", EVERYONE_BUT_ADMIN)
def test_no_role_reaches_a_resident_outside_its_scope(username, login, elsewhere):
    client = login(username)
    r = elsewhere.resident
    for url in [f"/staff/residents/{r.pk}/", f"/staff/residents/{r.pk}/edit", f"/staff/households/{r.household_id}/",
                f"/api/v1/residents/{r.pk}", f"/api/v1/households/{r.household_id}"]:
        response = client.get(url)
        assert denied(response), (username, url, response.status_code)
        assert not leaks(response)
    for url in [f"/staff/residents/{r.pk}/reveal", f"/api/v1/residents/{r.pk}/personal-data"]:
        response = client.post(url)
        assert denied(response) and not leaks(response), (username, url)
    for url in [f"/staff/residents/?q={SECRET_NAME}", f"/api/v1/residents?q={SECRET_NAME}",
                "/staff/households/?q=8801", "/api/v1/households?q=8801"]:
        response = client.get(url)
        assert not leaks(response, r), (username, url)


@pytest.mark.parametrize("username", [u for u in EVERYONE_BUT_ADMIN if u != "operator"])
def test_no_local_role_reaches_places_or_bodies_of_another_district(username, login, elsewhere):
    client = login(username)
    for url in [f"/staff/areas/{elsewhere.compound.pk}/", f"/api/v1/areas/{elsewhere.compound.pk}",
                f"/staff/organisations/{elsewhere.org.pk}/", f"/api/v1/organisations/{elsewhere.org.pk}",
                f"/staff/ledger/export?area={elsewhere.community.pk}",
                f"/api/v1/areas/{elsewhere.compound.pk}/partners"]:
        response = client.get(url)
        assert denied(response), (username, url, response.status_code)
    listing = client.get("/api/v1/areas?kind=compound")
    assert "远方小区" not in listing.content.decode()


def test_the_city_operator_sees_the_map_but_not_the_people(login, elsewhere):
    client = login("operator")
    assert client.get(f"/staff/areas/{elsewhere.compound.pk}/").status_code == 200
    assert denied(client.get(f"/staff/residents/{elsewhere.resident.pk}/"))


def test_a_grid_worker_sees_her_grid_and_not_the_next_one(login, users, world):
    secretary = users("secretary")
    building = services.area_create(actor=secretary, kind=AreaKind.BUILDING, name="邻格楼", parent=world.compound,
                                    grid=world.other_grid_same_community)
    household = services.household_create(actor=secretary, area=building, room="101")
    theirs = services.resident_create(actor=secretary, household=household, name="邻格居民")
    client = login("gridworker")
    mine = Resident.objects.filter(grid=world.my_grid).first()
    assert client.get(f"/staff/residents/{mine.pk}/").status_code == 200
    assert denied(client.get(f"/staff/residents/{theirs.pk}/"))
    assert denied(client.get(f"/api/v1/residents/{theirs.pk}"))
    assert [row["id"] for row in client.get(f"/api/v1/residents?q={mine.name}").json()["items"]].count(mine.pk) == 1
    assert client.get("/api/v1/residents?q=邻格居民").json()["items"] == []  # narrowed to her: nothing


def test_property_staff_see_the_compounds_their_company_serves_masked(login, users):
    company = users("property").role_grants.get().organisation
    served = Area.objects.filter(organisation_roles__organisation=company, kind=AreaKind.COMPOUND)
    inside = Resident.objects.filter(compound__in=served).exclude(phone="").first()
    outside = Resident.objects.exclude(compound__in=served).first()
    client = login("property")
    page = client.get(f"/staff/residents/{inside.pk}/")
    assert page.status_code == 200
    assert inside.phone not in page.content.decode() and inside.id_number not in page.content.decode()
    assert denied(client.post(f"/staff/residents/{inside.pk}/reveal"))
    assert denied(client.get(f"/staff/residents/{outside.pk}/"))


def test_search_never_recovers_a_masked_number(login, users, world):
    """Issue 21: ?q= matched whole phone and ID prefixes, so a role seeing them masked recovered an ID number in 22
    queries. A masked view matches on the last four digits it shows; prefixes and whole numbers only where the
    numbers are seen in full."""
    company = users("property").role_grants.get().organisation
    served = Area.objects.filter(organisation_roles__organisation=company, kind=AreaKind.COMPOUND)
    inside = Resident.objects.filter(compound__in=served).exclude(phone="").exclude(id_number="").first()
    clerk = login("property")

    def found(client, q, api=False):
        if api:
            return inside.pk in [r["id"] for r in client.get(f"/api/v1/residents?q={q}&page_size=100").json()["items"]]
        return f"/staff/residents/{inside.pk}/" in client.get(f"/staff/residents/?q={q}").content.decode()

    assert found(clerk, inside.phone[-4:])  # what the masked phone shows
    for q in (inside.phone[:7], inside.phone, inside.id_number[:8], inside.id_number):
        assert not found(clerk, q) and not found(clerk, q, api=True), q
    if inside.community_id == world.community.pk:  # the community worker sees them in full: she finds by them
        assert found(login("worker"), inside.phone) and found(login("worker"), inside.id_number)


def test_a_worker_sees_and_may_reveal_her_residents_and_each_reveal_is_audited(login, users, world):
    from gongzhi.core.models import AuditEvent

    r = Resident.objects.filter(community=world.community).exclude(phone="").exclude(id_number=None).first()
    client = login("worker")
    page = client.get(f"/staff/residents/{r.pk}/").content.decode()
    assert r.name in page and r.id_number not in page and r.masked_id_number in page
    revealed = client.post(f"/staff/residents/{r.pk}/reveal").content.decode()
    assert r.id_number in revealed and r.phone in revealed
    assert AuditEvent.objects.filter(actor=users("worker"), action="view_personal_data",
                                     target_id=str(r.pk)).count() == 1


def test_residents_and_volunteers_have_no_staff_pages(login):
    for username in ["resident", "newcomer"]:
        client = login(username)
        assert client.get("/staff/").status_code == 403
        assert client.get("/staff/residents/").status_code == 403
        assert client.get("/api/v1/residents").status_code == 403
    volunteer = login("volunteer")
    assert volunteer.get("/staff/residents/").status_code == 403


def test_the_menu_shows_each_role_only_what_it_may_use(login):
    worker = login("worker").get("/staff/").content.decode()
    assert "/staff/residents/" in worker and "/staff/ledger/import" in worker and "/staff/roles/" not in worker
    secretary = login("secretary").get("/staff/").content.decode()
    assert "/staff/roles/" in secretary and "/staff/audit/" in secretary
    department = login("department").get("/staff/").content.decode()
    assert "/staff/residents/" not in department and "/staff/organisations/" in department


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/staff/residents/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/residents").status_code == 401


def test_household_list_is_scoped(login, world):
    household = Household.objects.filter(community=world.other_community).first()
    listing = login("worker").get(f"/api/v1/households?q={household.room}&page_size=100").json()
    assert all(h["id"] != household.pk for h in listing["items"])


def test_the_city_operator_follows_every_appeal_of_the_city_and_its_figures(login, users, elsewhere):
    from gongzhi.appeals import services as appeals

    far = appeals.appeal_submit(channel="patrol", text="远方小区路灯不亮", area=elsewhere.compound,
                                actor=users("admin"))
    client = login("operator")
    queue = client.get("/staff/appeals/").content.decode()
    assert far.number in queue  # the 12345 centre sees every district's appeals
    assert f'value="{elsewhere.compound.subdistrict_id}"' in queue  # filtered by subdistrict, not by 10,000s
    assert f'value="{elsewhere.compound.pk}"' not in queue  # of compounds and grids
    assert client.get(f"/staff/appeals/?area={elsewhere.compound.subdistrict_id}").content.decode().count(
        far.number) == 1
    figures = client.get("/api/v1/figures/rates?start=2000-01-01&end=2100-01-01&group_by=community").json()
    assert any(row["key"] == elsewhere.compound.community_id for row in figures)
    assert denied(client.get(f"/staff/residents/{elsewhere.resident.pk}/"))  # still not the people
