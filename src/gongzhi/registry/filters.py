"""The resident list's filters, shared by the staff page and the API (one meaning of each filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.access.scopes import Perm, scope_for

from .choices import AreaKind, Gender, ResidentStatus, SpecialFamily, Tenure
from .models import Area, Resident
from .permissions import areas_visible_to, residents_visible_to
from .selectors import count_number_search, filter_tag, full_view, search_residents, under, with_owned_area

CARE_TAGS = frozenset({"elderly", "elderly_alone", "lives_alone", "party_member", "special",
                       *(f"special:{code}" for code in SpecialFamily.values)})
TAG_CHOICES = [
    ("elderly", _("60岁以上")),
    ("elderly_alone", _("独居老人")),
    ("lives_alone", _("独居")),
    ("party_member", _("党员")),
    ("volunteer", _("志愿者")),
    ("special", _("特殊家庭（全部）")),
    *[(f"special:{code}", label) for code, label in SpecialFamily.choices],
]


class ResidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("搜索"),
                                  widget=forms.TextInput(attrs={"placeholder": _("姓名、电话后四位、门牌号、身份证号"),
                                                                "data-search": "", "type": "search"}))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.none(), method="filter_area", label=_("区域"))
    tag = django_filters.ChoiceFilter(choices=TAG_CHOICES, method="filter_tag", label=_("标签"), empty_label=_("全部"))
    status = django_filters.ChoiceFilter(choices=ResidentStatus.choices, label=_("状态"), empty_label=_("全部状态"))
    tenure = django_filters.ChoiceFilter(choices=Tenure.choices, label=_("产权关系"), empty_label=_("全部"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("性别"), empty_label=_("全部"))

    class Meta:
        model = Resident
        fields = ["q", "area", "tag", "status", "tenure", "gender"]

    def __init__(self, data=None, *args, viewer, **kwargs):
        data = data.copy() if data is not None else {}
        if "status" not in data:
            data["status"] = ResidentStatus.PRESENT  # the ledger lists people living here unless asked
        super().__init__(data, *args, queryset=residents_visible_to(viewer), **kwargs)
        self.viewer = viewer
        self.care = scope_for(viewer, Perm.VIEW_CARE_DATA)
        self.filters["area"].queryset = areas_visible_to(viewer)
        if not self.care:  # a partner: care tags and ID numbers are not hers to filter or search by (nor to see)
            self.filters["tag"].extra["choices"] = [c for c in TAG_CHOICES if c[0] not in CARE_TAGS]
            self.filters["q"].extra["widget"] = forms.TextInput(attrs={
                "placeholder": _("姓名、电话后四位、门牌号"), "data-search": "", "type": "search"})

    def area_choices(self):
        """The areas offered in the picker: communities, grids and compounds (buildings come from the tree)."""
        return (areas_visible_to(self.viewer).filter(kind__in=[AreaKind.COMMUNITY, AreaKind.GRID, AreaKind.COMPOUND])
                .select_related("community").order_by("community_id", "kind", "position", "name"))

    def filter_area(self, queryset, name, value):
        return under(queryset, value) if value else queryset

    def filter_tag(self, queryset, name, value):
        if value and value not in CARE_TAGS:
            return filter_tag(queryset, value)
        # a care tag finds only residents whose tags the viewer sees: a filter must not tell what a page hides
        return filter_tag(queryset.filter(self.care.q()), value) if value else queryset

    def filter_q(self, queryset, name, value):
        count_number_search(self.viewer, value)
        return search_residents(queryset, value, full=full_view(self.viewer),
                                care=self.care.q() if self.care else None) if value.strip() else queryset

    @property
    def qs(self):
        # pages of this are finished by selectors.attach_places (addresses and grids in one query)
        # and each resident's owned floor area, summed over her parts, as one more column
        return with_owned_area(super().qs).select_related("household").prefetch_related("special_families").order_by(
            "id")
