"""Each fund's own money (issue 27, DESIGN §7): a county fund beside the city's lends, is repaid and reconciles in its
own books; the city's position, books and reports do not move, neither fund's staff sees the other's bridge, and the
database refuses an entry that mixes the two."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from loanfund import clock
from loanfund.domain.errors import NotFound
from loanfund.domain.ledger import CASH, FEE_INCOME
from loanfund.domain.lifecycle import Role, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Bank, JournalEntry, JournalLeg, LedgerAccount, User
from loanfund.services import lifecycle
from loanfund.services.books import fund, ledger
from loanfund.services.books.capital import contributor_named, record_contribution
from loanfund.services.books.reconcile import reconcile
from loanfund.services.reports import reporting
from tests.factories import BankUserFactory, UserFactory, city_fund, county_fund
from tests.flows import ENTERPRISE_MATERIALS, Flows, attach, credit_ok

pytestmark = pytest.mark.both_databases

M = Money.parse


@pytest.fixture
def county(people, traveller):  # type: ignore[no-untyped-def]
    """Donghai's fund with its own staff, an ICBC officer of its own and its 2000万 from the county's finance."""
    traveller.move_to("2026-11-02 09:00:00+08:00")
    dh = county_fund()
    for username, role in (
        ("dh_reviewer", Role.REVIEWER),
        ("dh_operator", Role.OPERATOR),
        ("dh_operator2", Role.OPERATOR),
        ("dh_group", Role.GROUP),
    ):
        UserFactory(username=username, role=role.value, fund_id=dh.id)
    icbc = db.session.scalars(select(Bank).where(Bank.code == "ICBC-DH")).one()  # its Donghai branch's agreement
    BankUserFactory(username="dh_bank1", bank=icbc)
    db.session.commit()
    record_contribution(
        contributor_named(dh.id, "东海县财政局", "county"), M("20,000,000.00"), clock.today(), "CZ-DH-1"
    )
    return dh


def user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def county_bridge(traveller) -> Application:  # type: ignore[no-untyped-def]
    """ent2's 10,000,000.00 for 6 days from the county's fund, out and back with its 14,000.00 fee."""
    data = lifecycle.ApplicationInput(
        bank_id=db.session.scalars(select(Bank.id).where(Bank.code == "ICBC-DH")).one(),
        loan_contract_no="工银东借字2026第0042号",
        loan_amount_due=M("12,000,000.00"),
        loan_due_date=clock.today() + timedelta(days=1),
        loan_overdue=False,
        requested_amount=M("10,000,000.00"),
        requested_days=6,
        own_funds=M("2,000,000.00"),
        purpose="转贷",
        fund="DH",
    )
    application = lifecycle.submit_application(user("ent2"), data)
    attach(user("ent2"), application, ENTERPRISE_MATERIALS)
    attach(user("dh_reviewer"), application, ("credit_report",))
    lifecycle.accept(user("dh_reviewer"), application.id, **credit_ok())
    attach(user("dh_bank1"), application, ("commitment",))
    lifecycle.commit(user("dh_bank1"), application.id, M("12,000,000.00"), "同意续贷", "承诺函")
    # the county's 95 %: 10,000,000.00 of a 12,000,000.00 commitment is within it (the city's 80 % would not be)
    lifecycle.approve(user("dh_operator"), application.id, M("10,000,000.00"), M("2,000,000.00"))
    lifecycle.prepare_disbursement(user("dh_operator"), application.id, clock.today(), "DH-HK-0001")
    lifecycle.authorise_disbursement(user("dh_operator2"), application.id)
    traveller.shift(timedelta(days=6))
    lifecycle.confirm_renewal(
        user("dh_bank1"), application.id, "工银东借字2026第0099号", M("12,000,000.00"), clock.today()
    )
    # 10,000,000.00 × (5 × 0.2‰ + 1 × 0.4‰) = 14,000.00 for the 6 days (the county's policy)
    lifecycle.confirm_return(
        user("dh_bank1"), application.id, clock.today(), M("10,000,000.00"), M("14,000.00"), "DH-1"
    )
    return db.session.get_one(Application, application.id)


def test_a_county_bridge_moves_only_the_county_books(county, traveller):
    city = city_fund()
    city_before = fund.position(city.id)
    application = county_bridge(traveller)
    assert application.state == State.REPAID.value

    assert (fund.position(county.id).cash, fund.position(county.id).reserved) == (M("20,014,000.00"), Money.zero())
    assert fund.position(city.id) == city_before
    assert -ledger.balance(county.id, FEE_INCOME) == M("14,000.00")
    assert ledger.balance(city.id, FEE_INCOME) == Money.zero()
    assert reconcile(county.id).ok and reconcile(city.id).ok
    november_city = reporting.report(city, clock.today().replace(day=1), clock.today()).summary
    november_county = reporting.report(county, clock.today().replace(day=1), clock.today()).summary
    assert (november_city.submitted, november_city.disbursed, november_city.fee_income) == (
        0,
        Money.zero(),
        Money.zero(),
    )
    assert (november_county.submitted, november_county.disbursed, november_county.fee_income) == (
        1,
        M("10,000,000.00"),
        M("14,000.00"),
    )
    # each fund's report lists its own cooperating banks, none of the other's
    county_report = reporting.report(county, clock.today().replace(day=1), clock.today())
    city_report = reporting.report(city, clock.today().replace(day=1), clock.today())
    assert [line.label for line in county_report.breakdown("bank").lines] == ["中国工商银行东海县支行"]
    assert [line.label for line in city_report.breakdown("bank").lines] == [
        "中国工商银行连云港分行",
        "江苏银行连云港分行",
    ]
    # neither fund's staff sees the other's bridge, nor the bank's officer of the other fund
    for other in ("reviewer", "operator", "group", "bank1"):
        with pytest.raises(NotFound):
            lifecycle.get(user(other), application.id)
    assert lifecycle.get(user("ent2"), application.id).id == application.id  # the enterprise follows its own


def test_the_county_staff_see_nothing_of_the_city(county):
    city_bridge = Flows().to(State.APPROVED)
    for other in ("dh_reviewer", "dh_operator", "dh_group", "dh_bank1"):
        with pytest.raises(NotFound):
            lifecycle.get(user(other), city_bridge.id)
    assert fund.position(county.id).reserved == Money.zero()


def test_the_database_refuses_a_leg_on_another_funds_account(county):
    city_cash = db.session.scalars(
        select(LedgerAccount).where(LedgerAccount.fund_id == city_fund().id, LedgerAccount.code == CASH)
    ).one()
    entry = db.session.scalars(select(JournalEntry).where(JournalEntry.fund_id == county.id)).first()
    assert entry is not None  # the county's contribution
    db.session.add(
        JournalLeg(fund_id=county.id, entry_id=entry.id, account_id=city_cash.id, debit=Money(1), credit=Money(0))
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_each_fund_files_its_own_months(county, traveller):
    from loanfund.services.group import group_register
    from loanfund.services.reports import monthly

    UserFactory(username="dh_group2", role=Role.GROUP.value, fund_id=county.id)
    db.session.commit()
    traveller.move_to("2026-12-02 09:00:00+08:00")
    theirs = monthly.submit(user("dh_operator"), 2026, 11, analysis="县级资金十一月运行平稳")
    ours = monthly.submit(user("operator"), 2026, 11, analysis="市级资金十一月运行平稳")
    assert (theirs.revision, ours.revision) == (1, 1)  # numbered within each fund
    assert [r.id for r in monthly.queue(user("group"))] == [ours.id]
    assert [r.id for r in monthly.queue(user("dh_group"))] == [theirs.id]
    assert monthly.filed(user("dh_group"), 2026, 11, 1).row.id == theirs.id
    with pytest.raises(NotFound):
        group_register.filed_report(user("group"), theirs.id)
    # the county's report is the county's money: its 20,000,000.00 capital, nothing of the city's
    assert monthly.filed(user("dh_group"), 2026, 11, 1).report.fund_name == "东海县中小微企业应急转贷资金"


def test_a_bar_refuses_in_its_own_fund_and_warns_in_the_other(county, traveller):
    from loanfund.models import BlacklistEntry
    from loanfund.services.oversight import blacklist, risk

    # the county's group bars the Donghai firm in the county's fund
    proposal = blacklist.submit_proposal(
        user("dh_operator"), user("ent2").enterprise, "not_returned", "县级转贷逾期未还", clock.today()
    )
    blacklist.decide(user("dh_group"), proposal.id, True, "确认", "纪要〔2026〕1号")
    assert blacklist.violation_for(county.id, user("ent2").enterprise.credit_code, clock.today()) is not None
    assert blacklist.violation_for(city_fund().id, user("ent2").enterprise.credit_code, clock.today()) is None
    # the city's group neither sees nor decides it
    assert blacklist.entries(city_fund().id) == []
    with pytest.raises(NotFound):
        blacklist.lift(user("group"), proposal.id, "试图解除")
    # an application to the city's fund is not refused, and the city's early warnings name the county's bar
    city_bridge = Flows().to(State.ACCEPTED, enterprise="ent2", fund="LYG")
    assert city_bridge.state == State.ACCEPTED.value
    warned = [w.why for w in risk.report(city_fund().id).warnings if w.subject == "东海县晶华硅材料有限公司"]
    assert any("列入东海县中小微企业应急转贷资金的黑名单" in why for why in warned), warned
    assert db.session.get(BlacklistEntry, proposal.id).fund_id == county.id  # type: ignore[union-attr]


def test_the_record_beside_an_application_holds_its_own_funds_bridges_only(county):
    from loanfund.services.applications import history

    theirs = Flows().submit(enterprise="ent2", fund="DH")
    ours = Flows().submit(enterprise="ent2", fund="LYG")
    also_ours = Flows().submit(enterprise="ent2", fund="LYG")
    deciding = [reference for reference, _, _ in history.of(ours, clock.today()).open_requests]
    assert deciding == [also_ours.reference]
    assert theirs.reference not in deciding


def test_each_fund_keeps_its_own_checklist(county):
    from loanfund.services.applications import materials

    UserFactory(username="dh_admin", role=Role.ADMIN.value, fund_id=county.id)
    db.session.commit()
    tax = materials.ItemInput("tax_proof", "完税证明", "enterprise", "accept", True, True, 9)
    item = materials.save_item(user("dh_admin"), None, tax)
    assert "tax_proof" in [i.code for i in materials.checklist(county.id)]
    assert "tax_proof" not in [i.code for i in materials.checklist(city_fund().id)]
    with pytest.raises(NotFound):  # the city's administrator cannot touch the county's list
        materials.save_item(user("admin"), item.id, tax)
    # the county's applications need it before acceptance; the city's do not
    theirs = Flows().submit(enterprise="ent2", fund="DH")
    ours = Flows().submit(enterprise="ent2", fund="LYG")
    assert [i.label for i in materials.missing(theirs, "accept")] == ["企业征信报告", "完税证明"]  # in the list's order
    assert [i.label for i in materials.missing(ours, "accept")] == ["企业征信报告"]


def test_a_dissolution_stops_its_own_fund_only(county, traveller):
    from loanfund.services.group import dissolution

    UserFactory(username="dh_group2", role=Role.GROUP.value, fund_id=county.id)
    db.session.commit()
    row = dissolution.propose(user("dh_operator"), "县级资金并入市级资金")
    assert dissolution.current(city_fund().id) is None
    with pytest.raises(NotFound):  # the city's group cannot decide the county's
        dissolution.decide(user("group"), row.id, True, "纪要〔2026〕9号")
    # approved for dissolution, the county takes no application; the city still does
    from loanfund.models import Dissolution

    stopped = db.session.get(Dissolution, row.id)
    stopped.state, stopped.approval_ref = "approved", "东政复〔2026〕1号"  # type: ignore[union-attr]
    db.session.commit()
    assert dissolution.refusal_to_apply(county.id) is not None
    assert dissolution.refusal_to_apply(city_fund().id) is None


def test_the_bank_claims_list_is_the_funds_own(county, traveller):
    from loanfund.services.oversight import liability

    flows = Flows(traveller)
    city_bridge = flows.to(State.DISBURSED)
    traveller.shift(timedelta(days=12))  # overdue and never renewed: the bank is liable (R12)
    liability.record_claim(user("operator"), city_bridge.id, "银行未按承诺续贷")
    assert [c.application_id for c in liability.claims(user("operator"))] == [city_bridge.id]
    assert liability.claims(user("dh_operator")) == []
    assert liability.claims(user("dh_bank1")) == []  # ICBC's officer for the county: not the city's claim
    assert [c.application_id for c in liability.claims(user("bank1"))] == [city_bridge.id]


def test_each_fund_keeps_its_own_register_and_audit_pack(county, traveller, tmp_path, app):
    """Both groups number their minutes alike and file a rules document of the same title; each reads its own; each
    fund's pack holds its own applications, books and register, nothing of the other's."""
    import csv
    import io
    import zipfile

    from loanfund.models import GroupDecision
    from loanfund.services.group import group_register
    from loanfund.services.reports import audit_pack

    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    theirs = county_bridge(traveller)
    ours = Flows(traveller).to(State.REPAID)
    minutes = [("纪要.pdf", b"%PDF-1.4\n")]
    city_meeting = group_register.record_meeting(
        user("group"), clock.today(), "市应急转贷资金领导小组第4次会议", "组长等 7 人", "纪要〔2026〕4号", minutes
    )
    county_meeting = group_register.record_meeting(
        user("dh_group"), clock.today(), "县应急转贷资金领导小组第4次会议", "组长等 5 人", "纪要〔2026〕4号", minutes
    )
    rules = [("规程.pdf", b"%PDF-1.4\n")]
    assert group_register.file_rules(user("operator"), "操作规程", clock.today(), "", rules).version == 1
    assert group_register.file_rules(user("dh_operator"), "操作规程", clock.today(), "", rules).version == 1
    with pytest.raises(NotFound):
        group_register.meeting_minutes(user("group"), county_meeting.id)
    lines = group_register.register(user("group"), clock.today().year)
    assert [(line.meeting.id if line.meeting else None) for line in lines] == [city_meeting.id, None]
    assert [d.subject for d in lines[1].decisions] == ["《操作规程》第 1 版报领导小组备案"]  # its own filing only
    assert [d.title for d in group_register.rules_documents(user("dh_group"))] == ["操作规程"]

    def pack(fund_id: int, folder: str) -> zipfile.ZipFile:
        return zipfile.ZipFile(audit_pack.build(fund_id, 2026, tmp_path / folder).path)

    def rows(zipped: zipfile.ZipFile, name: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(zipped.read(name).decode("utf-8-sig"))))[1:]

    ours_ref, theirs_ref, theirs_id, county_id = ours.reference, theirs.reference, theirs.id, county.id
    city_pack, county_pack = pack(city_fund().id, "city"), pack(county_id, "county")  # (a build expunges the session)
    for zipped, own in ((city_pack, ours_ref), (county_pack, theirs_ref)):
        folders = {n.split("/")[1] for n in zipped.namelist() if n.startswith("applications/")}
        assert folders == {own}
    assert {row[5] for row in rows(county_pack, "journal-2026.csv")} == {"", str(theirs_id)}  # capital, the bridge
    assert str(theirs_id) not in {row[5] for row in rows(city_pack, "journal-2026.csv")}
    assert [row[1] for row in rows(county_pack, "group/meetings.csv")] == ["县应急转贷资金领导小组第4次会议"]
    assert [row[1] for row in rows(city_pack, "group/meetings.csv")] == ["市应急转贷资金领导小组第4次会议"]
    # the county's capital and fee in its trial balance; the city's 200,000,000.00 is not there
    balances = {row[0]: row[5] for row in rows(county_pack, "trial-balance-2026-12-31.csv")}
    assert (balances[CASH], balances[FEE_INCOME]) == ("20014000.00", "14000.00")

    # the database refuses a decision of one fund's group on another fund's application
    db.session.add(
        GroupDecision(
            fund_id=city_fund().id,
            decided_on=clock.today(),
            kind="application",
            subject="越权",
            outcome="同意",
            application_id=theirs_id,
            recorded_by_id=user("group").id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
