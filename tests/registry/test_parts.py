"""Exclusive parts (专有部分): the floor areas and buyers of record owners' votes count (民法典 art. 278), kept by
whoever keeps the household's residents, on the household's page."""
from decimal import Decimal

import pytest

from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.core.models import AuditEvent
from gongzhi.registry import selectors, services
from gongzhi.registry.choices import AreaKind, PartKind, ResidentStatus, Tenure
from gongzhi.registry.models import Area, ExclusivePart, Household, Resident
from gongzhi.registry.permissions import households_visible_to, residents_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(users, world):
    """A new household in the grid worker's grid, with a head and her son."""
    unit = Area.objects.filter(kind=AreaKind.UNIT, grid=world.my_grid).order_by("id").first()
    household = services.household_create(actor=users("worker"), area=unit, room="9901")
    head = services.resident_create(actor=users("worker"), household=household, name="林业主", relation="head",
                                    tenure="owner")
    son = services.resident_create(actor=users("worker"), household=household, name="林小业", relation="child",
                                   tenure="family")
    return household, head, son


def test_a_dwelling_is_numbered_as_its_door_and_lies_where_its_household_does(users, home):
    household, head, _son = home
    part = services.part_create(actor=users("gridworker"), household=household, measured_area="86.5㎡", owner=head)
    assert (part.kind, part.number, part.measured_area, part.owner) == (PartKind.DWELLING, "9901", Decimal("86.50"),
                                                                         head)
    assert (part.community_id, part.grid_id, part.unit_id) == (household.community_id, household.grid_id,
                                                               household.unit_id)
    event = AuditEvent.objects.get(target_type="registry.exclusivepart", target_id=str(part.pk))
    assert event.data == {"household": household.pk, "fields": ["kind", "measured_area", "number", "owner"]}


def test_a_garage_is_a_part_of_its_own_with_its_number(users, home):
    household, head, _son = home
    services.part_create(actor=users("worker"), household=household, measured_area="86.5", owner=head)
    garage = services.part_create(actor=users("worker"), household=household, kind=PartKind.GARAGE,
                                  number=" B1-023 ", contract_area="15", owner=head)
    assert (garage.number, garage.area, str(garage)) == ("B1-023", Decimal("15.00"), "B1-023（车库/车位）")
    with pytest.raises(InvalidInput) as e:
        services.part_create(actor=users("worker"), household=household, kind=PartKind.GARAGE)
    assert e.value.field == "number"  # only a dwelling takes the door's number


def test_one_number_per_kind_in_a_household(users, home):
    household, _head, _son = home
    services.part_create(actor=users("worker"), household=household)
    with pytest.raises(Conflict) as e:
        services.part_create(actor=users("worker"), household=household, number="9901")
    assert e.value.code == "part_exists" and "9901" in str(e.value.message)


def test_the_developers_parts_have_no_owner(users, home):
    household, head, _son = home
    worker = users("worker")
    with pytest.raises(InvalidInput) as e:
        services.part_create(actor=worker, household=household, owner=head, developer_held=True)
    assert e.value.code == "developer_held_with_owner" and "建设单位" in str(e.value.message)
    part = services.part_create(actor=worker, household=household, owner=head)
    with pytest.raises(InvalidInput):
        services.part_update(actor=worker, part=part, developer_held=True)
    part.refresh_from_db()
    assert part.owner == head and not part.developer_held
    part = services.part_update(actor=worker, part=part, developer_held=True, owner=None)
    assert part.developer_held and part.owner is None and part.headcount_key == "developer"


def test_the_owner_is_a_resident_of_the_same_community_whatever_her_status(users, world, home):
    household, head, _son = home
    worker = users("worker")
    stranger = Resident.objects.filter(community=world.other_community).first()
    with pytest.raises(InvalidInput) as e:
        services.part_create(actor=worker, household=household, owner=stranger)
    assert e.value.code == "owner_not_in_community" and e.value.field == "owner"
    services.resident_update(actor=worker, resident=head, status=ResidentStatus.MOVED_OUT)  # lives elsewhere now
    head.refresh_from_db()
    neighbour = Resident.objects.filter(community=world.community).exclude(grid=world.my_grid).first()
    assert services.part_create(actor=worker, household=household, owner=head).owner == head
    garage = services.part_create(actor=worker, household=household, kind=PartKind.GARAGE, number="B1-1",
                                  owner=neighbour)  # a buyer living in another compound of the community
    assert garage.owner == neighbour


@pytest.mark.parametrize("area, message", [("-1", "实测面积应在0到100000平方米之间"),
                                           ("100000", "实测面积应在0到100000平方米之间"),
                                           ("八十", "实测面积应为数字，单位平方米"), ("NaN", "实测面积应为数字，单位平方米")])
def test_a_wrong_area_is_refused_in_chinese(users, home, area, message):
    household, _head, _son = home
    with pytest.raises(InvalidInput) as e:
        services.part_create(actor=users("worker"), household=household, measured_area=area)
    assert (e.value.field, str(e.value.message)) == ("measured_area", message)
    assert not ExclusivePart.objects.filter(household=household).exists()


@pytest.mark.parametrize("username", ["subdistrict", "property", "owners", "department", "volunteer"])
def test_only_those_who_keep_the_residents_keep_the_parts(users, home, username):
    household, head, _son = home
    with pytest.raises(NotPermitted):
        services.part_create(actor=users(username), household=household)
    part = services.part_create(actor=users("worker"), household=household, owner=head)
    with pytest.raises(NotPermitted):
        services.part_update(actor=users(username), part=part, measured_area="1")


def test_a_grid_worker_keeps_the_parts_of_her_grid_only(users, world):
    elsewhere = Household.objects.filter(community=world.community).exclude(grid=world.my_grid).first()
    with pytest.raises(NotPermitted):
        services.part_create(actor=users("gridworker"), household=elsewhere, kind=PartKind.OTHER, number="X1")
    part = ExclusivePart.objects.filter(household=elsewhere).first()
    with pytest.raises(NotPermitted):
        services.part_update(actor=users("gridworker"), part=part, note="矩阵")


def test_an_edit_is_audited_by_field_name_and_no_change_is_not(users, home):
    household, head, son = home
    part = services.part_create(actor=users("worker"), household=household, measured_area="80", owner=head)
    services.part_update(actor=users("worker"), part=part, measured_area="80.00", owner=head)
    assert AuditEvent.objects.filter(target_type="registry.exclusivepart", target_id=str(part.pk)).count() == 1
    part = services.part_update(actor=users("worker"), part=part, contract_area="82.1", owner=son)
    event = AuditEvent.objects.filter(target_type="registry.exclusivepart", target_id=str(part.pk)).latest("id")
    assert event.data["fields"] == ["contract_area", "owner"] and part.owner == son
    assert part.measured_area == Decimal("80.00")  # what was not named stays


def test_a_building_moved_to_another_grid_takes_its_parts(users, world):
    part = ExclusivePart.objects.filter(grid=world.my_grid).first()
    building = Area.objects.get(pk=part.building_id)
    services.building_assign_grid(actor=users("secretary"), building=building, grid=world.other_grid_same_community)
    part.refresh_from_db()
    assert part.grid_id == world.other_grid_same_community.pk


def test_a_residents_owned_area_sums_her_parts_measured_else_contract(users, home):
    household, head, son = home
    worker = users("worker")
    services.part_create(actor=worker, household=household, measured_area="86.5", contract_area="90", owner=head)
    services.part_create(actor=worker, household=household, kind=PartKind.GARAGE, number="B1-7", contract_area="15",
                         owner=head)
    areas = dict(selectors.with_owned_area(Resident.objects.filter(household=household)).values_list(
        "pk", "owned_area"))
    assert areas == {head.pk: Decimal("101.50"), son.pk: None}


def test_the_owners_committee_sees_a_buyer_of_record_whatever_her_tenure(users):
    owners = users("owners")
    compound = owners.role_grants.get().organisation.areas.order_by("id").first()
    household = Household.objects.filter(compound=compound).order_by("id").first()
    daughter = Resident.objects.filter(community=compound.community_id).exclude(compound=compound).first()
    Resident.objects.filter(pk=daughter.pk).update(tenure=Tenure.FAMILY)
    assert daughter not in residents_visible_to(owners)
    part = ExclusivePart.objects.filter(household=household, kind=PartKind.DWELLING).first()
    ExclusivePart.objects.filter(pk=part.pk).update(owner=daughter, developer_held=False)
    assert daughter in residents_visible_to(owners)  # she lives in another compound, and votes in this one
    Resident.objects.filter(household=household).update(tenure=Tenure.TENANT)
    assert household in households_visible_to(owners)  # her part makes it an owner's home
    ExclusivePart.objects.filter(household=household).update(owner=None)
    assert household not in households_visible_to(owners) and daughter not in residents_visible_to(owners)


# --- the household page ------------------------------------------------------------------------------------------


def test_the_household_page_lists_its_parts_and_offers_the_forms_to_its_keepers(login, users, home):
    household, head, _son = home
    part = services.part_create(actor=users("worker"), household=household, measured_area="86.5", owner=head)
    services.part_create(actor=users("worker"), household=household, kind=PartKind.SHOP, number="S-2",
                         contract_area="30", developer_held=True)
    page = login("gridworker").get(f"/staff/households/{household.pk}/").content.decode()
    assert "专有部分" in page and "86.50" in page and "30.00" in page and "商铺" in page
    assert f'/staff/residents/{head.pk}/">{head.name}</a>' in page
    assert f"/staff/households/{household.pk}/parts/{part.pk}/edit" in page
    assert f'action="/staff/households/{household.pk}/parts/new"' in page


def test_the_owners_committee_reads_the_parts_and_edits_none(login, users):
    owners = users("owners")
    compound = owners.role_grants.get().organisation.areas.order_by("id").first()
    part = (ExclusivePart.objects.filter(compound=compound, owner__tenure=Tenure.OWNER, measured_area__isnull=False)
            .order_by("id").first())
    page = login("owners").get(f"/staff/households/{part.household_id}/").content.decode()
    assert str(part.measured_area) in page and part.owner.name in page
    assert "/parts/" not in page
    assert login("owners").get(f"/staff/households/{part.household_id}/parts/new").status_code == 403


def test_a_part_added_on_the_page_and_a_refusal_said_on_it(login, home):
    household, head, _son = home
    client = login("worker")
    url = f"/staff/households/{household.pk}/parts/new"
    refused = client.post(url, {"kind": "dwelling", "measured_area": "86.5", "owner": head.pk,
                                "developer_held": "on"})
    assert refused.status_code == 200 and "没有产权人" in refused.content.decode()
    assert not ExclusivePart.objects.filter(household=household).exists()
    added = client.post(url, {"kind": "dwelling", "measured_area": "86.5", "owner": head.pk})
    assert added.status_code == 302 and added["Location"] == f"/staff/households/{household.pk}/"
    part = ExclusivePart.objects.get(household=household)
    assert (part.number, part.measured_area, part.owner) == ("9901", Decimal("86.50"), head)


def test_a_part_edited_on_its_page(login, users, home):
    household, head, son = home
    part = services.part_create(actor=users("worker"), household=household, measured_area="86.5", owner=head)
    client = login("worker")
    url = f"/staff/households/{household.pk}/parts/{part.pk}/edit"
    form = client.get(url).content.decode()
    assert 'value="86.50"' in form and f'<option value="{head.pk}" selected>' in form
    saved = client.post(url, {"kind": "dwelling", "number": "9901", "measured_area": "88", "owner": son.pk})
    assert saved.status_code == 302
    part.refresh_from_db()
    assert (part.measured_area, part.owner) == (Decimal("88.00"), son)
    assert client.get(f"/staff/households/{household.pk}/parts/{part.pk + 10**7}/edit").status_code == 404


def test_the_resident_page_shows_the_areas_of_her_parts(login, users, home):
    household, head, _son = home
    services.part_create(actor=users("worker"), household=household, measured_area="86.5", owner=head)
    services.part_create(actor=users("worker"), household=household, kind=PartKind.GARAGE, number="B1-9",
                         measured_area="15", owner=head)
    page = login("worker").get(f"/staff/residents/{head.pk}/").content.decode()
    assert "101.50㎡" in page and "B1-9（车库/车位），15.00㎡" in page
    listed = login("worker").get(f"/staff/residents/?q={head.name}").content.decode()
    assert "101.50㎡" in listed
    api = login("worker").get(f"/api/v1/residents/{head.pk}").json()
    assert api["owned_floor_area"] == 101.5


# --- the demo city ---------------------------------------------------------------------------------------------


def test_the_demo_city_gives_every_household_its_dwelling():
    dwellings = ExclusivePart.objects.filter(kind=PartKind.DWELLING)
    assert dwellings.count() == Household.objects.count()
    rented = dwellings.filter(owner__isnull=True, developer_held=False)
    assert rented.exists() and not Resident.objects.filter(household__in=rented.values("household_id"),
                                                            tenure=Tenure.OWNER).exists()
    unsold = dwellings.filter(developer_held=True)
    assert unsold.exists() and not Resident.objects.filter(household__in=unsold.values("household_id")).exists()
    assert not dwellings.filter(owner__isnull=False).exclude(owner__relation="head").exists()
    garages = ExclusivePart.objects.filter(kind=PartKind.GARAGE)
    assert garages.exists() and all(12 <= g.measured_area <= 25 and g.owner.compound_id == g.compound_id
                                    for g in garages.select_related("owner"))


def test_her_own_data_lists_the_parts_she_owns(login, users):
    from gongzhi.accounts.models import HouseholdBinding

    binding = HouseholdBinding.objects.filter(user=users("resident"), status="verified").get()
    part = ExclusivePart.objects.filter(household=binding.household_id, kind=PartKind.DWELLING).get()
    ExclusivePart.objects.filter(pk=part.pk).update(owner=binding.resident, developer_held=False,
                                                    measured_area=Decimal("77.70"))
    client = login("resident")
    assert "77.70㎡" in client.get("/portal/my-data/").content.decode()
    ledger = client.get("/portal/my-data/download").json()["ledger"]
    assert ledger[0]["owned_parts"][0]["measured_area"] == "77.70"
