"""The funds on the platform (DESIGN §7) and the districts their regions are made of: which funds there are, the one
an enterprise applies to, the region a sign-up is checked against, and what the pages call the platform.

With one fund the platform is that fund: its name in the title bar, its region in every check and message.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from loanfund.domain.eligibility import Region, check_credit_code_region, check_district, shared_code
from loanfund.domain.errors import InvalidInput, InvalidValue, NotAllowed, NotFound
from loanfund.extensions import db
from loanfund.models import District, Fund, User

PLATFORM_NAME = "中小企业应急转贷资金管理平台"  # what the title bar says when the platform serves several funds


def funds() -> list[Fund]:
    """Every fund on the platform, the oldest first."""
    return list(db.session.scalars(select(Fund).order_by(Fund.id)))


def fund_by_code(code: str) -> Fund:
    """:raise NotFound: no fund has that code."""
    fund = db.session.scalar(select(Fund).where(Fund.code == code.strip().upper()))
    if fund is None:
        raise NotFound("未找到该转贷资金")
    return fund


def sole_fund() -> Fund | None:
    """The fund when the platform has exactly one (it then looks like a single-fund system), else None."""
    found = db.session.scalars(select(Fund).order_by(Fund.id).limit(2)).all()
    return found[0] if len(found) == 1 else None


def named_or_sole(code: str | None) -> Fund:
    """The fund named by ``code``, or the only one when none is named (the API's ``fund`` field).

    :raise NotFound: no fund has that code. :raise InvalidInput: several funds, none named."""
    if code:
        return fund_by_code(code)
    fund = sole_fund()
    if fund is None:
        raise InvalidInput({"fund": ["平台有多个转贷资金，请填写转贷资金代码"]})
    return fund


def fund_for_page(code: str | None) -> Fund:
    """The fund a public page (the calculator, the guide) shows: the one named, else the oldest.

    :raise NotFound: no fund has that code, or the platform has none yet."""
    if code:
        return fund_by_code(code)
    fund = db.session.scalar(select(Fund).order_by(Fund.id).limit(1))
    if fund is None:
        raise NotFound("平台尚未设立转贷资金")
    return fund


def own_fund(user: User) -> Fund:
    """The fund ``user`` works for.

    :raise NotAllowed: the user works for no fund (an enterprise's user)."""
    if user.fund is None:
        raise NotAllowed("只有转贷资金的工作人员可以办理", code="role_not_allowed")
    return user.fund


def name_for(user: User) -> str:
    """The name a page or a file made for ``user`` carries: their fund's, else the platform's."""
    if user.fund is not None:
        return user.fund.name
    fund = sole_fund()
    return fund.name if fund else PLATFORM_NAME


def fund_shown_to(user: User) -> Fund | None:
    """The fund whose name and bodies a page carries: ``user``'s own, else the platform's only fund (None on a
    platform of several). An error page shown because the database is unreachable still renders, as the platform's."""
    try:
        own: Fund | None = user.fund if user.is_authenticated else None
        return own or sole_fund()
    except SQLAlchemyError:
        db.session.rollback()
        return None


def districts() -> list[District]:
    """The platform's districts in their order."""
    return list(db.session.scalars(select(District).order_by(District.position, District.key)))


def district_choices() -> list[tuple[str, str]]:
    """The districts an enterprise may register in: those some fund serves, in the platform's order."""
    return [(d.key, d.name) for d in platform_region().districts]


def district_names() -> dict[str, str]:
    return {d.key: d.name for d in districts()}


def platform_region() -> Region:
    """The region a sign-up is checked against before it has chosen a fund: the one fund's, or the smallest region
    holding every fund's (the city's, when the counties' funds lie within it)."""
    every = [fund.region() for fund in funds()]
    if len(every) == 1:
        return every[0]
    prefix = shared_code(r.code_prefix for r in every)
    named = next((r.name for r in every if r.code_prefix == prefix), "本平台服务区域")
    union = {d.key: d for r in every for d in r.districts}
    return Region(named, prefix, tuple(union.values()))


def funds_covering(district: str) -> list[Fund]:
    """The funds whose region covers ``district``: those an enterprise registered there may apply to."""
    return [fund for fund in funds() if fund.region().covers(district)]


def fund_to_apply_to(district: str, code: str | None) -> Fund:
    """The fund an enterprise in ``district`` applies to: the one named by ``code``, or the only one covering it.

    :raise InvalidValue: the named fund does not cover the district, or several do and none was chosen."""
    covering = funds_covering(district)
    if code:
        chosen = next((fund for fund in covering if fund.code == code.strip().upper()), None)
        if chosen is None:
            raise InvalidValue("所选转贷资金不服务贵企业所在县区，请另选", code="fund_outside_region")
        return chosen
    if len(covering) == 1:
        return covering[0]
    if not covering:
        raise InvalidValue("贵企业所在县区没有可申请的转贷资金", code="fund_outside_region")
    raise InvalidValue("贵企业所在县区有多个转贷资金，请选择申请哪一个", code="fund_required")


def check_registered_within(credit_code: str, district: str, region: Region) -> None:
    """R10 at the fund's door: the enterprise's district is the fund's and its credit code was issued in its region.

    :raise InvalidValue: either is not."""
    check_district(district, region)
    check_credit_code_region(credit_code, region)
