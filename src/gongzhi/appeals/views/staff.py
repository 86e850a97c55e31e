"""Staff pages: the queue, the desk's intake, an appeal with its actions, the three rates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view
from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core.audit import Action as AuditAction
from gongzhi.core.audit import audit
from gongzhi.core.decorators import domain_errors_as_http
from gongzhi.core.errors import DomainError, InvalidInput
from gongzhi.core.htmx import render_page
from gongzhi.core.masking import mask_phone
from gongzhi.core.params import id_param, local_datetime
from gongzhi.core.scrubbing import scrub
from gongzhi.registry.models import Area, Organisation
from gongzhi.registry.permissions import get_visible

from .. import export, extensions, forms, selectors, services
from ..choices import OPEN_STATES, Action, Channel, Rating, State
from ..events import WeakReply
from ..figures import GROUPS, rates, whistle_rates
from ..forms import (
    AcceptForm,
    CloseForm,
    DeskForm,
    PartyForm,
    ReplyForm,
    department_choices,
    intake_answers,
    place_label,
)
from ..models import Appeal, AppealPhoto, Category
from ..permissions import (
    actions_for,
    acts_for_community,
    acts_for_party,
    appeals_visible_to,
    may_add_photos,
    may_assign,
    may_see_contact,
    whistle_steps,
)
from ..services.supervision import may_answer

PAGE_SIZE = 50


class QueuePaginator(Paginator):
    """The queue's pages, its total kept for 15 seconds once it is large: the 12345 centre's 300,000 open appeals
    took 35 ms to count on every 20-second refresh, for a figure nobody reads to the unit. Small totals (a
    community's queue) are always counted afresh."""

    LARGE = 10_000

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache_key = key[:200]

    @cached_property
    def count(self) -> int:
        if (kept := cache.get(self.cache_key)) is not None:
            return kept
        total = super().count
        if total >= self.LARGE:
            cache.set(self.cache_key, total, 15)
        return total

    def page(self, number):
        """The page's ids first, then those rows with what the list shows: joined before the top 50 were picked,
        the city's 10,000 overdue appeals were each joined to their category, party and handler (40 ms)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:bottom + self.per_page])
        rows = Appeal.objects.filter(pk__in=ids).select_related("category__parent", "party", "assignee").in_bulk()
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def _queue_filters(request) -> dict:
    """The queue's filters as the address holds them, for the list and its export alike."""
    get = request.GET
    area = None
    if area_id := id_param(get.get("area"), name="area", refuse=True):
        area = Area.objects.filter(scope_for(request.user, Perm.HANDLE_APPEALS).q(), pk=area_id).first()
    number = get.get("q", "").strip()[:40]
    return {
        "area": area, "number": number,
        "category": id_param(get.get("category"), name="category", refuse=True),
        # a number someone reads out is looked for whatever its state: she asks because she does not know it
        "state": "" if number else get.get("state", "open"),
        "overdue": get.get("overdue") == "1", "due_soon": get.get("due") == "soon",
        "follow_up": get.get("follow_up") == "1", "mine": get.get("mine") == "1",
        "assigned": get.get("assigned") == "1", "pending": get.get("pending") == "1",
        "supervised": get.get("supervised") == "1",
    }


@staff_view
def appeal_queue(request):
    """The special-team board (专班): community and party staff see the same live queue, overdue in red."""
    filters = _queue_filters(request)
    try:
        appeals = selectors.appeal_list(viewer=request.user, **filters)
    except DomainError:
        filters["state"] = "open"
        appeals = selectors.appeal_list(viewer=request.user, **filters)
    number = filters["number"]
    if number and not request.htmx:
        found = list(appeals[:2])
        if len(found) == 1:  # the one she asked for: straight to it
            return redirect("staff:appeal_detail", pk=found[0].pk)
    page = QueuePaginator(appeals, PAGE_SIZE, key=f"queue-count:{request.user.pk}:{request.GET.urlencode()}"
                          ).get_page(request.GET.get("page"))
    page.object_list = selectors.with_places(page.object_list)
    # 我经手的 lists appeals since handed on: those she can no longer open are shown without a link
    openable = (set(appeals_visible_to(request.user).filter(pk__in=[a.pk for a in page]).values_list("pk", flat=True))
                if filters["mine"] else None)
    # a filter change redraws the filters with the list, so what they show is what the list (and the address,
    # and the page Back returns to) holds; the 20-second refresh takes only the list (hx-select)
    return render_page(request, "appeals/queue.html", {
        "page_obj": page, "now": timezone.now(), **filters, "q": number, "openable": openable,
        "export_query": request.GET.urlencode(),
        "states": [("open", _("未办结")), ("", _("全部状态"))] + list(State.choices),
        "areas": selectors.queue_areas(viewer=request.user, area=filters["area"], flat_max=forms.PLACE_SELECT_MAX),
        "categories": Category.objects.filter(parent__isnull=True, is_active=True),
        "can_file": bool(scope_for(request.user, Perm.HANDLE_APPEALS)),
    }, partial="queue")


@staff_view
def appeal_export(request):
    """The queue as it is filtered, to .xlsx: streamed, so 100,000 rows take no more memory than 100. No phones
    or names; the appeal texts may hold personal data, so each export is audited."""
    filters = _queue_filters(request)
    try:
        appeals = selectors.appeal_list(viewer=request.user, **filters)
        total = appeals.count()
        if total > export.MAX_ROWS:
            raise InvalidInput(_("共 %(n)s 件，超过一次导出的上限 %(max)s 件，请缩小时间、区域或状态范围")
                               % {"n": total, "max": export.MAX_ROWS})
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(f"{reverse('staff:appeal_queue')}?{request.GET.urlencode()}")
    audit(actor=request.user, action=AuditAction.EXPORT_PERSONAL_DATA, target_type="appeals.appeal",
          request=request, summary=_("导出诉求 %(n)s 件") % {"n": total},
          data={"filters": {k: v for k, v in request.GET.items()}, "rows": total})
    return export.appeals_xlsx(appeals, filename=f"appeals-{timezone.localdate():%Y%m%d}")


@staff_view
def appeal_new(request):
    if not scope_for(request.user, Perm.HANDLE_APPEALS):
        raise PermissionDenied
    form = DeskForm(request.POST or None, request.FILES or None, places=selectors.filing_places(viewer=request.user))
    resident = existing = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["resident"]:
            resident = _desk_resident(request.user, data["resident"])
            if resident is None:
                raise PermissionDenied
        # no place chosen: the problem is in the resident's own home
        area = data["area"] or resident.household.area
        if (earlier := selectors.just_filed(actor=request.user, text=data["text"], area_id=area.pk)) is not None:
            messages.info(request, _("刚才已经登记过这条诉求（编号 %(n)s），没有重复登记。") % {"n": earlier.number})
            return redirect("staff:appeal_detail", pk=earlier.pk)
        try:
            appeal = services.appeal_submit(
                channel=data["channel"], text=data["text"], area=area,
                household=resident.household if resident and not data["area"] else None, resident=resident,
                category=Category.objects.filter(pk=data["category"]).first() if data["category"] else None,
                actor=request.user, contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                public=data["public"], photos=data["photos"], idempotency_key=data["client_key"],
                details=intake_answers(request.POST),
                hotline_order_no=data["hotline_order_no"] if data["channel"] == Channel.HOTLINE else "")
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            if (pk := e.details.get("appeal_id")) and appeals_visible_to(request.user).filter(pk=pk).exists():
                existing = pk  # the order she is logging again: one click to it
        else:
            messages.success(request, _("已登记诉求 %(n)s") % {"n": appeal.number})
            return redirect("staff:appeal_detail", pk=appeal.pk)
    elif form.is_bound and (pk := id_param(str(form["resident"].value() or ""))):
        resident = _desk_resident(request.user, pk)
    return render(request, "appeals/new.html", {"form": form, "resident": resident, "existing": existing})


def _desk_resident(user, pk: int):
    residents = selectors.desk_residents_by_pk(viewer=user, pk=pk)
    return residents[0] if residents else None


@staff_view
def desk_resident_search(request):
    """HTMX: residents matching what the worker typed (name, phone, ID, address), phones masked."""
    found = selectors.desk_residents(viewer=request.user, text=request.GET.get("q", ""))
    return render(request, "appeals/new.html#resident-results", {"found": found, "q": request.GET.get("q", "")})


# the desk form's place field, as its PlaceSearchInput renders it: the HTMX answers below fill in its parts


_DESK_PLACE = {"name": "area", "id": "id_area"}


@staff_view
def desk_place_search(request):
    """HTMX: the places among the worker's whose name holds what she typed (see ``PlaceSearchInput``)."""
    q = request.GET.get("area_q", "").strip()[:40]
    found = selectors.filing_place_search(viewer=request.user, text=q)
    return render(request, "appeals/widgets/place_results.html",
                  {"found": [(p, place_label(p)) for p in found], "q": q, **_DESK_PLACE})


@staff_view
def desk_place_pick(request):
    """HTMX: the chosen place as the form's hidden value; without an id, no place (the resident's home)."""
    pk, place = request.GET.get("id", ""), None
    if pk:
        place = selectors.filing_places(viewer=request.user).filter(pk=pk).first() if id_param(pk) else None
        if place is None:
            raise Http404
    return render(request, "appeals/widgets/place_picked.html", {
        "place": place, "place_label": place_label(place) if place else "", **_DESK_PLACE})


@staff_view
def desk_resident_pick(request):
    pk = id_param(request.GET.get("id"))
    resident = _desk_resident(request.user, pk) if pk else None
    if resident is None:
        raise Http404
    return render(request, "appeals/resident_picked.html", {"resident": resident})


def offered_actions(user, appeal) -> set[str]:
    """The buttons: what the user may do now (``permissions.actions_for``, which the services enforce), less
    reclassifying an appeal not yet accepted (the accept form carries its category)."""
    actions = actions_for(user, appeal)
    if appeal.state == State.SUBMITTED:
        actions.discard(Action.RECLASSIFY)
    return actions


@staff_view
def appeal_detail(request, pk):
    appeal = selectors.appeal_detail(viewer=request.user, pk=pk)
    return render(request, "appeals/detail.html", _detail_context(request, appeal))


def _detail_context(request, appeal, **extra) -> dict:
    parties = selectors.parties_for(appeal)
    return {
        "appeal": appeal, "timeline": selectors.appeal_timeline(viewer=request.user, appeal=appeal),
        "actions": offered_actions(request.user, appeal), "now": timezone.now(),
        "accept_form": AcceptForm(initial={"category": appeal.category_id}, categorised=appeal.category_id is not None),
        # ids of their own: both forms, and the others, on one page (duplicate ids broke the labels)
        "dispatch_form": PartyForm(parties=parties, auto_id="dispatch_%s"),
        "transfer_form": PartyForm(parties=selectors.transfer_parties(appeal), empty=_("请选择"),
                                   auto_id="transfer_%s"),
        "elderly_alone": (acts_for_community(request.user, appeal) or acts_for_party(request.user, appeal))
        and selectors.elderly_alone_home(appeal),
        "reply_form": extra.pop("reply_form", None) or ReplyForm(auto_id="resolve_%s"), "close_form": CloseForm(auto_id="close_%s"),
        "departments": department_choices(appeal),
        "whistles": _whistles(request.user, appeal),
        "ratings": Rating.choices,
        "show_contact": may_see_contact(request.user, appeal), "contact_masked": mask_phone(appeal.contact_phone),
        "merged": appeal.merged.select_related("category").order_by("id"),
        "parent": appeal.parent,
        **extensions.DETAIL.collect(viewer=request.user, appeal=appeal),  # the machine's reading, duplicates
        "templates": selectors.reply_templates(appeal),
        "photos": appeal.photos.all(),
        "ratings_given": appeal.ratings.select_related("party").order_by("at", "id"),
        # 提交议事会: the topic form is filled with the appeal's words, without the reporter's phone, room or name
        "to_council": urlencode({"origin": "appeal", "ref": appeal.number,
                                 "title": scrub(appeal.text, [appeal.contact_name])[:40],
                                 "body": scrub(appeal.text, [appeal.contact_name])[:2000]}),
        "details": selectors.answered(appeal),
        "pending_requests": list(appeal.requests.filter(state="pending").select_related("party", "requested_by")),
        "may_decide": acts_for_community(request.user, appeal),
        "supervisions": list(appeal.supervisions.select_related("answered_by", "issued_by").order_by("issued_at", "id")),
        "may_answer": may_answer(request.user, appeal),
        "urge_as": services.urger_label(request.user, appeal) if appeal.is_open else None,
        "assignable": list(selectors.assignable(appeal)) if appeal.is_open and (
            may_assign(request.user, appeal)) else [],
        "can_add_photos": appeal.state in OPEN_STATES and appeal.photos.count() < services.MAX_PHOTOS and (
            may_add_photos(request.user, appeal)),
        **extra,
    }


def _whistles(user, appeal) -> list:
    """The appeal's whistles, newest first, each with the co-handling steps the user may take on it now."""
    whistles = list(appeal.whistles.select_related("department", "subdistrict").order_by("-id"))
    for w in whistles:
        w.steps = whistle_steps(user, w, appeal)
    return whistles



def _no_category():
    raise InvalidInput(_("请选择类别"), field="category")


@staff_view
@require_POST
def appeal_contact(request, pk):
    """The resident's full phone number, for the handler about to call her back: each reveal is audited."""
    appeal = selectors.appeal_detail(viewer=request.user, pk=pk)
    if not may_see_contact(request.user, appeal):
        raise PermissionDenied(_("您无权查看该诉求的联系电话"))
    audit(actor=request.user, action=AuditAction.VIEW_PERSONAL_DATA, target=appeal, request=request,
          summary=appeal.number, data={"fields": ["contact_phone"]})
    if request.htmx:
        return render(request, "appeals/detail.html#contact", {"appeal": appeal, "contact_full": True})
    # without JavaScript: the whole page, revealed (a POST response, so it is not cached or bookmarked)
    request.page_path = reverse("staff:appeal_detail", args=[appeal.pk])
    return render(request, "appeals/detail.html", _detail_context(request, appeal, contact_full=True))


def _done_messages() -> dict[str, str]:
    """What the worker is told after each action, in words of its own (not "已" + the action's label)."""
    return {
        Action.ACCEPT: _("已受理"), Action.DISPATCH: _("已派单"), Action.TAKE: _("已接单"),
        Action.RETURN: _("已申请退单，等待社区审核"), Action.EXTEND_REQUEST: _("已申请延期，等待社区审核"),
        Action.TRANSFER: _("已转派"),
        Action.RESOLVE: _("已办结，答复已发给居民"), Action.CLOSE_UNRESOLVED: _("已关闭，记为未解决"),
        Action.PAUSE: _("已暂停计时"), Action.RESUME: _("已恢复计时"), Action.FOLLOW_UP: _("回访已记录"),
        Action.WHISTLE: _("已吹哨"), Action.MERGE: _("已合并到同类诉求"), Action.RECLASSIFY: _("类别已更正"),
        Action.UNPUBLISH: _("已撤下公示"), Action.ASSIGN: _("经办人已更新"), Action.URGE: _("已催办，办理方须回复"), "photos": _("照片已上传"),
    }


@staff_view
@require_POST
def appeal_act(request, pk, action):
    appeal = selectors.appeal_detail(viewer=request.user, pk=pk)
    post, user = request.POST, request.user

    def party(key="party"):
        value = id_param(post.get(key))
        return Organisation.objects.filter(pk=value, is_active=True).first() if value else None

    calls = {
        Action.ACCEPT: lambda: services.appeal_accept(
            appeal=appeal, actor=user, priority=post.get("priority", ""),
            category=Category.objects.filter(pk=post.get("category") or 0).first()),
        Action.DISPATCH: lambda: services.appeal_dispatch(appeal=appeal, actor=user, party=party(),
                                                          reason=post.get("reason", "")),
        Action.TAKE: lambda: services.appeal_take(appeal=appeal, actor=user),
        Action.RETURN: lambda: services.appeal_return(appeal=appeal, actor=user, reason=post.get("reason", "")),
        Action.EXTEND_REQUEST: lambda: services.appeal_request_extension(
            appeal=appeal, actor=user, due_at=local_datetime(post.get("due_at", "")), reason=post.get("reason", "")),
        Action.TRANSFER: lambda: services.appeal_transfer(appeal=appeal, actor=user, party=party(),
                                                          reason=post.get("reason", "")),
        Action.RESOLVE: lambda: services.appeal_resolve(appeal=appeal, actor=user, reply=post.get("reply", ""),
                                                        after_warning=post.get("send_anyway") == "1"),
        Action.CLOSE_UNRESOLVED: lambda: services.appeal_close_unresolved(
            appeal=appeal, actor=user, outcome=post.get("outcome", ""), reply=post.get("reply", "")),
        Action.PAUSE: lambda: services.appeal_pause(appeal=appeal, actor=user, reason=post.get("reason", "")),
        Action.RESUME: lambda: services.appeal_resume(appeal=appeal, actor=user),
        Action.FOLLOW_UP: lambda: services.appeal_follow_up(appeal=appeal, actor=user, note=post.get("reason", ""),
                                                            rating=post.get("rating", "")),
        Action.WHISTLE: lambda: services.appeal_whistle(appeal=appeal, actor=user, reason=post.get("reason", ""),
                                                        department=party("department")),
        Action.MERGE: lambda: services.appeal_merge(appeal=appeal, into=selectors.merge_target(viewer=user, value=post.get("into", "")),
                                                    actor=user, reason=post.get("reason", "")),
        Action.RECLASSIFY: lambda: services.appeal_reclassify(
            appeal=appeal, actor=user, reason=post.get("reason", ""),
            category=Category.objects.filter(pk=post.get("category") or 0).first() or _no_category()),
        Action.UNPUBLISH: lambda: services.appeal_unpublish(appeal=appeal, actor=user,
                                                            reason=post.get("reason", "")),
        Action.URGE: lambda: services.appeal_urge(appeal=appeal, actor=user, note=post.get("reason", "")),
        Action.ASSIGN: lambda: services.appeal_assign(
            appeal=appeal, actor=user, reason=post.get("reason", ""),
            assignee=(selectors.assignable(appeal).filter(pk=assignee).first()
                      if (assignee := id_param(post.get("assignee"))) else None)),
        "photos": lambda: services.appeal_add_photos(appeal=appeal, actor=user,
                                                     files=request.FILES.getlist("photos")),
    }
    if action not in calls:
        messages.error(request, _("未知的操作"))
        return redirect("staff:appeal_detail", pk=appeal.pk)
    try:
        calls[action]()
    except WeakReply as e:
        # not sent: the handler sees why, edits the reply or sends it as it is
        form = ReplyForm({"reply": post.get("reply", "")}, auto_id="resolve_%s")
        request.page_path = reverse("staff:appeal_detail", args=[appeal.pk])
        return render(request, "appeals/detail.html", _detail_context(
            request, appeal, reply_form=form, reply_check=e.check, reply_warned=True), status=200)
    except DomainError as e:
        if action == Action.RESOLVE and e.field == "reply":  # what she typed stays, with the reason beside it
            form = ReplyForm({"reply": post.get("reply", "")}, auto_id="resolve_%s")
            form.add_error("reply", e.message)
            request.page_path = reverse("staff:appeal_detail", args=[appeal.pk])
            return render(request, "appeals/detail.html", _detail_context(request, appeal, reply_form=form),
                          status=200)
        messages.error(request, e.message)
    else:
        messages.success(request, _done_messages().get(action, _("已完成")))
        if not appeals_visible_to(user).filter(pk=appeal.pk).exists():  # handed on (退单, 转派): back to her queue
            return redirect("staff:appeal_queue")
    return redirect("staff:appeal_detail", pk=appeal.pk)


@login_required
@domain_errors_as_http
def appeal_photo(request, pk, photo):
    """A photo, to those who may see its appeal (staff on the case, the reporter) — never a public URL."""
    appeal = get_visible(appeals_visible_to(request.user), pk)
    item = AppealPhoto.objects.filter(appeal=appeal, pk=photo).first()
    if item is None:
        raise Http404
    response = FileResponse(item.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_view
def figures(request):
    """The three rates per grid, community, subdistrict, district, party, category, day or month for a period
    (default: this month so far), 吹哨报到 per called body, and the same as .xlsx (``?format=xlsx``)."""
    from datetime import date

    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start") or today.replace(day=1).isoformat())
        end = date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        messages.error(request, _("日期格式应为 2026-11-01"))
        start, end = today.replace(day=1), today
    groups = [("grid", _("网格")), ("community", _("社区")), ("subdistrict", _("街道")), ("district", _("区")),
              ("party", _("承办单位")), ("category", _("类别")), ("day", _("日期")), ("month", _("月份"))]
    group_by = request.GET.get("group_by", "community")
    if group_by not in GROUPS:
        group_by = "community"
    whistle_group = "subdistrict" if request.GET.get("whistles_by") == "subdistrict" else "called"
    try:
        rows = rates(viewer=request.user, group_by=group_by, start=start, end=end)
        whistles = whistle_rates(viewer=request.user, group_by=whistle_group, start=start, end=end)
        extra = extensions.FIGURES.collect(viewer=request.user, start=start, end=end)  # the replies' quality
    except DomainError as e:
        messages.error(request, e.message)
        rows, whistles, extra = [], [], {}
    if request.GET.get("format") == "xlsx":
        return export.figures_xlsx(rows=rows, whistles=whistles, group_label=dict(groups)[group_by],
                                   filename=f"figures-{group_by}-{start:%Y%m%d}-{end:%Y%m%d}")
    totals = {k: sum(r[k] for r in rows) for k in ("total", "hotline", "reopened")}
    shown = rows if group_by in ("day", "month") else sorted(rows, key=lambda r: -r["total"])[:30]  # biggest 30
    chart = {"group_by": group_by, "rows": [{k: r[k] for k in ("label", "response_rate", "resolution_rate",
                                                                "satisfaction_rate")} for r in shown],
             "series": [{"key": "response_rate", "label": _("响应率")},
                        {"key": "resolution_rate", "label": _("解决率")},
                        {"key": "satisfaction_rate", "label": _("满意率")}]}
    return render(request, "appeals/figures.html", {
        "rows": rows, "start": start, "end": end, "group_by": group_by, "totals": totals, "chart": chart,
        "whistles": whistles, "whistles_by": whistle_group, "export_query": request.GET.urlencode(),
        **extra, "groups": groups,
    })
