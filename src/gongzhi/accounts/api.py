from datetime import datetime

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from gongzhi.access.scopes import active_grants
from gongzhi.core.errors import DomainError, InvalidInput
from gongzhi.core.params import Id
from gongzhi.registry.models import Household

from . import selectors, services
from .choices import BindingStatus
from .models import HouseholdBinding

router = Router(tags=["accounts"])


class TooManyAttempts(DomainError):
    status = 429
    default_code = "too_many_attempts"


class TokenIn(Schema):
    username: str
    password: str
    name: str = "api"


class TokenOut(Schema):
    token: str
    name: str
    expires_at: datetime


class TokenInfoOut(Schema):
    """One of her tokens, as listed: never its key, which only its issue showed."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    expired: bool


class ErrorOut(Schema):
    code: str
    message: str


class GrantOut(Schema):
    role: str
    role_label: str
    area_id: int | None
    area_name: str | None
    organisation_id: int | None
    organisation_name: str | None


class BindingOut(Schema):
    id: int
    household_id: int
    address: str
    status: str
    status_label: str
    reason: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    grants: list[GrantOut]
    bindings: list[BindingOut]


class BindingIn(Schema):
    household_id: Id
    claimed_name: str
    claimed_id_last4: str = ""


def _binding_out(b: HouseholdBinding) -> dict:
    return {"id": b.pk, "household_id": b.household_id, "address": b.household.address, "status": b.status,
            "status_label": str(b.get_status_display()), "reason": b.reason}


@router.post("/auth/token", auth=None, response={201: TokenOut, 401: ErrorOut, 429: ErrorOut})
def obtain_token(request, body: TokenIn):
    """Exchange a user name (or mobile number) and password for a bearer token. Failures are throttled."""
    try:
        user = authenticate(request, username=body.username.strip(), password=body.password)
    except AxesBackendPermissionDenied:
        raise TooManyAttempts(_("登录失败次数过多，请15分钟后再试")) from None
    if getattr(request, "axes_locked_out", False):
        raise TooManyAttempts(_("登录失败次数过多，请15分钟后再试"))
    if user is None:
        return Status(401, {"code": "invalid_credentials", "message": _("用户名/手机号或密码不正确")})
    token, key = services.api_token_issue(user=user, name=body.name)
    return Status(201, {"token": key, "name": token.name, "expires_at": token.expires_at})


@router.get("/auth/tokens", response=list[TokenInfoOut])
def token_list(request):
    """The caller's tokens that were not revoked, expired ones marked: name, created, last used, expiry."""
    return [{"id": t.pk, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
             "last_used_at": t.last_used_at, "expires_at": t.expires_at, "expired": t.is_expired}
            for t in selectors.api_tokens_of(request.user)]


@router.delete("/auth/tokens/{pk}", response={204: None})
def token_revoke(request, pk: int):
    """Revoke one of the caller's tokens (the one making the request included); someone else's is not found."""
    token = get_object_or_404(selectors.api_tokens_of(request.user), pk=pk)
    services.api_token_revoke(user=request.user, token=token)
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request):
    user = request.user
    bindings = user.bindings.exclude(status=BindingStatus.REVOKED).select_related(
        "household__compound", "household__building", "household__unit")
    return {
        "id": user.pk, "username": user.username, "display_name": user.display_name,
        "grants": [{"role": g.role, "role_label": str(g.get_role_display()), "area_id": g.area_id,
                    "area_name": g.area.name if g.area else None, "organisation_id": g.organisation_id,
                    "organisation_name": g.organisation.name if g.organisation else None}
                   for g in active_grants(user)],
        "bindings": [_binding_out(b) for b in bindings],
    }


@router.post("/bindings", response={201: BindingOut})
def request_binding(request, body: BindingIn):
    """A resident asks to be bound to a household; a worker verifies it before the resident can act for it."""
    household = Household.objects.filter(pk=body.household_id).select_related("compound", "building", "unit").first()
    if household is None:
        raise InvalidInput(_("该户不存在"), field="household_id")
    binding = services.binding_request(user=request.user, household=household, claimed_name=body.claimed_name,
                                       claimed_id_last4=body.claimed_id_last4)
    return Status(201, _binding_out(binding))
