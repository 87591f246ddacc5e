"""The Lianyungang city fund as data (连政办发〔2018〕162号): the fund every installation from before funds were data
held — migration 0035 writes it, with the city's districts, and attaches everything in the database to it — and the
city fund of the demo and of the tests' databases. Nothing else in the code names the city.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import District, Fund

CITY_CODE = "3207"  # 行政区划代码 of 连云港市 (GB/T 2260)

# key, name, its own 行政区划代码 (a functional zone has none), in the order the forms list them
DISTRICTS: tuple[tuple[str, str, str | None], ...] = (
    ("haizhou", "海州区", "320706"),
    ("lianyun", "连云区", "320703"),
    ("ganyu", "赣榆区", "320707"),
    ("donghai", "东海县", "320722"),
    ("guanyun", "灌云县", "320723"),
    ("guannan", "灌南县", "320724"),
    ("etdz", "连云港经济技术开发区", None),
    ("hitech", "连云港高新技术产业开发区", None),
    ("xuwei", "徐圩新区", None),
    ("yuntaishan", "云台山风景名胜区", None),
)

FUND: dict[str, Any] = {
    "code": "LYG",
    "name": "连云港市中小企业应急转贷资金",
    "short_name": "市应急转贷资金",
    "region_name": "连云港市",
    "region_code": CITY_CODE,
    "regulation": "连云港市中小企业应急转贷资金管理暂行办法",
    "regulation_number": "连政办发〔2018〕162号",
    "authority": "连云港市经济和信息化委员会",
    "group_office": "连云港市中小企业应急转贷资金领导小组办公室",
    "reviewing_body": "市中小企业发展中心",
    "operating_body": "市工业投资集团",
    "account_bank": "",
    "account_name": "",
    "account_no": "",
    "contact": "",
}


def district_rows() -> list[dict[str, Any]]:
    return [
        {"key": key, "name": name, "region_code": code, "within_code": CITY_CODE, "position": position}
        for position, (key, name, code) in enumerate(DISTRICTS, start=1)
    ]


def ensure_city_fund() -> Fund:
    """The city fund and the city's districts, where a schema built from the models (a test's) has none yet."""
    fund = db.session.scalar(select(Fund).where(Fund.code == FUND["code"]))
    if fund is not None:
        return fund
    known = set(db.session.scalars(select(District.key)))
    for row in district_rows():
        if row["key"] not in known:
            db.session.add(District(**row))
    db.session.flush()
    fund = Fund(**FUND)
    fund.districts = list(db.session.scalars(select(District).where(District.key.in_([d[0] for d in DISTRICTS]))))
    db.session.add(fund)
    db.session.flush()
    return fund
