from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web shell: the top of the layers (see docs/architecture.md). It may import every app; none imports it.
    Its ready() connects each domain event to the handlers of the apps above the one that publishes it."""

    name = "gongzhi.web"
    label = "web"
    verbose_name = _("门户")

    def ready(self):
        from . import reactions

        reactions.connect()
