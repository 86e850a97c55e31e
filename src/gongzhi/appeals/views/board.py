"""The public board (公示栏): anyone may read it; verified residents back an appeal (我也遇到)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.services import verified_households
from gongzhi.core.errors import DomainError
from gongzhi.core.params import id_param
from gongzhi.registry.choices import AreaKind
from gongzhi.registry.models import Area

from .. import board, services
from ..models import Appeal, AppealSupport

BOARD_PAGE = 20


def board_index(request):
    """Communities with a public board: search by name."""
    q = request.GET.get("q", "").strip()[:30]
    communities = Area.objects.filter(kind=AreaKind.COMMUNITY).select_related("subdistrict").order_by(
        "subdistrict__name", "name")
    if q:
        communities = communities.filter(name__contains=q)
    page = Paginator(communities, 50).get_page(request.GET.get("page"))
    return render(request, "appeals/board_index.html", {"page_obj": page, "q": q})


def board_page(request, community):
    area = Area.objects.filter(kind=AreaKind.COMMUNITY, pk=community).select_related("subdistrict").first()
    if area is None:
        raise Http404
    q = request.GET.get("q", "").strip()[:30]
    if q:  # matched against what the board shows, never the stored text (a phone or a name finds nothing)
        page = Paginator(board.board_search(area.pk, q), BOARD_PAGE).get_page(request.GET.get("page"))
    else:
        page = Paginator(board.board_appeals(area.pk), BOARD_PAGE).get_page(request.GET.get("page"))
        page.object_list = [board.board_entry(a) for a in page.object_list]
    resident = request.user.is_authenticated and verified_households(request.user).filter(
        community_id=area.pk).exists()
    ids = [e["id"] for e in page.object_list]
    mine = set(AppealSupport.objects.filter(user=request.user, appeal_id__in=ids)
               .values_list("appeal_id", flat=True)) if resident else set()
    # her own appeals: nothing to back, she is told they are hers
    own = set(Appeal.objects.filter(reporter=request.user, pk__in=ids).values_list("pk", flat=True)) if resident else set()
    return render(request, "appeals/board.html", {"community": area, "page_obj": page, "can_support": resident,
                                                  "supported": mine, "own": own, "q": q})


@login_required
@require_POST
def board_support(request, community, pk):
    """我也遇到 (or take it back): one tap on the public board, back to the same place on the page."""
    appeal = get_object_or_404(Appeal, pk=pk, community_id=community)
    try:
        services.appeal_support(appeal=appeal, actor=request.user, support=request.POST.get("support") != "0")
    except DomainError as e:
        messages.error(request, e.message)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        messages.success(request, _("已记录：您也遇到了这个问题，不用再提交，进展会在公示栏更新"))
        return redirect(back)
    page = request.POST.get("page", "")
    return redirect(reverse("board", args=[community]) + (f"?page={page}" if id_param(page) else "") + f"#a{pk}")
