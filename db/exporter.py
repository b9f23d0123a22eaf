"""Exporting records as CSV or JSON, one column per revdesk field (the names core.import_mapping.FIELDS uses), so
an export imports into another database as it is: `revdesk import FILE --kind KIND` with no mapping reads
these columns. Users, accounts and deals; dates ISO, amounts plain with their currency."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from core.when import from_stored

EXPORTS: dict[str, tuple[str, ...]] = {
    "users": ("handle", "name", "email", "role", "team", "timezone"),
    "accounts": ("external_id", "name", "domain", "industry", "employees", "country", "timezone", "owner",
                 "created_at"),
    "deals": ("external_id", "name", "account", "amount", "currency", "stage", "owner", "product", "source",
              "engaged_at", "closed_at", "expected_close_date", "created_at", "lost_reason"),
}
_QUERIES = {
    "users": "SELECT handle, name, NULL, role, team, timezone FROM users ORDER BY id",
    "accounts": "SELECT a.id, a.name, a.domain, a.industry, a.employees, a.country, a.timezone, u.name, a.created_at"
                " FROM accounts a LEFT JOIN users u ON u.id = a.owner_id ORDER BY a.id",
    "deals": "SELECT d.id, d.name, a.name, d.amount, d.currency, d.stage, u.name, d.product, d.source, d.engaged_at,"
             " d.closed_at, d.expected_close_date, d.created_at, d.lost_reason FROM deals d"
             " JOIN accounts a ON a.id = d.account_id LEFT JOIN users u ON u.id = d.owner_id ORDER BY d.id",
}
_MOMENTS = {"created_at", "engaged_at", "closed_at"}


def export_rows(conn: sqlite3.Connection, kind: str) -> Iterator[dict[str, object]]:
    """Every record of `kind` as {field: value}; moments as ISO dates-times in UTC."""
    columns = EXPORTS[kind]
    cursor = conn.cursor()
    cursor.row_factory = None
    for row in cursor.execute(_QUERIES[kind]):
        record = dict(zip(columns, row, strict=True))
        for name in _MOMENTS & record.keys():
            if record[name]:
                record[name] = from_stored(str(record[name])).isoformat()
        yield record
