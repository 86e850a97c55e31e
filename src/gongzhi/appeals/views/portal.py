"""The resident's pages: her appeals, filing one, following, rating and reopening it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.services import verified_households
from gongzhi.core.decorators import domain_errors_as_http
from gongzhi.core.errors import DomainError
from gongzhi.core.params import id_param
from gongzhi.registry.permissions import get_visible

from .. import board, selectors, services
from ..choices import OPEN_STATES, Channel, State
from ..forms import (
    PortalForm,
    RateForm,
    intake_answers,
)
from ..models import Category
from ..permissions import appeals_visible_to
from ..services.supervision import resident_may_urge


@login_required
@domain_errors_as_http
def portal_appeals(request):
    mine = appeals_visible_to(request.user).filter(reporter=request.user).select_related("category", "party")
    return render(request, "portal/appeals.html", {"appeals": mine[:100],
                                                   "can_file": verified_households(request.user).exists()})


@login_required
@domain_errors_as_http
def portal_appeal_new(request):
    households = list(verified_households(request.user).select_related("compound", "building", "unit", "area"))
    if not households:
        messages.info(request, _("请先绑定并通过实名认证，再反映问题"))
        return redirect("portal:households")
    places, lookup = selectors.portal_places(households)
    form = PortalForm(request.POST or None, request.FILES or None, places=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area, household = lookup[data["where"]]
        if (earlier := selectors.just_filed(actor=request.user, text=data["text"], area_id=area.pk)) is not None:
            messages.info(request, _("您刚才已经提交过这条诉求（编号 %(n)s），不会重复登记。") % {"n": earlier.number})
            return redirect("portal:appeal_detail", pk=earlier.pk)
        try:
            appeal = services.appeal_submit(
                channel=Channel.PORTAL, text=data["text"], area=area, household=household,
                category=Category.objects.filter(pk=data["category"]).first() if data["category"] else None,
                actor=request.user, contact_preference=data["contact_preference"], public=data["public"],
                photos=data["photos"], idempotency_key=data["client_key"], details=intake_answers(request.POST))
        except DomainError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, _("已收到您的诉求，编号 %(n)s。社区会尽快联系您。") % {"n": appeal.number})
            return redirect("portal:appeal_detail", pk=appeal.pk)
    return render(request, "portal/appeal_new.html", {"form": form})


@login_required
@domain_errors_as_http
def portal_appeal_detail(request, pk):
    appeal = get_visible(appeals_visible_to(request.user).filter(reporter=request.user)
                         .select_related("category", "party", "parent__party"), pk)
    group = appeal.parent or appeal  # a merged appeal follows its group: its reply, its progress
    return render(request, "portal/appeal_detail.html", {
        "appeal": appeal, "group": group,
        "timeline": selectors.appeal_timeline(viewer=request.user, appeal=appeal),
        "rate_form": RateForm(), "can_rate": services.rating_open(appeal),
        "can_reopen": group.state in (State.RESOLVED, State.CLOSED, State.CLOSED_UNRESOLVED),
        "photos": appeal.photos.all(), "can_urge": resident_may_urge(appeal, request.user),
        "stands": where_it_stands(group), "is_open": group.state in OPEN_STATES and appeal.state != State.MERGED,
    })


def _back(request, default):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return default


def _on_her_appeal(request, pk, call, done: str):
    """One of the resident's steps on her own appeal (POST): the service decides, she is told what happened."""
    appeal = get_visible(appeals_visible_to(request.user).filter(reporter=request.user), pk)
    try:
        call(appeal, request.POST)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, done)
    return appeal


@login_required
@domain_errors_as_http
@require_POST
def portal_appeal_rate(request, pk):
    appeal = _on_her_appeal(request, pk, lambda a, post: services.appeal_rate(
        appeal=a, actor=request.user, rating=post.get("rating", ""), comment=post.get("comment", "")),
        _("谢谢您的评价"))
    return _back(request, redirect("portal:appeal_detail", pk=appeal.pk))


@login_required
@domain_errors_as_http
@require_POST
def portal_appeal_reopen(request, pk):
    appeal = _on_her_appeal(request, pk, lambda a, post: services.appeal_reopen(
        appeal=a, actor=request.user, reason=post.get("reason", "")), _("已重新提交，社区会再次办理"))
    return redirect("portal:appeal_detail", pk=appeal.pk)


@login_required
@domain_errors_as_http
@require_POST
def portal_appeal_urge(request, pk):
    """催一下: past its deadline, the resident urges her appeal once; the handlers must answer."""
    appeal = _on_her_appeal(request, pk, lambda a, post: services.appeal_urge(
        appeal=a, actor=request.user, note=post.get("note", "")), _("已催办，社区会尽快处理并回复您"))
    return redirect("portal:appeal_detail", pk=appeal.pk)


@login_required
@domain_errors_as_http
@require_POST
def portal_appeal_add_info(request, pk):
    appeal = _on_her_appeal(request, pk, lambda a, post: services.appeal_add_info(
        appeal=a, actor=request.user, text=post.get("text", "")), _("补充的情况已告诉办理人员"))
    return redirect("portal:appeal_detail", pk=appeal.pk)


@login_required
@domain_errors_as_http
@require_POST
def portal_appeal_withdraw(request, pk):
    appeal = _on_her_appeal(request, pk, lambda a, post: services.appeal_withdraw(
        appeal=a, actor=request.user, reason=post.get("reason", "")), _("诉求已撤回"))
    return redirect("portal:appeal_detail", pk=appeal.pk)


def where_it_stands(group) -> str:
    """What the resident reads first: who has her appeal and what happens next, in plain words."""
    due = group.respond_due_at if group.state == State.SUBMITTED else group.resolve_due_at
    when = f"{date_format(timezone.localtime(due), 'MONTH_DAY_FORMAT')} {timezone.localtime(due):%H:%M}" if due else ""
    party = group.party.name if group.party_id else ""
    plain = {
        State.SUBMITTED: _("社区还没有受理，将在 %(when)s 前受理。"),
        State.ACCEPTED: _("社区已受理，正在安排，%(when)s 前办结。"),
        State.DISPATCHED: _("已派给 %(party)s，等待对方接单，%(when)s 前办结。"),
        State.IN_PROGRESS: _("%(party)s 正在办理，%(when)s 前办结。"),
        State.RETURNED: _("社区正在重新安排办理单位，%(when)s 前办结。"),
        State.RESOLVED: _("已办结，请看下面的答复并评价；没解决可以重新办理。"),
        State.CLOSED: _("已办结关闭。"),
        State.CLOSED_UNRESOLVED: _("已关闭，原因见下面的说明。"),
    }.get(group.state, "")
    if group.paused_at:
        return _("暂停计时：%(reason)s") % {"reason": group.pause_reason}
    return plain % {"when": when, "party": party}


@login_required
@domain_errors_as_http
def portal_appeal_similar(request):
    """HTMX, on the filing page: what neighbours already reported at the place she chose (我也遇到 instead)."""
    households = list(verified_households(request.user).select_related("compound", "building", "unit", "area"))
    _places, lookup = selectors.portal_places(households)
    chosen = lookup.get(request.GET.get("where", ""))
    category = id_param(request.GET.get("category"), name="category", refuse=True)
    similar = board.similar_open(viewer=request.user, area=chosen[0], category_id=category) if chosen else []
    return render(request, "portal/_similar.html", {"similar": similar})


@login_required
def category_questions(request):
    """HTMX, on the filing forms (portal and desk): the chosen category's intake questions."""
    category = Category.objects.filter(pk=request.GET.get("category") or 0, is_active=True).first()
    return render(request, "appeals/widgets/questions.html",
                  {"questions": category.questions if category else [], "values": request.GET})
