"""The registry as a community worker uses it: places, households, residents, organisations, the six partners."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.core.models import AuditEvent
from gongzhi.registry import selectors, services
from gongzhi.registry.choices import AreaKind, OrgKind, PartnerRole
from gongzhi.registry.models import Area, Household, Organisation, OrganisationArea, Resident
from gongzhi.registry.validators import id_check_char

pytestmark = pytest.mark.django_db


def id_number(born: date, serial: int = 12, region: str = "110105") -> str:
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def household(world):
    return Household.objects.filter(community=world.community).order_by("id").first()


def test_a_new_building_carries_its_whole_ancestry(users, world):
    worker = users("secretary")
    building = services.area_create(actor=worker, kind=AreaKind.BUILDING, name="99号楼", parent=world.compound,
                                    grid=world.my_grid)
    unit = services.area_create(actor=worker, kind=AreaKind.UNIT, name="1单元", parent=building)
    assert (unit.community_id, unit.compound_id, unit.building_id, unit.grid_id, unit.unit_id) == (
        world.community.pk, world.compound.pk, building.pk, world.my_grid.pk, unit.pk)
    assert unit.subdistrict_id == world.community.subdistrict_id


def test_areas_must_hang_under_the_right_kind_of_parent(users, world):
    with pytest.raises(InvalidInput) as e:
        services.area_create(actor=users("secretary"), kind=AreaKind.BUILDING, name="1号楼", parent=world.community)
    assert "上级必须是小区" in str(e.value.message)


def test_a_secretary_cannot_add_places_in_another_community(users, world):
    before = Area.objects.count()
    with pytest.raises(NotPermitted):
        services.area_create(actor=users("secretary"), kind=AreaKind.BUILDING, name="1号楼",
                             parent=world.other_compound)
    with pytest.raises(NotPermitted):  # a community worker keeps residents, not the map
        services.area_create(actor=users("worker"), kind=AreaKind.BUILDING, name="1号楼", parent=world.compound)
    assert Area.objects.count() == before


def test_two_buildings_of_one_compound_cannot_share_a_name(users, world):
    existing = Area.objects.filter(kind=AreaKind.BUILDING, compound=world.compound).first()
    with pytest.raises(Conflict):
        services.area_create(actor=users("secretary"), kind=AreaKind.BUILDING, name=existing.name,
                             parent=world.compound)


def test_a_building_cannot_join_a_grid_of_another_community(users, world):
    other_grid = Area.objects.filter(kind=AreaKind.GRID, community=world.other_community).first()
    with pytest.raises(InvalidInput):
        services.area_create(actor=users("admin"), kind=AreaKind.BUILDING, name="88号楼", parent=world.compound,
                             grid=other_grid)


def test_everything_under_a_community_is_one_query(users, world):
    residents = selectors.under(Resident.objects.all(), world.community)
    with CaptureQueriesContext(connection) as queries:
        page = list(residents.order_by("id")[:50])
        total = residents.count()
    assert len(queries) == 2  # the page and the total; no walking down the tree
    assert total == Resident.objects.filter(household__area__community=world.community).count()
    assert {r.community_id for r in page} == {world.community.pk}


def test_resident_with_a_valid_id_number_gets_birth_date_and_gender_from_it(users, household):
    r = services.resident_create(actor=users("worker"), household=household, name="测试 居民",
                                 id_number=id_number(date(1950, 3, 1), 13), phone="13900001111")
    assert (r.birth_date, r.gender, r.name) == (date(1950, 3, 1), "M", "测试 居民")
    assert r.community_id == household.community_id and r.grid_id == household.grid_id
    assert AuditEvent.objects.filter(target_type="registry.resident", target_id=str(r.pk)).exists()


def test_a_bad_resident_is_refused_in_chinese_and_nothing_is_saved(users, household):
    before = Resident.objects.count()
    with pytest.raises(InvalidInput) as e:
        services.resident_create(actor=users("worker"), household=household, name="张三",
                                 id_number="110105194912310021")
    assert e.value.field == "id_number" and "校验位" in str(e.value.message)
    assert Resident.objects.count() == before


def test_an_id_number_is_registered_once(users, household):
    number = id_number(date(1962, 5, 6), 21)
    services.resident_create(actor=users("worker"), household=household, name="甲", id_number=number)
    with pytest.raises(Conflict):
        services.resident_create(actor=users("worker"), household=household, name="乙", id_number=number)


def test_an_id_number_typed_in_full_width_is_not_a_second_person(users, household):
    number = id_number(date(1962, 5, 6), 21)
    services.resident_create(actor=users("worker"), household=household, name="甲", id_number=number)
    typed = "".join(chr(ord(c) + 0xFEE0) for c in number)  # a phone's Chinese keyboard
    with pytest.raises(Conflict):
        services.resident_create(actor=users("worker"), household=household, name="甲", id_number=typed)
    assert Resident.objects.filter(name="甲", household=household).count() == 1


def test_sixty_plus_follows_the_birth_date_without_being_stored(users, household):
    worker = users("worker")
    cutoff = selectors.elderly_cutoff()
    old = services.resident_create(actor=worker, household=household, name="刚满六十", birth_date=cutoff)
    young = services.resident_create(actor=worker, household=household, name="差一天",
                                     birth_date=date.fromordinal(cutoff.toordinal() + 1))
    elderly = selectors.filter_tag(Resident.objects.filter(household=household), "elderly")
    assert old in elderly and young not in elderly
    assert old.is_elderly and not young.is_elderly


def test_special_family_tags_are_set_and_filtered(users, household):
    worker = users("worker")
    r = services.resident_create(actor=worker, household=household, name="王低保", special_families=["低保", "残疾"])
    assert sorted(r.special_families.values_list("kind", flat=True)) == ["disabled", "subsistence"]
    assert r in selectors.filter_tag(Resident.objects.all(), "special:subsistence")
    services.resident_update(actor=worker, resident=r, special_families=[])
    assert r not in selectors.filter_tag(Resident.objects.all(), "special")


def test_moving_a_resident_moves_her_ancestry(users, world, household):
    worker = users("worker")
    r = household.residents.first()
    target = Household.objects.filter(community=world.community).exclude(compound=household.compound_id).first()
    services.resident_move(actor=worker, resident=r, household=target)
    r.refresh_from_db()
    assert (r.household_id, r.compound_id, r.building_id) == (target.pk, target.compound_id, target.building_id)


def test_a_compound_without_a_property_company_gets_the_red_steward(users, world):
    bare = services.area_create(actor=users("secretary"), kind=AreaKind.COMPOUND, name="老旧平房院",
                                parent=world.community)
    red = Organisation.objects.get(kind=OrgKind.RED_STEWARD, area_roles__area=world.community)
    slots = {s.role: s for s in selectors.compound_partners(bare)}
    assert slots[PartnerRole.STEWARD].organisations == [red]
    assert slots[PartnerRole.STEWARD].inherited_from == world.community
    assert bare in selectors.compounds_without_steward(viewer=users("worker"), area=world.community)


def test_a_compounds_own_property_company_wins_over_the_red_steward(users, world):
    compound = Area.objects.filter(kind=AreaKind.COMPOUND, organisation_roles__role=PartnerRole.STEWARD,
                                   organisation_roles__organisation__kind=OrgKind.PROPERTY_COMPANY).first()
    own = OrganisationArea.objects.get(area=compound, role=PartnerRole.STEWARD).organisation
    slots = {s.role: s for s in selectors.compound_partners(compound)}
    assert slots[PartnerRole.STEWARD].organisations == [own] and slots[PartnerRole.STEWARD].inherited_from is None
    assert [s.role for s in selectors.compound_partners(compound)] == [
        PartnerRole.LEAD, PartnerRole.ORGANISER, PartnerRole.OWNERS, PartnerRole.STEWARD, PartnerRole.BACKER,
        PartnerRole.PARTNER]


def test_one_property_company_may_serve_several_compounds(users, world):
    company = Organisation.objects.filter(kind=OrgKind.PROPERTY_COMPANY).first()
    admin = users("admin")
    services.organisation_serve(actor=admin, organisation=company, area=world.compound, role=PartnerRole.STEWARD)
    services.organisation_serve(actor=admin, organisation=company, area=world.other_compound,
                                role=PartnerRole.STEWARD)
    assert company.area_roles.filter(role=PartnerRole.STEWARD).count() >= 2


def test_an_organisation_only_takes_roles_that_fit_its_kind(users, world):
    company = Organisation.objects.filter(kind=OrgKind.PROPERTY_COMPANY).first()
    with pytest.raises(InvalidInput) as e:
        services.organisation_serve(actor=users("admin"), organisation=company, area=world.compound,
                                    role=PartnerRole.LEAD)
    assert "不能担任" in str(e.value.message)


def test_party_organisations_form_a_hierarchy(users, world):
    party = Organisation.objects.get(kind=OrgKind.PARTY_ORG, home_area=world.community)
    assert party.parent is not None and party.parent.kind == OrgKind.PARTY_ORG
    assert party.children.filter(kind=OrgKind.PARTY_ORG).exists()  # grid branches
    with pytest.raises(InvalidInput):
        services.organisation_create(actor=users("admin"), kind=OrgKind.PARTY_ORG, name="某支部",
                                     home_area=world.community,
                                     parent=Organisation.objects.filter(kind=OrgKind.PROPERTY_COMPANY).first())


def test_the_demo_city_has_every_kind_of_organisation():
    assert set(Organisation.objects.values_list("kind", flat=True).distinct()) == set(OrgKind.values)


def test_the_resident_list_costs_the_same_few_queries_for_any_page(login, world, django_assert_max_num_queries):
    client = login("worker")
    with django_assert_max_num_queries(14):
        page = client.get(f"/staff/residents/?area={world.community.pk}")
    rows = page.content.decode().count('href="/staff/households/')
    assert rows == 50 + 1  # a full page, each row with its address (and the menu's link)
    first = Resident.objects.filter(community=world.community, status="present").order_by("id").first()
    assert first.household.address in page.content.decode()
    with django_assert_max_num_queries(10):
        body = client.get(f"/api/v1/residents?area={world.community.pk}&page_size=100").json()
    assert len(body["items"]) == 100 and all(item["address"] for item in body["items"])
