"""The navigation bar: one table of entries, each shown to the roles that may use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pipeline.auth.models import ROLE_LABELS, Role, User
from pipeline.auth.permissions import sees_whole_county
from pipeline.dashboard.targets.services import is_city_user
from pipeline.rollup.access import reads_rollup

STAFF = (Role.ADMIN, Role.OFFICER, Role.LEADER)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: tuple[Role, ...]
    group: str = ""  # a key of MENUS: shown in that dropdown of the navbar; "": a plain entry
    only_if: Callable[[User], bool] | None = None  # a further condition on the user


NAV = [
    NavItem("workbench.index", _l("工作台"), (Role.OFFICER, Role.ADMIN)),
    NavItem("dashboard.index", _l("统计分析"), STAFF, group="reports", only_if=lambda user: not reads_rollup(user)),
    NavItem("rollup.index", _l("区县汇总"), STAFF, group="reports", only_if=reads_rollup),
    NavItem("funnel.board", _l("培育看板"), STAFF),
    NavItem("firms.index", _l("企业库"), STAFF),
    NavItem("funnel.bulk", _l("批量调整"), (Role.ADMIN, Role.OFFICER), group="work"),
    NavItem("certificates.index", _l("证书管理"), STAFF),
    NavItem("reports.index", _l("月度报告"), STAFF, group="reports", only_if=sees_whole_county),
    NavItem("policies.index", _l("惠企政策"), STAFF, group="work"),
    NavItem("portal.index", _l("我的企业"), (Role.FIRM,)),
    NavItem("certificates_portal.index", _l("我的证书"), (Role.FIRM,)),
    NavItem("documents_portal.index", _l("我的材料"), (Role.FIRM,)),
    NavItem("policies_portal.index", _l("惠企政策"), (Role.FIRM,)),
    NavItem("funnel_admin.tracks", _l("培育设置"), (Role.ADMIN,), group="admin"),
    NavItem("targets.index", _l("年度目标"), (Role.ADMIN,), group="admin"),
    NavItem("targets.city", _l("区县目标"), (Role.ADMIN, Role.LEADER), group="reports", only_if=is_city_user),
    NavItem("reminders_admin.rules", _l("提醒规则"), (Role.ADMIN,), group="admin"),
    NavItem("mail.outbox", _l("发件箱"), (Role.ADMIN,), group="admin"),
    NavItem("channels.settings", _l("通知渠道"), (Role.ADMIN,), group="admin"),
    NavItem("accounts.index", _l("用户管理"), (Role.ADMIN,), group="admin"),
    NavItem("login_throttles.index", _l("登录限制"), (Role.ADMIN,), group="admin"),
    NavItem("audit.index", _l("审计日志"), (Role.ADMIN,), group="admin"),
    NavItem("api_admin.index", _l("API 客户端"), (Role.ADMIN,), group="admin"),
    NavItem("documents_admin.types", _l("材料类型"), (Role.ADMIN,), group="admin"),
    NavItem("certificate_seal.settings", _l("证书印章"), (Role.ADMIN,), group="admin"),
    NavItem("indicators.screening_index", _l("自动遴选"), STAFF, group="work"),
    NavItem("indicators.pending", _l("企业填报待核实"), STAFF, group="data"),
    NavItem("imports.index", _l("Excel 导入导出"), STAFF, group="data"),
    NavItem("indicator_portal.index", _l("指标填报"), (Role.FIRM,)),
]


# The navbar's dropdowns, after its plain entries, in this order: with every entry on the bar the admin's menu (and
# any role's in English) wrapped to a second line at 1366 px.
MENUS = {
    "reports": _l("统计报告"),
    "work": _l("培育工作"),
    "data": _l("指标与数据"),
    "admin": _l("系统管理"),
}


@dataclass(frozen=True)
class NavMenu:
    key: str
    label: object
    items: list[NavItem]


def nav_menus() -> list[NavMenu]:
    """The dropdowns that hold something for the current user (a menu of one entry is shown as that entry)."""
    menus = [NavMenu(key, label, nav_items(key)) for key, label in MENUS.items()]
    return [menu for menu in menus if menu.items]


def nav_items(group: str = "") -> list[NavItem]:
    """Entries of a menu group for the current user whose endpoint exists in this app."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [item for item in NAV
            if item.group == group and current_user.role in item.roles and item.endpoint in views
            and (item.only_if is None or item.only_if(current_user))]


def role_label(role: Role) -> str:
    from flask_babel import gettext

    return gettext(ROLE_LABELS[Role(role)])


def register_navigation(app: Flask) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, nav_menus=nav_menus, role_label=role_label)
