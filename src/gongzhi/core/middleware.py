import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class UserPreferencesMiddleware:
    """Large type (适老化) from the account, else from a cookie so it works before logging in."""

    COOKIE = "gz_large_text"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        from_account = bool(user is not None and user.is_authenticated and user.large_text)
        request.large_text = from_account or request.COOKIES.get(self.COOKIE) == "1"
        return self.get_response(request)


class RequestGuardMiddleware:
    """Refuses, before any view runs, input no view can store: a NUL character anywhere in the address, the form
    fields or a JSON body (PostgreSQL refuses NUL in text, so every search and every write that met one failed
    with a server error: issue 21), and a body larger than Django reads (413). Pages get a page saying so, the
    API ``{code, message}``. Uploaded files' contents are not looked at: a photo or workbook may hold any byte."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refused = self.refusal(request)
        except RequestDataTooBig:
            return self.refuse(request, 413, "too_large", _("提交的内容过大，请精简后重试"))
        if refused:
            return self.refuse(request, 400, "null_character", refused)
        return self.get_response(request)

    @staticmethod
    def refusal(request):
        if "\x00" in request.path_info or any(_has_nul(k) or any(map(_has_nul, v)) for k, v in request.GET.lists()):
            return _("地址中含有无法处理的字符（NUL），请检查后重试")
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if any(_has_nul(k) or any(map(_has_nul, v)) for k, v in request.POST.lists()):
                return _("提交的内容中含有无法处理的字符（NUL），请检查后重试")
            if any(_has_nul(f.name or "") for f in request.FILES.values()):
                return _("文件名中含有无法处理的字符（NUL），请改名后重试")
        elif content_type == "application/json" or content_type.endswith("+json"):
            body = request.body  # may raise RequestDataTooBig
            if b"\x00" in body or b"\\u0000" in body:
                try:
                    found = _json_has_nul(json.loads(body))
                except ValueError:
                    found = b"\x00" in body  # not JSON: the API says so, unless it holds a raw NUL
                if found:
                    return _("提交的内容中含有无法处理的字符（NUL），请检查后重试")
        return None

    @staticmethod
    def refuse(request, status: int, code: str, message):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": code, "message": str(message)}, status=status,
                                json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", {"reason": message}, status=status)


def _has_nul(value) -> bool:
    return isinstance(value, str) and "\x00" in value


def _json_has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(map(_json_has_nul, value))
    return False


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy (settings of those names) on every response, which Django
    does not send itself. A view that needs another policy sets the header, and it is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = {name: value for name, value in (
            ("Content-Security-Policy", getattr(settings, "CONTENT_SECURITY_POLICY", "")),
            ("Permissions-Policy", getattr(settings, "PERMISSIONS_POLICY", ""))) if value}

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response
