"""Notifications: always in the app; SMS and e-mail through an outbox a worker drains.

A failing SMS gateway delays a message and never undoes what it reports: the outbox row is written in the
same transaction as the change, and delivery happens later, retried with back-off.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             db_index=False)  # the two indexes below start with it
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    # where the message's one-tap answer posts (the rating buttons under an appeal's reply), if it asks for one
    answer_url = models.CharField(_("答复链接"), max_length=200, blank=True)
    key = models.CharField(max_length=80, help_text=_("同一件事只通知一次"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读于"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user")]
        indexes = [models.Index(fields=["user", "read_at", "id"], name="notification_inbox_idx")]

    def __str__(self):
        return self.title


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notification = models.OneToOneField(Notification, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="outbox")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("收件人"), max_length=200)
    subject = models.CharField(_("主题"), max_length=120, blank=True)
    body = models.TextField(_("内容"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    # the body is a one-time code or a temporary password: nobody reads it here, and it is gone once sent
    secret = models.BooleanField(_("含验证码或密码"), default=False)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.channel} → {self.recipient}"
