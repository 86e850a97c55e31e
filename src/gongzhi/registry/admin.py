"""Django admin for administrators: browse everything, edit only what no rule guards.

Structure (where an area hangs, which household a person lives in) and personal data are changed in the staff
console, whose services keep the ancestry columns right and audit each access; here they are read-only and
personal data is masked.
"""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gongzhi.core.admin import ReadOnlyAdmin
from gongzhi.core.errors import DomainError

from . import services
from .models import (
    Area,
    Household,
    LedgerImport,
    Organisation,
    OrganisationArea,
    OrganisationMember,
    Resident,
)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "code", "compound_type"]
    list_filter = ["kind", "compound_type"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    fields = ["kind", "name", "parent", "code", "compound_type", "note"]

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "parent"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            if change:
                if "name" in form.changed_data:
                    services.area_rename(actor=request.user, area=obj, name=obj.name)
                Area.objects.filter(pk=obj.pk).update(code=obj.code, note=obj.note,
                                                      compound_type=obj.compound_type if obj.is_compound else "")
            else:
                created = services.area_create(actor=request.user, kind=obj.kind, name=obj.name, parent=obj.parent,
                                               code=obj.code, compound_type=obj.compound_type, note=obj.note)
                obj.pk = created.pk
        except DomainError as e:
            self.message_user(request, e.message, messages.ERROR)


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "community", "grid"]
    search_fields = ["room", "compound__name"]
    list_select_related = ["compound", "building", "unit", "community", "grid"]


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["name", "gender", "birth_date", "masked_id_number", "masked_phone", "household", "status"]
    list_filter = ["status", "gender", "is_party_member", "is_volunteer", "lives_alone"]
    search_fields = ["name"]
    list_select_related = ["household__compound", "household__building", "household__unit"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["masked_id_number", "masked_phone"]

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return obj.masked_phone


class OrganisationAreaInline(admin.TabularInline):
    model = OrganisationArea
    fields = ["area", "role", "since"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    can_delete = False
    readonly_fields = ["user", "resident", "name", "post"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "home_area", "contact_name", "contact_phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["home_area"]
    readonly_fields = ["kind", "home_area", "parent"]
    fields = ["kind", "name", "home_area", "parent", "credit_code", "contact_name", "contact_phone", "address",
              "description", "is_active"]
    inlines = [OrganisationAreaInline, OrganisationMemberInline]

    def has_add_permission(self, request):
        return False  # created in the staff console, which checks where the body may be registered

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerImport)
class LedgerImportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "file_name", "status", "rows", "created", "updated", "refused", "uploaded_by"]
    list_filter = ["status"]
    exclude = ["errors"]
