from django.db import models
from django.utils.translation import gettext_lazy as _


class BindingStatus(models.TextChoices):
    PENDING = "pending", _("待认证")
    VERIFIED = "verified", _("已认证")
    REJECTED = "rejected", _("未通过")
    REVOKED = "revoked", _("已解除")
