from django.db import models
from django.utils.translation import gettext_lazy as _

LADDER = "care"  # the appeals' escalation ladder a care request climbs: member → centre household → branch → community
MAX_MEMBERS = 10  # a centre household links up to ten members (1 → 10 → 10, seed 000)
MAX_FAMILIES = 10  # a member up to ten special families
SPECIAL_VISIT_DAYS = 30  # a special family unvisited this long is listed


class VisitKind(models.TextChoices):
    ROUTINE = "routine", _("入户走访")
    CARE = "care", _("关爱探访")
    PHONE = "phone", _("电话问候")


class Finding(models.TextChoices):
    WELL = "well", _("一切正常")
    CONCERN = "concern", _("需要关注")
    NOT_HOME = "not_home", _("无人在家")
    MOVED = "moved", _("已搬离")
