"""The menu: each role sees only what it may use. A new app adds its entries here (the shell knows every app)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.access.roles import Role
from gongzhi.access.scopes import Perm, active_grants, has_perm_somewhere, is_staff_user
from gongzhi.notifications.selectors import unread_count
from gongzhi.volunteers.models import PartyMember, Volunteer


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: Perm | tuple[Perm, ...] | None = None  # shown when the user holds any of these somewhere
    superuser: bool = False
    key: str = ""  # keyboard shortcut: g then this key
    badge: bool = False  # shows the number of unread notifications
    roles: tuple[str, ...] = ()  # … or when the user holds one of these roles (only these, without perm)


STAFF_NAV: tuple[NavItem, ...] = (
    NavItem(_("工作台"), "staff:dashboard", key="h"),
    NavItem(_("消息"), "staff:messages", key="m", badge=True),
    NavItem(_("诉求"), "staff:appeal_queue", (Perm.HANDLE_APPEALS, Perm.WORK_APPEALS), key="s"),
    NavItem(_("协办"), "staff:cohandling", Perm.HANDLE_APPEALS, key="w",
            roles=(Role.DEPARTMENT_STAFF, Role.SUBDISTRICT_STAFF)),
    NavItem(_("三率"), "staff:appeal_figures", (Perm.HANDLE_APPEALS, Perm.WORK_APPEALS), key="f"),
    NavItem(_("热点"), "staff:hotspots", Perm.HANDLE_APPEALS, key="t"),
    NavItem(_("协商议事"), "staff:topic_board", (Perm.RUN_COUNCILS, Perm.VIEW_AREAS), key="d"),
    NavItem(_("志愿服务"), "staff:volunteer_list", Perm.MANAGE_VOLUNTEERS, key="v"),
    NavItem(_("关爱网络"), "staff:care_network", Perm.VIEW_CARE_DATA, key="c"),
    NavItem(_("答复模板"), "staff:reply_templates", key="y",
            roles=(Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY)),
    NavItem(_("12345导入"), "staff:hotline_import", Perm.HANDLE_APPEALS, key="l"),
    NavItem(_("辖区"), "staff:area_index", Perm.VIEW_AREAS, key="a"),
    NavItem(_("居民台账"), "staff:resident_list", (Perm.VIEW_RESIDENTS, Perm.VIEW_OWNERS), key="r"),
    NavItem(_("户"), "staff:household_list", (Perm.VIEW_RESIDENTS, Perm.VIEW_OWNERS), key="u"),
    NavItem(_("组织"), "staff:organisation_list", Perm.VIEW_ORGANISATIONS, key="o"),
    NavItem(_("实名认证"), "staff:binding_queue", Perm.VERIFY_BINDING, key="b"),
    NavItem(_("台账导入"), "staff:ledger_import", Perm.IMPORT_LEDGER, key="i"),
    NavItem(_("角色授权"), "staff:grant_list", Perm.MANAGE_ROLES, key="g"),
    NavItem(_("审计日志"), "staff:audit_log", Perm.VIEW_AUDIT),
    NavItem(_("个人信息申请"), "staff:data_requests", Perm.EDIT_RESIDENTS),
)

PORTAL_NAV: tuple[NavItem, ...] = (
    NavItem(_("首页"), "portal:home"),
    NavItem(_("我的诉求"), "portal:appeals"),
    NavItem(_("议事"), "portal:topics"),
    NavItem(_("志愿"), "portal:volunteer_home"),
    NavItem(_("消息"), "portal:messages", badge=True),
    NavItem(_("我的家"), "portal:households"),
    NavItem(_("设置"), "portal:settings"),
)


def _item(item: NavItem, unread: int) -> dict:
    return {"label": item.label, "url": reverse(item.url_name), "key": item.key,
            "badge": unread if item.badge else 0}


def staff_menu(user, unread: int = 0) -> list[dict]:
    items = []
    for item in STAFF_NAV:
        perms = item.perm if isinstance(item.perm, tuple) else (item.perm,) if item.perm else ()
        by_perm = bool(perms) and any(has_perm_somewhere(user, p) for p in perms)
        by_role = bool(item.roles) and any(g.role in item.roles for g in active_grants(user))
        if (perms or item.roles) and not (by_perm or by_role):
            continue
        items.append(_item(item, unread))
    if user.is_superuser:
        items.append({"label": _("系统管理"), "url": reverse("admin:index"), "key": "", "badge": 0})
    return items


def portal_menu(user, unread: int = 0) -> list[dict]:
    # the volunteer's tab only for volunteers (a phone's bar holds six); others find "做志愿者" on the home page
    volunteer = Volunteer.objects.filter(user=user).exists() or any(
        g.role == Role.VOLUNTEER for g in active_grants(user))
    return [_item(i, unread) for i in PORTAL_NAV if volunteer or i.url_name != "portal:volunteer_home"]


def menus(user) -> dict:
    if not getattr(user, "is_authenticated", False):
        return {"staff_menu": [], "portal_menu": [], "is_staff_user": False}
    staff = is_staff_user(user)
    unread = unread_count(user)
    return {"staff_menu": staff_menu(user, unread) if staff else [], "portal_menu": portal_menu(user, unread),
            "is_staff_user": staff, "unread": unread,
            # an appeal one party cannot settle, a hotspot: offered to the council by those who run one
            "runs_councils": staff and has_perm_somewhere(user, Perm.RUN_COUNCILS),
            # a building head, a party member in the care network: her page is linked from the portal's home
            "cares": has_perm_somewhere(user, Perm.KEEP_BUILDING) or PartyMember.objects.filter(user=user).exists()}
