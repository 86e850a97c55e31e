from django.contrib import admin

from .models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only services may write: the admin shows them, it never edits around the rules."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "summary", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["summary", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
