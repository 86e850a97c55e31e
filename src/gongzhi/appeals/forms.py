from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gongzhi.core.params import id_param
from gongzhi.core.tables import MAX_JSON_BYTES
from gongzhi.registry.models import Area, Organisation

from .choices import Channel, Outcome, Priority, Rating
from .models import Category

PLEASE_CHOOSE = _("（请选择）")


def _new_key() -> str:
    from uuid import uuid4

    return uuid4().hex


class RenderedElsewhere(forms.HiddenInput):
    """A hidden value the page renders itself (the desk's resident picker swaps it in with HTMX)."""

    def render(self, *args, **kwargs):
        return ""


class ClientKeyField(forms.CharField):
    """A key made when the form is shown: submitting it twice (a double tap, a resend) files one appeal."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, required=False, max_length=64, initial=_new_key, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to nine photos in one input; each is checked and re-encoded by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, (list, tuple)):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []
BY_RULES = _("按派单规则自动选择")


def category_choices(empty=PLEASE_CHOOSE):
    choices = [("", empty)]
    for c in Category.objects.filter(is_active=True).select_related("parent").order_by("position", "code"):
        choices.append((c.pk, f"{c.parent.name} / {c.name}" if c.parent_id else c.name))
    return choices


# A worker with more places than this (a subdistrict, the city's 12345 centre) finds one by typing its name.
PLACE_SELECT_MAX = 150


def place_label(area) -> str:
    """“阳光社区 阳光小区”: a grid or compound with its community, which two communities' names may share; a
    building with its compound too (“阳光社区 阳光小区3号楼”: every compound has a 1号楼)."""
    if area.community_id in (None, area.pk):
        return area.name
    if area.compound_id and area.compound_id != area.pk:
        return f"{area.community.name} {area.compound.name}{area.name}"
    return f"{area.community.name} {area.name}"


class PlaceSearchInput(forms.Widget):
    """The place as a search box: type part of a community, grid or compound name, pick one of what it finds.
    Only the chosen place's id is submitted, so the page never lists the thousands a city-wide worker has."""

    template_name = "appeals/widgets/place_search.html"

    def __init__(self, places, attrs=None):
        super().__init__(attrs)
        self.places = places

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = str(value or "")
        place = self.places.filter(pk=pk).first() if (pk := id_param(value)) else None
        context["place"], context["place_label"] = place, place_label(place) if place else ""
        return context


class DeskForm(forms.Form):
    """A walk-in, a phone call or a patrol find, entered by a worker (一张办公桌)."""

    channel = forms.ChoiceField(label=_("来源"), choices=[(Channel.DESK, Channel.DESK.label),
                                                          (Channel.HOTLINE, Channel.HOTLINE.label),
                                                          (Channel.PATROL, Channel.PATROL.label)])
    hotline_order_no = forms.CharField(label=_("12345工单号"), max_length=40, required=False,
                                       help_text=_("来源为12345热线时必填：同一工单号只登记一次"))
    resident = forms.IntegerField(widget=RenderedElsewhere, required=False)
    client_key = ClientKeyField()
    area = forms.ModelChoiceField(label=_("涉及地点"), queryset=Area.objects.none(), required=False,
                                  empty_label=_("（居民家中）"), help_text=_("选了居民、且问题就在他家时可不选"))
    category = forms.TypedChoiceField(label=_("类别"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                                    help_text=_("选了居民可不填：使用台账中的电话"))
    public = forms.BooleanField(label=_("居民同意公开"), required=False)
    photos = PhotosField(label=_("照片（最多9张）"))

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        area.queryset, area.label_from_instance = places, place_label
        if places[:PLACE_SELECT_MAX + 1].count() > PLACE_SELECT_MAX:
            area.widget = PlaceSearchInput(places)
        self.fields["category"].choices = category_choices()

    def clean(self):
        data = super().clean()
        if not data.get("area") and not data.get("resident"):
            self.add_error("area", _("请选择涉及地点，或先找到居民"))
        if data.get("channel") == Channel.HOTLINE and not (data.get("hotline_order_no") or "").strip():
            self.add_error("hotline_order_no", _("热线工单必须有工单号"))
        return data


class PortalForm(forms.Form):
    client_key = ClientKeyField()
    where = forms.ChoiceField(label=_("问题在哪里？"))
    category = forms.TypedChoiceField(label=_("问题类别（可不选）"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(label=_("遇到了什么问题？"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    contact_preference = forms.CharField(label=_("怎么联系您方便？（可不填）"), max_length=100, required=False)
    photos = PhotosField(label=_("照片（可不传，最多9张）"))
    public = forms.BooleanField(label=_("同意在社区公示栏公开（不显示姓名电话）"), required=False)

    def __init__(self, *args, places, **kwargs):
        """``places``: [(group label, [(value, label), …]), …] — her homes, then the shared parts of her
        compound and community (selectors.portal_places)."""
        super().__init__(*args, **kwargs)
        self.fields["where"].choices = places
        self.fields["category"].choices = [(c, label) for c, label in category_choices(_("不清楚，交给社区判断"))
                                           if c == "" or not str(label).count(" / ")]


class AcceptForm(forms.Form):
    category = forms.TypedChoiceField(label=_("类别"), coerce=int, required=False, empty_value=None)
    priority = forms.ChoiceField(label=_("优先级"), choices=[("", _("按类别默认"))] + list(Priority.choices),
                                 required=False)

    def __init__(self, *args, categorised: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # an appeal filed without a category must get one to be accepted: no "keep the category" to offer
        self.fields["category"].choices = category_choices(_("保持原类别") if categorised else _("请选择类别"))
        self.fields["category"].required = not categorised


class PartyForm(forms.Form):
    party = forms.TypedChoiceField(label=_("承办单位"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args, parties, empty=BY_RULES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", empty)] + [
            (o.pk, (_("结对 · ") if getattr(o, "is_paired", False) else "") + f"{o.get_kind_display()} · {o.name}")
            for o in parties]


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("答复（居民可见）"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("未解决的原因"), choices=Outcome.choices)
    reply = forms.CharField(label=_("向居民说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("说明"), max_length=500)


class RateForm(forms.Form):
    rating = forms.ChoiceField(choices=Rating.choices)
    comment = forms.CharField(max_length=500, required=False)


def department_choices(appeal):
    return Organisation.objects.filter(kind="department", is_active=True).order_by("name")


class HotlineUploadForm(forms.Form):
    file = forms.FileField(label=_("12345工单文件（.xlsx、.csv 或 .json）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.json"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.LEDGER_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件太大：最大 %(mb)d MB") % {"mb": settings.LEDGER_MAX_UPLOAD_BYTES // 2**20})
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv", ".json")):
            raise forms.ValidationError(_("请上传 Excel 工作簿（.xlsx）、CSV 或 JSON 文件"))
        if upload.name.lower().endswith(".json") and upload.size > MAX_JSON_BYTES:
            raise forms.ValidationError(_("JSON 文件不能超过%(mb)d MB：更大的文件请用 .xlsx 或 .csv") % {
                "mb": MAX_JSON_BYTES // 2**20})
        return upload


def intake_answers(post) -> dict:
    """The answers to the category's intake questions as the filing forms post them (``q_<key>``, rendered by
    the questions widget), for ``services.appeal_submit(details=…)``."""
    return {key[2:]: value for key, value in post.items() if key.startswith("q_")}
