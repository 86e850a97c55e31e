from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.registry.models import Organisation

from .choices import Channel, Outcome, Priority, Rating
from .models import Category

PLEASE_CHOOSE = _("（请选择）")
BY_RULES = _("按派单规则自动选择")


def category_choices(empty=PLEASE_CHOOSE):
    choices = [("", empty)]
    for c in Category.objects.filter(is_active=True).select_related("parent").order_by("position", "code"):
        choices.append((c.pk, f"{c.parent.name} / {c.name}" if c.parent_id else c.name))
    return choices


class DeskForm(forms.Form):
    """A walk-in, a phone call or a patrol find, entered by a worker (一张办公桌)."""

    channel = forms.ChoiceField(label=_("来源"), choices=[(Channel.DESK, Channel.DESK.label),
                                                          (Channel.PATROL, Channel.PATROL.label)])
    area = forms.TypedChoiceField(label=_("涉及地点"), coerce=int)
    category = forms.TypedChoiceField(label=_("类别"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    public = forms.BooleanField(label=_("居民同意公开"), required=False)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.pk, f"{a.community.name if a.community_id != a.pk else ''} {a.name}")
                                       for a in areas]
        self.fields["category"].choices = category_choices()


class PortalForm(forms.Form):
    household = forms.TypedChoiceField(label=_("哪一处房屋"), coerce=int)
    category = forms.TypedChoiceField(label=_("问题类别（可不选）"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(label=_("遇到了什么问题？"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    contact_preference = forms.CharField(label=_("怎么联系您方便？（可不填）"), max_length=100, required=False)
    public = forms.BooleanField(label=_("同意在社区公示栏公开（不显示姓名电话）"), required=False)

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [(h.pk, h.address) for h in households]
        self.fields["category"].choices = [(c, label) for c, label in category_choices(_("不清楚，交给社区判断"))
                                           if c == "" or not str(label).count(" / ")]


class AcceptForm(forms.Form):
    category = forms.TypedChoiceField(label=_("类别"), coerce=int, required=False, empty_value=None)
    priority = forms.ChoiceField(label=_("优先级"), choices=[("", _("按类别默认"))] + list(Priority.choices),
                                 required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(_("保持原类别"))


class PartyForm(forms.Form):
    party = forms.TypedChoiceField(label=_("承办单位"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args, parties, empty=BY_RULES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", empty)] + [(o.pk, f"{o.get_kind_display()} · {o.name}") for o in parties]


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
