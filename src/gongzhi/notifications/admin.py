from django.contrib import admin

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
    exclude = ["recipient"]  # a phone number: personal data
