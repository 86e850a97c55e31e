from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.core.admin import ReadOnlyAdmin

from .models import Notification, OutboxMessage


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    search_fields = ["user__username", "title"]
    list_select_related = ["user"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "state", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["channel", "state"]
    exclude = ["recipient", "body"]  # a phone number: personal data; the body may be a code or a password
    readonly_fields = ["shown_body"]

    @admin.display(description=_("内容"))
    def shown_body(self, obj):
        return _("（验证码或临时密码，不显示）") if obj.secret else obj.body
