"""Pages that need no app: the health probe, the large-type switch, the portal's settings, error pages."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .middleware import UserPreferencesMiddleware


def healthz(request):
    """A plain JSON view: load balancers probe it, and `http.hello_json` measures the bare stack with it."""
    return JsonResponse({"ok": True})


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


def bad_request(request, exception=None):
    """A BadRequest raised by our code says why in the user's language; Django's own (a bad Host header…) is
    not repeated to the client. The API answers ``{code, message}`` like its other errors."""
    reason = str(exception) if type(exception) is BadRequest and str(exception) else _("请求内容有误，请检查后重试")
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "message": reason}, status=400,
                            json_dumps_params={"ensure_ascii": False})
    return render(request, "400.html", {"reason": reason}, status=400)


def forbidden(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "") or _("您没有权限访问此页面")}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", {}, status=404)
