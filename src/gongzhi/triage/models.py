"""Triage: what the machine read in an appeal (category, place) and the models it read with.

What people decided instead needs no table of its own: a worker's accept with a category, or a reclassify, is
an appeal event (append-only, with its actor), and those appeals are the instance's training data."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.appeals.models import Appeal, Category
from gongzhi.core.models import AppendOnly
from gongzhi.registry.models import Area, Organisation


class LabelMapping(models.Model):
    """A label of the shared city data (城乡建设, 交通运输…) → the catalogue category it trains."""

    label = models.CharField(_("数据集标签"), max_length=40, unique=True)
    category = models.ForeignKey(Category, verbose_name=_("对应类别"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("留空则不用该标签的留言训练"))

    class Meta:
        verbose_name = _("标签对应")
        verbose_name_plural = _("标签对应")
        ordering = ["label"]

    def __str__(self):
        return f"{self.label} → {self.category or '—'}"


class ClassifierModel(models.Model):
    """One trained classifier: its file under var/models/ and what it learnt from. The newest is used."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    file = models.CharField(_("文件"), max_length=200)
    trained_at = models.DateTimeField(_("训练时间"), auto_now_add=True)
    seconds = models.FloatField(_("训练耗时（秒）"), default=0)
    catalogue_examples = models.PositiveIntegerField(_("类别目录例句数"), default=0)
    # what the catalogue taught it (triage.services.catalogue_digest): another digest now means retrain
    catalogue = models.CharField(_("类别目录版本"), max_length=16, blank=True)
    shared_examples = models.PositiveIntegerField(_("共享数据条数"), default=0)
    own_examples = models.PositiveIntegerField(_("本系统诉求条数"), default=0)
    corrections = models.PositiveIntegerField(_("其中人工更正"), default=0)
    classes = models.JSONField(_("类别"), default=list)

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version}"


class Triage(models.Model):
    """The machine's first read of one appeal: the top suggestions, the place it found, what became of it."""

    appeal = models.OneToOneField(Appeal, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="triage")
    model_version = models.PositiveIntegerField(_("模型版本"), null=True, blank=True)
    # [{"category": id, "score": 0.93}, …] best first, at most three
    suggestions = models.JSONField(_("建议类别"), default=list)
    confidence = models.FloatField(_("把握"), default=0)
    applied = models.BooleanField(_("已自动采用"), default=False)
    # the place read from the text: {"area": id, "matched": [["阳光小区", "compound"], …], "why": "…"}
    place = models.JSONField(_("识别的地点"), default=dict, blank=True)
    place_area = models.ForeignKey(Area, verbose_name=_("识别的地点"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分拨建议")
        verbose_name_plural = _("分拨建议")

    def __str__(self):
        return f"{self.appeal_id}: {self.suggestions}"


class HotspotRun(models.Model):
    """One computation of hotspots over a period, for the whole city (scope empty) or one area. Pages show the
    newest run that covers them."""

    scope = models.ForeignKey(Area, verbose_name=_("范围"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    start = models.DateTimeField(_("起"))
    end = models.DateTimeField(_("止"))
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    seconds = models.FloatField(default=0)
    appeals = models.PositiveIntegerField(_("诉求数"), default=0)
    groups = models.PositiveIntegerField(_("热点数"), default=0)

    class Meta:
        verbose_name = _("热点计算")
        verbose_name_plural = _("热点计算")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.scope or '全市'} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"


class Hotspot(models.Model):
    """A group of appeals about one problem at one place in a run's period, with its heat."""

    run = models.ForeignKey(HotspotRun, on_delete=models.CASCADE, related_name="hotspots")
    rank = models.PositiveIntegerField(_("排名"))  # in its community
    place = models.ForeignKey(Area, verbose_name=_("地点"), on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subdistrict = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    title = models.CharField(_("问题"), max_length=80)
    appeal_ids = models.JSONField(default=list)
    appeals = models.PositiveIntegerField(_("诉求数"))
    reporters = models.PositiveIntegerField(_("诉求人数"))
    supports = models.PositiveIntegerField(_("附议数"))
    recent = models.PositiveIntegerField(_("近7天"))
    before = models.PositiveIntegerField(_("前7天"))
    heat = models.FloatField(_("热度"))
    first_at = models.DateTimeField(_("首次"))
    last_at = models.DateTimeField(_("最近"))
    task = models.ForeignKey(Appeal, verbose_name=_("主动治理任务"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")

    class Meta:
        verbose_name = _("热点问题")
        verbose_name_plural = _("热点问题")
        ordering = ["-heat", "id"]
        indexes = [models.Index(fields=["run", "community", "-heat"], name="hotspot_community_idx"),
                   models.Index(fields=["run", "subdistrict", "-heat"], name="hotspot_subdistrict_idx"),
                   models.Index(fields=["run", "-heat"], name="hotspot_city_idx")]

    def __str__(self):
        return self.title


class ReplyCheck(AppendOnly):
    """The reply check of one sent reply (an appeal resolved with it): scores 0–2 and the problems found.
    Append-only: an appeal reopened and resolved again gets a second row."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="reply_checks")
    party = models.ForeignKey(Organisation, verbose_name=_("承办单位"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")  # none: the community replied itself
    community = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("答复时间"))
    relevance = models.PositiveSmallIntegerField(_("相关性"))
    completeness = models.PositiveSmallIntegerField(_("完整性"))
    tone = models.PositiveSmallIntegerField(_("语气"))
    weak = models.BooleanField(_("答复较弱"))
    problems = models.JSONField(default=list)
    sent_after_warning = models.BooleanField(_("提示后仍发送"), default=False)

    class Meta(AppendOnly.Meta):
        verbose_name = _("答复检查")
        verbose_name_plural = _("答复检查")
        indexes = [models.Index(fields=["at"], name="replycheck_at_idx"),
                   models.Index(fields=["party", "at"], name="replycheck_party_idx")]
        constraints = [models.CheckConstraint(
            condition=models.Q(relevance__lte=2, completeness__lte=2, tone__lte=2), name="replycheck_scale")]

    def __str__(self):
        return f"{self.appeal_id}: {self.relevance}/{self.completeness}/{self.tone}"
