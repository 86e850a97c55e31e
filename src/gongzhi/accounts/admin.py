from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.admin import ReadOnlyAdmin

from .models import ApiToken, HouseholdBinding, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    """Grants are shown here; they are given in the staff console (角色授权), where the grant rules apply."""

    model = RoleGrant
    fk_name = "user"
    fields = ["role", "area", "organisation", "granted_by", "granted_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("共治"), {"fields": ("display_name", "phone", "large_text")}),)
    list_display = ["username", "display_name", "phone", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name", "phone"]
    inlines = [RoleGrantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "area", "organisation", "granted_by", "granted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "area__name", "organisation__name"]
    list_select_related = ["user", "area", "organisation", "granted_by"]


@admin.register(HouseholdBinding)
class HouseholdBindingAdmin(ReadOnlyAdmin):
    list_display = ["user", "household", "claimed_name", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__username", "claimed_name"]
    list_select_related = ["user", "household", "decided_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # needed for the revoke action; every field stays read-only

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset):
        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("已撤销 %(n)d 个令牌") % {"n": n})
