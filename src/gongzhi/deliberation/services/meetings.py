"""Meetings and hearings: scheduled with their place (in the hall, or on site as a mobile meeting), run on a tablet
(roll call, each party's position, the hearing's speakers in order) and closed with their minutes."""
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, InvalidInput

from ..choices import Action, MeetingKind, MeetingMode, MeetingState, Side
from ..models import Attendance, Meeting, Position, Speaker
from ..permissions import require_runs
from .common import locked, step, tell_residents, text


def _meeting(meeting: Meeting, actor, *, states=(MeetingState.SCHEDULED, MeetingState.IN_SESSION)) -> Meeting:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("topic__council").get(pk=meeting.pk)
    require_runs(actor, meeting.topic)
    if meeting.state not in states:
        raise Conflict(_("会议当前为「%(s)s」，不能再修改") % {"s": meeting.get_state_display()})
    return meeting


@transaction.atomic
def meeting_schedule(*, actor, topic, starts_at: datetime, place: str, kind: str = MeetingKind.MEETING,
                     mode: str = MeetingMode.HALL, agenda: str = "") -> Meeting:
    """Schedule a sitting. Its roll is the council's seated members and the topic's stakeholders; residents in
    scope are told where and when (anyone in scope may come to listen)."""
    topic = locked(topic)
    require_runs(actor, topic)
    if kind not in MeetingKind.values or mode not in MeetingMode.values:
        raise InvalidInput(_("会议类别或形式无效"), field="kind")
    if starts_at is None:
        raise InvalidInput(_("请填写会议时间"), field="starts_at")
    meeting = Meeting(topic=topic, kind=kind, mode=mode, starts_at=starts_at,
                      place=text(place, field="place", label=_("地点"), least=2, most=120),
                      agenda=(agenda or "").strip()[:5000])
    step(topic, Action.SCHEDULE, actor=actor, note=f"{meeting.get_kind_display()} · {meeting.place}",
         data={"starts_at": starts_at.isoformat(), "mode": mode})
    meeting.save()
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=m, name=m.name)
         for m in topic.council.members.filter(ended_on__isnull=True).order_by("seat__position", "id")]
        + [Attendance(meeting=meeting, stakeholder=s, name=s.name) for s in topic.stakeholders.all()])
    when = timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")
    tell_residents(topic, key=f"meeting:{meeting.pk}",
                   title=_("%(kind)s：%(t)s") % {"kind": meeting.get_kind_display(), "t": topic.title},
                   body=_("%(when)s 在%(place)s召开，欢迎参加") % {"when": when, "place": meeting.place})
    return meeting


@transaction.atomic
def meeting_open(*, actor, meeting: Meeting) -> Meeting:
    meeting = _meeting(meeting, actor, states=(MeetingState.SCHEDULED,))
    now = timezone.now()
    meeting.state, meeting.opened_at, meeting.recorded_by = MeetingState.IN_SESSION, now, actor
    meeting.starts_at = now  # it met when it met: the record shows the real time, not the planned one
    meeting.save()
    return meeting


@transaction.atomic
def attendance_mark(*, actor, attendance: Attendance, present: bool) -> Attendance:
    _meeting(attendance.meeting, actor)
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.present = bool(present)
    attendance.save(update_fields=["present"])
    return attendance


@transaction.atomic
def attendee_add(*, actor, meeting: Meeting, name: str) -> Attendance:
    """Someone on the roll who was not expected (a resident who came to the pavilion)."""
    meeting = _meeting(meeting, actor)
    return Attendance.objects.create(meeting=meeting, present=True,
                                     name=text(name, field="name", label=_("姓名"), least=2, most=80))


@transaction.atomic
def position_record(*, actor, meeting: Meeting, party: str, body: str) -> Position:
    meeting = _meeting(meeting, actor)
    return Position.objects.create(meeting=meeting, recorded_by=actor,
                                   party=text(party, field="party", label=_("发言方"), least=2, most=80),
                                   text=text(body, field="text", label=_("意见"), least=2, most=5000))


@transaction.atomic
def speaker_list(*, actor, meeting: Meeting, name: str, side: str = Side.NEUTRAL) -> Speaker:
    meeting = _meeting(meeting, actor)
    if side not in Side.values:
        raise InvalidInput(_("立场无效"), field="side")
    order = (meeting.speakers.aggregate(m=Max("order"))["m"] or 0) + 1
    return Speaker.objects.create(meeting=meeting, order=order, side=side,
                                  name=text(name, field="name", label=_("发言人"), least=2, most=80))


@transaction.atomic
def speaker_heard(*, actor, speaker: Speaker, summary: str = "") -> Speaker:
    _meeting(speaker.meeting, actor)
    speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
    speaker.spoke, speaker.summary = True, (summary or "").strip()[:5000]
    speaker.save(update_fields=["spoke", "summary", "updated_at"])
    return speaker


@transaction.atomic
def meeting_close(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    """End the sitting with its minutes; the topic is then under deliberation (it may meet again, or vote)."""
    meeting = _meeting(meeting, actor)
    minutes = text(minutes, field="minutes", label=_("会议纪要"), least=10, most=20000)
    present = meeting.attendance.filter(present=True).count()
    if not present:
        raise InvalidInput(_("请先点名：至少一人出席才能结束会议"), field="minutes")
    topic = locked(meeting.topic)
    meeting.state, meeting.minutes, meeting.ended_at = MeetingState.HELD, minutes, timezone.now()
    if meeting.opened_at is None:  # closed without being opened on the tablet: it met now
        meeting.opened_at = meeting.starts_at = meeting.ended_at
    meeting.recorded_by = meeting.recorded_by or actor
    meeting.save()
    step(topic, Action.MEET, actor=actor, note=f"{meeting.get_kind_display()} · {meeting.place}",
         data={"meeting": meeting.pk, "present": present,
               "seated": meeting.attendance.filter(member__isnull=False).count()})
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    meeting = _meeting(meeting, actor, states=(MeetingState.SCHEDULED,))
    meeting.state = MeetingState.CANCELLED
    meeting.minutes = text(reason, field="reason", label=_("取消原因"), least=2, most=500)
    meeting.save()
    return meeting
