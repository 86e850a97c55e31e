"""经办人: the side holding an appeal names who has it; her worklist; hand-over when she is away."""
import pytest

from gongzhi.accounts.models import RoleGrant, User
from gongzhi.appeals import services
from gongzhi.appeals.choices import Channel
from gongzhi.appeals.models import Appeal, Category
from gongzhi.core.errors import InvalidInput, NotPermitted
from gongzhi.notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-23 10:00 +0800")]


@pytest.fixture
def colleague(users, world):
    worker = users("worker")
    grant = worker.role_grants.get()
    other = User.objects.create_user(username="worker2", password="x", display_name="社工 陈明")
    RoleGrant.objects.create(user=other, role=grant.role, area_id=grant.area_id)
    return other


@pytest.fixture
def accepted(users, world):
    worker = users("worker")
    appeal = services.appeal_submit(channel=Channel.DESK, text="电动车在楼道充电", area=world.compound, actor=worker,
                                    category=Category.objects.get(code="property-elevator"))
    return services.appeal_accept(appeal=appeal, actor=worker)


def test_the_community_names_a_handler_who_finds_it_on_her_worklist(accepted, colleague, login, users):
    worker = login("worker")
    page = worker.get(f"/staff/appeals/{accepted.pk}/").content.decode()
    assert 'name="assignee"' in page and "社工 陈明" in page
    worker.post(f"/staff/appeals/{accepted.pk}/assign", {"assignee": colleague.pk})
    accepted.refresh_from_db()
    assert accepted.assignee == colleague
    assert Notification.objects.filter(user=colleague, title__contains="经办人").exists()
    mine = login("worker2").get("/staff/appeals/?state=open&assigned=1").content.decode()
    assert accepted.number in mine
    home = login("worker2").get("/staff/").content.decode()
    assert "指派给我" in home
    # nobody outside the side holding it: a property clerk is neither assigner nor assignee here
    with pytest.raises(NotPermitted):
        services.appeal_assign(appeal=accepted, actor=users("property"), assignee=colleague)
    with pytest.raises(InvalidInput):
        services.appeal_assign(appeal=accepted, actor=users("worker"), assignee=users("property"))


def test_hand_over_moves_her_open_appeals_to_a_colleague(accepted, colleague, login, users):
    services.appeal_assign(appeal=accepted, actor=users("worker"), assignee=users("worker"))
    client = login("worker")
    form = client.get("/staff/appeals/hand-over").content.decode()
    assert "社工 陈明" in form and "1 件" in form
    refused = client.post("/staff/appeals/hand-over", {"to_user": colleague.pk}, follow=True).content.decode()
    assert "交接原因" in refused
    client.post("/staff/appeals/hand-over", {"to_user": colleague.pk, "reason": "12月休假"})
    accepted.refresh_from_db()
    assert accepted.assignee == colleague
    assert accepted.events.filter(action="assign", reason__contains="12月休假").exists()


def test_the_community_keeps_its_own_reply_templates(accepted, login, users, world):
    client = login("worker")
    page = client.get("/staff/reply-templates/").content.decode()
    assert "新增本社区的模板" in page
    refused = client.post("/staff/reply-templates/", {"title": "太短", "text": "已处理"}, follow=True)
    assert "模板内容太短" in refused.content.decode()
    client.post("/staff/reply-templates/", {"title": "楼道充电劝离",
                                            "text": "您反映的{place}电动车楼道充电问题，网格员已于{date}上门劝离并张贴告知。"})
    detail = client.get(f"/staff/appeals/{accepted.pk}/").content.decode()
    assert "楼道充电劝离" in detail and "电动车楼道充电问题" in detail
    # another community's worker neither sees nor edits it
    assert login("property").get("/staff/reply-templates/").status_code == 403
    assert "答复模板" not in login("gridworker").get("/staff/").content.decode().split("</nav>")[0]


def test_another_community_s_template_is_not_found_when_retiring_it(login, world):
    from gongzhi.appeals.models import ReplyTemplate

    theirs = ReplyTemplate.objects.create(community=world.other_community, title="他们的模板",
                                          text="您好，问题已经处理完毕，感谢您的反映。")
    worker = login("worker")
    assert worker.post(f"/staff/reply-templates/{theirs.pk}/retire").status_code == 404  # as one that is not there
    assert worker.post("/staff/reply-templates/99999999/retire").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_an_extension_moves_the_deadline_only_once_the_community_agrees(accepted, login, users):
    from datetime import timedelta

    from django.utils import timezone

    company = users("property").role_grants.get().organisation
    services.appeal_dispatch(appeal=accepted, actor=users("worker"), party=company)
    accepted.refresh_from_db()
    before = accepted.resolve_due_at
    clerk, worker = login("property"), login("worker")
    wanted = timezone.localtime(before + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    too_soon = timezone.localtime(before - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = clerk.post(f"/staff/appeals/{accepted.pk}/extend_request", {"due_at": too_soon, "reason": "等配件"},
                         follow=True).content.decode()
    assert "应晚于现在的办结时限" in refused
    clerk.post(f"/staff/appeals/{accepted.pk}/extend_request", {"due_at": wanted, "reason": "电梯主板需从厂家订货"})
    accepted.refresh_from_db()
    assert accepted.resolve_due_at == before
    asked = accepted.requests.get()
    worker.post(f"/staff/requests/{asked.pk}/approve")
    accepted.refresh_from_db()
    assert timezone.localtime(accepted.resolve_due_at).strftime("%Y-%m-%dT%H:%M") == wanted
    assert accepted.events.filter(action="extend", public=False).exists()
    assert Notification.objects.filter(user=users("property"), title__contains="延期申请已同意").exists()


def test_a_grid_worker_works_appeals_about_the_compounds_her_grid_covers(users, login, world):
    """A grid is drawn over buildings, so an appeal about a compound as a whole (its roads, its bike shed) had no
    grid: no grid worker saw it. Each grid worker whose grid covers part of the compound does now, and on patrol
    she files about those compounds and about her grid's buildings."""
    from gongzhi.registry.choices import AreaKind
    from gongzhi.registry.models import Area

    building = Area.objects.filter(kind=AreaKind.BUILDING, grid=world.my_grid).select_related("compound").first()
    compound = building.compound
    elsewhere = Area.objects.filter(kind=AreaKind.COMPOUND, community=world.community).exclude(
        pk__in=Area.objects.filter(kind=AreaKind.BUILDING, grid=world.my_grid).values("compound_id")).first()
    filed = [services.appeal_submit(channel=Channel.DESK, text=f"{c.name}车棚顶被风刮坏", area=c,
                                    actor=users("worker")) for c in filter(None, (compound, elsewhere))]
    assert filed[0].grid_id is None
    client = login("gridworker")
    queue = client.get("/staff/appeals/").content.decode()
    assert filed[0].number in queue
    if len(filed) > 1:
        assert filed[1].number not in queue  # a compound her grid does not touch stays the community's
    services.appeal_accept(appeal=filed[0], actor=users("gridworker"),
                           category=Category.objects.get(code="property-elevator"))
    form = client.get("/staff/appeals/new").content.decode()
    assert f'value="{building.pk}"' in form and f"{compound.name}{building.name}" in form
    assert f'value="{compound.pk}"' in form
    patrol = client.post("/staff/appeals/new", {"channel": "patrol", "area": compound.pk,
                                                "text": "小区北门消防通道被车堵住"})
    assert patrol.status_code == 302 and Appeal.objects.get(text="小区北门消防通道被车堵住").area_id == compound.pk
    if len(filed) > 1:  # and not about a compound her grid does not touch, whatever id is sent
        with pytest.raises(NotPermitted):
            services.appeal_submit(channel=Channel.PATROL, text="别处", area=elsewhere, actor=users("gridworker"))


def test_big_hand_small_hand_and_the_fee_waived_for_the_elderly_living_alone(users, login, world):
    """大手拉小手: the company a small one is paired with is offered first when it transfers a job; a home where
    someone 60 or older lives alone is shown to the handler as such, its fee waived and counted."""
    from datetime import date

    from gongzhi.appeals.figures import rates
    from gongzhi.registry.models import Resident
    from tests import factories

    clerk = users("property")
    small = clerk.role_grants.get().organisation
    big = factories.organisation(name="大型物业集团", serving=[world.community], staff_role="property_staff")
    small.paired_with = big
    small.save()
    elder = Resident.objects.filter(community=world.community, status="present").exclude(household=None).first()
    Resident.objects.filter(household=elder.household).exclude(pk=elder.pk).update(status="moved_out")
    Resident.objects.filter(pk=elder.pk).update(lives_alone=True, birth_date=date(1950, 3, 1))
    appeal = services.appeal_submit(channel=Channel.DESK, text="水龙头漏水", area=elder.household.area,
                                    household=elder.household, actor=users("worker"),
                                    category=Category.objects.get(code="property-elevator"))
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    services.appeal_dispatch(appeal=appeal, actor=users("worker"), party=small)
    page = login("property").get(f"/staff/appeals/{appeal.pk}/").content.decode()
    assert "60岁以上独居：免上门费" in page and elder.name not in page
    transfer = page[page.index('id="transfer_party"'):]
    assert transfer.index("结对 · ") < transfer.index("</select>")
    assert transfer.index("大型物业集团") < transfer.index("</select>")
    services.appeal_take(appeal=appeal, actor=clerk)
    services.appeal_resolve(appeal=appeal, actor=clerk, after_warning=True,
                            reply="物业维修工今天上午更换了厨房水龙头阀芯，未收上门费，已不再漏水")
    appeal.refresh_from_db()
    assert appeal.fee_waived
    today = __import__("django.utils.timezone", fromlist=["x"]).localdate()
    row = next(r for r in rates(viewer=users("worker"), group_by="community", start=today, end=today)
               if r["key"] == world.community.pk)
    assert row["fee_waived"] == 1
