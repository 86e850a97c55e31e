"""The care network's limits: a centre household links at most ten members, a member pairs with at most ten families,
a family has one member, only a special family is paired, and only staff who may see care data over the place keep
the network."""
import pytest

from gongzhi.care import services
from gongzhi.care.models import CentreMember, Pairing
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted

from .conftest import households, new_resident, reported_member, special

pytestmark = pytest.mark.django_db


def families(community, count: int) -> list:
    homes = households(community, count=count)
    return [special(new_resident(home, "特殊家庭")) for home in homes]


def test_a_centre_links_ten_members_and_no_more(world, worker):
    homes = households(world.community, count=1)
    keeper = reported_member(world.community, "中心户党员")
    centre = services.centre_create(actor=worker, keeper=keeper, household=homes[0])
    members = [reported_member(world.community) for _ in range(11)]
    for member in members[:10]:
        services.centre_link(actor=worker, centre=centre, member=member)
    with pytest.raises(Conflict) as refused:
        services.centre_link(actor=worker, centre=centre, member=members[10])
    assert refused.value.code == "full"
    assert CentreMember.objects.filter(centre=centre, ended_at__isnull=True).count() == 10
    # one ended link frees a place
    services.link_end(actor=worker, link=CentreMember.objects.filter(centre=centre).first())
    services.centre_link(actor=worker, centre=centre, member=members[10])


def test_a_member_is_linked_to_one_centre(world, worker):
    homes = households(world.community, count=2)
    first = services.centre_create(actor=worker, keeper=reported_member(world.community), household=homes[0])
    second = services.centre_create(actor=worker, keeper=reported_member(world.community), household=homes[1])
    member = reported_member(world.community)
    services.centre_link(actor=worker, centre=first, member=member)
    with pytest.raises(Conflict) as refused:
        services.centre_link(actor=worker, centre=second, member=member)
    assert refused.value.code == "linked"


def test_a_member_pairs_with_ten_families_and_no_more(world, worker):
    member = reported_member(world.community)
    people = families(world.community, 11)
    for person in people[:10]:
        services.pair(actor=worker, member=member, resident=person)
    with pytest.raises(Conflict) as refused:
        services.pair(actor=worker, member=member, resident=people[10])
    assert refused.value.code == "full"
    assert Pairing.objects.filter(member=member, ended_at__isnull=True).count() == 10


def test_a_family_has_one_member(world, worker):
    first, second = reported_member(world.community), reported_member(world.community)
    person = families(world.community, 1)[0]
    pairing = services.pair(actor=worker, member=first, resident=person)
    with pytest.raises(Conflict) as refused:
        services.pair(actor=worker, member=second, resident=person)
    assert refused.value.code == "paired"
    services.link_end(actor=worker, link=pairing)  # once his pairing ends, another member may take her on
    assert services.pair(actor=worker, member=second, resident=person).member_id == second.pk


def test_only_a_special_family_is_paired(world, worker):
    member = reported_member(world.community)
    plain = new_resident(households(world.community, count=1)[0], "普通居民")
    with pytest.raises(InvalidInput) as refused:
        services.pair(actor=worker, member=member, resident=plain)
    assert refused.value.field == "resident"
    assert not Pairing.objects.filter(resident=plain).exists()


@pytest.mark.parametrize("who", ["property", "volunteer", "resident"])
def test_only_staff_who_see_care_data_keep_the_network(world, worker, users, who):
    outsider = users(who)
    homes = households(world.community, count=1)
    keeper, member = reported_member(world.community), reported_member(world.community)
    person = families(world.community, 1)[0]
    with pytest.raises(NotPermitted):
        services.centre_create(actor=outsider, keeper=keeper, household=homes[0])
    centre = services.centre_create(actor=worker, keeper=keeper, household=homes[0])
    with pytest.raises(NotPermitted):
        services.centre_link(actor=outsider, centre=centre, member=member)
    with pytest.raises(NotPermitted):
        services.pair(actor=outsider, member=member, resident=person)
    pairing = services.pair(actor=worker, member=member, resident=person)
    with pytest.raises(NotPermitted):
        services.link_end(actor=outsider, link=pairing)
    assert Pairing.objects.get(pk=pairing.pk).ended_at is None


def test_a_worker_does_not_keep_another_communitys_network(world, worker, users):
    member = reported_member(world.other_community)
    person = families(world.other_community, 1)[0]
    with pytest.raises(NotPermitted):
        services.pair(actor=worker, member=member, resident=person)
    # the subdistrict, which oversees both communities' care, may
    subdistrict = users("subdistrict")
    if subdistrict.role_grants.get().area_id == world.other_community.subdistrict_id:
        assert services.pair(actor=subdistrict, member=member, resident=person).pk


def test_the_network_page_pairs_for_the_worker_and_refuses_property(world, login):
    member = reported_member(world.community)
    person = families(world.community, 1)[0]
    form = {"member": member.pk, "resident": person.pk}
    assert login("property").post("/staff/care/do/pair", form).status_code == 403
    assert not Pairing.objects.filter(resident=person).exists()
    assert login("worker").post("/staff/care/do/pair", form).status_code == 302
    assert Pairing.objects.filter(resident=person, member=member, ended_at__isnull=True).exists()


def test_the_members_of_a_dissolved_centre_may_join_another(world, worker, login):
    """(Found and fixed with this test.) ending a centre household (services.link_end on a CentreHousehold) leaves its members' CentreMember links
    open. The network page draws only active centres, so those links can no longer be ended there, the members are
    not listed as loose either (selectors.network counts every open link as linked), and centre_link refuses them
    for any other centre ("linked"): they drop out of the network for good."""
    homes = households(world.community, count=2)
    old = services.centre_create(actor=worker, keeper=reported_member(world.community), household=homes[0])
    member = reported_member(world.community, "原联系党员")
    services.centre_link(actor=worker, centre=old, member=member)
    services.link_end(actor=worker, link=old)
    loose = login("worker").get("/staff/care/").content.decode()
    assert member.name in loose  # shown among the members without a centre
    new = services.centre_create(actor=worker, keeper=reported_member(world.community), household=homes[1])
    assert services.centre_link(actor=worker, centre=new, member=member).centre_id == new.pk


def test_a_family_paired_with_a_member_outside_any_centre_stays_on_the_network_page(world, worker, login):
    """(Found and fixed with this test.) the network page's pairing form offers every party member, but selectors.network draws families only
    under centre households (their keepers' and linked members'); a family paired with a member who is in no centre
    is then neither "unpaired" nor under anyone — she vanishes from the page, with no button left to end the
    pairing."""
    member = reported_member(world.community, "散党员")
    person = families(world.community, 1)[0]
    client = login("worker")
    assert person.name in client.get("/staff/care/").content.decode()  # waiting to be paired
    services.pair(actor=worker, member=member, resident=person)
    assert person.name in client.get("/staff/care/").content.decode()
