"""The in-app inbox: every notification a user got, newest first; opening one marks it read."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongzhi.access.decorators import staff_view

from . import selectors, services
from .models import Notification


def _inbox(request, base: str):
    page = Paginator(selectors.inbox(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page_obj": page, "base": base})


@login_required
def portal_inbox(request):
    return _inbox(request, "portal/base.html")


@staff_view
def staff_inbox(request):
    return _inbox(request, "staff/base.html")


@login_required
def open_notification(request, pk):
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(user=request.user, ids=[note.pk])
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()}):
        return redirect(note.link)
    return redirect("portal:messages")


@login_required
@require_POST
def read_all(request):
    services.mark_read(user=request.user)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("portal:messages")
