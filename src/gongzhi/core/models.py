from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ImportBatch(TimeStamped):
    """One uploaded file a worker imports (a household ledger, a 12345 file): who sent it, how it went, and the
    report of the rows refused, row by row. Each kind adds its own counts."""

    class Status(models.TextChoices):
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    STALE_AFTER_S = 900  # a batch started longer ago than this lost its worker: nothing of it was written
    WAITING_LONG_S = 120  # a batch no worker took within this: is the clock (or a Celery worker) running?

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    refused = models.PositiveIntegerField(_("错误行"), default=0)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    failure = models.TextField(_("失败原因"), blank=True)
    started_at = models.DateTimeField(_("开始处理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-id"]

    def __str__(self):
        return self.file_name

    @classmethod
    def claim(cls, pk: int) -> bool:
        """Take a waiting batch to run it: of two workers handed the same batch, exactly one gets it."""
        return bool(cls.objects.filter(pk=pk, status=cls.Status.RUNNING, started_at__isnull=True)
                    .update(started_at=timezone.now()))

    @classmethod
    def waiting(cls):
        """Batches no worker has taken yet, oldest first."""
        return cls.objects.filter(status=cls.Status.RUNNING, started_at__isnull=True).order_by("id")

    @classmethod
    def fail_stale(cls) -> int:
        """Mark failed the batches whose worker died (killed, out of memory, the machine restarted): the import's
        one transaction wrote nothing, and the file is kept so that the uploader can start it again."""
        now = timezone.now()
        return cls.objects.filter(
            status=cls.Status.RUNNING, started_at__lt=now - timedelta(seconds=cls.STALE_AFTER_S)).update(
            status=cls.Status.FAILED, finished_at=now, updated_at=now,
            failure=str(_("导入中断（处理进程意外退出），未做任何修改；可以点“重新导入”再试一次")))

    def reopen(self) -> bool:
        """Put a failed batch back in the queue, as uploaded; False if it is not failed (any more)."""
        reopened = type(self).objects.filter(pk=self.pk, status=self.Status.FAILED).update(
            status=self.Status.RUNNING, started_at=None, finished_at=None, failure="", errors=[], rows=0, refused=0,
            updated_at=timezone.now())
        if reopened:
            self.refresh_from_db()
        return bool(reopened)

    @property
    def stale(self) -> bool:
        """Started, and its worker gone (before the clock marks it failed)."""
        return (self.status == self.Status.RUNNING and self.started_at is not None
                and (timezone.now() - self.started_at).total_seconds() > self.STALE_AFTER_S)

    @property
    def waiting_long(self) -> bool:
        return (self.status == self.Status.RUNNING and self.started_at is None
                and (timezone.now() - self.created_at).total_seconds() > self.WAITING_LONG_S)


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be changed")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be deleted")


class AppendOnly(models.Model):
    """Rows are written once. The database refuses UPDATE (and on PostgreSQL DELETE) too: core.db.append_only."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")


class AuditEvent(AppendOnly):
    """Who looked at or changed what, when, from where. Every staff access to personal data lands here."""

    class Action(models.TextChoices):
        VIEW_PERSONAL_DATA = "view_personal_data", _("查看个人信息")
        EXPORT_PERSONAL_DATA = "export_personal_data", _("导出个人信息")
        IMPORT_LEDGER = "import_ledger", _("导入台账")
        CHANGE = "change", _("修改")
        GRANT_ROLE = "grant_role", _("授予角色")
        REVOKE_ROLE = "revoke_role", _("撤销角色")
        VERIFY_BINDING = "verify_binding", _("实名认证")
        LOGIN_FAILED = "login_failed", _("登录失败")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=40, choices=Action.choices)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [
            models.Index(fields=["target_type", "target_id", "at"], name="audit_target_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.target_type}#{self.target_id}"
