"""Residents register and recover their password themselves, with a code sent by SMS to their mobile (through
the outbox: accounts publishes ``CodeSent``, notifications queues the SMS); staff can reset a resident's password,
which sends her a temporary one by SMS and is audited. The household binding follows as before (实名认证)."""
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.access.scopes import Perm, scope_for
from gongzhi.core import events
from gongzhi.core.audit import Action, audit
from gongzhi.core.errors import Conflict, InvalidInput, NotPermitted
from gongzhi.registry.validators import is_mobile, normalise_phone

from .choices import BindingStatus
from .events import CodeSent, TemporaryPassword
from .models import HouseholdBinding, PhoneCode, User

RESEND_SECONDS = 60
PER_DAY = 5


def _mobile(phone: str) -> str:
    phone = normalise_phone(phone)
    if not is_mobile(phone):
        raise InvalidInput(_("请填写11位手机号"), field="phone")
    return phone


@transaction.atomic
def code_send(*, phone: str, purpose: str) -> None:
    """Send a 6-digit code to ``phone`` (once a minute, five times a day). For a reset, a phone with no account
    gets no SMS but the same answer, so the page does not tell who has an account."""
    phone = _mobile(phone)
    now = timezone.now()
    exists = User.objects.filter(phone=phone).exists()
    if purpose == PhoneCode.Purpose.REGISTER and exists:
        raise Conflict(_("这个手机号已经注册过了，可以直接登录，或用“忘记密码”找回"), code="registered")
    recent = PhoneCode.objects.filter(phone=phone, purpose=purpose, created_at__gte=now - timedelta(days=1))
    if recent.filter(created_at__gte=now - timedelta(seconds=RESEND_SECONDS)).exists():
        raise Conflict(_("验证码已发送，请%(n)s秒后再试") % {"n": RESEND_SECONDS}, code="too_soon")
    if recent.count() >= PER_DAY:
        raise Conflict(_("今天获取验证码的次数太多了，请明天再试"), code="too_many")
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.create(phone=phone, purpose=purpose, code_hash=PhoneCode.digest(phone, code),
                             expires_at=now + timedelta(minutes=PhoneCode.CODE_MINUTES))
    if purpose == PhoneCode.Purpose.REGISTER or exists:
        events.publish(CodeSent(phone=phone, code=code, purpose=purpose))


def _spend(phone: str, purpose: str, code: str) -> None:
    """Use up the latest code for this phone and purpose if ``code`` is it (it works once). A wrong guess is
    counted in a transaction of its own, so refusing the request does not undo the count (five, then no more)."""
    with transaction.atomic():
        record = (PhoneCode.objects.select_for_update().filter(phone=phone, purpose=purpose, used_at__isnull=True)
                  .order_by("-created_at").first())
        now = timezone.now()
        if record is None or record.expires_at < now or record.tries >= PhoneCode.CODE_TRIES:
            failure = _("验证码已过期，请重新获取")
        elif record.code_hash != PhoneCode.digest(phone, (code or "").strip()):
            record.tries += 1
            record.save(update_fields=["tries"])
            failure = _("验证码不正确")
        else:
            record.used_at, failure = now, None
            record.save(update_fields=["used_at"])
    if failure:
        raise InvalidInput(failure, field="code")


def _password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise InvalidInput(" ".join(e.messages), field="password") from None


def register(*, phone: str, code: str, name: str, password: str) -> User:
    """A resident's own account, named by her mobile; she then binds her household (实名认证). Everything is
    checked before the code is used up."""
    phone = _mobile(phone)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("请填写您的姓名"), field="name")
    user = User(username=phone, phone=phone, display_name=name[:50])
    _password(password, user)
    _spend(phone, PhoneCode.Purpose.REGISTER, code)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(_("这个手机号已经注册过了，可以直接登录"), code="registered") from None
    return user


def password_reset(*, phone: str, code: str, password: str) -> User:
    phone = _mobile(phone)
    user = User.objects.filter(phone=phone, is_active=True).first()
    _password(password, user)
    _spend(phone, PhoneCode.Purpose.RESET, code)
    if user is None:  # no code is ever sent for a phone without an account: answered as a wrong code
        raise InvalidInput(_("验证码不正确"), field="code")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def may_reset(actor, user: User) -> bool:
    """A worker who verifies bindings where the resident lives (not staff accounts: those are the roles' admins')."""
    if user.role_grants.filter(revoked_at__isnull=True).exists() or user.is_superuser:
        return False
    scope = scope_for(actor, Perm.VERIFY_BINDING)
    if scope.everywhere:
        return True
    homes = HouseholdBinding.objects.filter(user=user, status__in=(BindingStatus.VERIFIED, BindingStatus.PENDING))
    return any(scope.covers(b.household) for b in homes.select_related("household"))


@transaction.atomic
def password_reset_by_staff(*, actor, user: User, request=None) -> None:
    """A resident who cannot receive the code herself asks at the desk: a temporary password goes to her phone by
    SMS (the worker never sees it) and she changes it after logging in. Audited."""
    if not may_reset(actor, user):
        raise NotPermitted(_("您无权重置该账号的密码"))
    if not user.phone:
        raise InvalidInput(_("该账号没有手机号，无法发送临时密码"), field="phone")
    temporary = f"{secrets.randbelow(10**8):08d}"
    user.set_password(temporary)
    user.save(update_fields=["password"])
    audit(actor=actor, action=Action.CHANGE, target=user, request=request, summary=_("重置居民密码"),
          data={"user": user.pk})
    events.publish(TemporaryPassword(user_id=user.pk, phone=user.phone, password=temporary))
