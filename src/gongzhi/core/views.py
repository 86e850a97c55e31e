from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import RoleGrant
from gongzhi.accounts.permissions import pending_bindings
from gongzhi.accounts.scopes import Perm, active_grants, is_staff_user, scope_for
from gongzhi.registry.models import Area, LedgerImport
from gongzhi.registry.permissions import households_visible_to, residents_visible_to
from gongzhi.registry.selectors import elderly_cutoff

from .decorators import staff_view
from .middleware import UserPreferencesMiddleware
from .models import AuditEvent


def healthz(request):
    """A plain JSON view: load balancers probe it, and `http.hello_json` measures the bare stack with it."""
    return JsonResponse({"ok": True})


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("staff:dashboard" if is_staff_user(request.user) else "portal:home")


@staff_view
def dashboard(request):
    user = request.user
    context = {"grants": active_grants(user)}
    if scope_for(user, Perm.VIEW_RESIDENTS):
        residents = residents_visible_to(user).filter(status="present")
        context["figures"] = {
            "households": households_visible_to(user).count(),
            "residents": residents.count(),
            "elderly_alone": residents.filter(lives_alone=True, birth_date__lte=elderly_cutoff()).count(),
        }
    if scope_for(user, Perm.VERIFY_BINDING):
        context["pending_bindings"] = pending_bindings(user).count()
    if scope_for(user, Perm.IMPORT_LEDGER):
        context["imports"] = LedgerImport.objects.filter(uploaded_by=user)[:5]
    return render(request, "staff/dashboard.html", context)


@staff_view
def audit_log(request):
    """Who accessed or changed what. A secretary sees what the staff of her area did; an admin everything."""
    scope = scope_for(request.user, Perm.VIEW_AUDIT)
    if not scope:
        raise PermissionDenied
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    if not scope.everywhere:
        staff = RoleGrant.objects.filter(area__in=Area.objects.filter(scope.q())).values("user_id")
        events = events.filter(actor_id__in=staff)
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    if who := request.GET.get("actor", "").strip():
        events = events.filter(Q(actor__username=who) | Q(actor__display_name__contains=who))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "staff/audit_log.html", {
        "page_obj": page, "actions": AuditEvent.Action.choices, "action": action, "actor": who,
    })


# --- resident portal shell --------------------------------------------------------------------------


@login_required
def portal_settings(request):
    return render(request, "portal/settings.html", {})


@require_POST
def large_text(request):
    """Toggle large type. Works signed in (saved on the account) or not (cookie), with or without JS."""
    on = request.POST.get("on") == "1"
    if request.user.is_authenticated:
        request.user.large_text = on
        request.user.save(update_fields=["large_text"])
    target = request.POST.get("next") or reverse("home")
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    response.set_cookie(UserPreferencesMiddleware.COOKIE, "1" if on else "0", max_age=365 * 24 * 3600,
                        samesite="Lax")
    return response


def forbidden(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "") or _("您没有权限访问此页面")}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", {}, status=404)
