"""Every route × every role × two funds (issue 27, DESIGN §7): the route table of ``test_route_matrix`` asked by the
county fund's staff and bank officer, whose city counterparts reach what the table says. Nobody of the county
reaches anything of the city's (404 on a page, 403 or 404 in the API) and nothing the county's people reach shows
the city's business; nobody of the city reaches the county's application or sees its business. On both databases.

The world is ``test_route_matrix``'s (the city's applications, claims, blacklist, meetings, report and pack) with
Donghai's fund beside it: its staff, ICBC's officer for it, and one application of ent2's to it, accepted."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import Application, Bank
from loanfund.services import lifecycle
from tests.factories import BankUserFactory, UserFactory, county_fund
from tests.flows import Flows, attach, credit_ok
from tests.web.test_route_matrix import (
    EVERYONE,
    ROUTES,
    SIGNED_IN,
    Route,
    Visitor,
    World,
    audit_rows,
    build_world,
    outcome,
)

pytestmark = pytest.mark.both_databases

# each of the county's people, and who of the city's does the same work
COUNTERPART = {
    "dh_reviewer": "reviewer",
    "dh_operator": "operator",
    "dh_group": "group",
    "dh_admin": "admin",
    "dh_bank1": "bank1",
}
# a path naming one row of the city's (an application, a material, a claim, an entry, a change, a bank, a user, a
# meeting, a report's revision, a pack, a receipt's number…) or the city fund itself
NAMES_A_ROW = re.compile(r"<int\(max=2147483647\):\w+>|<code>|revision>|:number>")


def names_a_city_row(route: Route) -> bool:
    return bool(NAMES_A_ROW.search(route.rule))


@pytest.fixture
def world(app, client, people, traveller, tmp_path) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, client, traveller, tmp_path)


@pytest.fixture
def county(world: World, traveller) -> Application:  # type: ignore[no-untyped-def]
    """Donghai's fund, its people, and ent2's application to it, accepted by the county's reviewer."""
    fund = county_fund()
    for username, counterpart in COUNTERPART.items():
        if counterpart == "bank1":
            icbc = db.session.scalars(select(Bank).where(Bank.code == "ICBC-DH")).one()
            BankUserFactory(username=username, bank=icbc)
        else:
            UserFactory(username=username, role=Role(counterpart).value, fund_id=fund.id)
    db.session.commit()
    flows = Flows(traveller)
    theirs = flows.submit(
        enterprise="ent2", fund="DH", amount="5,000,000.00", loan_due="6,000,000.00", own_funds="1,000,000.00"
    )
    attach(flows.user("dh_reviewer"), theirs, ("credit_report",))
    lifecycle.accept(flows.user("dh_reviewer"), theirs.id, **credit_ok())
    return db.session.get_one(Application, theirs.id)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    kind = response.headers.get("Content-Type", "")
    return response.get_data(as_text=True) if ("html" in kind or "json" in kind or "csv" in kind) else ""


def _marks(*values: str) -> tuple[str, ...]:
    return tuple(v for v in values if v)


def walk(  # type: ignore[no-untyped-def]
    client, world: World, username: str, expected, marks: tuple[str, ...] = (), whose: str = ""
) -> list[str]:
    """Every route of the table asked as ``username``: what differs from ``expected(route)``, a refusal that wrote
    to the record, and a page reached that shows one of ``marks`` (another fund's business)."""
    mismatches: list[str] = []
    visitor = Visitor(client, username)
    for route in ROUTES:
        wanted = expected(route)
        before = audit_rows()
        response = visitor.ask(route, world)
        got = outcome(route, response)
        where = f"{route.method} {route.path(world)} as {username}"
        if got != wanted:
            mismatches.append(f"{where}: {got}, expected {wanted}")
        elif got != "reached" and audit_rows() != before:
            mismatches.append(f"{where}: refused, but wrote to the record")
        elif got == "reached" and route.method == "GET":
            shown = [m for m in marks if m in _text(response)]
            if shown:
                mismatches.append(f"{where}: shows {whose} {shown}")
        response.close()
        if route.ends_session and got == "reached":
            visitor.start()
    return mismatches


def test_the_countys_people_reach_nothing_of_the_citys(app, client, world, county):
    city = {
        "applications": [db.session.get_one(Application, i) for i in (world.archived, world.out, world.green)],
    }
    # what only the city's business shows: its bridges' references and contracts, its minutes, its rules, its
    # analysis, ICBC's city account
    marks = _marks(
        *(a.reference for a in city["applications"]),
        *(a.loan_contract_no for a in city["applications"]),
        "组长等 7 人",  # the city group's meeting (its title and number are the form's placeholders)
        "应急转贷资金操作规程",
        "十月运行平稳",
        "1107 0201 0900 0123 456",
    )
    mismatches: list[str] = []
    for username, counterpart in COUNTERPART.items():

        def expected(route: Route, counterpart: str = counterpart) -> str:
            reached = route.who == EVERYONE or (counterpart in route.who and not names_a_city_row(route))
            return "reached" if reached else "refused"

        mismatches += walk(client, world, username, expected, marks, "the city's")
    assert mismatches == [], "\n".join(mismatches)


def test_the_citys_people_reach_nothing_of_the_countys(app, client, world, county):
    marks = _marks(county.reference, county.loan_contract_no, "1107 0230 0900 0456 789")
    mismatches: list[str] = []
    for username in ("reviewer", "operator", "group", "admin", "bank1", "bank2"):
        visitor = Visitor(client, username)
        for path in (f"/applications/{county.id}", f"/applications/{county.id}/statement"):
            if (status := client.get(path).status_code) != 404:
                mismatches.append(f"GET {path} as {username}: {status}")
        answer = client.get(f"/api/v1/applications/{county.id}", headers={"Authorization": f"Bearer {visitor.bearer}"})
        if answer.status_code not in (403, 404):
            mismatches.append(f"GET /api/v1/applications/{county.id} as {username}: {answer.status_code}")
        for route in ROUTES:
            if route.method != "GET" or username not in route.who or route.ends_session:
                continue
            response = visitor.ask(route, world)
            shown = [m for m in marks if m in _text(response)]
            if shown:
                mismatches.append(f"GET {route.path(world)} as {username}: shows the county's {shown}")
            response.close()
    assert mismatches == [], "\n".join(mismatches)


# what the platform's own people do (DESIGN §7): their account, and the platform administrator's set-up of funds
PLATFORM_OWN = {
    ("/api/v1/funds", "POST"),
    ("/api/v1/funds/<code>/users", "POST"),
    ("/api/v1/funds/<code>/banks", "GET"),
    ("/api/v1/funds/<code>/banks", "POST"),
    ("/api/v1/funds/<code>/banks/<int(max=2147483647):bank_id>", "PUT"),
    ("/api/v1/overview", "GET"),
    # their own second factor: the platform administrator creates funds and their administrators (issue 30)
    ("/account/second-factor", "GET"),
    ("/account/second-factor", "POST"),
    ("/api/v1/account/second-factor", "GET"),
    ("/api/v1/account/second-factor", "POST"),
    ("/api/v1/account/second-factor", "DELETE"),
    ("/api/v1/account/second-factor/confirm", "POST"),
    ("/api/v1/account/second-factor/recovery-codes", "POST"),
}
# and every fund's monthly analysis, named by ``?fund=`` (without it, the index's redirect lands on a 404)
OVERSEER_OWN = {("/api/v1/overview", "GET"), ("/reports/monthly", "GET")}


@pytest.mark.parametrize("username", ["platform", "overseer"])
def test_the_platforms_people_act_on_no_funds_business(app, client, world, county, username):
    """The platform administrator sets funds up and the overseer reads them side by side; neither reaches an
    application, a report page, a register or an administrator's page of a fund."""
    UserFactory(username=username, role=username)
    db.session.commit()
    own = PLATFORM_OWN if username == "platform" else OVERSEER_OWN

    def expected(route: Route) -> str:
        everyone = route.who == EVERYONE or route.who >= SIGNED_IN - {"newcomer"}
        return "reached" if everyone or (route.rule, route.method) in own else "refused"

    mismatches = walk(client, world, username, expected)
    assert mismatches == [], "\n".join(mismatches)
