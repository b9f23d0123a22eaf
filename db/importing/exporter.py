"""Exporting records as CSV or JSON, one column per revdesk field (the names core.importing.mapping.FIELDS uses), so
an export imports into another database as it is: `revdesk import FILE --kind KIND` with no mapping reads
these columns. Users, accounts, contacts, deals and activities; dates ISO, amounts plain with their currency.

Owners are named by their handle. Contacts and deals carry their account's name and domain (the importer places
them by domain, then name); contacts also the first moment they became MQL, SQL, opportunity and customer (from
their lifecycle history; the importer writes those back as history). Activities are the touches done (an undone
one is left out, so `done` is always true); `deal` is the deal's id here, the same value the deals export writes
as its external_id, so importing deals then activities from the same export links each activity to its deal again
(the deals import keeps that id as the deal's import key).

CSV is RFC 4180 (quotes doubled, CRLF line ends, so a cell may hold any character); a text cell that starts like
a spreadsheet formula (=, +, -, @, tab, CR) or with a quote gets a quote before it (OWASP's rule), which the
import of revdesk's own columns takes off again. JSON is literal. Files written are readable by their owner only."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable, Iterator

from revdesk.core.common.when import from_stored
from revdesk.core.importing.values import neutralise_formula

EXPORTS: dict[str, tuple[str, ...]] = {
    "users": ("handle", "name", "email", "role", "team", "timezone"),
    "accounts": ("external_id", "name", "domain", "industry", "employees", "country", "timezone", "owner",
                 "created_at"),
    "contacts": ("external_id", "first_name", "last_name", "email", "phone", "title", "account", "account_domain",
                 "country", "timezone", "buying_role", "lead_source", "lifecycle_stage", "owner", "created_at",
                 "became_mql_at", "became_sql_at", "became_opportunity_at", "became_customer_at", "lead_status",
                 "do_not_contact", "inbound"),
    "deals": ("external_id", "name", "account", "account_domain", "amount", "currency", "stage", "owner", "product",
              "source", "engaged_at", "closed_at", "expected_close_date", "created_at", "lost_reason"),
    "activities": ("external_id", "kind", "outcome", "occurred_at", "owner", "contact_email", "account", "deal",
                   "note", "done"),
}
# The first time a contact reached a lifecycle stage (its history may pass one more than once).
_BECAME = ", ".join(f"(SELECT MIN(h.changed_at) FROM status_history h WHERE h.contact_id = c.id"
                    f" AND h.axis = 'lifecycle' AND h.to_value = '{stage}')"
                    for stage in ("mql", "sql", "opportunity", "customer"))
_QUERIES = {
    "users": "SELECT handle, name, NULL, role, team, timezone FROM users ORDER BY id",
    "accounts": "SELECT a.id, a.name, a.domain, a.industry, a.employees, a.country, a.timezone, u.handle, a.created_at"
                " FROM accounts a LEFT JOIN users u ON u.id = a.owner_id WHERE a.merged_into IS NULL ORDER BY a.id",
    "deals": "SELECT d.id, d.name, a.name, a.domain, d.amount, d.currency, d.stage, u.handle, d.product, d.source,"
             " d.engaged_at, d.closed_at, d.expected_close_date, d.created_at, d.lost_reason FROM deals d"
             " JOIN accounts a ON a.id = d.account_id LEFT JOIN users u ON u.id = d.owner_id ORDER BY d.id",
    "contacts": "SELECT c.id, c.first_name, c.last_name, c.email, c.phone, c.title, a.name, a.domain, c.country,"
                " c.timezone, c.buying_role, c.lead_source, c.lifecycle_stage, u.handle, c.created_at, " + _BECAME +
                ", c.lead_status, CASE c.do_not_contact WHEN 1 THEN 'true' ELSE 'false' END,"
                " CASE c.inbound WHEN 1 THEN 'true' ELSE 'false' END"
                " FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id LEFT JOIN users u ON u.id = c.owner_id"
                " ORDER BY c.id",
    "activities": "SELECT t.id, t.kind, t.outcome, t.occurred_at, u.handle, c.email, a.name, t.deal_id, t.note, 'true'"
                  " FROM activities t JOIN users u ON u.id = t.user_id LEFT JOIN contacts c ON c.id = t.contact_id"
                  " LEFT JOIN accounts a ON a.id = t.account_id WHERE t.undone_at IS NULL ORDER BY t.id",
}
_MOMENTS = {"created_at", "engaged_at", "closed_at", "occurred_at", "became_mql_at", "became_sql_at",
            "became_opportunity_at", "became_customer_at"}


def export_rows(conn: sqlite3.Connection, kind: str) -> Iterator[dict[str, object]]:
    """Every record of `kind` as {field: value}; moments as ISO dates-times in UTC."""
    columns = EXPORTS[kind]
    cursor = conn.cursor()
    cursor.row_factory = None
    for row in cursor.execute(_QUERIES[kind]):
        record = dict(zip(columns, row, strict=True))
        for name in _MOMENTS & record.keys():
            if record[name]:
                try:
                    record[name] = from_stored(str(record[name])).isoformat()
                except ValueError:  # stored by an older revdesk ("202-03-15T12:00:00Z"): out as it is, not lost
                    record[name] = str(record[name])
        yield record


def export_csv(kind: str, rows: Iterable[dict[str, object]]) -> str:
    """The records as CSV text, revdesk's columns for `kind`, formulas neutralised in text cells."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORTS[kind], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: neutralise_formula(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows)
    return buffer.getvalue()


