"""The browser interface: forms parse input, services do the work, templates render. Chinese throughout."""

from __future__ import annotations

from flask import Flask

from loanfund.web import (
    accountability,
    admin,
    applications,
    audit,
    auth,
    bank_accounts,
    bank_statement,
    blacklist,
    dissolution,
    enterprise,
    filters,
    fund,
    green_channel,
    group,
    inbox,
    liability,
    main,
    navigation,
    public,
    recovery,
    reports,
    vetting,
)


def register_web(app: Flask) -> None:
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(main.bp)
    app.register_blueprint(fund.bp)
    app.register_blueprint(applications.bp)
    app.register_blueprint(enterprise.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(bank_accounts.bp)
    app.register_blueprint(bank_statement.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(blacklist.bp)
    app.register_blueprint(liability.bp)
    app.register_blueprint(green_channel.bp)
    app.register_blueprint(group.bp)
    app.register_blueprint(accountability.bp)
    app.register_blueprint(dissolution.bp)
    app.register_blueprint(recovery.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(vetting.bp)
    inbox.register_unread_count(app)
    filters.register(app)
    navigation.register(app)
    auth.register_user_loader()
