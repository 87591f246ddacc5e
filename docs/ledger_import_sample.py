"""Writes ``docs/ledger-import-sample.xlsx``: 24 past bridges of the demo's city fund, 2019–2022, under the 2018 rules
(连政办发〔2018〕162号: 0.40‰ a day for the first 2 days, 0.45‰ beyond, for a bridge up to 4000万; the bridge at most
80 % of the renewal). The fees are worked out here from the regulation's words, not by LoanFund; the sample's test
(``tests/integration/test_ledger_import_sample.py``) imports it into the demo.

Run: ``.venv/bin/python docs/ledger_import_sample.py`` (deterministic: the same bytes each time)."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import xlsxwriter

HEADER = [
    "企业名称", "统一社会信用代码", "所属区县", "行业", "从业人员", "营业收入（万元）", "资产总额（万元）", "合作银行",
    "贷款合同号", "到期贷款金额（元）", "转贷金额（元）", "放款日期", "放款凭证号", "续贷日期", "新贷款金额（元）",
    "归还日期", "归还凭证号", "收回本金（元）", "收取用款费用（元）", "状态",
]  # fmt: skip

# name, district, division code, industry, employees, revenue 万, assets 万
FIRMS = (
    ("恒达精密机械有限公司", "海州区", "320706", "工业", 120, 8600, 6200),
    ("海润食品科技有限公司", "赣榆区", "320707", "工业", 85, 5400, 3900),
    ("新浦医药包装有限公司", "海州区", "320706", "工业", 210, 15800, 9800),
    ("港城物流仓储有限公司", "连云区", "320703", "仓储业", 60, 3200, 4100),
    ("东海县晶华石英制品有限公司", "东海县", "320722", "工业", 150, 11200, 8700),
    ("灌云县苏北农资贸易有限公司", "灌云县", "320723", "批发业", 28, 9600, 2100),
    ("灌南县绿源化工设备有限公司", "灌南县", "320724", "工业", 95, 7300, 5600),
    ("云帆软件技术有限公司", "海州区", "320706", "软件和信息技术服务业", 46, 2300, 1500),
)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(division: str, n: int) -> str:
    """A 统一社会信用代码 of GB 32100-2015's form with its check character (GB 32100 §5)."""
    first17 = f"91{division}MA{n:04d}X{'ABCDEFGHJ'[n % 9]}Q"[:17]
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return first17 + ALPHABET[(31 - total % 31) % 31]


def fee(amount: Decimal, days: int) -> Decimal:
    """The 2018 rules' fee for a bridge up to 4000万, rounded half-up to the fen once."""
    per_mille = Decimal("0.40") * min(days, 2) + Decimal("0.45") * max(days - 2, 0)
    return (amount * per_mille / 1000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rows() -> list[list[str]]:
    made = []
    for n in range(24):
        name, district, division, industry, employees, revenue, assets = FIRMS[n % len(FIRMS)]
        year = 2019 + n // 6
        out = date(year, 2 + (n % 6) * 2, 3 + (n * 7) % 20)
        days = 2 + (n * 5) % 7  # 2 to 8 days
        renewed = out + timedelta(days=1 + n % 2)
        back = out + timedelta(days=days)
        if renewed > back:
            renewed = back
        amount = Decimal(200 + (n * 137) % 2800) * 10_000  # 200万 to 3000万
        loan = (amount / Decimal("0.8")).quantize(Decimal("1"))  # the bridge is 80 % of the loan due and renewed
        made.append(
            [
                name,
                credit_code(division, n % len(FIRMS) + 1),
                district,
                industry,
                str(employees),
                str(revenue),
                str(assets),
                "ICBC-LYG" if n % 3 else "JSB-LYG",
                f"{year}年流贷字第{1000 + n}号",
                f"{loan:,.2f}",
                f"{amount:,.2f}",
                out.isoformat(),
                f"ZD{out:%Y%m%d}{n:03d}",
                renewed.isoformat(),
                f"{loan:,.2f}",
                back.isoformat(),
                f"HK{back:%Y%m%d}{n:03d}",
                f"{amount:,.2f}",
                f"{fee(amount, days):,.2f}",
                "已归还",
            ]
        )
    return made


def write(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"title": "应急转贷台账导入样例", "created": datetime(2026, 12, 7)})
    sheet = book.add_worksheet("台账")
    sheet.write_string(0, 0, "中小企业应急转贷资金使用台账（2019—2022 年，样例）")
    sheet.write_row(2, 0, HEADER)
    for i, values in enumerate(rows(), start=3):
        for j, value in enumerate(values):
            sheet.write_string(i, j, value)
    sheet.set_column(0, len(HEADER) - 1, 16)
    book.close()


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("ledger-import-sample.xlsx"))
