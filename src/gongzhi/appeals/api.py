"""/api/v1 for appeals: file, list, read with timeline, act, and take in hotline orders."""
from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.errors import InvalidInput, NotFound
from gongzhi.core.masking import mask_phone
from gongzhi.core.params import Id, Pages, one_of
from gongzhi.registry.models import Organisation
from gongzhi.registry.selectors import area_detail

from . import selectors, services
from .choices import Channel, Outcome, Priority, Rating, State
from .figures import GROUPS, rates
from .hotline import hotline_orders
from .models import Appeal, AppealRequest, Category, Whistle
from .permissions import actions_for, appeals_visible_to

router = Router(tags=["appeals"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    priority: str
    respond_hours: float
    resolve_hours: float


class AppealIn(Schema):
    text: str
    area_id: Id
    household_id: Id | None = None
    category_id: Id | None = None
    channel: one_of(Channel.values) = Channel.PORTAL
    contact_name: str = ""
    contact_phone: str = ""
    contact_preference: str = ""
    public: bool = False
    hotline_order_no: str = Field("", max_length=40, description="with channel hotline: the 12345 order's number")
    details: dict[str, str] | None = Field(None, description="answers to the category's intake questions, by key")


class AppealOut(Schema):
    id: int
    number: str
    channel: str
    state: str
    state_label: str
    priority: str
    category: str | None
    text: str
    area_id: int
    community_id: int | None
    party: str | None
    proactive: bool
    public: bool
    contact_phone: str
    respond_due_at: datetime | None
    resolve_due_at: datetime | None
    paused: bool
    pause_reason: str
    reply: str
    rating: str
    created_at: datetime
    merged_into_id: int | None = Field(None, alias="parent_id", description="the appeal this one was merged into")

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_category(obj):
        return str(obj.category) if obj.category_id else None

    @staticmethod
    def resolve_party(obj):
        return obj.party.name if obj.party_id else None

    @staticmethod
    def resolve_paused(obj):
        return obj.paused_at is not None

    @staticmethod
    def resolve_contact_phone(obj):
        return mask_phone(obj.contact_phone)


class EventOut(Schema):
    at: datetime
    action: str
    action_label: str
    from_state: str
    to_state: str
    reason: str
    party: str | None

    @staticmethod
    def resolve_action_label(obj):
        return str(obj.get_action_display())

    @staticmethod
    def resolve_party(obj):
        return obj.party.name if obj.party_id else None


class AppealFiledOut(AppealOut):
    """What a filing answers: the appeal as filed, with its first event. What may be done to it next is read with
    GET (working it out costs the caller's grants, and every resident's filing would pay for it)."""

    timeline: list[EventOut]


class AppealDetailOut(AppealFiledOut):
    actions: list[str] = Field(description="what the caller may do to it now (the services enforce the same rule)")

    @staticmethod
    def resolve_actions(obj, context):
        return sorted(actions_for(context["request"].user, obj))


class ReasonIn(Schema):
    reason: str = ""


class AcceptIn(Schema):
    category_id: Id | None = None
    priority: one_of(Priority.values, "") = Field("", description="blank keeps the category's priority")


class PartyIn(Schema):
    party_id: Id | None = None
    reason: str = ""


class ReplyIn(Schema):
    reply: str
    # a reply the check finds weak is refused (422, code weak_reply, with its problems) until sent again with this
    after_warning: bool = False


class CloseIn(Schema):
    outcome: one_of(Outcome.values)
    reply: str


class RateIn(Schema):
    rating: one_of(Rating.values)
    comment: str = ""


class WhistleIn(Schema):
    reason: str
    department_id: Id | None = None


class ReportInIn(Schema):
    handler_name: str
    handler_phone: str = ""


class HotlineOrderIn(Schema):
    order_no: str
    content: str
    community: str
    compound: str = ""
    building: str = ""
    address: str = ""
    category: str = ""
    name: str = ""
    phone: str = ""


class HotlineOut(Schema):
    rows: int
    created: int
    existing: int
    refused: int
    errors: list[dict]


class AppealFilter(Schema):
    area: Id | None = None
    state: one_of(State.values, "open", "") = Field("", description="a state, or open for every open one")
    category: Id | None = None
    overdue: bool = False
    number: str = Field("", max_length=40, description="the appeal's number (20261124-00042) or its 12345 order number")


def _detail(request, appeal):
    """The appeal after an action, as the caller now sees it. One she handed on (退单, 转派) is no longer hers to
    read: she gets what her action made of it, without its timeline, instead of a 404 for a change that was made."""
    try:
        appeal = selectors.appeal_detail(viewer=request.user, pk=appeal.pk)
    except NotFound:
        appeal.timeline = []
        return appeal
    appeal.timeline = list(selectors.appeal_timeline(viewer=request.user, appeal=appeal))
    return appeal


def _visible(request, pk):
    return selectors.appeal_detail(viewer=request.user, pk=pk)


@router.get("/appeal-categories", response=list[CategoryOut])
def categories(request):
    return Category.objects.filter(is_active=True).order_by("position", "code")


@router.post("/appeals", response={200: AppealFiledOut, 201: AppealFiledOut})
def file_appeal(request, body: AppealIn):
    """File an appeal: residents for their verified homes (portal), workers at the desk or on patrol. Send an
    `Idempotency-Key` header to retry safely: the same key files nothing new and answers 200 with the first."""
    area, household, category = selectors.intake_lookup(area_id=body.area_id, household_id=body.household_id,
                                                        category_id=body.category_id)
    if area is None:
        raise InvalidInput(_("地点不存在"), field="area_id")
    if household is None and body.household_id is not None:
        raise InvalidInput(_("该户不存在"), field="household_id")
    if category is None and body.category_id is not None:
        raise InvalidInput(_("类别不存在"), field="category_id")
    if category is not None and not category.is_active:  # retired since the app loaded the list
        raise InvalidInput(_("该类别已停用，请重新选择"), field="category_id")
    appeal = services.appeal_submit(
        channel=body.channel, text=body.text, area=area, household=household, category=category, actor=request.user,
        contact_name=body.contact_name, contact_phone=body.contact_phone,
        contact_preference=body.contact_preference, public=body.public, hotline_order_no=body.hotline_order_no,
        idempotency_key=request.headers.get("Idempotency-Key", ""), details=body.details)
    if getattr(appeal, "replayed", False):
        return Status(200, _detail(request, appeal))
    # just filed: everything the answer shows is in hand — no need to read it back
    appeal.area, appeal.category, appeal.party = area, category, None
    appeal.timeline = [appeal.submit_event]
    return Status(201, appeal)


@router.get("/appeals", response=list[AppealOut])
@paginate(Pages, page_size=50)
def list_appeals(request, filters: Query[AppealFilter]):
    area = None
    if filters.area is not None:
        area = area_detail(viewer=request.user, pk=filters.area)
    return selectors.appeal_list(viewer=request.user, area=area, state=filters.state, category=filters.category,
                                 overdue=filters.overdue, number=filters.number)


@router.get("/appeals/{pk}", response=AppealDetailOut)
def get_appeal(request, pk: int):
    return _detail(request, _visible(request, pk))


@router.post("/appeals/{pk}/accept", response=AppealDetailOut)
def accept(request, pk: int, body: AcceptIn):
    category = get_object_or_404(Category, pk=body.category_id) if body.category_id else None
    return _detail(request, services.appeal_accept(appeal=_visible(request, pk), actor=request.user,
                                                   category=category, priority=body.priority))


@router.post("/appeals/{pk}/dispatch", response=AppealDetailOut)
def dispatch(request, pk: int, body: PartyIn):
    party = get_object_or_404(Organisation, pk=body.party_id) if body.party_id else None
    return _detail(request, services.appeal_dispatch(appeal=_visible(request, pk), actor=request.user, party=party,
                                                     reason=body.reason))


@router.post("/appeals/{pk}/take", response=AppealDetailOut)
def take(request, pk: int):
    return _detail(request, services.appeal_take(appeal=_visible(request, pk), actor=request.user))


@router.post("/appeals/{pk}/return", response=AppealDetailOut)
def return_(request, pk: int, body: ReasonIn):
    """申请退单: the request waits for the community's approval; the appeal stays with the party meanwhile."""
    asked = services.appeal_return(appeal=_visible(request, pk), actor=request.user, reason=body.reason)
    return _detail(request, asked.appeal)


class ExtendIn(Schema):
    due_at: datetime
    reason: str = ""


class RequestOut(Schema):
    id: int
    kind: str
    state: str
    due_at: datetime | None
    reason: str
    decision_reason: str


@router.post("/appeals/{pk}/extend", response={201: RequestOut})
def extend(request, pk: int, body: ExtendIn):
    """申请延期 to ``due_at``; the community approves or rejects it (POST /requests/{id}/decide)."""
    asked = services.appeal_request_extension(appeal=_visible(request, pk), actor=request.user,
                                              due_at=body.due_at, reason=body.reason)
    return Status(201, asked)


class DecideIn(Schema):
    approve: bool
    reason: str = ""


@router.post("/requests/{pk}/decide", response=RequestOut)
def decide(request, pk: int, body: DecideIn):
    asked = get_object_or_404(AppealRequest.objects.filter(appeal__in=appeals_visible_to(request.user).values("pk")),
                              pk=pk)
    return services.appeal_request_decide(request=asked, actor=request.user, approve=body.approve, reason=body.reason)


@router.post("/appeals/{pk}/transfer", response=AppealDetailOut)
def transfer(request, pk: int, body: PartyIn):
    if body.party_id is None:
        raise InvalidInput(_("请选择转派给哪个单位"), field="party_id")
    party = get_object_or_404(Organisation, pk=body.party_id)
    return _detail(request, services.appeal_transfer(appeal=_visible(request, pk), actor=request.user, party=party,
                                                     reason=body.reason))


@router.post("/appeals/{pk}/resolve", response=AppealDetailOut)
def resolve(request, pk: int, body: ReplyIn):
    return _detail(request, services.appeal_resolve(appeal=_visible(request, pk), actor=request.user,
                                                    reply=body.reply, after_warning=body.after_warning))


@router.post("/appeals/{pk}/close-unresolved", response=AppealDetailOut)
def close_unresolved(request, pk: int, body: CloseIn):
    return _detail(request, services.appeal_close_unresolved(appeal=_visible(request, pk), actor=request.user,
                                                             outcome=body.outcome, reply=body.reply))


@router.post("/appeals/{pk}/rate", response=AppealDetailOut)
def rate(request, pk: int, body: RateIn):
    return _detail(request, services.appeal_rate(appeal=_visible(request, pk), actor=request.user,
                                                 rating=body.rating, comment=body.comment))


@router.post("/appeals/{pk}/reopen", response=AppealDetailOut)
def reopen(request, pk: int, body: ReasonIn):
    return _detail(request, services.appeal_reopen(appeal=_visible(request, pk), actor=request.user,
                                                   reason=body.reason))


@router.post("/appeals/{pk}/pause", response=AppealDetailOut)
def pause(request, pk: int, body: ReasonIn):
    return _detail(request, services.appeal_pause(appeal=_visible(request, pk), actor=request.user,
                                                  reason=body.reason))


@router.post("/appeals/{pk}/resume", response=AppealDetailOut)
def resume(request, pk: int):
    return _detail(request, services.appeal_resume(appeal=_visible(request, pk), actor=request.user))


class MergeIn(Schema):
    into: str  # the number (20261123-00042) or id of the appeal to merge into
    reason: str = ""


@router.post("/appeals/{pk}/merge", response=AppealDetailOut)
def merge(request, pk: int, body: MergeIn):
    """Merge this duplicate into another appeal's group: it is handled, replied to and rated with it."""
    appeal = _visible(request, pk)
    into = selectors.merge_target(viewer=request.user, value=body.into)
    return _detail(request, services.appeal_merge(appeal=appeal, actor=request.user, into=into, reason=body.reason))


@router.post("/appeals/{pk}/unpublish", response=AppealDetailOut)
def unpublish(request, pk: int, body: ReasonIn):
    return _detail(request, services.appeal_unpublish(appeal=_visible(request, pk), actor=request.user,
                                                      reason=body.reason))


@router.post("/appeals/{pk}/whistle", response={201: dict})
def whistle(request, pk: int, body: WhistleIn):
    department = get_object_or_404(Organisation, pk=body.department_id) if body.department_id else None
    blown = services.appeal_whistle(appeal=_visible(request, pk), actor=request.user, reason=body.reason,
                                    department=department)
    return Status(201, {"id": blown.pk, "report_due_at": blown.report_due_at})


@router.post("/whistles/{pk}/report-in", response=dict)
def report_in(request, pk: int, body: ReportInIn):
    # among the whistles on appeals she sees (404 for others, as for none), as the page; the service checks who calls
    blown = get_object_or_404(Whistle.objects.filter(appeal__in=appeals_visible_to(request.user).values("pk"))
                              .select_related("appeal"), pk=pk)
    blown = services.whistle_report_in(whistle=blown, actor=request.user, handler_name=body.handler_name,
                                       handler_phone=body.handler_phone)
    return {"id": blown.pk, "reported_at": blown.reported_at}


@router.post("/hotline/orders", response=HotlineOut)
def take_in_hotline_orders(request, orders: list[HotlineOrderIn]):
    """Orders pushed by the 12345 system; each order number is taken in once, however often it is sent."""
    outcome = hotline_orders(actor=request.user, orders=[o.dict() for o in orders])
    return {"rows": outcome.rows, "created": outcome.created, "existing": outcome.existing,
            "refused": outcome.refused, "errors": outcome.errors}


class RatesOut(Schema):
    key: int | str | None
    label: str
    total: int
    hotline: int
    reopened: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    counts: dict


@router.get("/figures/rates", response=list[RatesOut])
def figures_rates(request, start: date, end: date, group_by: one_of(GROUPS) = "community"):
    """The three rates for the appeals the caller may see, filed from ``start`` to ``end``."""
    return [{**row, "key": row["key"].isoformat() if hasattr(row["key"], "isoformat") else row["key"]}
            for row in rates(viewer=request.user, group_by=group_by, start=start, end=end)]


class SupportIn(Schema):
    support: bool = True


class SupportOut(Schema):
    supports: int


@router.post("/appeals/{pk}/support", response=SupportOut)
def support(request, pk: int, body: SupportIn):
    """我也遇到: a verified resident of the community backs an appeal on its public board (support=false takes it
    back). Idempotent."""
    appeal = get_object_or_404(Appeal, pk=pk)
    return {"supports": services.appeal_support(appeal=appeal, actor=request.user, support=body.support)}
