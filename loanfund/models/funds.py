"""The funds one platform serves (DESIGN §7, 第五条) and the platform-wide list of districts their regions are made of.

A fund is data: its names, the regulation it runs under, the districts it serves, its bodies and its special account.
Every page, document and rule that names "the fund" takes it from here, never from a string in the code.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanfund.domain.eligibility import District as DistrictFact
from loanfund.domain.eligibility import Region
from loanfund.domain.lifecycle import Role
from loanfund.extensions import Model
from loanfund.models.base import TimestampMixin


class District(Model):
    """A county-level division or a functional zone an enterprise may be registered in, with its 行政区划代码
    (GB/T 2260) — a functional zone has none of its own and lies within ``within_code``'s region."""

    __tablename__ = "districts"

    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    region_code: Mapped[str | None] = mapped_column(String(6), unique=True)
    within_code: Mapped[str] = mapped_column(String(6))  # the region it lies within (a city's 3207, a county's code)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint("key <> '' AND name <> ''", name="named"),
        CheckConstraint("region_code IS NULL OR length(region_code) = 6", name="region_code_length"),
    )

    def fact(self) -> DistrictFact:
        return DistrictFact(self.key, self.name, self.region_code, self.within_code)


fund_districts = Table(
    "fund_districts",
    Model.metadata,
    Column("fund_id", ForeignKey("funds.id"), primary_key=True),
    Column("district_key", ForeignKey("districts.key"), primary_key=True),
)


class Fund(TimestampMixin, Model):
    """One emergency bridge-loan fund (转贷资金): who runs it, under which rules, for which districts, and where its
    money is kept."""

    __tablename__ = "funds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # in the API's paths and the CLI's --fund
    name: Mapped[str] = mapped_column(String(100), unique=True)  # the full name, e.g. 某某市中小企业应急转贷资金
    short_name: Mapped[str] = mapped_column(String(40))  # what a list or a title bar has room for
    region_name: Mapped[str] = mapped_column(String(40))  # the region it serves as its documents say it (某市, 某县)
    region_code: Mapped[str] = mapped_column(String(6))  # the 行政区划代码 every credit code it serves starts with
    regulation: Mapped[str] = mapped_column(String(200))  # the regulation's title
    regulation_number: Mapped[str] = mapped_column(String(60))  # its 文号
    # its bodies
    authority: Mapped[str] = mapped_column(String(100), default="")  # 主管部门
    group_office: Mapped[str] = mapped_column(String(100))  # 领导小组办公室: statements are filed with it
    reviewing_body: Mapped[str] = mapped_column(String(100))  # the platform's qualification review
    operating_body: Mapped[str] = mapped_column(String(100))  # the platform's fund operations
    # the special account (专用账户, 第十一条)
    account_bank: Mapped[str] = mapped_column(String(100), default="")
    account_name: Mapped[str] = mapped_column(String(100), default="")
    account_no: Mapped[str] = mapped_column(String(40), default="")
    contact: Mapped[str] = mapped_column(Text, default="")  # contact lines, one a line, as the 办事指南 shows them

    districts: Mapped[list[District]] = relationship(
        secondary=fund_districts, order_by=District.position, lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint("code <> '' AND name <> '' AND short_name <> ''", name="named"),
        CheckConstraint("length(region_code) BETWEEN 2 AND 6", name="region_code_length"),
    )

    def region(self) -> Region:
        """The fund's region as R10 checks it."""
        return Region(self.region_name, self.region_code, tuple(d.fact() for d in self.districts))

    def role_title(self, role: str) -> str:
        """A role's name with the fund's body that holds it: 平台审核（市中小企业发展中心）."""
        label = Role(role).label
        body = {Role.REVIEWER.value: self.reviewing_body, Role.OPERATOR.value: self.operating_body}.get(role)
        return f"{label}（{body}）" if body else label

    @property
    def contact_lines(self) -> list[str]:
        return [line for line in (self.contact or "").splitlines() if line.strip()]
