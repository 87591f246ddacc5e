"""``flask --app wsgi loanfund …``: commands for staff scripts and set-up."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from loanfund.domain.errors import InvalidInput, LoanFundError
from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import Bank, Enterprise
from loanfund.services.accounts import create_user
from loanfund.services.demo import DEFAULT_PASSWORD, seed_demo

loanfund_cli = AppGroup("loanfund", help="LoanFund commands.")


@loanfund_cli.command("seed-demo")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True, help="Password of every demo user.")
def seed_demo_command(password: str) -> None:
    """Create the demo banks, enterprises, users and applications (idempotent; refused in production)."""
    try:
        report = seed_demo(password)
    except LoanFundError as exc:
        raise click.ClickException(exc.message) from exc
    if report.created:
        click.echo(f"演示数据已写入：{len(report.created)} 项。")
    else:
        click.echo("演示数据已存在，未做改动（已有用户的密码保持不变）。")
    click.echo(f"演示账户（密码均为首次写入时设定的密码，默认 {DEFAULT_PASSWORD}）：")
    for username, role in report.logins:
        click.echo(f"  {username:<10} {role}")


@loanfund_cli.command("create-user")
@click.option("--username", required=True, help="Login name.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="Role (DESIGN §2).")
@click.option("--enterprise", "credit_code", help="统一社会信用代码 of the user's enterprise (role enterprise).")
@click.option("--bank", "bank_code", help="Code of the user's bank (role bank).")
@click.option("--name", "display_name", default="", help="Name shown in the interface.")
def create_user_command(
    username: str, role: str, credit_code: str | None, bank_code: str | None, display_name: str
) -> None:
    """Create a user; the password is read from standard input (one line), never from the command line."""
    password = sys.stdin.readline().rstrip("\r\n")
    enterprise = bank = None
    if credit_code:
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code.upper()))
        if enterprise is None:
            raise click.ClickException(f"没有统一社会信用代码为 {credit_code} 的企业")
    if bank_code:
        bank = db.session.scalar(select(Bank).where(Bank.code == bank_code))
        if bank is None:
            raise click.ClickException(f"没有代码为 {bank_code} 的合作银行")
    try:
        user = create_user(username, password, Role(role), display_name=display_name, enterprise=enterprise, bank=bank)
        db.session.commit()
    except InvalidInput as exc:
        db.session.rollback()
        raise click.ClickException("；".join(exc.errors[k][0] for k in exc.errors)) from exc
    click.echo(f"已创建用户 {user.username}（{Role(role).label}）")
