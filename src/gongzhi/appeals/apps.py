from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "gongzhi.appeals"
    label = "appeals"
    verbose_name = _("接诉即办")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import CalendarDay
        from .worktime import Calendar

        post_save.connect(Calendar.forget, sender=CalendarDay, dispatch_uid="calendar-forget-save")
        post_delete.connect(Calendar.forget, sender=CalendarDay, dispatch_uid="calendar-forget-delete")
