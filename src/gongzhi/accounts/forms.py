from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名或手机号"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    error_messages = {
        "invalid_login": _("用户名/手机号或密码不正确"),
        "inactive": _("该账号已停用"),
    }


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不通过的原因"), max_length=200)


class GrantForm(forms.Form):
    user = forms.CharField(label=_("账号（用户名或手机号）"), max_length=150)
    role = forms.ChoiceField(label=_("角色"))
    area = forms.IntegerField(label=_("负责区域"), required=False, widget=forms.Select)
    organisation = forms.IntegerField(label=_("所属组织"), required=False, widget=forms.Select)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=60, help_text=_("例如：12345 热线对接"))


class BindForm(forms.Form):
    claimed_name = forms.CharField(label=_("您的姓名"), max_length=50)
    claimed_id_last4 = forms.CharField(label=_("身份证号后四位"), max_length=4, required=False,
                                       help_text=_("帮助社区工作人员核对，可不填"))
