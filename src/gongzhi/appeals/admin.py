"""Administrators edit the catalogue, the routing rules and the calendar; appeals change only through services."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.core.admin import ReadOnlyAdmin

from .models import (
    Appeal,
    AppealEvent,
    AppealRating,
    AppealRequest,
    CalendarDay,
    Category,
    EscalationRung,
    ReplyTemplate,
    RoutingRule,
    Supervision,
    Whistle,
)


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    fields = ["area", "role", "organisation_kind", "organisation", "position", "note"]
    autocomplete_fields = ["area", "organisation"]
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "priority", "respond_hours", "resolve_hours", "is_active", "position",
                    "example_count"]
    list_filter = ["priority", "is_active", "parent"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    inlines = [RoutingRuleInline]

    @admin.display(description=_("例句数"))
    def example_count(self, category):
        # the classifier learns a new category from these: one with none is suggested only once appeals of it
        # have been chosen by people
        return len(category.example_lines)

    def has_delete_permission(self, request, obj=None):
        return False  # appeals keep their category; retire one with "is_active"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":  # two levels: a parent is a first-level category
            kwargs["queryset"] = Category.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if {"name", "description", "examples", "parent", "is_active"} & set(form.changed_data):
            self.message_user(request, _("智能分拨将在几分钟内按新的类别和例句重新学习。"))


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "area", "role", "organisation_kind", "organisation", "position"]
    list_filter = ["role", "category__parent"]
    autocomplete_fields = ["area", "organisation"]
    list_select_related = ["category__parent", "area", "organisation"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"


class AppealEventInline(admin.TabularInline):
    model = AppealEvent
    fields = ["at", "action", "actor", "party", "from_state", "to_state", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["number", "channel", "category", "priority", "state", "party", "created_at"]
    list_filter = ["state", "channel", "priority", "proactive"]
    search_fields = ["number", "hotline_order_no"]
    list_select_related = ["category__parent", "party"]
    exclude = ["contact_phone"]
    inlines = [AppealEventInline]


@admin.register(Whistle)
class WhistleAdmin(ReadOnlyAdmin):
    list_display = ["appeal", "department", "subdistrict", "blown_at", "report_due_at", "reported_at", "handler_name"]
    list_select_related = ["appeal", "department", "subdistrict"]


@admin.register(EscalationRung)
class EscalationRungAdmin(admin.ModelAdmin):
    """The escalation ladder: its rungs, their times and names, as data."""

    list_display = ["ladder", "level", "name", "target", "after_hours", "is_active"]
    list_filter = ["ladder"]
    list_editable = ["after_hours", "is_active"]


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ["appeal", "kind", "level", "by", "issued_at", "answered_at"]
    list_filter = ["kind", "level"]
    list_select_related = ["appeal"]


@admin.register(AppealRequest)
class AppealRequestAdmin(ReadOnlyAdmin):
    list_display = ["appeal", "kind", "party", "requested_at", "state", "decided_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["appeal", "party"]


@admin.register(AppealRating)
class AppealRatingAdmin(ReadOnlyAdmin):
    list_display = ["appeal", "rating", "via", "round", "party", "at"]
    list_filter = ["rating", "via"]
    list_select_related = ["appeal", "party"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """The city's reply templates (no community); a community's own are kept by its workers in the console."""

    list_display = ["title", "category", "community", "is_active", "position"]
    list_filter = ["is_active", "category__parent"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["community"]
    list_select_related = ["category__parent", "community"]
