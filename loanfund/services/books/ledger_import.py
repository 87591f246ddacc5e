"""The fund's past, from its Excel 台账 (issue 29): each row a bridge out, renewed and back, checked against the policy
in force at its value date (``domain.past_bridge``) and every problem named by row and column in one pass. A clean
file becomes enterprises, archived applications with their events, receipts, transfer references and balanced journal
entries — so the nightly reconciliation, the reports and the audit pack include the past. A row imported before is
skipped (its key is unique in the fund); a file with a problem imports nothing, unless asked row by row — then the
good rows are imported and the refused ones recorded with their problems. Every run that writes is recorded.

The template's columns are ``COLUMNS`` (docs/ledger-import.md); ``docs/ledger-import-sample.xlsx`` is a sample.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from loanfund import clock
from loanfund.domain.eligibility import INDUSTRIES, classify_size, normalise_credit_code
from loanfund.domain.errors import Conflict, InvalidInput, InvalidValue, NotAllowed
from loanfund.domain.ledger import CASH, disbursement_posting, return_posting
from loanfund.domain.lifecycle import Role, State, ordinary_path
from loanfund.domain.money import Money
from loanfund.domain.past_bridge import PastBridge, check, first_short_day
from loanfund.domain.policy import Policy
from loanfund.domain.rules import days_used, renewal_late
from loanfund.domain.text import normalised, text_problem
from loanfund.extensions import db
from loanfund.models import (
    Application,
    ApplicationEvent,
    Bank,
    Enterprise,
    Fund,
    LedgerDay,
    LedgerImport,
    PolicyVersion,
    Receipt,
    TransferReference,
    User,
)
from loanfund.services.books import fund as fund_position
from loanfund.services.books import ledger, transfers
from loanfund.services.books.statement_files import Problem, day_cell, money_cell
from loanfund.services.lifecycle import statement
from loanfund.services.lifecycle.settlement import account_of
from loanfund.services.policies import versions_in_force
from loanfund.services.reports import cohorts
from loanfund.services.uow import discard, finish

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
NOTE = "自台账导入"
IMPORTED_BESIDE = (
    "同一台账的这些业务刚由另一次导入写入，本次未写入任何数据；请查看导入记录，如有需要再次导入（已导入的行会跳过）"
)

# (field, the column's header in the template, what it holds)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "企业名称", "企业全称"),
    ("credit_code", "统一社会信用代码", "18 位，校验位须正确"),
    ("district", "所属区县", "本资金服务区域内的区县名称，与系统中登记的区县一致"),
    ("industry", "行业", "国家统计局划型行业名称，如 工业"),
    ("employees", "从业人员", "人数，整数"),
    ("revenue", "营业收入（万元）", "上年营业收入"),
    ("assets", "资产总额（万元）", "上年末资产总额"),
    ("bank", "合作银行", "合作银行名称或代码"),
    ("contract", "贷款合同号", "到期贷款的合同号"),
    ("loan_due", "到期贷款金额（元）", "到期的流动资金贷款本息"),
    ("amount", "转贷金额（元）", "应急转贷资金额度"),
    ("value_date", "放款日期", "起息日，如 2024-03-05"),
    ("disbursement_ref", "放款凭证号", "专用账户划出的银行凭证号"),
    ("renewed_on", "续贷日期", "银行续贷放款日"),
    ("new_loan", "新贷款金额（元）", "续贷金额"),
    ("received_on", "归还日期", "资金回到专用账户之日"),
    ("return_ref", "归还凭证号", "归还的银行凭证号"),
    ("principal", "收回本金（元）", "须等于转贷金额"),
    ("fee", "收取用款费用（元）", "按当时政策、实际用款天数计算"),
    ("state", "状态", "已归还"),
)
HEADERS = {header: name for name, header, _ in COLUMNS}
LABELS = {name: header for name, header, _ in COLUMNS}
TEXT_LENGTH = {"name": 200, "contract": 64, "disbursement_ref": 64, "return_ref": 64}
MONEY = ("loan_due", "amount", "new_loan", "principal", "fee")
WAN = ("revenue", "assets")
DAYS = ("value_date", "renewed_on", "received_on")
STATES = {"已归还": State.ARCHIVED}


@dataclass
class Row:
    """A row read and checked: where it was, what it says, and its problems."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    key: str = ""
    policy: Policy | None = None
    version_id: int | None = None
    bank: Bank | None = None

    def problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.number, LABELS.get(name, name), message))


@dataclass
class Result:
    """What a run found and did: rows read, created, skipped (imported before), refused (with their problems)."""

    rows: list[Row]
    row_by_row: bool = False
    fresh: list[Row] = field(default_factory=list)  # the rows without a problem not imported before
    general: list[Problem] = field(default_factory=list)  # the file's, not a row's: nothing is imported
    created: int = 0
    skipped: int = 0
    record: LedgerImport | None = None

    @property
    def importable(self) -> bool:
        """Something new to import and nothing that stops it: no problem of the file, and no row refused unless asked
        row by row."""
        return bool(self.fresh) and not self.general and (not self.refused or self.row_by_row)

    @property
    def refused(self) -> list[Row]:
        return [row for row in self.rows if row.problems]

    @property
    def amount(self) -> Money:
        """The bridges the good new rows say went out."""
        return Money(sum(row.values["amount"].fen for row in self.fresh))

    @property
    def fees(self) -> Money:
        return Money(sum(row.values["fee"].fen for row in self.fresh))

    @property
    def period(self) -> tuple[date, date] | None:
        """The first and last value dates of the good new rows."""
        days = [row.values["value_date"] for row in self.fresh]
        return (min(days), max(days)) if days else None

    @property
    def problems(self) -> list[Problem]:
        return [*self.general, *(p for row in self.rows for p in row.problems)]


Progress = Callable[[int, int], None]


def run(
    actor: User,
    fund_id: int,
    filename: str,
    data: bytes,
    *,
    dry_run: bool = False,
    row_by_row: bool = False,
    progress: Progress | None = None,
) -> Result:
    """Check the 台账 and, unless ``dry_run``, import it (one transaction). A file with any problem imports nothing,
    but with ``row_by_row`` its good rows are imported and the others recorded as refused. ``progress(done, of)`` after
    each bridge written.

    :raise NotAllowed: not the fund's administrator. :raise InvalidInput: a file that is not a 台账 at all (no
    header row, not a workbook), named under ``file``."""
    steps = running(actor, fund_id, filename, data, dry_run=dry_run, row_by_row=row_by_row)
    while True:
        try:
            done, of = next(steps)
        except StopIteration as finished:
            result: Result = finished.value
            return result
        if progress is not None:
            progress(done, of)


def running(
    actor: User, fund_id: int, filename: str, data: bytes, *, dry_run: bool = False, row_by_row: bool = False
) -> Generator[tuple[int, int], None, Result]:
    """``run`` as a generator of its progress — ``(done, of)`` after each bridge written — returning its result (the
    page streams it)."""
    if actor.role_enum is not Role.ADMIN:
        raise NotAllowed("只有系统管理员可以导入台账", code="role_not_allowed")
    rows = _read(data, filename)
    fund = db.session.get(Fund, fund_id)
    assert fund is not None
    result = Result(rows, row_by_row)
    done = _check(fund, rows)
    good = [row for row in rows if not row.problems]
    result.fresh = [row for row in good if row.key not in done]
    result.skipped = len(good) - len(result.fresh)
    result.general = _check_cash(fund_id, result.fresh)
    refused = not result.importable and bool(result.problems)
    if dry_run:
        result.created = len(result.fresh) if result.importable else 0
        return result
    if not refused:
        try:
            yield from _create(actor, fund, result.fresh)
        except IntegrityError:
            # its concurrent twin imported the same rows first (the rows' keys and the return vouchers are unique in
            # the database): nothing of this run is kept, and the record of the other says what was imported
            discard()
            raise Conflict(IMPORTED_BESIDE, code="imported_beside") from None
        result.created = len(result.fresh)
    result.record = LedgerImport(
        fund_id=fund_id,
        filename=filename[-200:] or "台账.xlsx",
        sha256=sha256(data),
        size=len(data),
        row_by_row=row_by_row,
        outcome="refused" if refused else ("partial" if result.refused else "imported"),
        rows_read=len(rows),
        rows_created=result.created,
        rows_skipped=result.skipped,
        rows_refused=len(result.refused),
        problems=[str(p) for p in result.problems[:1000]],
        imported_by_id=actor.id,
    )
    db.session.add(result.record)
    return finish(result)


def sha256(data: bytes) -> str:
    """The file's fingerprint as the import record keeps it (the page checks that the file confirmed is the one
    checked)."""
    return hashlib.sha256(data).hexdigest()


def records(fund_id: int, limit: int = 50) -> list[LedgerImport]:
    """The fund's latest imports, newest first, with who made them."""
    return list(
        db.session.scalars(
            select(LedgerImport)
            .where(LedgerImport.fund_id == fund_id)
            .order_by(LedgerImport.id.desc())
            .limit(limit)
            .options(joinedload(LedgerImport.imported_by))
        )
    )


# -- reading -----------------------------------------------------------------------------------------------------------


def _read(data: bytes, filename: str) -> list[Row]:
    if len(data) > MAX_BYTES:
        raise InvalidInput({"file": [f"文件超过 {MAX_BYTES // 1024 // 1024} MB"]})
    if not data.startswith(b"PK"):
        raise InvalidInput({"file": ["请使用台账模板的 .xlsx 文件（docs/ledger-import.md）"]})
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or disguised file is named as such
        raise InvalidInput({"file": ["无法读取该 .xlsx 文件：文件已损坏或不是 Excel 工作簿"]}) from None
    try:
        table = []
        for values in book.worksheets[0].iter_rows(values_only=True):
            table.append(values)
            if len(table) > MAX_ROWS + 30:
                raise InvalidInput({"file": [f"超过 {MAX_ROWS} 行，请分开导入"]})
    finally:
        book.close()
    return _rows(table)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalised(str(value))


def _rows(table: Sequence[Sequence[Any]]) -> list[Row]:
    header_at = next(
        (i for i, values in enumerate(table[:30]) if "统一社会信用代码" in [_text(v) for v in values]), None
    )
    if header_at is None:
        raise InvalidInput({"file": ["前 30 行中找不到表头（应有“统一社会信用代码”等列，见台账模板）"]})
    headers = [_text(v) for v in table[header_at]]
    missing = [header for header in HEADERS if header not in headers]
    if missing:
        raise InvalidInput({"file": [f"第 {header_at + 1} 行表头缺少这些列：{'、'.join(missing)}"]})
    at = {HEADERS[h]: i for i, h in enumerate(headers) if h in HEADERS}
    rows = []
    for number, values in enumerate(table[header_at + 1 :], start=header_at + 2):
        cells = {name: values[i] if i < len(values) else None for name, i in at.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        row = Row(number)
        for name, value in cells.items():
            _parse(row, name, value)
        rows.append(row)
    if not rows:
        raise InvalidInput({"file": ["台账中没有数据行"]})
    return rows


def _parse(row: Row, name: str, value: Any) -> None:
    text = _text(value)
    if not text:
        row.problem(name, "不能为空")
        return
    if name in MONEY or name in WAN:
        found = money_cell(value, name, lambda n, message: row.problem(n, message))
        if found is not None and found.is_negative:
            row.problem(name, f"不能为负数：{text}")
        elif found is not None:
            row.values[name] = Money(found.fen * 10_000) if name in WAN else found
    elif name in DAYS:
        day = day_cell(value)
        if day is None:
            row.problem(name, f"无法识别的日期 {text}")
        else:
            row.values[name] = day
    elif name == "employees":
        if not text.isascii() or not text.isdigit() or int(text) > 10_000_000:
            row.problem(name, f"从业人员须为 0 至 10,000,000 的整数：{text}")
        else:
            row.values[name] = int(text)
    else:
        wrong = text_problem(text)
        limit = TEXT_LENGTH.get(name, 100)
        if wrong is not None:
            row.problem(name, wrong)
        elif len(text) > limit:
            row.problem(name, f"不能超过 {limit} 个字符")
        else:
            row.values[name] = text


# -- checking ----------------------------------------------------------------------------------------------------------


def _check(fund: Fund, rows: list[Row]) -> set[str]:
    """Every row's problems, in place; the keys of the good rows the fund has imported before."""
    today = clock.today()
    in_force = versions_in_force(fund.id)
    banks = list(db.session.scalars(select(Bank).where(Bank.fund_id == fund.id)))
    by_name = {b.name: b for b in banks} | {b.code: b for b in banks}
    districts = {d.name: d.key for d in fund.districts}  # the fund's region only (第八条)
    industries = {industry.name: key for key, industry in INDUSTRIES.items()}
    seen: dict[str, int] = {}
    names: dict[str, tuple[str, int]] = {}
    refs: dict[tuple[int, str], int] = {}
    for row in rows:
        v = row.values
        if "credit_code" in v:
            try:
                v["credit_code"] = normalise_credit_code(v["credit_code"])
            except InvalidValue as exc:
                row.problem("credit_code", exc.message)
                del v["credit_code"]
        if "district" in v:
            if v["district"] not in districts:
                row.problem("district", f"“{v['district']}”不在本资金服务区域内")
            else:
                v["district"] = districts[v["district"]]
        if "industry" in v:
            if v["industry"] not in industries:
                row.problem("industry", f"未知行业“{v['industry']}”（应为划型行业名称，如 工业）")
            else:
                v["industry"] = industries[v["industry"]]
        if "bank" in v:
            bank = by_name.get(v["bank"])
            if bank is None:
                row.problem("bank", f"“{v['bank']}”不是本资金的合作银行")
            else:
                row.bank = bank
                if "value_date" in v and not bank.agreement_start <= v["value_date"] <= bank.agreement_end:
                    row.problem("bank", f"放款日不在{bank.name}的合作协议期内")
        if "state" in v and v["state"] not in STATES:
            row.problem("state", f"只能导入已结清（{'、'.join(STATES)}）的业务，不能导入“{v['state']}”")
        if row.problems or any(name not in v for name, _, _ in COLUMNS):
            continue
        _check_rules(row, in_force, today)
        identity = (v["credit_code"], v["value_date"].isoformat(), str(v["amount"].fen), v["disbursement_ref"])
        row.key = hashlib.sha256("|".join(identity).encode()).hexdigest()
        first_name = names.setdefault(v["credit_code"], (v["name"], row.number))
        if first_name[0] != v["name"]:
            row.problem("name", f"与第 {first_name[1]} 行信用代码相同而企业名称不同（“{first_name[0]}”）")
        if row.key in seen:
            row.problem("credit_code", f"与第 {seen[row.key]} 行是同一笔业务")
        seen.setdefault(row.key, row.number)
        assert row.bank is not None
        ref = (row.bank.id, v["return_ref"])
        if ref in refs:
            row.problem("return_ref", f"与第 {refs[ref]} 行的归还凭证号相同")
        refs.setdefault(ref, row.number)
    return _check_booked(fund.id, rows)


def _check_rules(row: Row, in_force: Callable[[date], tuple[PolicyVersion, Policy]], today: date) -> None:
    v = row.values
    try:
        version, policy = in_force(v["value_date"])
    except (InvalidValue, KeyError):
        row.problem("value_date", "该日期没有生效的政策版本，请先在“政策版本”中补录当时的办法")
        return
    row.policy, row.version_id = policy, version.id
    try:
        size = classify_size(v["industry"], v["employees"], v["revenue"], v["assets"])
    except InvalidValue as exc:
        row.problem("employees", exc.message)
        return
    past = PastBridge(
        loan_due=v["loan_due"],
        amount=v["amount"],
        value_date=v["value_date"],
        renewed_on=v["renewed_on"],
        new_loan=v["new_loan"],
        received_on=v["received_on"],
        principal=v["principal"],
        fee=v["fee"],
        size=size,
    )
    v["size"] = size.value
    for finding in check(past, policy, today):
        row.problem("employees" if finding.field == "size" else finding.field, finding.message)


def _check_cash(fund_id: int, fresh: list[Row]) -> list[Problem]:
    """The special account never below zero on any day, the past bridges booked (``past_bridge.first_short_day``)."""
    if not fresh:
        return []
    moves: dict[date, Money] = {}
    for row in fresh:
        v = row.values
        moves[v["value_date"]] = moves.get(v["value_date"], Money.zero()) - v["amount"]
        moves[v["received_on"]] = moves.get(v["received_on"], Money.zero()) + v["principal"] + v["fee"]
    booked = db.session.scalars(
        select(LedgerDay.day)
        .where(LedgerDay.fund_id == fund_id, LedgerDay.line == CASH, LedgerDay.day >= min(moves))
        .distinct()
    )
    days = sorted(set(moves) | set(booked))
    short = first_short_day(ledger.cash_closing(fund_id, days), moves)
    if short is None:
        return []
    day, balance = short
    return [
        Problem(
            None,
            "",
            f"导入后专用账户 {day.isoformat()} 的日终余额将为 {balance.format()} 元：专用账户余额不能为负，"
            "请先在“出资登记”中补录当时的出资（含入账日期与银行凭证号）",
        )
    ]


def _check_booked(fund_id: int, rows: list[Row]) -> set[str]:
    """What the database already holds: a return's transfer reference booked before (by the fund's own records) is
    the same money twice; a credit code registered under another name is another enterprise, or a typing error."""
    wanted = [r for r in rows if not r.problems and r.bank is not None]
    if not wanted:
        return set()
    booked = {
        (bank_id, ref)
        for bank_id, ref in db.session.execute(
            select(TransferReference.bank_id, TransferReference.transfer_ref).where(
                TransferReference.transfer_ref.in_([r.values["return_ref"] for r in wanted])
            )
        )
    }
    keys = {
        key
        for key in db.session.scalars(
            select(Application.imported_key).where(
                Application.fund_id == fund_id, Application.imported_key.in_([r.key for r in wanted])
            )
        )
        if key is not None
    }
    names = dict(
        db.session.execute(
            select(Enterprise.credit_code, Enterprise.name).where(
                Enterprise.credit_code.in_({r.values["credit_code"] for r in wanted})
            )
        ).all()
    )
    for row in wanted:
        assert row.bank is not None
        if (row.bank.id, row.values["return_ref"]) in booked and row.key not in keys:
            row.problem("return_ref", "该归还凭证号已登记过，同一笔划款不能重复登记")
        registered = names.get(row.values["credit_code"])
        if registered is not None and registered != row.values["name"]:
            row.problem("name", f"该统一社会信用代码已登记为“{registered}”，请核对企业名称或信用代码")
    return keys


# -- creating ----------------------------------------------------------------------------------------------------------


def _at(day: date, hour: int) -> datetime:
    """A moment of the fund's day (its time zone) as stored (UTC)."""
    return datetime.combine(day, time(hour), clock.FUND_TZ).astimezone(UTC)


def _create(actor: User, fund: Fund, rows: list[Row]) -> Generator[tuple[int, int], None, None]:
    enterprises: dict[str, Enterprise] = {
        e.credit_code: e
        for e in db.session.scalars(
            select(Enterprise).where(Enterprise.credit_code.in_([r.values["credit_code"] for r in rows]))
        )
    }
    for done, row in enumerate(sorted(rows, key=lambda r: (r.values["value_date"], r.number)), start=1):
        _bridge(actor, fund, row, enterprises)
        yield done, len(rows)
    db.session.flush()
    cohorts.rebuild(fund.id)  # the report's kept totals, from the record now holding the past


def _bridge(actor: User, fund: Fund, row: Row, enterprises: dict[str, Enterprise]) -> None:
    v = row.values
    assert row.bank is not None and row.policy is not None
    enterprise = enterprises.get(v["credit_code"])
    if enterprise is None:
        enterprise = Enterprise(
            name=v["name"],
            credit_code=v["credit_code"],
            district=v["district"],
            industry=v["industry"],
            employees=v["employees"],
            revenue=v["revenue"],
            assets=v["assets"],
            size=v["size"],
        )
        db.session.add(enterprise)
        enterprises[v["credit_code"]] = enterprise
    value_date, renewed_on, received_on = v["value_date"], v["renewed_on"], v["received_on"]
    used = days_used(value_date, received_on)
    bank = row.bank
    application = Application(
        fund_id=fund.id,
        enterprise=enterprise,
        bank_id=bank.id,
        policy_version_id=row.version_id,
        state=State.ARCHIVED.value,
        version=1,
        loan_contract_no=v["contract"],
        loan_amount_due=v["loan_due"],
        loan_due_date=value_date,
        loan_overdue=False,
        requested_amount=v["amount"],
        requested_days=min(used, row.policy.max_days),
        own_funds_planned=v["loan_due"] - v["amount"],
        purpose=f"归还到期流动资金贷款（{NOTE}）",
        submitted_at=_at(value_date, 9),
        committed_amount=v["new_loan"],
        approved_amount=v["amount"],
        own_funds_confirmed=v["loan_due"] - v["amount"],
        approved_on=value_date,
        value_date=value_date,
        disbursement_ref=v["disbursement_ref"],
        destination_account_name=bank.account_name,
        destination_account_no=bank.account_no,
        destination_account_bank=bank.account_bank,
        prepared_at=_at(value_date, 10),
        authorised_at=_at(value_date, 11),
        new_loan_contract_no=f"{v['contract']}（续）",
        new_loan_amount=v["new_loan"],
        renewed_on=renewed_on,
        renewal_late=renewal_late(row.policy, value_date, renewed_on),
        received_on=received_on,
        fee_due=v["fee"],
        archived_at=_at(received_on, 17),
        imported_key=row.key,
        created_at=clock.utcnow(),
    )
    db.session.add(application)
    db.session.flush()
    fund_position.reserved_in_the_past(fund.id, value_date, v["amount"])
    note = f"{NOTE}（第 {row.number} 行）"
    # each step of the ordinary path on the day of the state it reaches, an hour apart within the day; the money's
    # steps with what the real ones record
    days = {State.RENEWED: renewed_on, State.REPAID: received_on, State.ARCHIVED: received_on}
    payloads = {
        State.DISBURSED: {"amount": v["amount"].plain(), "value_date": value_date.isoformat()},
        State.REPAID: {"principal": v["principal"].plain(), "fee": v["fee"].plain()},
    }
    hour: dict[date, int] = {}
    for action, role, before, after in ordinary_path():
        day = days.get(after, value_date)
        hour[day] = hour.get(day, 8) + 1
        db.session.add(
            ApplicationEvent(
                application_id=application.id,
                actor_id=None,  # who took the step then is not in the 台账: none is named, the note says why
                actor_role=role.value,
                at=_at(day, hour[day]),
                action=action.value,
                from_state=before.value if before else None,
                to_state=after.value,
                note=note,
                payload=payloads.get(after, {}) if before is not after else {},
            )
        )
    receipt = Receipt(
        application=application,
        received_on=received_on,
        principal=v["principal"],
        fee=v["fee"],
        transfer_ref=v["return_ref"],
        recorded_by_id=actor.id,
    )
    db.session.add(receipt)
    db.session.flush()
    transfers.book(bank.id, v["return_ref"], "return", received_on, application.id)
    # the money back first, then out: the special account never shows less than it holds today on the way
    ledger.post(
        return_posting(receipt.id, application.id, v["principal"], v["fee"]),
        received_on,
        fund_id=fund.id,
        bank_ref=v["return_ref"],
        application_id=application.id,
        actor=actor,
    )
    ledger.post(
        disbursement_posting(application.id, v["amount"]),
        value_date,
        fund_id=fund.id,
        bank_ref=v["disbursement_ref"],
        application_id=application.id,
        actor=actor,
    )
    account = account_of(application, received_on, row.policy)
    frozen = statement.build(application, account, row.policy, clock.today(), archived_by=actor, archive_note=NOTE)
    statement.freeze(application, frozen, actor)


def template() -> bytes:
    """The 台账 template: the header row and a line saying what each column holds."""
    from loanfund.services.reports.workbook import Book, Column

    book = Book("", "应急转贷台账导入模板")
    book.sheet(
        "台账",
        "应急转贷台账（每行一笔已结清的业务；表头须与模板一致）",
        [Column(header, width=18) for _, header, _ in COLUMNS],
        [[hint for _, _, hint in COLUMNS]],
    )
    return book.bytes()
