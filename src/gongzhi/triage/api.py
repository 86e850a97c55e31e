"""/api/v1 for hotspots (the hottest problems of an area, each with its appeals; turning one into a task) and the
reply check (a draft reply scored before it is sent; the scores of sent replies per party)."""
from datetime import date, datetime

from ninja import Router, Schema, Status

from gongzhi.appeals import selectors as appeal_selectors
from gongzhi.core.params import Id

from . import permissions, selectors, services

router = Router(tags=["triage"])


class HotspotAppealOut(Schema):
    id: int
    number: str
    state: str
    created_at: datetime


class HotspotOut(Schema):
    id: int
    rank: int
    title: str
    place_id: int
    place: str
    category_id: int | None
    heat: float
    appeals: int
    reporters: int
    supports: int
    recent: int
    before: int
    first_at: datetime
    last_at: datetime
    task_id: int | None
    members: list[HotspotAppealOut]

    @staticmethod
    def resolve_place(obj):
        return obj.place.name


class HotspotsOut(Schema):
    start: datetime | None
    end: datetime | None
    computed_at: datetime | None
    hotspots: list[HotspotOut]


class TaskOut(Schema):
    id: int
    number: str


@router.get("/hotspots", response=HotspotsOut)
def hotspots(request, area: Id | None = None, limit: int = 20):
    """The newest hotspots of an area (a community, subdistrict or district; the city without ``area``, for
    those who see it all), hottest first."""
    place = selectors.hotspot_area(viewer=request.user, pk=area) if area is not None else None
    found = selectors.hotspots_for(viewer=request.user, area=place, limit=max(1, min(limit, 100)))
    run = found["run"]
    return {"start": run.start if run else None, "end": run.end if run else None,
            "computed_at": run.created_at if run else None, "hotspots": found["hotspots"]}


@router.post("/hotspots/{pk}/task", response={201: TaskOut})
def hotspot_task(request, pk: int):
    """未诉先办: file a proactive task for the grid workers at the hotspot's place (once; again returns it)."""
    hotspot = selectors.hotspot_detail(viewer=request.user, pk=pk)  # 404 outside the areas she sees
    permissions.require_act(request.user, hotspot.place)
    task = services.hotspot_task(hotspot=hotspot, actor=request.user)
    return Status(201, task)


class ReplyIn(Schema):
    reply: str


class ProblemOut(Schema):
    code: str
    message: str


class ReplyCheckOut(Schema):
    relevance: int
    completeness: int
    tone: int
    weak: bool
    problems: list[ProblemOut]


@router.post("/appeals/{pk}/reply-check", response=ReplyCheckOut)
def reply_check(request, pk: int, body: ReplyIn):
    """Score a draft reply to the appeal (0–2 each) and say what is missing; sends and changes nothing."""
    appeal = appeal_selectors.appeal_detail(viewer=request.user, pk=pk)
    permissions.require_replier(request.user, appeal)
    check = services.reply_check(appeal=appeal, reply=body.reply)
    return {**check.as_dict(), "problems": [{"code": c, "message": m} for c, m in
                                            zip(check.problems, check.messages, strict=True)]}


class ReplyQualityOut(Schema):
    party_id: int | None
    label: str
    replies: int
    weak: int
    weak_share: float
    sent_after_warning: int
    relevance: float
    completeness: float
    tone: float


@router.get("/figures/replies", response=list[ReplyQualityOut])
def figures_replies(request, start: date, end: date):
    """The reply check of the replies sent from ``start`` to ``end`` (inclusive) on the appeals the caller
    sees, per party."""
    return selectors.reply_quality(viewer=request.user, start=start, end=end)
