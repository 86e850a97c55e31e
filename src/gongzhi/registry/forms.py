from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import (
    CompoundType,
    Gender,
    OrgKind,
    PartKind,
    PartnerRole,
    Relation,
    ResidentStatus,
    SpecialFamily,
    Tenure,
)


class DateInput(forms.DateInput):
    input_type = "date"


class ResidentForm(forms.Form):
    """Field shapes only: the rules live in registry.cleaning, which the services apply."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False,
                                help_text=_("填写后自动核对出生日期和性别"))
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DateInput)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices)
    tenure = forms.ChoiceField(label=_("产权关系"), choices=Tenure.choices)
    status = forms.ChoiceField(label=_("状态"), choices=ResidentStatus.choices)
    lives_alone = forms.BooleanField(label=_("独居"), required=False)
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    is_volunteer = forms.BooleanField(label=_("志愿者"), required=False)
    special_families = forms.MultipleChoiceField(label=_("特殊家庭"), choices=SpecialFamily.choices, required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["id_number"] = data.get("id_number") or ""
        return data


class PartForm(forms.Form):
    """An exclusive part (专有部分) of a household. Field shapes only: registry.services checks the rules (areas,
    the owner a resident of the community, the developer's parts without one) and says what is wrong."""

    kind = forms.ChoiceField(label=_("类别"), choices=PartKind.choices, initial=PartKind.DWELLING)
    number = forms.CharField(label=_("编号"), max_length=30, required=False,
                             help_text=_("房号、车位号等；住宅不填即为门牌号"))
    # text, not a number field: "86.5㎡" is read as a worker types it (registry.cleaning.parse_area, as the ledger)
    measured_area = forms.CharField(label=_("实测面积(㎡)"), required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    contract_area = forms.CharField(label=_("合同面积(㎡)"), required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    owner = forms.TypedChoiceField(label=_("产权人"), coerce=int, empty_value=None, required=False)
    developer_held = forms.BooleanField(label=_("建设单位未售出或未交付"), required=False,
                                        help_text=_("勾选后不能有产权人"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, owners=(), kept_owner=None, **kwargs):
        """``owners``: the residents who may be picked as the buyer of record (the household's, any status);
        ``kept_owner``: the present owner, whom the editor may keep but not see (she lives beyond her area)."""
        super().__init__(*args, **kwargs)
        self.owners = {r.pk: r for r in owners}
        choices = [("", _("（未登记）")), *(
            (r.pk, f"{r.name}（{r.get_relation_display()}，{r.get_status_display()}）") for r in owners)]
        if kept_owner is not None:
            self.owners[kept_owner.pk] = kept_owner
            choices.append((kept_owner.pk, _("本社区其他居民（保持不变）")))
        self.fields["owner"].choices = choices

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["owner"] = self.owners.get(data.get("owner"))
        return data


class HouseholdForm(forms.Form):
    room = forms.CharField(label=_("门牌号"), max_length=20)
    code = forms.CharField(label=_("户编号"), max_length=40, required=False)


class AreaForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.CharField(label=_("代码"), max_length=32, required=False)
    compound_type = forms.ChoiceField(label=_("小区类型"), choices=[("", "—"), *CompoundType.choices], required=False)
    grid = forms.IntegerField(label=_("所属网格"), required=False, widget=forms.Select)


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=OrgKind.choices)
    name = forms.CharField(label=_("名称"), max_length=120)
    home_area = forms.IntegerField(label=_("所属区域"), widget=forms.Select)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ServeForm(forms.Form):
    area = forms.IntegerField(label=_("服务区域"), widget=forms.Select)
    role = forms.ChoiceField(label=_("角色"), choices=PartnerRole.choices)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    post = forms.CharField(label=_("职务"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    is_contact = forms.BooleanField(label=_("对外联系人"), required=False)


class LedgerUploadForm(forms.Form):
    file = forms.FileField(label=_("台账文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.LEDGER_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件太大：最大 %(mb)d MB") % {"mb": settings.LEDGER_MAX_UPLOAD_BYTES // 2**20})
        if not upload.name.lower().endswith((".xlsx", ".xlsm")):
            raise forms.ValidationError(_("请上传 Excel 工作簿（.xlsx）；旧版 .xls 请先另存为 .xlsx"))
        return upload
