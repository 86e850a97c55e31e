"""Staff pages of 协商议事: the board by stage, councils and their seats, a topic with every step, the meeting on a
tablet, a vote's live tally and ballot entry, the project with its money, and the figures. Views parse and render;
every rule is the services'."""
import uuid
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core.decorators import run
from gongzhi.core.errors import DomainError, InvalidInput, NotFound
from gongzhi.core.htmx import render_page
from gongzhi.core.params import id_param, local_datetime
from gongzhi.core.scrubbing import scrub
from gongzhi.registry.models import Area, ExclusivePart, Household
from gongzhi.registry.permissions import areas_visible_to, organisations_visible_to

from .. import selectors, services
from ..choices import (
    BOARD_STAGES,
    Channel,
    Choice,
    Entry,
    MeetingKind,
    MeetingMode,
    OwnersMatter,
    Rule,
    Side,
    Source,
    Stage,
    VoteKind,
    VoteState,
)
from ..models import (
    Attendance,
    Ballot,
    CouncilMember,
    Milestone,
    Objection,
    Project,
    SeatKind,
    SeatTemplate,
    Speaker,
)
from ..permissions import councils_run_by, runs, steps_for
from ..services.councils import COUNCIL_LEVELS


def when(value, *, field: str) -> datetime:
    """A ``datetime-local`` field, in the site's time zone; a clear error when it cannot be read."""
    parsed = local_datetime(value)
    if parsed is None:
        raise InvalidInput(_("请填写正确的日期和时间"), field=field)
    return parsed


def day(value, *, field: str):
    parsed = parse_date((value or "").strip()) if value else None
    if parsed is None:
        raise InvalidInput(_("请填写正确的日期"), field=field)
    return parsed


# --- board, councils -------------------------------------------------------------------------------------------


@staff_view
def topic_board(request):
    council_id = id_param(request.GET.get("council"))
    q = (request.GET.get("q") or "").strip()[:50]
    columns = selectors.board(request.user, council_id=council_id, q=q)
    return render_page(request, "deliberation/board.html", {
        "columns": [(Stage(s).label, s, columns[s]) for s in BOARD_STAGES],
        "finished": selectors.finished_topics(request.user), "councils": selectors.councils_for(request.user),
        "council_id": council_id, "q": q, "may_propose": councils_run_by(request.user).exists()}, partial="board")


@staff_view
def council_list(request):
    if request.method == "POST":
        area = areas_visible_to(request.user).filter(pk=id_param(request.POST.get("area"))).first()
        template = SeatTemplate.objects.filter(pk=id_param(request.POST.get("template"))).first()
        council = None

        def create():
            nonlocal council
            if area is None or template is None:
                raise InvalidInput(_("请选择区域和席位模板"))
            council = services.council_create(
                actor=request.user, area=area, name=request.POST.get("name", ""), template=template,
                cosign_threshold=id_param(request.POST.get("cosign_threshold")),
                notice_days=id_param(request.POST.get("notice_days")) or 7)
        if run(request, create, _("议事会已设立，请为席位推选代表")):
            return redirect("staff:council_detail", council.pk)
        return redirect("staff:council_list")
    scope = scope_for(request.user, Perm.RUN_COUNCILS)
    run_areas = list(Area.objects.filter(scope.q(), kind__in=COUNCIL_LEVELS).select_related(
        "community", "compound", "building").order_by("community__name", "kind", "position")[:400]) if scope else []
    return render_page(request, "deliberation/councils.html", {
        "councils": selectors.councils_for(request.user), "areas": run_areas,
        "templates": SeatTemplate.objects.prefetch_related("kinds")})


@staff_view
def council_detail(request, pk):
    council, seats = selectors.council_detail(request.user, pk)
    if request.method == "POST":
        seat = SeatKind.objects.filter(pk=id_param(request.POST.get("seat")), template=council.template).first()
        organisation = organisations_visible_to(request.user).filter(
            pk=id_param(request.POST.get("organisation"))).first()

        def seat_member():
            if seat is None:
                raise InvalidInput(_("请选择席位"))
            services.member_seat(actor=request.user, council=council, seat=seat, name=request.POST.get("name", ""),
                                 organisation=organisation, how=request.POST.get("how") or CouncilMember.How.APPOINTED)
        run(request, seat_member, _("代表已就任"))
        return redirect("staff:council_detail", council.pk)
    return render_page(request, "deliberation/council.html", {
        "council": council, "seats": seats, "runs": runs(request.user, council),
        "organisations": organisations_visible_to(request.user).filter(is_active=True).order_by("kind", "name")[:200],
        "topics": council.topics.order_by("-id")[:50], "hows": CouncilMember.How.choices})


@staff_view
@require_POST
def member_unseat(request, pk):
    member = CouncilMember.objects.filter(pk=pk, council__in=selectors.councils_visible_to(request.user)).first()
    if member is None:
        raise NotFound(_("代表不存在"))
    run(request, lambda: services.member_unseat(actor=request.user, member=member), _("代表已离任"))
    return redirect("staff:council_detail", member.council_id)


# --- topics ------------------------------------------------------------------------------------------------------


@staff_view
def topic_new(request):
    councils = list(councils_run_by(request.user).filter(is_active=True).select_related("area"))
    if not councils:
        raise PermissionDenied
    if request.method == "POST":
        council = next((c for c in councils if c.pk == id_param(request.POST.get("council"))), None)
        scope = areas_visible_to(request.user).filter(pk=id_param(request.POST.get("scope"))).first()
        topic = None

        def propose():
            nonlocal topic
            if council is None:
                raise InvalidInput(_("请选择议事会"))
            topic = services.topic_propose(
                actor=request.user, council=council, scope=scope or council.area, title=request.POST.get("title"),
                body=request.POST.get("body"), origin=request.POST.get("origin", ""),
                origin_ref=request.POST.get("origin_ref", ""), owners_matter=request.POST.get("owners_matter", ""))
        if run(request, propose, _("议题已提出，请受理")):
            return redirect("staff:topic_detail", topic.pk)
    council_ids = [c.area_id for c in councils]
    scopes = Area.objects.filter(pk__in=council_ids) | Area.objects.filter(
        kind__in=("compound", "building", "grid"), community_id__in=[c.community_id for c in councils if c.community_id])
    return render_page(request, "deliberation/topic_new.html", {
        "councils": councils, "scopes": scopes.order_by("kind", "position")[:500], "matters": OwnersMatter.choices,
        "post": request.POST, "origin": request.GET.get("origin", "staff"),
        # an appeal's words go before the residents in scope: without its reporter's phone, room or name
        "origin_ref": (request.GET.get("ref") or "")[:40], "title": scrub(request.GET.get("title") or "")[:80],
        "body": scrub(request.GET.get("body") or "")[:5000]})


@staff_view
def topic_detail(request, pk):
    topic = selectors.topic_for_staff(request.user, pk)
    vote = selectors.current_vote(topic)
    project = Project.objects.filter(topic=topic).first()
    return render_page(request, "deliberation/topic.html", {
        "topic": topic, "steps": steps_for(request.user, topic), "runs": runs(request.user, topic.council),
        "timeline": selectors.timeline(topic, public_only=False), "meetings": selectors.meetings_of(topic),
        "stakeholders": topic.stakeholders.all(), "materials": topic.materials.all(), "vote": vote,
        "tally": services.count(vote) if vote and vote.state == VoteState.OPEN else None,
        "votes": topic.votes.order_by("-id"), "resolutions": topic.resolutions.order_by("-version"),
        "objections": selectors.objections_of(topic), "project": project,
        "money": selectors.project_money(project) if project else None,
        "cosigns": topic.cosigns.count(), "matters": OwnersMatter.choices, "rules": Rule.choices,
        "kinds": MeetingKind.choices, "modes": MeetingMode.choices, "sources": Source.choices,
        "organisations": organisations_visible_to(request.user).filter(is_active=True).order_by("kind", "name")[:200],
        "default_resolution": _default_resolution(topic, vote), "now": timezone.now(),
        "procedure": [(s, Stage(s).label) for s in (*BOARD_STAGES[1:], Stage.CLOSED)]})


def _default_resolution(topic, vote) -> str:
    if vote is None or vote.state != VoteState.CLOSED:
        return ""
    word = pgettext("vote result", "通过") if vote.passed else pgettext("vote result", "未通过")
    return _("关于“%(t)s”，经%(kind)s，%(word)s：%(q)s") % {"t": topic.title, "kind": vote.get_kind_display(),
                                                        "word": word, "q": vote.question}


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _funding(post) -> list[tuple[str, str, str]]:
    return [(source, post.get(f"fund_{source}"), post.get(f"fund_{source}_note", ""))
            for source in Source.values if (post.get(f"fund_{source}") or "").strip() not in ("", "0")]


def _milestones(post) -> list[tuple]:
    out = []
    for line in _lines(post.get("milestones", "")):
        title, _sep, due = line.rpartition(" ")
        parsed = parse_date(due.strip())
        if not title or parsed is None:
            raise InvalidInput(_("每行一个节点：名称 空格 日期，如“招标 2027-01-15”"), field="milestones")
        out.append((title.strip(), parsed))
    return out


@staff_view
@require_POST
def topic_act(request, pk, action):
    topic = selectors.topic_for_staff(request.user, pk)
    post, user = request.POST, request.user
    organisation = organisations_visible_to(user).filter(pk=id_param(post.get("organisation"))).first()
    steps = {
        "accept": (lambda: services.topic_accept(actor=user, topic=topic, note=post.get("note", "")),
                   _("已受理，请确定利益相关方并安排会议")),
        "decline": (lambda: services.topic_decline(actor=user, topic=topic, reason=post.get("reason", "")),
                    _("已不予受理，理由已告知提议人")),
        "stakeholder": (lambda: services.stakeholder_add(actor=user, topic=topic, name=post.get("name", ""),
                                                         organisation=organisation, interest=post.get("interest", "")),
                        _("已添加利益相关方并通知")),
        "material": (lambda: services.material_add(actor=user, topic=topic, title=post.get("title", ""),
                                                   body=post.get("text", "")), _("材料已添加")),
        "schedule": (lambda: services.meeting_schedule(
            actor=user, topic=topic, starts_at=when(post.get("starts_at"), field="starts_at"),
            place=post.get("place", ""), kind=post.get("kind", MeetingKind.MEETING),
            mode=post.get("mode", MeetingMode.HALL), agenda=post.get("agenda", "")), _("会议已安排，已通知范围内居民")),
        "open-vote": (lambda: services.vote_open(
            actor=user, topic=topic, kind=post.get("kind", ""), question=post.get("question", ""),
            closes_at=when(post.get("closes_at"), field="closes_at"), matter=post.get("matter", ""),
            rule=post.get("rule", Rule.MAJORITY), secret=post.get("secret") == "1"), _("表决已发起")),
        "publish": (lambda: services.resolution_publish(actor=user, topic=topic, body=post.get("text", "")),
                    _("决议已公示，公示期满无异议自动生效")),
        "revise": (lambda: services.resolution_revise(actor=user, topic=topic, body=post.get("text", ""),
                                                      reason=post.get("reason", "")), _("决议已修订，公示期重新计算")),
        "project": (lambda: services.project_start(
            actor=user, topic=topic, title=post.get("title", ""), lead=post.get("lead", ""),
            budget=post.get("budget", ""), funding=_funding(post), milestones=_milestones(post),
            organisation=organisation, share_per_household=post.get("share_per_household") or None), _("已立项")),
        "complete": (lambda: services.project_complete(actor=user, topic=topic, note=post.get("note", "")),
                     _("已完成实施，已请居民评价")),
        "close": (lambda: services.topic_close(actor=user, topic=topic, note=post.get("note", "")), _("议题已办结")),
        "end": (lambda: services.topic_end(actor=user, topic=topic, reason=post.get("reason", "")), _("议题已终止")),
    }
    if action not in steps:
        raise NotFound(_("没有这个操作"))
    call, done = steps[action]
    run(request, call, done)
    return redirect("staff:topic_detail", topic.pk)


@staff_view
@require_POST
def objection_act(request, pk, decision):
    objection = Objection.objects.select_related("topic").filter(pk=pk).first()
    if objection is None or decision not in ("uphold", "dismiss"):
        raise NotFound(_("异议不存在"))
    selectors.topic_for_staff(request.user, objection.topic_id)
    run(request, lambda: services.objection_decide(actor=request.user, objection=objection,
                                                   upheld=decision == "uphold", answer=request.POST.get("answer", "")),
        _("异议成立，议题退回重新协商") if decision == "uphold" else _("已答复：异议不成立"))
    return redirect("staff:topic_detail", objection.topic_id)


# --- the meeting on a tablet ---------------------------------------------------------------------------------


@staff_view
def meeting(request, pk):
    m = selectors.meeting_for_staff(request.user, pk)
    return render_page(request, "deliberation/meeting.html", {
        "meeting": m, "topic": m.topic, "attendance": m.attendance.all(), "positions": m.positions.all(),
        "speakers": m.speakers.all(), "sides": Side.choices, "runs": runs(request.user, m.topic.council),
        "present": sum(1 for a in m.attendance.all() if a.present),
        "materials": m.topic.materials.all()}, partial=request.GET.get("part") or "content")


@staff_view
@require_POST
def meeting_act(request, pk, action):
    m = selectors.meeting_for_staff(request.user, pk)
    post, user = request.POST, request.user

    def attendance():
        row = Attendance.objects.filter(pk=id_param(post.get("attendance")), meeting=m).first()
        if row is None:
            raise NotFound(_("签到记录不存在"))
        return row

    def speaker():
        row = Speaker.objects.filter(pk=id_param(post.get("speaker")), meeting=m).first()
        if row is None:
            raise NotFound(_("发言人不存在"))
        return row

    steps = {
        "open": (lambda: services.meeting_open(actor=user, meeting=m), _("会议开始")),
        "attend": (lambda: services.attendance_mark(actor=user, attendance=attendance(),
                                                    present=post.get("present") == "1"), ""),
        "attendee": (lambda: services.attendee_add(actor=user, meeting=m, name=post.get("name", "")), _("已签到")),
        "position": (lambda: services.position_record(actor=user, meeting=m, party=post.get("party", ""),
                                                      body=post.get("text", "")), _("意见已记录")),
        "speaker": (lambda: services.speaker_list(actor=user, meeting=m, name=post.get("name", ""),
                                                  side=post.get("side", Side.NEUTRAL)), _("已列入发言")),
        "heard": (lambda: services.speaker_heard(actor=user, speaker=speaker(), summary=post.get("summary", "")),
                  _("发言已记录")),
        "close": (lambda: services.meeting_close(actor=user, meeting=m, minutes=post.get("minutes", "")),
                  _("会议结束，纪要已保存")),
        "cancel": (lambda: services.meeting_cancel(actor=user, meeting=m, reason=post.get("reason", "")),
                   _("会议已取消")),
    }
    if action not in steps:
        raise NotFound(_("没有这个操作"))
    call, done = steps[action]
    if action == "attend" and request.htmx:  # a tap on the roll: answer with the row, nothing else moves
        try:
            row = call()
        except DomainError as e:
            return HttpResponse(e.message, status=409)
        present = m.attendance.filter(present=True).count()
        return render_page(request, "deliberation/meeting.html", {
            "a": row, "runs": True, "meeting": m, "oob": True, "present": present,
            "total": m.attendance.count()}, partial="roll_row")
    run(request, call, done)
    if action == "close":
        return redirect("staff:topic_detail", m.topic_id)
    return redirect("staff:meeting", m.pk)


# --- votes ----------------------------------------------------------------------------------------------------


@staff_view
def vote_page(request, pk):
    vote = selectors.vote_for_staff(request.user, pk)
    result = services.count(vote)
    q = (request.GET.get("q") or "").strip()[:20]
    running = runs(request.user, vote.topic.council)
    return render_page(request, "deliberation/vote.html", {
        "vote": vote, "topic": vote.topic, "tally": result, "runs": running,
        # the roll names the owners: for those who collect the ballots door to door, not every follower
        "roll": selectors.roll_status(vote, q=q) if vote.kind == VoteKind.OWNERS and running else None,
        "members": selectors.council_ballots(vote) if vote.kind == VoteKind.COUNCIL else None,
        "choices": Choice.choices, "q": q, "now": timezone.now()}, partial=request.GET.get("part") or "content")


@staff_view
@require_POST
def vote_act(request, pk, action):
    vote = selectors.vote_for_staff(request.user, pk)
    post, user = request.POST, request.user
    if action == "enter":
        part = member = None
        if vote.kind == VoteKind.OWNERS:
            part = ExclusivePart.objects.filter(pk=id_param(post.get("part"))).first()
        else:
            member = CouncilMember.objects.filter(pk=id_param(post.get("member")), council=vote.topic.council).first()
        run(request, lambda: services.ballot_enter(
            actor=user, vote=vote, choice=post.get("choice", ""), channel=post.get("channel", Channel.PAPER),
            part=part, member=member, proxy_name=post.get("proxy_name", ""), sheet=request.FILES.get("sheet")),
            _("表决票已录入"))
    elif action == "close":
        run(request, lambda: services.vote_close(actor=user, vote=vote), _("表决已结束并计票"))
    else:
        raise NotFound(_("没有这个操作"))
    back = (post.get("q") or "").strip()[:20]
    url = reverse("staff:vote", args=[vote.pk])
    return redirect(f"{url}?{urlencode({'q': back})}" if back and action == "enter" else url)


@staff_view
def ballot_sheet(request, pk, ballot):
    vote = selectors.vote_for_staff(request.user, pk)
    if not runs(request.user, vote.topic.council):
        raise NotFound(_("表决票不存在"))
    sheet = Ballot.objects.filter(pk=ballot, vote=vote).exclude(sheet=None).values_list("sheet", flat=True).first()
    if sheet is None:
        raise NotFound(_("表决票不存在"))
    response = HttpResponse(bytes(sheet), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- projects ---------------------------------------------------------------------------------------------------


@staff_view
def project_page(request, pk):
    project = Project.objects.select_related("topic__council", "topic__scope").filter(pk=pk).first()
    if project is None:
        raise NotFound(_("项目不存在"))
    selectors.topic_for_staff(request.user, project.topic_id)
    q = (request.GET.get("q") or "").strip()[:20]
    unpaid = request.GET.get("unpaid") == "1"
    money = selectors.project_money(project)
    return render_page(request, "deliberation/project.html", {
        "project": project, "topic": project.topic, "money": money,
        "milestones": project.milestones.all(), "funding": _funding_rows(project, money),
        "collecting": ("carrying_out", "evaluating", "closed"),  # arrears are collected after closing too
        "ledger": selectors.ledger_of(project), "runs": runs(request.user, project.topic.council),
        # who has not paid, by room: for those who collect, not for every follower of the topic
        "collection": selectors.collection(project, unpaid_only=unpaid, q=q)
        if project.share_per_household and runs(request.user, project.topic.council) else [],
        "q": q, "unpaid": unpaid, "kinds": Entry.choices, "sources": Source.choices, "key": uuid.uuid4().hex,
        "today": timezone.localdate()}, partial=request.GET.get("part") or "content")


@staff_view
@require_POST
def project_act(request, pk, action):
    project = Project.objects.select_related("topic").filter(pk=pk).first()
    if project is None:
        raise NotFound(_("项目不存在"))
    selectors.topic_for_staff(request.user, project.topic_id)
    post, user = request.POST, request.user
    if action == "money":
        household = Household.objects.filter(pk=id_param(post.get("household"))).first()
        try:
            entry = services.money_record(
                actor=user, project=project, kind=post.get("kind", ""), amount=post.get("amount", ""),
                key=post.get("key", ""), household=household, source=post.get("source", ""),
                collected_by=post.get("collected_by", ""), note=post.get("note", ""))
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("这笔账已经记过，没有重复记录") if getattr(entry, "repeated", False)
                             else _("已记账：%(kind)s %(amount)s元") % {"kind": entry.get_kind_display(),
                                                                    "amount": entry.amount})
    elif action == "milestone":
        milestone = Milestone.objects.filter(pk=id_param(post.get("milestone")), project=project).first()
        if milestone is None:
            raise NotFound(_("节点不存在"))
        run(request, lambda: services.milestone_done(
            actor=user, milestone=milestone,
            done_on=day(post.get("done_on"), field="done_on") if post.get("done_on") else None), _("节点已完成"))
    else:
        raise NotFound(_("没有这个操作"))
    query = urlencode({k: post.get(k)[:20] for k in ("q", "unpaid") if post.get(k)})
    url = reverse("staff:project", args=[project.pk])
    return redirect(f"{url}?{query}" if query else url)


def _funding_rows(project, money) -> list:
    """Each planned source with what has arrived from it (the residents' share is the collection)."""
    rows = list(project.funding.all())
    for f in rows:
        f.received = money.collected if f.source == "residents" else money.received.get(f.source) or 0
    return rows


# --- figures ------------------------------------------------------------------------------------------------------


@staff_view
def figures(request):
    data = selectors.figures(request.user)
    return render_page(request, "deliberation/figures.html", {
        "figures": data, "chart": {"areas": [r["area"] for r in data["rows"]],
                                   "topics": [r["topics"] for r in data["rows"]],
                                   "resolved": [r["resolved"] for r in data["rows"]],
                                   "meetings": [r["meetings"] for r in data["rows"]]}})
