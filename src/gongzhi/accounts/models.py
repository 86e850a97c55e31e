import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.access.roles import Role
from gongzhi.core.db import from_row, select_columns
from gongzhi.core.masking import mask_phone
from gongzhi.core.models import TimeStamped

from .choices import BindingStatus

_MOBILE = re.compile(r"1[3-9]\d{9}")


class User(AbstractUser):
    """An account. Staff powers come from RoleGrants; a resident acts for the households bound to it."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, null=True, blank=True, unique=True)
    large_text = models.BooleanField(_("大字模式"), default=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self):
        # a resident who registered herself is named by her mobile number: shown masked wherever she is named
        return self.display_name or (mask_phone(self.username) if _MOBILE.fullmatch(self.username or "")
                                     else self.username)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def save(self, *args, **kwargs):
        # A token is a standing password: it ends with the password it was issued under. Every way a password changes
        # (her own form, the SMS reset, staff's temporary password, the admin, manage.py changepassword) is
        # set_password then save; a hash upgraded at log-in is not a change (Django clears _password for it)
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self, revoked_at__isnull=True).update(revoked_at=timezone.now())


class RoleGrant(models.Model):
    """A role held over an area (a grid worker's grid) or an organisation (property staff's company)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        "registry.Area", verbose_name=_("负责区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("所属组织"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("授予时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=True) | Q(organisation__isnull=True), name="role_grant_area_or_org"
            ),
            # only city-wide roles may be held without a place: a grant that forgot its place is refused
            # rather than silently becoming "everywhere"
            models.CheckConstraint(
                condition=Q(role__in=["city_operator", "administrator"])
                | Q(area__isnull=False) | Q(organisation__isnull=False),
                name="role_grant_has_place",
            ),
            # one active grant per role and place; three constraints because NULLs never collide
            models.UniqueConstraint(
                fields=["user", "role", "area"], condition=Q(revoked_at__isnull=True, area__isnull=False),
                name="role_grant_unique_area",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(revoked_at__isnull=True, organisation__isnull=False), name="role_grant_unique_org",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(revoked_at__isnull=True, area__isnull=True, organisation__isnull=True),
                name="role_grant_unique_global",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="role_grant_user_idx")]

    def __str__(self):
        where = self.area or self.organisation or _("全市")
        return f"{self.get_role_display()} @ {where}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class HouseholdBinding(TimeStamped):
    """A resident account claims a household (and which person in it); a worker verifies it (实名认证)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bindings")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="bindings")
    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("对应居民"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="bindings",
    )
    claimed_name = models.CharField(_("申请人姓名"), max_length=50)
    claimed_id_last4 = models.CharField(_("身份证后四位"), max_length=4, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=BindingStatus.choices, default=BindingStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("户绑定")
        verbose_name_plural = _("户绑定")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "household"], condition=Q(status__in=["pending", "verified"]),
                name="binding_unique_open",
            ),
        ]
        indexes = [models.Index(fields=["household", "status"], name="binding_household_idx")]

    def __str__(self):
        return f"{self.user} → {self.household_id} ({self.get_status_display()})"


def _hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """Bearer token for the API. Only its SHA-256 is stored; the key is shown once, at creation. It works until it
    expires (``API_TOKEN_DAYS`` after its issue), is revoked, or its user's password changes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=60)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def issue(cls, *, user, name: str, expires_at=None) -> tuple["ApiToken", str]:
        key = "gz_" + secrets.token_urlsafe(32)
        expires_at = expires_at or timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)
        token = cls.objects.create(user=user, name=name, prefix=key[3:11], key_hash=_hash_token(key),
                                   expires_at=expires_at)
        return token, key

    @classmethod
    def why_refused(cls, key: str) -> str:
        """Why a key ``find_active`` did not find is refused, for the client to act on: ``token_expired`` (ask for a
        new one), ``token_revoked`` (revoked, or the password changed), or ``unauthorized``."""
        token = cls.objects.filter(key_hash=_hash_token(key)).only("revoked_at", "expires_at").first()
        if token is None:
            return "unauthorized"
        if token.revoked_at is not None:
            return "token_revoked"
        return "token_expired" if token.is_expired else "unauthorized"

    @classmethod
    def find_active(cls, key: str) -> "ApiToken | None":
        """The live token with this key, its user loaded. On every API request, so the query is written once
        here instead of compiled per call (core.db.from_row); the ORM filter it replaces is in the test."""
        user_model = cls._meta.get_field("user").related_model
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {select_columns(cls, 't')}, {select_columns(user_model, 'u')} "
                f"FROM {cls._meta.db_table} t JOIN {user_model._meta.db_table} u ON u.id = t.user_id "
                "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s AND t.expires_at > %s",
                [_hash_token(key), True, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            return None
        token = from_row(cls, row)
        token.user = from_row(user_model, row, len(cls._meta.concrete_fields))
        return token


class PhoneCode(models.Model):
    """A one-time SMS code proving a phone number: to register an account, or to set a forgotten password. Only
    its hash is kept; it expires after ``CODE_MINUTES`` and after ``CODE_TRIES`` wrong guesses."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("注册")
        RESET = "reset", _("找回密码")

    CODE_MINUTES = 10
    CODE_TRIES = 5

    phone = models.CharField(_("手机号"), max_length=20)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "purpose", "created_at"], name="phonecode_lookup_idx")]

    def __str__(self):
        return f"{mask_phone(self.phone)} {self.purpose}"

    @staticmethod
    def digest(phone: str, code: str) -> str:
        return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}:{code}".encode()).hexdigest()


class DataRequest(TimeStamped):
    """A resident asks to correct or delete what the system holds about her (个人信息保护法 arts. 46–47); the
    workers of her community (or the administrator, without a verified home) grant or refuse it with a reply."""

    class Kind(models.TextChoices):
        CORRECT = "correct", _("更正")
        DELETE = "delete", _("删除")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        DONE = "done", _("已办理")
        REFUSED = "refused", _("不予办理")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests")
    community = models.ForeignKey("registry.Area", verbose_name=_("社区"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("申请事项"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("申请内容"), max_length=1000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(_("答复"), max_length=1000, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField(_("办理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("个人信息申请")
        verbose_name_plural = _("个人信息申请")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], condition=Q(status="open"), name="data_request_one_open"),
        ]
        indexes = [models.Index(fields=["community", "status"], name="data_request_queue_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.user}"
