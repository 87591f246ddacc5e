"""Every list, workbench and report page, as a role that reads it — the table the query-count test
(tests/api/test_query_counts.py) and ``make bench`` (bench/scale.py) both walk. Month pages are November 2026, the
last month of the data bench/generate.py makes by default."""

from __future__ import annotations

PAGES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "operator": (
        "/home",
        "/home?queue=overdue",  # another queue's rows: the bridges out past due, soonest due first
        "/applications",
        "/applications?submitted_from=2024-03-01&submitted_to=2024-03-31",  # a month long ago: its ids, by index
        "/applications?q=测试企业999999",  # part of a name no enterprise has: the trigram index (PostgreSQL)
        "/applications/export.xlsx",
        "/bank-claims",
        "/blacklist",
        "/fund/risk",
        "/fund/risk?risk=overdue&page=2",  # the further lines of one kind of warning
        "/fund/reconciliation",
        "/bank-accounts",
        "/reports/monthly/2026/11",
        "/reports/monthly/2026/11.xlsx",  # the report as the workbook the group files
        "/inbox",
        "/api/v1/applications",
        "/api/v1/applications?per_page=50&cursor=1000",  # a page deep in the list, found by its cursor
        "/api/v1/warnings",
        "/api/v1/warnings?risk=out-too-long&page=2",
        "/api/v1/reports/monthly/2026/11",
    ),
    "reviewer": (
        "/home",
        "/applications",
        "/sign-ups",
        "/reports/statistics?start=2026-09-01&end=2026-11-30",
        "/reports/statistics?start=2025-12-01&end=2026-11-30",  # a whole year
    ),
    "bank1": ("/home", "/applications", "/bank-claims", "/api/v1/applications"),
    "ent1": ("/home", "/applications", "/api/v1/applications"),
    "group": ("/home", "/applications", "/audit", "/reports/monthly", "/fund/reconciliation"),
    "admin": ("/home", "/admin/users", "/admin/banks", "/admin/contributions", "/admin/logins", "/audit"),
}
