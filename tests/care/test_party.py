"""Party members: an employed member reports to the community where she lives (once), her party points account opens,
she claims its service posts within their slots; the figures count from the rows; the 50-year medal list makes
itself from join dates."""
from datetime import date

import pytest
from django.utils import timezone

from gongzhi.care import selectors, services
from gongzhi.core.errors import Conflict, NotFound, NotPermitted
from gongzhi.volunteers import services as volunteering
from gongzhi.volunteers.choices import Account
from gongzhi.volunteers.models import PartyMember, PointsAccount, PostClaim
from gongzhi.volunteers.services.party import branch_of
from gongzhi.volunteers.services.points import account_of

from .conftest import account, households, new_resident, reported_member, roster_member, special

pytestmark = pytest.mark.django_db


def post(worker, community, *, slots=2, title="楼门长助理"):
    return volunteering.post_create(actor=worker, area=community, title=title, description="协助联系独居老人", slots=slots)


def test_a_member_reports_to_her_community_once(world):
    user = account("在职党员")
    member = volunteering.party_member_report(actor=user, community=world.community, name="王芳",
                                              joined_on=date(2008, 7, 1), employer="区人民医院")
    member = PartyMember.objects.get(pk=member.pk)
    assert (member.user_id, member.branch_id, member.reported_to_id) == (
        user.pk, branch_of(world.community).pk, world.community.pk)
    assert member.reported_at is not None and member.community_id == world.community.pk
    points = PointsAccount.objects.get(member=member)
    assert (points.kind, points.community_id, points.balance) == (Account.PARTY, world.community.pk, 0)
    with pytest.raises(Conflict) as refused:
        volunteering.party_member_report(actor=user, community=world.other_community, name="王芳",
                                         joined_on=date(2008, 7, 1), employer="区人民医院")
    assert refused.value.code == "already_reported"
    assert PartyMember.objects.filter(user=user).count() == 1
    assert PartyMember.objects.get(pk=member.pk).reported_to_id == world.community.pk


def test_a_member_reports_on_her_phone(world, users, login):
    client = login("resident")
    page = client.get("/portal/party/")
    assert page.status_code == 200 and world.community.name in page.content.decode()  # her home's community
    response = client.post("/portal/party/", {"community": world.community.pk, "name": "赵党员",
                                              "joined_on": "2001-07-01", "employer": "区供电公司"})
    assert response.status_code == 302
    member = PartyMember.objects.get(user=users("resident"))
    assert member.reported_to_id == world.community.pk
    again = client.post("/portal/party/", {"community": world.community.pk, "name": "赵党员",
                                           "joined_on": "2001-07-01", "employer": "区供电公司"}, follow=True)
    assert PartyMember.objects.filter(user=users("resident")).count() == 1
    assert "已向" in again.content.decode()  # told she already reported


def test_posts_are_claimed_within_their_slots(world, worker):
    spot = post(worker, world.community, slots=2)
    first, second, third = (reported_member(world.community) for _ in range(3))
    volunteering.post_claim(actor=first.user, post=spot)
    with pytest.raises(Conflict) as twice:
        volunteering.post_claim(actor=first.user, post=spot)
    assert twice.value.code == "already_claimed"
    volunteering.post_claim(actor=second.user, post=spot)
    with pytest.raises(Conflict) as full:
        volunteering.post_claim(actor=third.user, post=spot)
    assert full.value.code == "full"
    assert PostClaim.objects.filter(post=spot, ended_at__isnull=True).count() == 2
    # one gives it up: a slot frees
    volunteering.post_leave(actor=first.user, claim=PostClaim.objects.get(post=spot, member=first))
    assert volunteering.post_claim(actor=third.user, post=spot).member_id == third.pk


def test_only_a_reported_member_of_the_community_claims_its_posts(world, worker, users):
    spot = post(worker, world.community)
    with pytest.raises(NotPermitted):
        volunteering.post_claim(actor=account("未报到"), post=spot)
    elsewhere = reported_member(world.other_community)
    with pytest.raises(NotFound):
        volunteering.post_claim(actor=elsewhere.user, post=spot)


def test_a_member_claims_a_post_on_his_phone(world, worker):
    from django.test import Client

    spot = post(worker, world.community, title="政策宣讲员")
    member = reported_member(world.community)
    client = Client()
    client.force_login(member.user)
    page = client.get("/portal/party/").content.decode()
    assert "政策宣讲员" in page and f"/portal/party/posts/{spot.pk}/claim" in page
    assert client.post(f"/portal/party/posts/{spot.pk}/claim").status_code == 302
    assert PostClaim.objects.filter(post=spot, member=member, ended_at__isnull=True).exists()


def _row(rows, community):
    return next(r for r in rows if r["community"].pk == community.pk)


def _counts(row):
    return {k: row[k] for k in ("reported", "claimed", "services", "pairings")}


def test_party_figures_count_from_the_rows(world, worker, users):
    subdistrict = users("subdistrict")
    rows, _subtotals = selectors.party_figures(worker)
    before = _counts(_row(rows, world.community))
    sub_rows, sub_totals = selectors.party_figures(subdistrict)
    sub_before = _counts(next(s for s in sub_totals if s["subdistrict"].pk == world.community.subdistrict_id))

    a, b = reported_member(world.community), reported_member(world.community)
    roster_member(world.community, joined_on=date(1990, 1, 1), by=worker)  # on the roster, not reported
    spot = post(worker, world.community)
    volunteering.post_claim(actor=a.user, post=spot)
    other = post(worker, world.community, title="文明引导员")
    volunteering.post_claim(actor=a.user, post=other)  # two posts: still one member holding a post
    claim = volunteering.post_claim(actor=b.user, post=spot)
    volunteering.post_leave(actor=b.user, claim=claim)  # gave it up: not counted
    volunteering.points_help(actor=worker, account=account_of(a), what="陪同结对老人去医院复查")
    volunteering.points_adjust(actor=worker, account=account_of(b), delta=5, reason="补记")  # not a service
    family = special(new_resident(households(world.community, count=1)[0], "孤寡老人"))
    services.pair(actor=worker, member=a, resident=family)

    rows, _subtotals = selectors.party_figures(worker)
    assert _counts(_row(rows, world.community)) == {
        "reported": before["reported"] + 2, "claimed": before["claimed"] + 1,
        "services": before["services"] + 1, "pairings": before["pairings"] + 1}
    assert [r["community"].pk for r in rows] == [world.community.pk]  # the worker's own community only
    _rows, sub_totals = selectors.party_figures(subdistrict)
    sub = next(s for s in sub_totals if s["subdistrict"].pk == world.community.subdistrict_id)
    assert _counts(sub) == {"reported": sub_before["reported"] + 2, "claimed": sub_before["claimed"] + 1,
                            "services": sub_before["services"] + 1, "pairings": sub_before["pairings"] + 1}
    assert selectors.party_figures(users("property")) == ([], [])


def test_the_medal_list_is_members_of_50_years_this_year(frozen, world, worker):
    today = timezone.localdate()
    fifty = roster_member(world.community, "老党员甲", joined_on=date(today.year - 50, 12, 31), by=worker)
    longer = roster_member(world.community, "老党员乙", joined_on=date(today.year - 62, 3, 1), by=worker)
    forty_nine = roster_member(world.community, "老党员丙", joined_on=date(today.year - 49, 1, 1), by=worker)
    listed = set(selectors.medal_list(worker).values_list("pk", flat=True))
    assert {fifty.pk, longer.pk} <= listed
    assert forty_nine.pk not in listed
    assert not selectors.medal_list(worker).filter(community=world.other_community).exists()


def test_the_staff_party_page_renders_for_the_worker(frozen, world, worker, login):
    today = timezone.localdate()
    roster_member(world.community, "老党员甲", joined_on=date(today.year - 50, 6, 1), by=worker)
    reported_member(world.community, "报到党员")
    post(worker, world.community, title="政策宣讲员")
    page = login("worker").get("/staff/care/party/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "老党员甲" in text and "政策宣讲员" in text and world.community.name in text
    assert login("property").get("/staff/care/party/").status_code == 403


def test_a_member_who_also_volunteers_pays_party_goods_with_party_points(world, worker, login):
    member = reported_member(world.community, "双重身份")
    volunteer = volunteering.volunteer_register(actor=member.user, home=world.community, name="双重身份",
                                                phone="13912340000", skills=["patrol"])
    volunteering.volunteer_decide(actor=worker, volunteer=volunteer, decision="approve")
    volunteering.points_adjust(actor=worker, account=account_of(member), delta=50, reason="党员积分")
    volunteering.points_adjust(actor=worker, account=account_of(volunteer), delta=500, reason="志愿积分")
    book = volunteering.item_create(actor=worker, area=world.community, name="党章", points=20, stock=3,
                                    account=Account.PARTY)
    client = login(member.user.username)
    r = client.post("/api/v1/volunteers/orders", {"item": book.pk, "quantity": 2}, content_type="application/json")
    assert (r.status_code, r.json()["points"], r.json()["balance"]) == (201, 40, 10)
    assert (account_of(member).balance, account_of(volunteer).balance) == (10, 500)
    r = client.post("/api/v1/volunteers/orders", {"item": book.pk}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "insufficient_points")  # her volunteer points do not pay
