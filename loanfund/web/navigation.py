"""The navigation asks the routes (issue 26): a link is shown when the signed-in user may open its page — the roles
its view's ``roles_required`` names, the same rule the route enforces — not by a second list of role names in the
template, which drifted from the routes once already."""

from __future__ import annotations

from flask import Flask, current_app, url_for
from flask_login import current_user

# the top bar's pages, in the order shown (who sees each comes from the route)
LINKS = (
    ("main.home", "工作台"),
    ("apps.index", "申请"),
    ("fund.reconciliation", "专用账户"),
    ("reports.monthly_index", "月度分析"),
    ("fund.risk_page", "风险预警"),
    ("blacklist.index", "黑名单"),
    ("group.register", "领导小组"),
    ("liability.index", "银行责任"),
    ("bank_accounts.index", "账户复核"),
    ("audit.index", "审计记录"),
    ("admin.users", "系统管理"),
)


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user may open ``endpoint``'s page: its view's roles (``roles_required``), or any
    signed-in user where the view names none."""
    view = current_app.view_functions.get(endpoint)
    if view is None or not current_user.is_authenticated:
        return False
    roles = getattr(view, "allowed_roles", None)
    return roles is None or (current_user.vetted and current_user.role_enum in roles)


def links() -> list[tuple[str, str]]:
    """The top bar's links the user may follow: (address, label)."""
    return [(url_for(endpoint), label) for endpoint, label in LINKS if may_open(endpoint)]


def register(app: Flask) -> None:
    app.add_template_global(links, "nav_links")
