"""街乡吹哨、部门报到: the community calls in a department, which reports in by a deadline."""
import pytest
import time_machine

from gongzhi.appeals import services
from gongzhi.appeals.choices import Action, Channel
from gongzhi.appeals.models import Category
from gongzhi.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from gongzhi.notifications.models import Notification
from gongzhi.registry.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-23 10:00 +0800")]


@pytest.fixture
def accepted(users, world):
    worker = users("worker")
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        appeal = services.appeal_submit(channel=Channel.DESK, text="小区门口施工夜间扰民", area=world.compound,
                                        actor=worker, category=Category.objects.get(code="noise-construction"))
        return services.appeal_accept(appeal=appeal, actor=worker)


@pytest.fixture
def department(users):
    return users("department").role_grants.get().organisation


def test_a_whistle_calls_the_department_which_reports_in(accepted, users, department):
    with time_machine.travel("2026-11-23 10:30 +0800", tick=False):
        whistle = services.appeal_whistle(appeal=accepted, actor=users("worker"), department=department,
                                          reason="施工单位不听劝阻，需城管执法")
    assert Notification.objects.filter(user=users("department"), key=f"whistle:{whistle.pk}").exists()
    with pytest.raises(Conflict):  # one open whistle per target
        services.appeal_whistle(appeal=accepted, actor=users("worker"), department=department, reason="再吹")
    with time_machine.travel("2026-11-23 11:00 +0800", tick=False):
        services.whistle_report_in(whistle=whistle, actor=users("department"), handler_name="执法队 王队长",
                                   handler_phone="13811112222")
    whistle.refresh_from_db()
    assert whistle.reported_at is not None and whistle.handler_name == "执法队 王队长"
    events = list(accepted.events.values_list("action", "data"))
    assert events[-2][0] == Action.WHISTLE and events[-1] == (Action.REPORT_IN, {"whistle": whistle.pk,
                                                                                 "late": False})
    services.appeal_dispatch(appeal=accepted, actor=users("worker"), party=department)
    services.appeal_take(appeal=accepted, actor=users("department"))


def test_a_late_report_in_is_recorded_as_late(accepted, users, department):
    with time_machine.travel("2026-11-23 10:30 +0800", tick=False):
        whistle = services.appeal_whistle(appeal=accepted, actor=users("worker"), department=department,
                                          reason="需部门协调")
    with time_machine.travel("2026-11-24 16:00 +0800", tick=False):
        services.whistle_report_in(whistle=whistle, actor=users("department"), handler_name="李科长")
    assert accepted.events.get(action=Action.REPORT_IN).data["late"] is True


def test_only_the_called_body_reports_in_and_only_the_community_blows(accepted, users, department):
    with pytest.raises(NotPermitted):
        services.appeal_whistle(appeal=accepted, actor=users("property"), department=department, reason="x")
    whistle = services.appeal_whistle(appeal=accepted, actor=users("worker"), department=department, reason="x")
    with pytest.raises(NotFound):  # the company does not see the appeal: to it the whistle does not exist
        services.whistle_report_in(whistle=whistle, actor=users("property"), handler_name="张三")
    with pytest.raises(NotPermitted):  # the community sees it, but only the called body reports in
        services.whistle_report_in(whistle=whistle, actor=users("worker"), handler_name="张三")
    with pytest.raises(InvalidInput):
        services.whistle_report_in(whistle=whistle, actor=users("department"), handler_name=" ")
    company = Organisation.objects.filter(kind="property_company").first()
    with pytest.raises(InvalidInput):  # whistles go to departments, not companies
        services.appeal_whistle(appeal=accepted, actor=users("worker"), department=company, reason="x")


def test_the_api_reports_in_only_on_a_whistle_the_caller_sees(accepted, users, login, department):
    """One she cannot see is not found, as a missing one: the answer does not tell that it exists."""
    whistle = services.appeal_whistle(appeal=accepted, actor=users("worker"), department=department, reason="x")
    url = f"/api/v1/whistles/{whistle.pk}/report-in"
    body = {"handler_name": "住建委 王科长"}
    assert login("property").post(url, body, content_type="application/json").status_code == 404
    assert login("property").post("/api/v1/whistles/99999999/report-in", body,
                                  content_type="application/json").status_code == 404
    assert login("worker").post(url, body, content_type="application/json").status_code == 403  # sees it, not called
    whistle.refresh_from_db()
    assert whistle.reported_at is None
    assert login("department").post(url, body, content_type="application/json").status_code == 200


def test_whistling_to_the_subdistrict(accepted, users):
    whistle = services.appeal_whistle(appeal=accepted, actor=users("worker"), reason="需街道协调多个部门")
    assert whistle.subdistrict_id == accepted.subdistrict_id
    assert Notification.objects.filter(user=users("subdistrict"), key=f"whistle:{whistle.pk}").exists()
    services.whistle_report_in(whistle=whistle, actor=users("subdistrict"), handler_name="城管科 陈科长")


def test_the_sweep_escalates_a_missed_report_in_once(accepted, users, department):
    from gongzhi.appeals.sweep import sweep

    with time_machine.travel("2026-11-23 10:30 +0800", tick=False):
        whistle = services.appeal_whistle(appeal=accepted, actor=users("worker"), department=department,
                                          reason="施工单位夜间施工，需执法")
        assert sweep()["report_in_escalate"] == 0  # not due yet
    with time_machine.travel("2026-11-25 10:00 +0800", tick=False):
        assert sweep()["report_in_escalate"] == 1
        assert sweep()["report_in_escalate"] == 0  # once
    late = f"whistle:{whistle.pk}:late"
    for name in ("department", "subdistrict", "worker"):
        assert Notification.objects.filter(user=users(name), key=late).exists(), name
    assert accepted.events.filter(action=Action.ESCALATE, data__step="report_in").count() == 1
    with time_machine.travel("2026-11-25 11:00 +0800", tick=False):  # reporting in late still works
        services.whistle_report_in(whistle=whistle, actor=users("department"), handler_name="执法队 王队长")


def test_whistling_to_a_department_through_the_pages_and_it_reports_in_through_its_own(accepted, login, department):
    """The worker blows the whistle on the appeal page; the page still opens for everyone after it; the called
    department finds the appeal from its message and in its queue, and reports in on the page, naming its handler."""
    worker = login("worker")
    response = worker.post(f"/staff/appeals/{accepted.pk}/whistle",
                           {"department": department.pk, "reason": "施工许可需住建委核查"})
    assert response.status_code == 302
    page = worker.get(f"/staff/appeals/{accepted.pk}/")
    assert page.status_code == 200 and department.name in page.content.decode()
    assert 'name="handler_name"' not in page.content.decode()  # the worker does not report in for the department

    called = login("department")
    note = Notification.objects.get(user__username="department", key__startswith="whistle:")
    opened = called.get(note.link)
    assert opened.status_code == 200 and "施工许可需住建委核查" in opened.content.decode()
    assert 'name="handler_name"' in opened.content.decode()
    assert accepted.number in called.get("/staff/appeals/").content.decode()
    whistle = accepted.whistles.get()
    response = called.post(f"/staff/whistles/{whistle.pk}/report-in", {"handler_name": "住建委 王科长"})
    assert response.status_code == 302
    after = worker.get(f"/staff/appeals/{accepted.pk}/").content.decode()
    assert "协办中" in after and "住建委 王科长" in after


def test_co_handling_through_the_pages(accepted, login, department, users):
    """协办 as each side does it on its pages: the department reports in, says what it did; the community sends it
    back once, then confirms and rates it; each step lands on the internal timeline, never the resident's; the
    figures count the department's report-in and the community's rating."""
    worker, called = login("worker"), login("department")
    worker.post(f"/staff/appeals/{accepted.pk}/whistle", {"department": department.pk, "reason": "工地夜间施工需执法"})
    whistle = accepted.whistles.get()
    listed = called.get("/staff/whistles/?status=waiting").content.decode()
    assert accepted.number in listed and "待报到" in listed
    called.post(f"/staff/whistles/{whistle.pk}/report-in", {"handler_name": "执法队 王队长"})
    page = called.get(f"/staff/appeals/{accepted.pk}/").content.decode()
    assert 'name="feedback"' in page and "协办时限" in page
    refused = called.post(f"/staff/whistles/{whistle.pk}/feedback", {"feedback": "已办"}, follow=True)
    assert "至少5个字" in refused.content.decode()
    called.post(f"/staff/whistles/{whistle.pk}/feedback", {"feedback": "已约谈施工方，夜间22点后停工"})
    note = Notification.objects.filter(user__username="worker", title__contains="协办单位已反馈").get()
    page = worker.get(note.link).content.decode()
    assert "夜间22点后停工" in page and 'name="rating"' in page
    # the department cannot confirm its own work
    called.post(f"/staff/whistles/{whistle.pk}/confirm", {"rating": "satisfied"})
    whistle.refresh_from_db()
    assert whistle.confirmed_at is None
    worker.post(f"/staff/whistles/{whistle.pk}/send-back", {"reason": "昨晚仍在施工"})
    whistle.refresh_from_db()
    assert whistle.sent_back == 1 and whistle.fed_back_at is None
    back = Notification.objects.filter(user__username="department", title__contains="退回").get()
    assert "昨晚仍在施工" in back.body
    called.post(f"/staff/whistles/{whistle.pk}/feedback", {"feedback": "已对施工方立案处罚并每晚巡查"})
    refused = worker.post(f"/staff/whistles/{whistle.pk}/confirm", {"rating": "dissatisfied"}, follow=True)
    assert "不满意时请写明原因" in refused.content.decode()
    worker.post(f"/staff/whistles/{whistle.pk}/confirm", {"rating": "basically", "comment": "处理及时"})
    whistle.refresh_from_db()
    assert whistle.rating == "basically" and whistle.confirmed_at is not None
    actions = list(accepted.events.filter(action__startswith="cohandle").values_list("action", "public"))
    assert actions == [("cohandle_feedback", False), ("cohandle_send_back", False), ("cohandle_feedback", False),
                       ("cohandle_confirm", False)]
    figures = worker.get("/staff/figures/").content.decode()
    row = figures[figures.index('id="whistles"'):]
    assert department.name in row and "100%" in row  # reported in on time, and rated 基本满意
    done = called.get("/staff/whistles/?status=confirmed").content.decode()
    assert accepted.number in done and "基本满意" in done


def test_the_to_do_list_counts_what_waits_for_each_role(accepted, login, department, users):
    worker = login("worker")
    home = worker.get("/staff/").content.decode()
    assert "待受理" in home and "待回访" in home and "待报到" not in home
    services.appeal_whistle(appeal=accepted, actor=users("worker"), department=department, reason="需执法")
    called = login("department").get("/staff/").content.decode()
    todo = called[called.index('id="todo-h"'):]
    assert "待报到" in todo and "/staff/whistles/?side=called&amp;status=waiting" in todo
    assert todo.index('class="figure"') < todo.index("待报到")
