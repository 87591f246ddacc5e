"""``flask --app wsgi loanfund …``: commands for staff scripts and set-up."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from loanfund.domain.errors import LoanFundError
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
