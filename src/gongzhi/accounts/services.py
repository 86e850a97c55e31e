"""Account changes: role grants, household bindings (实名认证) and API tokens."""

import re
import unicodedata

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, forget, scope_for
from gongzhi.core import events
from gongzhi.core.audit import Action, audit
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted, TransitionNotAllowed
from gongzhi.registry.models import Household, Resident

from .choices import BindingStatus
from .events import BindingDecided
from .models import ApiToken, HouseholdBinding, RoleGrant, User
from .permissions import can_grant, place_fits_role

MAX_OPEN_BINDINGS = 5


@transaction.atomic
def role_grant(*, actor, user: User, role: str, area=None, organisation=None, request=None) -> RoleGrant:
    if role not in Role.values or role == Role.RESIDENT:
        raise InvalidInput(_("无法授予该角色"), field="role")
    if area is not None and organisation is not None:
        raise InvalidInput(_("角色只能属于一个区域或一个组织"), field="area")
    if not place_fits_role(role, area=area, organisation=organisation):
        raise InvalidInput(_("“%(role)s”不能授予在这里：请选择正确类型的区域或组织") % {"role": Role(role).label},
                           field="area")
    if user.pk == getattr(actor, "pk", None) and not getattr(actor, "is_superuser", False):
        raise NotPermitted(_("不能给自己授予角色，请由上级或系统管理员授予"))
    if not can_grant(actor, role, area=area, organisation=organisation):
        raise NotPermitted(_("您无权在此授予该角色"))
    try:
        with transaction.atomic():
            grant = RoleGrant.objects.create(user=user, role=role, area=area, organisation=organisation,
                                             granted_by=actor)
    except IntegrityError:
        raise Conflict(_("该账号已拥有此角色"), code="role_exists") from None
    audit(actor=actor, action=Action.GRANT_ROLE, target=grant, request=request,
          summary=f"{user.username}: {grant}", data={"user": user.pk, "role": role})
    forget(user)
    return grant


@transaction.atomic
def role_revoke(*, actor, grant: RoleGrant, request=None) -> RoleGrant:
    grant = RoleGrant.objects.select_for_update(of=("self",)).select_related("area", "organisation").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise TransitionNotAllowed(_("该角色已被撤销"))
    if not can_grant(actor, grant.role, area=grant.area, organisation=grant.organisation):
        raise NotPermitted(_("您无权撤销该角色"))
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit(actor=actor, action=Action.REVOKE_ROLE, target=grant, request=request,
          summary=f"{grant.user.username}: {grant}", data={"user": grant.user_id, "role": grant.role})
    forget(grant.user)
    return grant


# --- household bindings -----------------------------------------------------------------------------


def _candidate(household: Household, name: str, id_last4: str) -> Resident | None:
    """The registered person the claim most likely means: same name, and same last four ID digits if given."""
    people = list(household.residents.filter(name=name))
    if id_last4:
        people = [p for p in people if (p.id_number or "").endswith(id_last4)]
    return people[0] if len(people) == 1 else None


@transaction.atomic
def binding_request(*, user: User, household: Household, claimed_name: str, claimed_id_last4: str = "") -> HouseholdBinding:
    """A resident asks to act for a household. A worker checks the claim against the ledger and verifies it."""
    name = " ".join((claimed_name or "").split())
    if not name:
        raise InvalidInput(_("请填写您的姓名"), field="claimed_name")
    longest = HouseholdBinding._meta.get_field("claimed_name").max_length
    if len(name) > longest:  # PostgreSQL refused the row: a server error (issue 21)
        raise InvalidInput(_("姓名最多%(n)d个字") % {"n": longest}, field="claimed_name")
    # full-width ４５６Ｘ as typed on a phone's Chinese keyboard reads as 456X; \d-style checks took any digit
    last4 = unicodedata.normalize("NFKC", claimed_id_last4 or "").strip().upper()
    if last4 and not re.fullmatch(r"[0-9]{3}[0-9X]", last4):
        raise InvalidInput(_("身份证后四位应为4个字符，例如 123X"), field="claimed_id_last4")
    open_count = HouseholdBinding.objects.filter(
        user=user, status__in=[BindingStatus.PENDING, BindingStatus.VERIFIED]
    ).count()
    if open_count >= MAX_OPEN_BINDINGS:
        raise Conflict(_("您绑定或申请绑定的户已达上限"), code="too_many_bindings")
    try:
        with transaction.atomic():
            binding = HouseholdBinding.objects.create(
                user=user, household=household, claimed_name=name, claimed_id_last4=last4,
                resident=_candidate(household, name, last4),
            )
    except IntegrityError:
        raise Conflict(_("您已申请或已绑定该户"), code="binding_exists") from None
    return binding


def _lock_pending(binding: HouseholdBinding, actor) -> HouseholdBinding:
    binding = HouseholdBinding.objects.select_for_update(of=("self",)).select_related("household").get(pk=binding.pk)
    if not scope_for(actor, Perm.VERIFY_BINDING).covers(binding.household):
        raise NotPermitted(_("您无权审核该户的绑定申请"))
    if binding.status != BindingStatus.PENDING:
        raise TransitionNotAllowed(
            _("该申请当前状态为“%(s)s”，不能再审核") % {"s": binding.get_status_display()}
        )
    return binding


@transaction.atomic
def binding_verify(*, actor, binding: HouseholdBinding, resident: Resident | None = None, request=None) -> HouseholdBinding:
    binding = _lock_pending(binding, actor)
    resident = resident or binding.resident
    if resident is not None and resident.household_id != binding.household_id:
        raise InvalidInput(_("所选居民不属于该户"), field="resident")
    binding.status = BindingStatus.VERIFIED
    binding.resident = resident
    binding.decided_by = actor
    binding.decided_at = timezone.now()
    binding.save()
    audit(actor=actor, action=Action.VERIFY_BINDING, target=binding, request=request,
          summary=_("通过户绑定"), data={"household": binding.household_id, "user": binding.user_id})
    events.publish(BindingDecided(binding_id=binding.pk, user_id=binding.user_id, verified=True))
    return binding


@transaction.atomic
def binding_reject(*, actor, binding: HouseholdBinding, reason: str, request=None) -> HouseholdBinding:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请写明不通过的原因，居民会看到它"), field="reason")
    binding = _lock_pending(binding, actor)
    binding.status = BindingStatus.REJECTED
    binding.reason = reason[:200]
    binding.decided_by = actor
    binding.decided_at = timezone.now()
    binding.save()
    audit(actor=actor, action=Action.VERIFY_BINDING, target=binding, request=request,
          summary=_("驳回户绑定"), data={"household": binding.household_id, "user": binding.user_id})
    events.publish(BindingDecided(binding_id=binding.pk, user_id=binding.user_id, verified=False,
                                  reason=binding.reason))
    return binding


@transaction.atomic
def binding_revoke(*, actor, binding: HouseholdBinding) -> HouseholdBinding:
    """The resident leaves a household, or a worker ends a binding (moved away)."""
    binding = HouseholdBinding.objects.select_for_update(of=("self",)).select_related("household").get(pk=binding.pk)
    own = binding.user_id == actor.pk
    if not own and not scope_for(actor, Perm.VERIFY_BINDING).covers(binding.household):
        raise NotPermitted(_("您无权解除该绑定"))
    if binding.status not in (BindingStatus.PENDING, BindingStatus.VERIFIED):
        raise TransitionNotAllowed(_("该绑定已结束"))
    binding.status = BindingStatus.REVOKED
    binding.decided_by = actor
    binding.decided_at = timezone.now()
    binding.save()
    return binding


def verified_households(user):
    """Households the user may act for: verified bindings only (实名认证 before acting, issue 3)."""
    if not getattr(user, "is_authenticated", False):
        return Household.objects.none()
    return Household.objects.filter(bindings__user=user, bindings__status=BindingStatus.VERIFIED)


def has_verified_home(user, *, household_id: int | None = None, community_id: int | None = None) -> bool:
    """Whether ``user`` may act for that household (or for some household in that community): the check behind
    every resident's filing, so written as one EXISTS instead of compiling verified_households() per request."""
    if not getattr(user, "is_authenticated", False):
        return False
    column, value = ("id", household_id) if household_id is not None else ("community_id", community_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {HouseholdBinding._meta.db_table} b "
            f"JOIN {Household._meta.db_table} h ON h.id = b.household_id "
            f"WHERE b.user_id = %s AND b.status = %s AND h.{column} = %s)",
            [user.pk, BindingStatus.VERIFIED.value, value])
        return bool(cursor.fetchone()[0])


# --- API tokens ---------------------------------------------------------------------------------------


def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token, working for ``API_TOKEN_DAYS``; its key is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("请填写令牌用途"), field="name")
    return ApiToken.issue(user=user, name=name[:60])


def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise NotPermitted(_("只能撤销自己的令牌"))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
