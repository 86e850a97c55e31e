"""The menu: each role sees only what it may use. Later apps add their entries here."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.scopes import Perm, has_perm_somewhere, is_staff_user


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    section: str  # the URL namespace prefix that marks it active
    perm: Perm | None = None
    superuser: bool = False
    key: str = ""  # keyboard shortcut: g then this key


STAFF_NAV: tuple[NavItem, ...] = (
    NavItem(_("工作台"), "staff:dashboard", "dashboard", key="h"),
    NavItem(_("辖区"), "registry:area_index", "areas", Perm.VIEW_AREAS, key="a"),
    NavItem(_("居民台账"), "registry:resident_list", "residents", Perm.VIEW_RESIDENTS, key="r"),
    NavItem(_("户"), "registry:household_list", "households", Perm.VIEW_RESIDENTS, key="u"),
    NavItem(_("组织"), "registry:organisation_list", "organisations", Perm.VIEW_ORGANISATIONS, key="o"),
    NavItem(_("实名认证"), "accounts:binding_queue", "bindings", Perm.VERIFY_BINDING, key="b"),
    NavItem(_("台账导入"), "registry:ledger_import", "ledger", Perm.IMPORT_LEDGER, key="i"),
    NavItem(_("角色授权"), "accounts:grant_list", "grants", Perm.MANAGE_ROLES, key="g"),
    NavItem(_("审计日志"), "staff:audit_log", "audit", Perm.VIEW_AUDIT),
)

PORTAL_NAV: tuple[NavItem, ...] = (
    NavItem(_("首页"), "portal:home", "home"),
    NavItem(_("我的家"), "portal:households", "households"),
    NavItem(_("设置"), "portal:settings", "settings"),
)


def staff_menu(user) -> list[dict]:
    items = []
    for item in STAFF_NAV:
        if item.perm is not None and not has_perm_somewhere(user, item.perm):
            continue
        items.append({"label": item.label, "url": reverse(item.url_name), "section": item.section, "key": item.key})
    if user.is_superuser:
        items.append({"label": _("系统管理"), "url": reverse("admin:index"), "section": "admin", "key": ""})
    return items


def portal_menu(user) -> list[dict]:
    return [{"label": i.label, "url": reverse(i.url_name), "section": i.section, "key": ""} for i in PORTAL_NAV]


def menus(user) -> dict:
    if not getattr(user, "is_authenticated", False):
        return {"staff_menu": [], "portal_menu": [], "is_staff_user": False}
    staff = is_staff_user(user)
    return {"staff_menu": staff_menu(user) if staff else [], "portal_menu": portal_menu(user), "is_staff_user": staff}
