"""Django admin for accounts. Phones are masked here as everywhere (``core.masking``): in the lists, on the change
form, and in a user name that is a mobile number (residents register with theirs). An administrator reveals one
phone by a deliberate POST that is written to the audit trail, as staff reveal a resident's phone; search matches a
whole phone number or its last four digits, never a prefix, so it cannot recover what the lists mask."""
import re

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gongzhi.core.admin import ReadOnlyAdmin
from gongzhi.core.audit import Action, audit
from gongzhi.core.masking import mask_phone
from gongzhi.registry.validators import is_mobile, normalise_phone

from .models import ApiToken, DataRequest, HouseholdBinding, RoleGrant, User


def shown_username(username: str) -> str:
    """A user name that is a mobile number (a resident registered with hers) is shown masked, as the phone is."""
    return mask_phone(username) if is_mobile(username or "") else username


def user_search(search_term: str, *, user: str = "") -> Q:
    """What an administrator's search matches, without recovering a masked number: a whole mobile number or its
    last four digits (as the masked phone shows them) find the account; any other run of digits only a user name
    equal to it; words find names and non-numeric user names. ``user`` prefixes the fields (``user__``)."""
    term = " ".join(search_term.split())
    compact = normalise_phone(term).replace("-", "")
    if compact.isdigit():
        if is_mobile(compact):
            return Q(**{f"{user}phone": compact}) | Q(**{f"{user}username": compact})
        if len(compact) == 4:
            return Q(**{f"{user}phone__endswith": compact}) | Q(**{f"{user}username": compact})
        return Q(**{f"{user}username": compact})
    found = Q()
    for word in term.split():
        # a word with letters never matches a numeric user name by a part of its digits
        words = Q(**{f"{user}display_name__icontains": word})
        if not re.fullmatch(r"[\d\s+\-()]*", word):
            words |= Q(**{f"{user}username__icontains": word})
        found &= words
    return found


class SafeSearch:
    """Admin search through ``user_search`` (the fields of ``user_lookup``), plus the admin's own fields."""

    user_lookup = "user__"
    other_search_fields: list[str] = []

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        found = user_search(search_term, user=self.user_lookup)
        for field in self.other_search_fields:
            found |= Q(**{f"{field}__icontains": search_term.strip()})
        return queryset.filter(found), False


class MaskedUserChangeForm(UserChangeForm):
    """The phone is never put into the form: its field starts empty and changes the number only when filled."""

    phone = forms.CharField(label=_("更换手机号"), required=False, max_length=20,
                            help_text=_("留空则不修改；当前号码见上方（已隐藏）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["phone"] = ""

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        if not value:
            return self.instance.phone
        phone = normalise_phone(value)
        if not is_mobile(phone):
            raise forms.ValidationError(_("请填写11位手机号"))
        return phone


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
class UserAdmin(SafeSearch, BaseUserAdmin):
    form = MaskedUserChangeForm
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("共治"), {"fields": ("display_name", "phone_masked", "phone", "large_text")}),)
    list_display = ["username_masked", "display_name", "phone_masked", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name"]  # through user_search: never a prefix of a number
    search_help_text = _("姓名、用户名，或完整手机号、手机号后四位")
    user_lookup = ""
    readonly_fields = ["phone_masked"]
    inlines = [RoleGrantInline]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not is_mobile(obj.username or ""):
            return fieldsets
        # her user name is her phone number: shown masked, not editable here
        return tuple((name, {**opts, "fields": tuple("username_masked" if f == "username" else f
                                                     for f in opts["fields"])}) for name, opts in fieldsets)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "username_masked"]

    @admin.display(description=_("用户名"), ordering="username")
    def username_masked(self, obj):
        return shown_username(obj.username)

    @admin.display(description=_("手机号"))
    def phone_masked(self, obj):
        if not obj.pk or not obj.phone:
            return obj.masked_phone if obj.pk else ""
        url = reverse("admin:accounts_user_phone", args=[obj.pk])
        return format_html('{} <a href="{}">{}</a>', obj.masked_phone, url, _("显示号码"))

    def get_urls(self):
        return [path("<int:pk>/phone/", self.admin_site.admin_view(self.phone_view), name="accounts_user_phone"),
                *super().get_urls()]

    def phone_view(self, request, pk):
        """One account's full phone number: asked for on a page of its own, shown only in answer to a POST, and
        each showing written to the audit trail (view_personal_data), as staff reveal a resident's phone."""
        user = get_object_or_404(User, pk=pk)
        if not self.has_view_or_change_permission(request, user):
            raise PermissionDenied
        revealed = request.method == "POST"
        if revealed:
            audit(actor=request.user, action=Action.VIEW_PERSONAL_DATA, target=user, request=request,
                  summary=str(_("管理后台查看手机号")), data={"fields": ["phone"], "via": "admin"})
        return TemplateResponse(request, "admin/accounts/user/phone.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": user,
            "title": _("查看手机号"), "shown": user.phone if revealed else user.masked_phone, "revealed": revealed,
            "username": shown_username(user.username),
        })


@admin.register(RoleGrant)
class RoleGrantAdmin(SafeSearch, ReadOnlyAdmin):
    list_display = ["user", "role", "area", "organisation", "granted_by", "granted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "area__name", "organisation__name"]
    other_search_fields = ["area__name", "organisation__name"]
    list_select_related = ["user", "area", "organisation", "granted_by"]


@admin.register(HouseholdBinding)
class HouseholdBindingAdmin(SafeSearch, ReadOnlyAdmin):
    list_display = ["user", "household", "claimed_name", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__username", "claimed_name"]
    other_search_fields = ["claimed_name"]
    list_select_related = ["user", "household", "decided_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(SafeSearch, ReadOnlyAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    other_search_fields = ["name", "prefix"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # needed for the revoke action; every field stays read-only

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset):
        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("已撤销 %(n)d 个令牌") % {"n": n})


@admin.register(DataRequest)
class DataRequestAdmin(SafeSearch, ReadOnlyAdmin):
    """Residents' requests to correct or delete their data: handled on /staff/data-requests/, read here."""

    list_display = ["user", "kind", "status", "community", "created_at", "handled_by", "handled_at"]
    list_filter = ["kind", "status"]
    search_fields = ["user__username", "community__name"]
    other_search_fields = ["community__name"]
    list_select_related = ["user", "community", "handled_by"]
