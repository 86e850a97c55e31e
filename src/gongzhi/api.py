"""The one NinjaAPI. Domain errors become ``{"code", "message"}`` with their status, in the user's language."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from gongzhi.accounts.models import ApiToken
from gongzhi.core.errors import DomainError


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        found = ApiToken.find_active(token)
        if found is None:
            request.token_refused = ApiToken.why_refused(token)  # the 401 says why: expired, revoked
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)  # at most once a minute
        request.user = found.user
        return found.user


class ErrorBody(Schema):
    """Every error the API answers, whatever its status: a stable ``code`` to act on and a ``message`` for people,
    in the caller's language; ``field`` names the input at fault when there is one."""

    code: str
    message: str
    field: str | None = None


# Statuses an endpoint may answer besides its own, all with ErrorBody (documented on every operation below).
ERRORS = {
    400: "Bad request: the body or address cannot be read (e.g. a NUL character)",
    401: "Not signed in, or the token is not valid",
    403: "Not permitted",
    404: "Not found, or not visible to the caller (the same answer)",
    409: "Conflict: the record is not in a state for this, or someone else acted on it first",
    413: "The request body is too large",
    422: "Invalid input; `field` names the input at fault",
    429: "Too many attempts; try again later",
}


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Ninja documents only the statuses an endpoint declares; every endpoint can also fail with the errors
        above, in the one shape clients parse, so the document says so for each operation."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorBody"] = ErrorBody.model_json_schema()
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, why in ERRORS.items():
                    if status == 401 and "security" not in operation:
                        continue  # open endpoints (the token exchange) do not ask for credentials
                    if status not in responses and str(status) not in responses:  # ninja keys them by int
                        responses[status] = {"description": why, "content": body}
        return schema


api = Api(
    title="共治 Gongzhi API",
    version="1",
    description="Co-governance of urban communities. Authenticate with `Authorization: Bearer <token>` "
    "(POST /api/v1/auth/token) or a browser session. Errors are `{code, message}`.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def error(request, status: int, code: str, message, **extra):
    return api.create_response(request, {"code": code, "message": str(message), **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    extra = {"field": exc.field} if exc.field else {}
    return error(request, exc.status, exc.code, exc.message, **extra, **exc.details)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    # `field`: the first input at fault, by its own name (a loc is ["body", "body", "rating"] or ["query", "page"])
    loc = exc.errors[0].get("loc", ()) if exc.errors else ()
    names = [part for part in loc[1:] if isinstance(part, str) and part != "body"]
    extra = {"field": names[-1]} if names else {}
    return error(request, 422, "invalid_input", _("请求内容有误，请检查后重试"), errors=exc.errors, **extra)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    refused = getattr(request, "token_refused", "unauthorized")
    if refused == "token_expired":
        return error(request, 401, refused, _("接口令牌已过期，请重新获取令牌"))
    if refused == "token_revoked":
        return error(request, 401, refused, _("接口令牌已撤销（或账号密码已修改），请重新获取令牌"))
    return error(request, 401, "unauthorized", _("请先登录，或提供有效的接口令牌"))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", _("未找到该记录，或您无权查看"))


@api.exception_handler(RequestDataTooBig)
def on_too_large(request, exc):
    return error(request, 413, "too_large", _("提交的内容过大，请精简后重试"))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error(request, exc.status_code, "error", exc.message)


api.add_router("/", "gongzhi.accounts.api.router")
api.add_router("/", "gongzhi.registry.api.router")
api.add_router("/", "gongzhi.appeals.api.router")
api.add_router("/", "gongzhi.deliberation.api.router")
api.add_router("/", "gongzhi.volunteers.api.router")
api.add_router("/", "gongzhi.triage.api.router")
