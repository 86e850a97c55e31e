from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "gongzhi.care"
    verbose_name = _("包片包户与关爱网络")
