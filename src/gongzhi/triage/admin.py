from django.contrib import admin

from .models import ClassifierModel, LabelMapping, Triage


@admin.register(LabelMapping)
class LabelMappingAdmin(admin.ModelAdmin):
    """Which catalogue category each label of the shared city data trains (takes effect at the next training)."""

    list_display = ["label", "category"]
    list_editable = ["category"]


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    list_display = ["version", "trained_at", "catalogue_examples", "shared_examples", "own_examples", "corrections", "seconds",
                    "catalogue", "file"]
    readonly_fields = [f.name for f in ClassifierModel._meta.fields]

    def has_add_permission(self, request):
        return False  # models come from `manage.py triage_train`


@admin.register(Triage)
class TriageAdmin(admin.ModelAdmin):
    list_display = ["appeal", "model_version", "confidence", "applied", "place_area", "created_at"]
    list_filter = ["applied", "model_version"]
    raw_id_fields = ["appeal", "place_area"]
    readonly_fields = ["suggestions", "place"]

    def has_add_permission(self, request):
        return False  # the machine's first read of an appeal is written once, by triage, never by hand
