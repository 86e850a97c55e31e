"""The resident's pages (a phone, large type): the topics that concern her home, proposing and co-signing, the
minutes and the resolution, her owners' ballot, an objection during the notice period, the project's money, and
her rating of the outcome. And the public page of resolutions and their projects, for anyone."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.decorators import domain_errors_as_http
from gongzhi.core.errors import DomainError, InvalidInput, NotFound
from gongzhi.core.params import id_param
from gongzhi.core.scrubbing import scrub
from gongzhi.registry.models import Area

from .. import selectors, services
from ..choices import Choice, Stage, VoteKind, VoteState
from ..models import Project
from ..permissions import home_area_ids, in_scope


@login_required
@domain_errors_as_http
def topics(request):
    return render(request, "deliberation/portal_topics.html", {
        "groups": selectors.resident_topics(request.user),
        "may_propose": bool(selectors.councils_for_resident(request.user))})


@login_required
@domain_errors_as_http
def topic_new(request):
    councils = selectors.councils_for_resident(request.user)
    if not councils:
        messages.info(request, _("认证住户后，才能向所在小区、社区的议事会提出议题"))
        return redirect("portal:topics")
    homes = home_area_ids(request.user)
    scopes = list(Area.objects.filter(pk__in=homes, kind__in=("compound", "building", "unit", "grid", "community"))
                  .order_by("-kind", "position"))
    if request.method == "POST":
        council = next((c for c in councils if c.pk == id_param(request.POST.get("council"))), None)
        scope = next((a for a in scopes if a.pk == id_param(request.POST.get("scope"))), None)
        try:
            if council is None or scope is None:
                raise InvalidInput(_("请选择议事会和议题涉及的范围"))
            topic = services.topic_propose(actor=request.user, council=council, scope=scope,
                                           title=request.POST.get("title"), body=request.POST.get("body"))
        except DomainError as e:
            messages.error(request, e.message)
        else:
            if topic.stage == Stage.COSIGNING:
                messages.success(request, _("议题已提出。请邻居们打开本页联署，满%(n)d人后提交议事会受理") % {
                    "n": topic.council.cosign_threshold})
            else:
                messages.success(request, _("议题已提交议事会，受理后会通知您"))
            return redirect("portal:topic_detail", topic.pk)
    return render(request, "deliberation/portal_topic_new.html", {"councils": councils, "scopes": scopes,
                                                                 "post": request.POST})


@login_required
@domain_errors_as_http
def topic_detail(request, pk):
    topic = selectors.topic_for_resident(request.user, pk)
    member = in_scope(request.user, topic)
    vote = selectors.current_vote(topic)
    mine = selectors.my_parts(request.user, vote) if vote and vote.kind == VoteKind.OWNERS else None
    resolution = services.current_resolution(topic)
    project = Project.objects.filter(topic=topic).first()
    return render(request, "deliberation/portal_topic.html", {
        "topic": topic, "in_scope": member, "vote": vote, "mine": mine,
        "vote_open": vote is not None and vote.state == VoteState.OPEN and timezone.now() < vote.closes_at,
        "result": services.count(vote) if vote and vote.state == VoteState.CLOSED else None,
        "resolution": resolution, "resolutions": topic.resolutions.order_by("-version"),
        "meetings": [m for m in selectors.meetings_of(topic) if m.state in ("held", "scheduled", "in_session")],
        "timeline": selectors.timeline(topic, public_only=True), "project": project,
        "money": selectors.project_money(project) if project else None,
        "milestones": project.milestones.all() if project else [],
        "cosigned": topic.cosigns.filter(user=request.user).exists(), "cosigns": topic.cosigns.count(),
        "my_objection": selectors.my_objection(request.user, topic),
        "rated": topic.evaluations.filter(user=request.user).first(), "now": timezone.now(),
        "materials": topic.materials.all() if member else [],
        # a ballot is final: the first tap chooses, the second confirms
        "choosing": next(((v, label) for v, label in Choice.choices if v == request.GET.get("choose")), None)})


@login_required
@domain_errors_as_http
@require_POST
def topic_act(request, pk, action):
    topic = selectors.topic_for_resident(request.user, pk)
    post, user = request.POST, request.user
    vote = selectors.current_vote(topic)
    steps = {
        "cosign": (lambda: services.topic_cosign(actor=user, topic=topic), _("已联署")),
        "vote": (lambda: services.ballot_cast(actor=user, vote=vote, choice=post.get("choice", "")),
                 _("您的表决票已投出，谢谢参与")),
        "object": (lambda: services.objection_raise(actor=user, topic=topic, reason=post.get("reason", "")),
                   _("异议已提交，议事会将答复您")),
        "evaluate": (lambda: services.evaluation_give(actor=user, topic=topic, score=post.get("score"),
                                                      comment=post.get("comment", "")), _("谢谢您的评价")),
    }
    if action not in steps or (action == "vote" and vote is None):
        raise NotFound(_("没有这个操作"))
    call, done = steps[action]
    try:
        call()
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, done)
    return redirect("portal:topic_detail", topic.pk)


# --- public -------------------------------------------------------------------------------------------------------


def resolutions(request):
    q = (request.GET.get("q") or "").strip()[:30]
    return render(request, "deliberation/public_resolutions.html", {
        "topics": selectors.public_resolutions(q=q), "q": q})


@domain_errors_as_http
def resolution_detail(request, pk):
    topic = selectors.public_topic(pk)
    project = Project.objects.filter(topic=topic).first()
    return render(request, "deliberation/public_resolution.html", {
        "topic": topic, "body": scrub(topic.body), "resolutions": topic.resolutions.order_by("-version"),
        "meetings": [m for m in selectors.meetings_of(topic) if m.state == "held"],
        "timeline": selectors.timeline(topic, public_only=True), "project": project,
        "money": selectors.project_money(project) if project else None,
        "milestones": project.milestones.all() if project else [],
        "votes": topic.votes.filter(state=VoteState.CLOSED).order_by("id")})
