"""Minimum necessary (个人信息保护法): each role sees of a resident what its job needs, on every page and in the API,
as docs/personal-data.md's table says. The expectation below is written out by hand from that table, not read from
the code's permission sets."""
from datetime import date

import pytest
from django.utils import timezone

from gongzhi.registry.choices import PLACE_KINDS, PartKind, SpecialFamily, Tenure
from gongzhi.registry.models import ExclusivePart, Resident, ResidentSpecialFamily

pytestmark = pytest.mark.django_db

@pytest.fixture
def marked(users):
    """In each partner's area: an owner and a tenant, both 70, living alone, on subsistence, party members."""
    picked = {}
    for username in ("property", "owners"):
        org = users(username).role_grants.get().organisation
        area = org.areas.order_by("id").first()
        residents = Resident.objects.filter(**{f"{area.kind}_id": area.pk}).order_by("id")
        owner, tenant = residents[0], residents[1]
        Resident.objects.filter(pk=owner.pk).update(tenure=Tenure.OWNER)
        Resident.objects.filter(pk=tenant.pk).update(tenure=Tenure.TENANT)
        ExclusivePart.objects.filter(owner__in=[owner, tenant]).update(owner=None)  # the tenant owns nothing
        ExclusivePart.objects.update_or_create(
            household_id=owner.household_id, kind=PartKind.DWELLING, number=owner.household.room,
            defaults={"owner": owner, "measured_area": 88.5, "contract_area": None, "developer_held": False,
                      **{f"{k}_id": getattr(owner, f"{k}_id") for k in PLACE_KINDS}})
        for r in (owner, tenant):
            Resident.objects.filter(pk=r.pk).update(birth_date=date(timezone.localdate().year - 70, 1, 1),
                                                    lives_alone=True, is_party_member=True)
            ResidentSpecialFamily.objects.get_or_create(resident_id=r.pk, kind=SpecialFamily.SUBSISTENCE)
        picked[username] = (Resident.objects.get(pk=owner.pk), Resident.objects.get(pk=tenant.pk), area)
    return picked


@pytest.mark.parametrize("username", ["property", "owners"])
def test_a_partner_sees_no_care_data_on_the_pages_or_in_the_api(username, marked, login):
    owner, _tenant, area = marked[username]
    client = login(username)
    subsistence = str(SpecialFamily.SUBSISTENCE.label)
    for url in (f"/staff/residents/{owner.pk}/", f"/staff/households/{owner.household_id}/",
                f"/staff/residents/?area={area.pk}", f"/staff/areas/{area.pk}/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert owner.name in html or "/areas/" in url, url
        for hidden in (subsistence, "独居", "党员</span>", owner.masked_id_number, "身份证号", "60+"):
            assert hidden not in html, (url, hidden)
    row = client.get(f"/api/v1/residents/{owner.pk}").json()
    assert row["name"] == owner.name and row["phone"] == owner.masked_phone and row["owned_floor_area"] == 88.5
    assert (row["id_number"], row["age"], row["birth_year"], row["lives_alone"], row["is_party_member"],
            row["special_families"]) == (None, None, None, None, None, [])
    # a filter must not tell what a page hides: a care tag is refused, and the picker does not offer it
    assert client.get(f"/api/v1/residents?area={area.pk}&tag=special").status_code == 422
    assert "elderly_alone" not in client.get("/staff/residents/").content.decode()
    last4 = owner.id_number[-4:]
    if not (owner.phone.endswith(last4) or owner.household.room == last4):  # an ID number is not hers to search by
        assert owner.pk not in {r["id"] for r in client.get(f"/api/v1/residents?q={last4}&area={area.pk}").json()[
            "items"]}


def test_the_owners_committee_sees_the_owners_and_their_areas_not_the_whole_registry(marked, login):
    owner, tenant, area = marked["owners"]
    client = login("owners")
    listed = client.get(f"/api/v1/residents?area={area.pk}&page_size=1000").json()
    assert listed["count"] > 0 and all(r["tenure"] == Tenure.OWNER for r in listed["items"])
    assert owner.pk in {r["id"] for r in listed["items"]}
    assert client.get(f"/api/v1/residents/{tenant.pk}").status_code == 404
    assert client.get(f"/staff/residents/{tenant.pk}/").status_code == 404
    household = client.get(f"/staff/households/{owner.household_id}/").content.decode()
    assert owner.name in household and "88.5" in client.get(f"/staff/residents/{owner.pk}/").content.decode()
    assert client.get("/staff/").status_code == 200 and "居民台账" in client.get("/staff/").content.decode()


def test_property_sees_tenants_it_serves_but_not_their_care_data(marked, login):
    _owner, tenant, _area = marked["property"]
    row = login("property").get(f"/api/v1/residents/{tenant.pk}").json()
    assert row["name"] == tenant.name and row["special_families"] == [] and row["age"] is None


@pytest.mark.parametrize("username", ["worker", "gridworker", "secretary", "subdistrict"])
def test_those_who_care_for_her_still_see_her_tags(username, login, world):
    grid = login("gridworker").get("/api/v1/residents?page_size=1").json()["items"][0]  # in all four's areas
    resident = Resident.objects.get(pk=grid["id"])
    Resident.objects.filter(pk=resident.pk).update(birth_date=date(timezone.localdate().year - 70, 1, 1),
                                                   lives_alone=True)
    ResidentSpecialFamily.objects.get_or_create(resident_id=resident.pk, kind=SpecialFamily.SUBSISTENCE)
    client = login(username)
    html = client.get(f"/staff/residents/{resident.pk}/").content.decode()
    assert str(SpecialFamily.SUBSISTENCE.label) in html and "独居" in html and resident.masked_id_number in html
    row = client.get(f"/api/v1/residents/{resident.pk}").json()
    assert row["special_families"] == [SpecialFamily.SUBSISTENCE] and row["age"] >= 60 and row["lives_alone"]
    assert client.get(f"/api/v1/residents?tag=special:subsistence&q={resident.name}").json()["count"] >= 1


def test_searching_numbers_is_limited_per_account_and_names_are_not(login):
    """Whoever may search, nobody walks the number space: past the limit a search with four or more digits is
    refused, on the page and in the API, for ten minutes; a search by name still works."""
    from gongzhi.registry import selectors

    client = login("worker")
    for n in range(selectors.NUMBER_SEARCHES):
        assert client.get(f"/api/v1/residents?q={n:04d}").status_code == 200
    refused = client.get("/api/v1/residents?q=1390")
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_searches"
    page = client.get("/staff/residents/?q=13901234567")
    assert page.status_code == 429 and "查询号码过于频繁" in page.content.decode()
    assert client.get("/api/v1/residents?q=王").status_code == 200
    assert login("secretary").get("/api/v1/residents?q=1390").status_code == 200  # counted per account
