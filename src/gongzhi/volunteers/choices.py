from django.db import models
from django.utils.translation import gettext_lazy as _


class Skill(models.TextChoices):
    MEDICAL = "medical", _("医护")
    REPAIR = "repair", _("维修")
    DRIVING = "driving", _("驾驶")
    COUNSEL = "counsel", _("心理疏导")
    LEGAL = "legal", _("法律咨询")
    TUTORING = "tutoring", _("辅导功课")
    ARTS = "arts", _("文体")
    ERRANDS = "errands", _("跑腿代购")
    PATROL = "patrol", _("巡逻值守")
    TECH = "tech", _("手机电脑")
    OTHER = "other", _("其他")


class VolunteerState(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACTIVE = "active", _("在册")
    SUSPENDED = "suspended", _("暂停")
    LEFT = "left", _("已退出")


class ShiftKind(models.TextChoices):
    GATE = "gate", _("门岗值守")
    PATROL = "patrol", _("巡逻")
    DISINFECTION = "disinfection", _("消杀")
    DELIVERY = "delivery", _("配送")
    CULTURE = "culture", _("文体活动")
    CARE = "care", _("关爱探访")
    CLEANING = "cleaning", _("环境整治")
    OTHER = "other", _("其他")


class SignupState(models.TextChoices):
    BOOKED = "booked", _("已报名")
    ON_DUTY = "on_duty", _("在岗")
    DONE = "done", _("已完成")
    NO_SHOW = "no_show", _("未到岗")
    CANCELLED = "cancelled", _("已取消")
    HANDED_OVER = "handed_over", _("已换班")


# a signup that holds a place on its shift (and its volunteer's time)
HOLDING = (SignupState.BOOKED, SignupState.ON_DUTY, SignupState.DONE)


class Account(models.TextChoices):
    """Points accounts: a volunteer's, and a party member's own (党员积分), each with its own rules."""

    VOLUNTEER = "volunteer", _("志愿积分")
    PARTY = "party", _("党员积分")


class Trigger(models.TextChoices):
    """What a points rule rewards."""

    HOURS = "hours", _("服务时长（每小时）")
    SHIFT = "shift", _("完成一次值守或活动")
    ERRAND = "errand", _("完成一次温馨到家")
    HELP = "help", _("帮扶服务（工作人员认定）")


class Entry(models.TextChoices):
    """Why a ledger entry was written."""

    EARN = "earn", _("获得")
    ADJUST = "adjust", _("调整")
    REDEEM = "redeem", _("兑换")
    REFUND = "refund", _("退还")


class OrderState(models.TextChoices):
    RESERVED = "reserved", _("待领取")
    HANDED_OVER = "handed_over", _("已领取")
    CANCELLED = "cancelled", _("已取消")


class ErrandKind(models.TextChoices):
    SHOPPING = "shopping", _("买菜买日用品")
    MEDICINE = "medicine", _("买药取药")
    OTHER = "other", _("其他代办")


class ErrandState(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    DELIVERED = "delivered", _("已送达")
    CONFIRMED = "confirmed", _("已确认")
    CANCELLED = "cancelled", _("已取消")


ERRAND_OPEN = (ErrandState.OPEN, ErrandState.CLAIMED, ErrandState.DELIVERED)
