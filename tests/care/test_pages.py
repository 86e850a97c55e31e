"""The care pages open for the roles they are for, and show what each needs."""
import pytest
from django.test import Client

from gongzhi.appeals.choices import Channel
from gongzhi.appeals.models import Appeal
from gongzhi.care import services
from gongzhi.care.models import Patch, Visit
from gongzhi.registry.models import Household

from .conftest import households, new_resident, special

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_network_page_shows_the_chains_and_their_gaps(net, world, login):
    unpaired = special(new_resident(households(world.community, count=3)[2], "未结对老人"))
    page = login("worker").get("/staff/care/")
    assert page.status_code == 200
    text = page.content.decode()
    for name in (net.keeper.name, net.member.name, net.family.name, unpaired.name):
        assert name in text
    assert login("property").get("/staff/care/").status_code == 403


def test_the_visits_page_lists_what_is_owed(net, world, users, login):
    services.patch_assign(actor=users("secretary"), user=users("worker"), area=world.compound)
    page = login("worker").get("/staff/care/visits/")
    assert page.status_code == 200
    assert net.family.name in page.content.decode()  # a special family never visited
    grid = login("gridworker").get("/staff/care/visits/")
    assert grid.status_code == 200


def test_the_staff_visit_form_logs_a_visit_and_a_follow_up(world, login):
    home = households(world.community, count=1)[0]
    client = login("worker")
    assert client.get(f"/staff/care/households/{home.pk}/visit").status_code == 200
    response = client.post(f"/staff/care/households/{home.pk}/visit",
                           {"kind": "routine", "finding": "concern", "note": "楼道灯坏了，老人晚上下楼看不清",
                            "follow_up": "1"})
    assert response.status_code == 302
    visit = Visit.objects.get(household=home)
    assert visit.appeal.channel == Channel.PATROL
    shown = client.get(f"/staff/care/households/{home.pk}/visit").content.decode()
    assert "楼道灯坏了" in shown and visit.appeal.number in shown


def test_the_staff_visit_form_is_not_for_another_community(world, login):
    elsewhere = Household.objects.filter(community=world.other_community).order_by("id").first()
    assert login("worker").get(f"/staff/care/households/{elsewhere.pk}/visit").status_code == 404


def test_the_patches_page_is_the_secretarys(world, users, login):
    client = login("secretary")
    assert client.get("/staff/care/patches/").status_code == 200
    response = client.post("/staff/care/patches/", {"user": users("worker").pk, "area": world.compound.pk})
    assert response.status_code == 302
    assert Patch.objects.filter(user=users("worker"), area=world.compound, ended_at__isnull=True).exists()
    page = client.get("/staff/care/patches/").content.decode()
    assert world.compound.name in page
    assert login("worker").get("/staff/care/patches/").status_code == 403


def test_the_members_care_page(net):
    page = client_of(net.member.user).get("/portal/care/")
    assert page.status_code == 200
    text = page.content.decode()
    assert net.family.name in text
    assert f"/portal/care/households/{net.family.household_id}/visit?resident={net.family.pk}" in text


def test_the_keepers_care_page_shows_his_centres_members(net):
    page = client_of(net.keeper.user).get("/portal/care/")
    assert page.status_code == 200
    assert net.member.name in page.content.decode()


def test_the_members_visit_page_logs_a_care_visit(net):
    client = client_of(net.member.user)
    url = f"/portal/care/households/{net.family.household_id}/visit?resident={net.family.pk}"
    assert client.get(url).status_code == 200
    response = client.post(f"/portal/care/households/{net.family.household_id}/visit",
                           {"resident": net.family.pk, "kind": "care", "finding": "concern", "follow_up": "1",
                            "note": "老人说最近头晕，想请人陪同去社区医院量血压"})
    assert response.status_code == 302
    visit = Visit.objects.get(resident=net.family)
    assert visit.appeal.ladder == "care" and visit.appeal.assignee_id == net.member.user_id


def test_the_ask_page_for_the_family(net):
    page = client_of(net.family_user).get(f"/portal/care/ask?resident={net.family.pk}")
    assert page.status_code == 200
    assert net.member.name in page.content.decode()
    assert client_of(net.family_user).get("/portal/care/ask?resident=999999999").status_code == 404


def test_the_party_page(net, login):
    page = client_of(net.member.user).get("/portal/party/")
    assert page.status_code == 200
    assert login("resident").get("/portal/party/").status_code == 200  # not reported yet: the report form


def test_filing_from_the_ask_page_reaches_the_member(net):
    client_of(net.family_user).post("/portal/care/ask", {"resident": net.family.pk, "key": "k1",
                                                          "text": "家里水管爆了，老人不知道怎么关总阀"})
    appeal = Appeal.objects.get(channel=Channel.CARE, resident=net.family)
    page = client_of(net.member.user).get("/portal/care/").content.decode()
    assert "家里水管爆了" in page and f"/portal/care/requests/{appeal.pk}/take" in page
