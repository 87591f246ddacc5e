"""``flask --app wsgi loanfund …``: commands for staff scripts and set-up."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from loanfund import clock, database, sqlite
from loanfund.domain.errors import InvalidInput, LoanFundError, NotFound
from loanfund.domain.lifecycle import FUNDLESS_ROLES, Role
from loanfund.extensions import db
from loanfund.models import Bank, Enterprise, Fund
from loanfund.services import funds, policies
from loanfund.services.books.capital import dissolution_statement, parse_tax_rate, pay_distributions, run_distribution
from loanfund.services.books.reconcile import reconcile, run_and_record
from loanfund.services.demo import DEFAULT_PASSWORD, seed_demo
from loanfund.services.oversight import sms
from loanfund.services.oversight.mailer import SendReport, deliver
from loanfund.services.oversight.sweep import sweep
from loanfund.services.people.accounts import add_user
from loanfund.services.record import audit, audit_words, backup
from loanfund.services.reports import audit_pack, audit_pack_runs, documents

loanfund_cli = AppGroup("loanfund", help="LoanFund commands.")
SHOWN = 50  # rows named one by one when verify-audit finds rows changed outside the record; the rest are counted


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
@click.option("--fund", "fund_code", help="Code of the fund the user works for (every role but enterprise).")
def create_user_command(
    username: str, role: str, credit_code: str | None, bank_code: str | None, display_name: str, fund_code: str | None
) -> None:
    """Create a user; the password is read from standard input (one line), never from the command line. A staff or
    bank user works for the fund ``--fund`` names, or for the only one."""
    password = sys.stdin.readline().rstrip("\r\n")
    enterprise = bank = fund = None
    if Role(role) not in FUNDLESS_ROLES:
        fund = _fund(fund_code)
    if credit_code:
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code.upper()))
        if enterprise is None:
            raise click.ClickException(f"没有统一社会信用代码为 {credit_code} 的企业")
    if bank_code:
        bank = db.session.scalar(select(Bank).where(Bank.fund_id == (fund.id if fund else 0), Bank.code == bank_code))
        if bank is None:
            raise click.ClickException(f"该资金没有代码为 {bank_code} 的合作银行")
    try:
        user = add_user(
            username, password, Role(role), display_name=display_name, enterprise=enterprise, bank=bank, fund=fund
        )
    except InvalidInput as exc:
        db.session.rollback()
        raise click.ClickException("；".join(exc.errors[k][0] for k in exc.errors)) from exc
    click.echo(f"已创建用户 {user.username}（{Role(role).label}）")


FUND_OPTION = click.option("--fund", "fund_code", help="The fund's code (may be left out while there is one fund).")


def _fund(code: str | None) -> Fund:
    try:
        return funds.named_or_sole(code)
    except (InvalidInput, NotFound) as exc:
        raise click.ClickException(exc.message) from exc


@loanfund_cli.command("reconcile")
@click.option("--fund", "fund_code", help="Only this fund's books (default: every fund's, one after another).")
def reconcile_command(fund_code: str | None) -> None:
    """Reconcile each fund's special account in full and record the run (schedule it nightly); exits 1 when anything
    differs. Prints the trial balance, every check and every difference — not the lines that agree."""
    chosen = [_fund(fund_code)] if fund_code else funds.funds()
    failed = False
    for each in chosen:
        if len(chosen) > 1:
            click.echo(f"== {each.name}（{each.code}）")
        failed |= not _reconcile_one(each)
    # the session's transaction ends first (nothing is left to write): on a SQLite file it holds the write lock that
    # ANALYZE's own connection would wait for
    db.session.commit()
    if sqlite.refresh_statistics(db.engine):
        click.echo("已更新 SQLite 查询统计（ANALYZE）。")
    if failed:
        raise SystemExit(1)


def _reconcile_one(of: Fund) -> bool:
    result, run = run_and_record(of.id)
    click.echo("试算平衡表")
    click.echo(f"  {'科目':<28}{'借方合计':>20}{'贷方合计':>20}{'余额':>20}")
    for row in result.trial_balance:
        click.echo(f"  {row.name:<28}{row.debit.format():>20}{row.credit.format():>20}{row.balance.format():>20}")
    click.echo("核对")
    for check in result.checks:
        mark = "✓" if check.ok else "✗"
        click.echo(
            f"  {mark} {check.name}：应为 {check.show(check.expected)}，实为 {check.show(check.actual)}"
            + (f"（{check.detail}）" if check.detail else "")
        )
    wrong = result.receivables
    click.echo(
        f"  {'✓' if not wrong else '✗'} 应收应急转贷资金逐笔核对：{result.receivables_checked} 笔，不符 {len(wrong)} 笔"
    )
    for line in wrong:
        click.echo(
            f"      {line.reference} {line.enterprise}：应为 {line.expected.format()}，账簿 {line.booked.format()}"
        )
    for receipt_line in result.receipts:
        click.echo(
            f"      申请 #{receipt_line.application_id} 收回：登记 {receipt_line.receipts.show()}；"
            f"事件 {receipt_line.events.show()}；账簿 {receipt_line.ledger.show()}"
        )
    click.echo(f"用时 {run.milliseconds / 1000:.1f} 秒，已记录为第 {run.id} 次全面对账。")
    if result.ok:
        click.echo("对账一致。")
    return result.ok


@loanfund_cli.command("distribute")
@click.option("--tax-rate", required=True, help="Tax rate on fee income, e.g. 0.06.")
@click.option("--pay/--no-pay", default=False, help="Also pay the shares and taxes out of the special account.")
@click.option("--bank-ref", default="", help="The bank's reference of the payment (required with --pay).")
@FUND_OPTION
def distribute_command(tax_rate: str, pay: bool, bank_ref: str, fund_code: str | None) -> None:
    """Distribute fee income after tax and uncovered losses by capital share (R13, 第二十五条); with --pay, the run
    and its payment are one transaction."""
    try:
        result = run_distribution(
            _fund(fund_code).id, clock.today(), parse_tax_rate(tax_rate), pay=pay, bank_ref=bank_ref
        )
    except InvalidInput as exc:
        raise click.ClickException("；".join(m for ms in exc.errors.values() for m in ms)) from exc
    except LoanFundError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"可分配收入 {result.income.format()} 元，税费 {result.tax.format()} 元")
    if result.losses_covered.is_positive:
        click.echo(f"弥补核销损失 {result.losses_covered.format()} 元")
    for contributor, share in result.shares:
        click.echo(f"  {contributor.name}：{share.format()} 元")
    if result.paid is not None:
        click.echo(f"已支付 {result.paid.format()} 元")


@loanfund_cli.command("pay-distributions")
@click.option("--bank-ref", required=True, help="The bank's reference of the payment.")
@FUND_OPTION
def pay_distributions_command(bank_ref: str, fund_code: str | None) -> None:
    """Pay what earlier distribution runs left payable (taxes, contributors' shares)."""
    try:
        paid = pay_distributions(_fund(fund_code).id, clock.today(), bank_ref)
    except InvalidInput as exc:
        raise click.ClickException("；".join(m for ms in exc.errors.values() for m in ms)) from exc
    except LoanFundError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"已支付 {paid.format()} 元")


@loanfund_cli.command("dissolution")
@FUND_OPTION
def dissolution_command(fund_code: str | None) -> None:
    """Each contributor's share of the net assets if the fund were dissolved now (第二十六条)."""
    net, lines = dissolution_statement(_fund(fund_code).id)
    click.echo(f"净资产 {net.format()} 元")
    for line in lines:
        click.echo(f"  {line.contributor.name}：出资 {line.capital.format()} 元，应返还 {line.share.format()} 元")


@loanfund_cli.command("sweep")
@click.option("--date", "on", default=None, help="The day to sweep as (YYYY-MM-DD); today when omitted.")
def sweep_command(on: str | None) -> None:
    """The daily sweep: record overdue and late conditions once, send the day's reminders, deliver the mail queue.
    Safe to run twice, or on two servers at once."""
    day = _day_option(on)
    report = sweep(day)
    click.echo(
        f"{report.day.isoformat()} 日常巡查：在外转贷 {report.out} 笔，查看 {report.bridges} 笔，"
        f"新发现 {len(report.recorded)} 项"
    )
    for reference, found in report.recorded:
        click.echo(f"  {reference} {found.finding.label}：{found.why}")
    if report.statements:
        click.echo(f"  专用账户与银行对账单未对平：已提醒 {len(report.statements)} 个资金的运营人员和领导小组")
    if report.licences_removed:
        click.echo(f"  退回后无人再交的注册：删除营业执照文件 {len(report.licences_removed)} 个")
    _echo_mail(deliver())
    _echo_sms(sms.deliver())


@loanfund_cli.command("send-mail")
def send_mail_command() -> None:
    """Deliver the e-mail and SMS queues now (for a cron line every minute)."""
    _echo_mail(deliver())
    _echo_sms(sms.deliver())


def _echo_sms(report: SendReport) -> None:
    if not report.configured:
        if report.queued:
            click.echo(f"未配置 SMS_GATEWAY_URL：{report.queued} 条短信留在发送队列中")
        return
    click.echo(f"短信：发出 {report.sent} 条，失败 {report.failed} 次，队列中还有 {report.queued} 条")


def _echo_mail(report: SendReport) -> None:
    if not report.configured:
        click.echo(f"未配置 MAIL_SERVER：{report.queued} 封邮件留在发送队列中（管理员可在“邮件队列”查看）")
        return
    click.echo(f"邮件：发出 {report.sent} 封，失败 {report.failed} 次，队列中还有 {report.queued} 封")


def _day_option(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if not text.isascii():
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"日期格式不正确：{text}（应为 YYYY-MM-DD）", param_hint="--date") from None


@loanfund_cli.command("audit-pack")
@click.argument("year", type=int)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder the zip is written to.")
@click.option("--fund", "fund_code", help="The fund's code (optional while the platform has one fund).")
def audit_pack_command(year: int, out_dir: str, fund_code: str | None) -> None:
    """A fund's annual audit pack (第二十一条): a zip of the year's applications, journal, trial balance, submitted
    monthly analyses and the group's register, with a SHA-256 manifest (check it with `sha256sum -c MANIFEST.sha256`
    where it is unpacked)."""
    fund = _fund(fund_code)
    try:
        audit_pack.check_year(year)
        total = len(audit_pack.applications_of(fund.id, year))
        with click.progressbar(length=total, label=f"{fund.name} {year} 年度审计资料", show_pos=True) as bar:
            packed = audit_pack.build(fund.id, year, Path(out_dir), progress=bar.update)
    except (LoanFundError, documents.PdfUnavailable) as exc:
        raise click.ClickException(str(getattr(exc, "message", exc))) from exc
    click.echo(
        f"已写入 {packed.path}：{packed.applications} 笔申请，{packed.files} 个文件，清单 {audit_pack.MANIFEST}。"
    )


@loanfund_cli.command("audit-pack-runs")
def audit_pack_runs_command() -> None:
    """Build the audit packs the group asked for that are still waiting (for a cron line every few minutes): a run
    whose process died is taken up again after two hours."""
    built = audit_pack_runs.build_waiting()
    for run in built:
        if run.state == "done":
            click.echo(
                f"✓ {run.year} 年度审计资料：{run.applications} 笔申请，{run.files} 个文件，SHA-256 {run.sha256}"
            )
        else:
            click.echo(f"✗ {run.year} 年度审计资料未能生成：{run.error}")
    if not built:
        click.echo("没有等待生成的审计资料。")
    if any(run.state != "done" for run in built):
        raise SystemExit(1)


@loanfund_cli.command("verify-audit")
def verify_audit_command() -> None:
    """Check the audit record's whole signed chain, every audited row against its last audited image, and the
    special account against the receipts; names the first broken record and each row changed outside the record, and
    exits 1 when anything is wrong. Prints the chain's head hash: keep it (the audit page
    shows it too) outside the database — it is what shows later that no record was cut off the end."""
    verdict = audit.verify()
    if verdict.ok:
        click.echo(f"✓ 审计记录链完整：{verdict.records} 条，链头 {verdict.head}")
    else:
        click.echo(f"✗ 审计记录链在第 {verdict.broken_seq} 条处断开：{verdict.problem}")
        click.echo(f"  此前 {verdict.records} 条完整，最后一条完整记录的哈希 {verdict.head}")
    differences = audit.compare()
    if differences:
        click.echo(f"✗ {len(differences)} 行与其审计记录不符（在记录之外被改动）：")
        for found in differences[:SHOWN]:
            click.echo(f"  {audit_words.difference(found)}")
        if len(differences) > SHOWN:
            click.echo(f"  ……另有 {len(differences) - SHOWN} 行")
    else:
        click.echo("✓ 各表每一行与其最后一次审计记录一致")
    books_ok = all(reconcile(each.id).ok for each in funds.funds())
    click.echo("✓ 专用账户与收款登记一致" if books_ok else "✗ 专用账户与收款登记不符：请运行 loanfund reconcile 查看")
    if not (verdict.ok and books_ok) or differences:
        raise SystemExit(1)


@loanfund_cli.command("grant-runtime-role")
@click.argument("role")
def grant_runtime_role_command(role: str) -> None:
    """PostgreSQL only, run as the tables' owner after `flask db upgrade`: let ROLE (an existing login role, not the
    owner) read and write what the application needs and nothing more — history and the audit record INSERT only,
    no TRUNCATE, and, not being the owner, it can neither drop nor disable the triggers that guard them. The
    application then connects as ROLE (DATABASE_URL); migrations keep running as the owner."""
    try:
        granted = database.grant_runtime_role(db.session, role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已授权 {role}：{granted} 张表（历史与审计记录仅可追加）。")


@loanfund_cli.command("backup")
@click.argument("folder", type=click.Path(file_okay=False))
def backup_command(folder: str) -> None:
    """Back up the database into FOLDER (SQLite's online backup, or pg_dump), with a manifest of its SHA-256 and the
    audit chain's head."""
    try:
        made = backup.make(Path(folder))
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已备份到 {made.path}（SHA-256 {made.sha256}）")
    click.echo(f"审计记录 {made.audit_records} 条，链头 {made.audit_head}；清单 {made.manifest}")


@loanfund_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def restore_command(file: str) -> None:
    """Restore FILE into the configured database, which must be empty; then check the audit chain and the special
    account. Exits 1 when either does not hold."""
    try:
        verdict = backup.restore(Path(file))
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    books_ok = all(reconcile(each.id).ok for each in funds.funds())
    if verdict.ok:
        click.echo(f"✓ 已恢复：审计记录链完整，{verdict.records} 条，链头 {verdict.head}")
    else:
        click.echo(f"✗ 已恢复，但审计记录链在第 {verdict.broken_seq} 条处断开：{verdict.problem}")
    click.echo("✓ 专用账户与收款登记一致" if books_ok else "✗ 专用账户与收款登记不符：请运行 loanfund reconcile 查看")
    if not (verdict.ok and books_ok):
        raise SystemExit(1)


policy_cli = AppGroup("policy", help="A fund's policy versions as JSON (R14).")
loanfund_cli.add_command(policy_cli)


@policy_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@FUND_OPTION
def policy_import_command(file: str, fund_code: str | None) -> None:
    """Add the policy versions in FILE (one version or a list, each as the API's ``policy`` object) to the fund. All
    or none: every problem of every version is named, and nothing is added unless all are sound."""
    import json

    from marshmallow import ValidationError

    from loanfund.api.schemas import PolicyVersionSchema

    fund = _fund(fund_code)
    try:
        given = json.loads(Path(file).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file} 不是 UTF-8 编码的 JSON：{exc}") from exc
    items = given if isinstance(given, list) else [given]
    problems: list[str] = []
    loaded = []
    for number, item in enumerate(items, start=1):
        try:
            loaded.append(PolicyVersionSchema().load(item))
        except ValidationError as exc:
            problems += [f"第 {number} 个版本 {field}：{messages}" for field, messages in _flat(exc.messages)]
    if problems:
        raise click.ClickException("；".join(problems))
    try:
        made = policies.import_versions(fund, [policies.from_json(item) for item in loaded])
    except InvalidInput as exc:
        named = policies.json_errors(exc)
        raise click.ClickException("；".join(f"{k}：{'、'.join(v)}" for k, v in named.errors.items())) from exc
    for version in made:
        click.echo(f"已新增 {fund.code} 的政策版本“{version.name}”，{version.effective_from.isoformat()} 起施行")


def _flat(messages: object, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        return [pair for key, inner in messages.items() for pair in _flat(inner, f"{prefix}{key}.")]
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix.rstrip("."), "、".join(messages))]
    return [(prefix.rstrip("."), str(messages))]


@policy_cli.command("export")
@FUND_OPTION
def policy_export_command(fund_code: str | None) -> None:
    """Print the fund's policy versions in force or to come, as JSON that ``policy import`` reads back."""
    import json

    click.echo(json.dumps(policies.exported(_fund(fund_code)), ensure_ascii=False, indent=2))


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A bar on standard error for a long import, fed ``progress(done, of)`` as the service goes (its length learnt
    from the first call)."""
    with click.progressbar(length=1, label=label, show_pos=True, file=sys.stderr) as bar:

        def progress(done: int, of: int) -> None:
            bar.length = max(of, 1)
            bar.update(done - bar.pos)

        yield progress


bank_statement_cli = AppGroup("bank-statement", help="The special account's bank statement (issue 29).")
loanfund_cli.add_command(bank_statement_cli)


@bank_statement_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank-format", "format_name", required=True, help="The bank format's name (set by the administrator).")
@FUND_OPTION
def bank_statement_import(file: Path, format_name: str, fund_code: str | None) -> None:
    """Import the special account's statement as the bank exported it (.xlsx, .csv or CAMT.053) and match what agrees;
    a line imported before is not added again. Exits 1 with every problem of the file by row and column, storing
    nothing."""
    from loanfund.services.books import bank_statement

    fund = _fund(fund_code)
    data = file.read_bytes()
    with _progress_bar("写入流水") as progress:
        try:
            record = bank_statement.import_file(None, fund.id, format_name, file.name, data, progress)
        except InvalidInput as exc:
            raise click.ClickException("\n".join(m for ms in exc.errors.values() for m in ms)) from exc
    click.echo(
        f"{record.filename}（{record.period_start.isoformat()} 至 {record.period_end.isoformat()}）："
        f"读取 {record.lines_read} 笔，新增 {record.lines_added} 笔，已有 {record.lines_known} 笔，"
        f"自动对账 {record.matched} 笔"
    )
    for note in record.notes:
        click.echo(f"注意：{note}")


@loanfund_cli.command("import-ledger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--by", "username", help="The administrator who answers for the import (recorded); the fund's only one by default."
)
@click.option("--dry-run", is_flag=True, help="Check every row and say what would be imported; write nothing.")
@click.option("--row-by-row", is_flag=True, help="Import the good rows even when others are refused (recorded).")
@FUND_OPTION
def import_ledger_command(
    file: Path, username: str | None, dry_run: bool, row_by_row: bool, fund_code: str | None
) -> None:
    """Bring the fund's past bridges in from its Excel 台账 (docs/ledger-import.md): every row checked against the
    policy in force at its value date, every problem named by row and column. A file with a problem imports nothing
    (exit 1) unless ``--row-by-row``; a row imported before is skipped."""
    from loanfund.models import User
    from loanfund.services.books import ledger_import

    fund = _fund(fund_code)
    if username is None:
        admins = db.session.scalars(
            select(User).where(User.fund_id == fund.id, User.role == Role.ADMIN.value, User.active.is_(True))
        ).all()
        if len(admins) != 1:
            raise click.BadParameter(f"{fund.name}有 {len(admins)} 名系统管理员：请指明由谁导入", param_hint="--by")
        actor = admins[0]
    else:
        named = db.session.scalars(select(User).where(User.username == username)).one_or_none()
        if named is None:
            raise click.BadParameter(f"没有用户“{username}”", param_hint="--by")
        actor = named
    data = file.read_bytes()
    with _progress_bar("导入台账") as progress:
        try:
            result = ledger_import.run(
                actor, fund.id, file.name, data, dry_run=dry_run, row_by_row=row_by_row, progress=progress
            )
        except LoanFundError as exc:
            messages = exc.errors.values() if isinstance(exc, InvalidInput) else [[exc.message]]
            raise click.ClickException("\n".join(m for ms in messages for m in ms)) from exc
    for problem in result.problems:
        click.echo(f"✗ {problem}")
    refused = len(result.refused)
    if dry_run:
        verdict = "可以导入" if not refused else ("逐行导入时可导入" if row_by_row else "不能导入")
        click.echo(
            f"试运行（未写入）：读取 {len(result.rows)} 行，{verdict} {result.created} 笔，"
            f"此前已导入 {result.skipped} 笔，有问题 {refused} 行"
        )
    else:
        click.echo(
            f"{file.name}：读取 {len(result.rows)} 行，新增 {result.created} 笔，此前已导入 {result.skipped} 笔，"
            f"拒收 {refused} 行" + ("" if not refused or row_by_row else "（整份未导入）")
        )
    if refused and not row_by_row:
        raise SystemExit(1)
