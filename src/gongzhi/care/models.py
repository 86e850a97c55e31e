"""包片包户 and the care network: which households each worker keeps (her patch), the visits to them, and the party's
chain of care (党员中心户): a branch's centre households, each linking up to ten members, each paired with up to ten
special families (结对帮扶). A special family's request is an appeal on the care ladder (appeals' own escalation
machinery, ``choices.LADDER``); this app says who stands on each rung.

``services`` is the only writer; visits are append-only (a correction is a new visit)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnly, TimeStamped
from gongzhi.registry.models import Area, Household, Organisation, Placed, Resident
from gongzhi.volunteers.models import PartyMember

from .choices import Finding, VisitKind

USER = settings.AUTH_USER_MODEL


class Patch(TimeStamped):
    """An area a worker keeps (包片): its households are hers to visit. A grid worker keeps her grid without one."""

    user = models.ForeignKey(USER, verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="patches")
    area = models.ForeignKey(Area, verbose_name=_("包片区域"), on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("包片")
        verbose_name_plural = _("包片")
        constraints = [models.UniqueConstraint(fields=["user", "area"], condition=Q(ended_at__isnull=True),
                                               name="patch_once")]


class Visit(Placed, AppendOnly):
    """A visit to a household (入户走访) or to a special family (关爱探访), logged on a phone: who went, when, what
    was found; a follow-up is opened as an appeal in the same step."""

    household = models.ForeignKey(Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, verbose_name=_("探访对象"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    visitor = models.ForeignKey(USER, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("方式"), max_length=12, choices=VisitKind.choices)
    finding = models.CharField(_("情况"), max_length=12, choices=Finding.choices)
    note = models.CharField(_("记录"), max_length=500, blank=True)
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("后续诉求"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["household", "-at"], name="visit_household_idx"),
                   models.Index(fields=["resident", "-at"], name="visit_resident_idx"),
                   models.Index(fields=["visitor", "-at"], name="visit_visitor_idx")]


class CentreHousehold(Placed, TimeStamped):
    """党员中心户: a party member's home a branch names to look after up to ten members and, through them, their
    families."""

    branch = models.ForeignKey(Organisation, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    keeper = models.ForeignKey(PartyMember, verbose_name=_("中心户党员"), on_delete=models.PROTECT,
                               related_name="centres")
    household = models.ForeignKey(Household, verbose_name=_("中心户"), on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("党员中心户")
        verbose_name_plural = _("党员中心户")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["keeper"], condition=Q(ended_at__isnull=True),
                                               name="centre_keeper_once")]


class CentreMember(TimeStamped):
    """A member linked to a centre household (at most ten, and one centre each)."""

    centre = models.ForeignKey(CentreHousehold, on_delete=models.PROTECT, related_name="links")
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="centre_links")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("中心户联系党员")
        verbose_name_plural = _("中心户联系党员")
        constraints = [models.UniqueConstraint(fields=["member"], condition=Q(ended_at__isnull=True),
                                               name="centre_member_once")]


class Pairing(TimeStamped):
    """结对帮扶: a member paired with a resident of a special family (at most ten each); her requests go to him
    first."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="pairings")
    resident = models.ForeignKey(Resident, verbose_name=_("帮扶对象"), on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        constraints = [models.UniqueConstraint(fields=["resident"], condition=Q(ended_at__isnull=True),
                                               name="pairing_one_member")]
