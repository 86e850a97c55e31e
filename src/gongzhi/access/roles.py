"""The roles a person may hold: what each may do is in ``scopes.ROLE_PERMS``."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    VOLUNTEER = "volunteer", _("志愿者")
    BUILDING_HEAD = "building_head", _("楼栋长/单元长")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记/主任")
    SUBDISTRICT_STAFF = "subdistrict_staff", _("街道工作人员")
    DISTRICT_STAFF = "district_staff", _("区级工作人员")
    PROPERTY_STAFF = "property_staff", _("物业人员")
    OWNERS_COMMITTEE_MEMBER = "owners_committee_member", _("业委会委员")
    DEPARTMENT_STAFF = "department_staff", _("职能部门人员")
    CITY_OPERATOR = "city_operator", _("市级运营人员")
    ADMINISTRATOR = "administrator", _("系统管理员")
