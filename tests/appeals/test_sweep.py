"""The deadline sweep with time moved forward, and the outbox with a failing SMS gateway."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.services import verified_households
from gongzhi.appeals import services
from gongzhi.appeals.choices import Action, Channel, State
from gongzhi.appeals.models import AppealEvent, Category
from gongzhi.appeals.sweep import sweep
from gongzhi.notifications.models import Notification, OutboxMessage
from gongzhi.notifications.services import deliver_outbox

MONDAY_10AM = "2026-11-23 10:00 +0800"
pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY_10AM)]


@pytest.fixture
def appeal(users):
    home = verified_households(users("resident")).select_related("area").get()
    worker = users("worker")
    worker.phone = "13900009999"
    worker.save()
    with time_machine.travel(MONDAY_10AM, tick=False):
        return services.appeal_submit(channel=Channel.PORTAL, text="电梯困人", area=home.area, household=home,
                                      actor=users("resident"), category=Category.objects.get(code="property-elevator"))


def test_the_sweep_warns_then_escalates_each_step_once(appeal, users):
    # respond within 1 working hour: warned at 10:48, overdue at 11:00
    with time_machine.travel("2026-11-23 10:30 +0800", tick=False):
        assert sweep()["respond_warn"] == 0
    with time_machine.travel("2026-11-23 10:50 +0800", tick=False):
        assert sweep()["respond_warn"] == 1
        assert sweep()["respond_warn"] == 0  # a second run right after does nothing
    worker = users("worker")
    assert Notification.objects.filter(user=worker, key=f"appeal:{appeal.pk}:respond:warn").count() == 1
    with time_machine.travel("2026-11-23 11:05 +0800", tick=False):
        first, second = sweep(), sweep()
    assert (first["respond_escalate"], second["respond_escalate"]) == (1, 0)
    assert Notification.objects.filter(user=worker, key=f"appeal:{appeal.pk}:respond:escalate:1").exists()
    subdistrict = users("subdistrict")
    assert not Notification.objects.filter(user=subdistrict).exists()  # rung 1 is the community's
    assert OutboxMessage.objects.filter(recipient="13900009999", state="pending").count() == 1
    actions = list(appeal.events.values_list("action", flat=True))
    assert actions == [Action.SUBMIT, Action.WARN, Action.ESCALATE]
    assert appeal.events.get(action=Action.ESCALATE).public  # the resident sees it was escalated
    # still overdue 8 hours later: the subdistrict's rung, once, with a 督办 the community must answer
    with time_machine.travel("2026-11-23 19:05 +0800", tick=False):
        assert (sweep()["climbed"], sweep()["climbed"]) == (1, 0)
    assert Notification.objects.filter(user=subdistrict, key=f"appeal:{appeal.pk}:respond:escalate:2").exists()
    assert list(appeal.supervisions.order_by("level").values_list("level", "by", "answered_at")) == [
        (1, "社区督办", None), (2, "街道督办", None)]
    with time_machine.travel("2026-11-26 19:05 +0800", tick=False):
        assert sweep()["climbed"] == 2  # three days on: the district's and the city's rungs in one run, once each
    appeal.refresh_from_db()
    assert appeal.escalation_level == 4


def test_escalations_come_as_one_digest_per_person(users, world):
    worker = users("worker")
    with time_machine.travel(MONDAY_10AM, tick=False):
        for n in range(5):
            services.appeal_submit(channel=Channel.DESK, text=f"路灯坏了{n}", area=world.compound, actor=worker,
                                   category=Category.objects.get(code="property-elevator"))
    with time_machine.travel("2026-11-23 11:05 +0800", tick=False):
        assert sweep()["respond_escalate"] == 5
    escalations = Notification.objects.filter(user=worker, title__contains="超时督办")
    assert escalations.count() == 1 and escalations.get().title.startswith("5 件诉求超时督办")
    assert escalations.get().link == "/staff/appeals/?state=open&overdue=1"


def test_a_paused_appeal_is_not_escalated(appeal, users):
    with time_machine.travel("2026-11-23 10:10 +0800", tick=False):
        services.appeal_accept(appeal=appeal, actor=users("worker"))
        services.appeal_pause(appeal=appeal, actor=users("worker"), reason="等居民回家开门")
    with time_machine.travel("2026-12-10 10:00 +0800", tick=False):
        assert sweep()["resolve_escalate"] == 0


def test_an_unrated_reply_closes_after_seven_days(appeal, users):
    services.appeal_accept(appeal=appeal, actor=users("worker"))
    services.appeal_resolve(appeal=appeal, actor=users("worker"), reply="电梯公司已到场放人并检修完毕")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert sweep()["auto_closed"] == 1
        assert sweep()["auto_closed"] == 0
    appeal.refresh_from_db()
    assert appeal.state == State.CLOSED and appeal.rating == ""


class FlakyGateway:
    fail = True

    def send(self, message):
        if FlakyGateway.fail:
            raise ConnectionError("gateway down")


def test_a_failing_sms_gateway_delays_messages_and_loses_nothing(appeal, users, settings):
    settings.GONGZHI = {**settings.GONGZHI, "NOTIFY_BACKENDS": {"sms": f"{__name__}.FlakyGateway"}}
    FlakyGateway.fail = False
    assert deliver_outbox()["sent"] == 1  # the receipt for the appeal itself
    with time_machine.travel("2026-11-23 11:05 +0800", tick=False):
        sweep()
        FlakyGateway.fail = True
        assert deliver_outbox() == {"sent": 0, "retried": 1, "failed": 0}
    message = OutboxMessage.objects.get(state="pending")
    assert (message.state, message.attempts, "gateway down" in message.last_error) == ("pending", 1, True)
    appeal.refresh_from_db()
    assert appeal.respond_escalated_at is not None  # the escalation stands whatever the gateway does
    with time_machine.travel("2026-11-23 11:05 +0800", tick=False):
        assert deliver_outbox()["sent"] == 0  # not due again yet
    FlakyGateway.fail = False
    with time_machine.travel("2026-11-23 11:10 +0800", tick=False):
        assert deliver_outbox() == {"sent": 1, "retried": 0, "failed": 0}
    assert not OutboxMessage.objects.exclude(state="sent").exists()
    assert AppealEvent.objects.filter(appeal=appeal, action=Action.ESCALATE).count() == 1


def test_the_laptop_clock_runs_the_sweep_and_empties_the_outbox(appeal, users):
    """`make demo` runs `manage.py clock` beside the server: with no Celery beat, a missed deadline still escalates
    and its SMS still leaves the outbox (one manual sweep once fired a week of escalations at once)."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel("2026-11-23 11:05 +0800", tick=False):
        call_command("clock", "--once", stdout=out)
    assert AppealEvent.objects.filter(appeal=appeal, action=Action.ESCALATE).count() == 1
    assert "appeals-sweep" in out.getvalue() and "respond_escalate" in out.getvalue()
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert OutboxMessage.objects.filter(recipient="13900009999", sent_at__isnull=False).exists()


def test_the_handlers_answer_each_supervision_and_a_superior_or_the_resident_urges(appeal, users, login):
    """督办 on the appeal page: the community answers the ladder's 督办; the subdistrict urges with its opinion; the
    resident may urge once, and only past the deadline."""
    resident = login("resident")
    refused = resident.post(f"/portal/appeals/{appeal.pk}/urge", follow=True).content.decode()
    assert "还没到办理时限" in refused
    with time_machine.travel("2026-11-23 11:05 +0800", tick=False):
        sweep()
        worker = login("worker")
        home = worker.get("/staff/").content.decode()
        assert "督办待回复" in home
        page = worker.get(f"/staff/appeals/{appeal.pk}/").content.decode()
        assert "社区督办" in page and 'name="answer"' in page
        record = appeal.supervisions.get()
        short = worker.post(f"/staff/supervisions/{record.pk}/answer", {"answer": "好"}, follow=True)
        assert "至少5个字" in short.content.decode()
        worker.post(f"/staff/supervisions/{record.pk}/answer", {"answer": "电梯公司维修工已在路上，11:30前到场"})
        record.refresh_from_db()
        assert record.answered_by == users("worker") and record.answered_at is not None
        listed = worker.get("/staff/appeals/?state=open&supervised=1").content.decode()
        assert appeal.number not in listed
        # the subdistrict urges: its note must be answered too; a grid worker cannot urge
        sub = login("subdistrict")
        assert "以街道工作人员身份催办" in sub.get(f"/staff/appeals/{appeal.pk}/").content.decode()
        sub.post(f"/staff/appeals/{appeal.pk}/urge", {"reason": "困人事件请立即处置"})
        assert Notification.objects.filter(user=users("worker"), title__contains="被催办").exists()
        assert 'id="urge-note"' not in login("gridworker").get(f"/staff/appeals/{appeal.pk}/").content.decode()
        # the resident, past the deadline, once
        page = resident.get(f"/portal/appeals/{appeal.pk}/").content.decode()
        assert "催一下" in page
        resident.post(f"/portal/appeals/{appeal.pk}/urge")
        assert "催一下" not in resident.get(f"/portal/appeals/{appeal.pk}/").content.decode()
    kinds = list(appeal.supervisions.order_by("id").values_list("kind", "by"))
    assert kinds == [("escalation", "社区督办"), ("urge", "街道工作人员"), ("urge", "诉求人")]
