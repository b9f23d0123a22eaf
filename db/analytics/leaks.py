"""Reading the facts behind the revenue-leak report (core.analytics.leaks has the definitions,
core.analytics.leak_report the wording):
a few range queries over history and handoffs for the period, and the point-in-time facts as of now."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from revdesk.core.analytics.leak_report import Window, build_leak_report, leak_window
from revdesk.core.analytics.leaks import (
    EIGHTEEN_MONTHS_DAYS,
    DealTimeline,
    Disqualification,
    LeakFacts,
    LeakReport,
    MqlLead,
    OpenDeal,
    stints_from_history,
)
from revdesk.core.common.models import HandoffSummary
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.dormancy.definition import DormantAccount, is_dormant
from revdesk.core.playbook.model import Period, Playbook
from revdesk.db.dormancy.queries import dormant_accounts

CHUNK = 900  # ids per IN (...) list


def leak_report(conn: sqlite3.Connection, playbook: Playbook, period: Period, day: date, now: datetime,
                tz: ZoneInfo) -> LeakReport:
    """The report for the period containing `day` (and stalled deals in the one before), as of `now`."""
    window = leak_window(period, day, now, tz)
    return build_leak_report(playbook, leak_facts(conn, playbook, window), window)


def leak_facts(conn: sqlite3.Connection, playbook: Playbook, window: Window) -> LeakFacts:
    return LeakFacts(
        disqualifications=disqualifications(conn, window.start, window.end),
        handoffs=handoffs(conn, window.start, window.end),
        open_deals=open_deals(conn, playbook),
        timelines=timelines(conn, playbook, window.stall_start, window.stall_end),
        dormant=dormant(conn, playbook, window.now),
        mql_leads=mql_leads(conn),
        users=dict(conn.execute("SELECT id, name FROM users").fetchall()),
    )


def _plain(conn: sqlite3.Connection) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: some of these lists are tens of thousands of rows
    return cursor


def _moment(text: str | None) -> datetime | None:
    return from_stored(text) if text else None


def disqualifications(conn: sqlite3.Connection, start: datetime, end: datetime) -> list[Disqualification]:
    """Lifecycle moves to 'disqualified' in [start, end), with who made them and whether the contact was an MQL
    before."""
    rows = _plain(conn).execute(
        """SELECT sh.contact_id, c.first_name || ' ' || c.last_name, c.account_id, a.name, sh.from_value,
                  EXISTS (SELECT 1 FROM status_history m WHERE m.contact_id = sh.contact_id AND m.axis = 'lifecycle'
                          AND m.to_value = 'mql' AND m.changed_at <= sh.changed_at),
                  u.name, u.role, sh.changed_at, sh.reason
           FROM status_history sh
           JOIN contacts c ON c.id = sh.contact_id
           LEFT JOIN accounts a ON a.id = c.account_id
           LEFT JOIN users u ON u.id = sh.changed_by
           WHERE sh.axis = 'lifecycle' AND sh.to_value = 'disqualified' AND sh.changed_at >= ? AND sh.changed_at < ?""",
        (to_stored(start), to_stored(end))).fetchall()
    return [Disqualification(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7], from_stored(r[8]), r[9])
            for r in rows]


def handoffs(conn: sqlite3.Connection, start: datetime, end: datetime) -> list[HandoffSummary]:
    """Handoffs rejected or decided after their SLA in [start, end), and every pending one (without their context:
    the report needs none; core.analytics.leaks picks the figures' records from these)."""
    rows = _plain(conn).execute(
        """SELECT h.id, h.kind, h.status, h.from_user_id, f.name, h.to_user_id, t.name, h.contact_id,
                  c.first_name || ' ' || c.last_name, h.account_id, a.name, h.deal_id, h.created_at, h.sla_due_at,
                  h.decided_at, h.reject_reason, h.reject_note
           FROM handoffs h
           JOIN users f ON f.id = h.from_user_id
           JOIN users t ON t.id = h.to_user_id
           JOIN accounts a ON a.id = h.account_id
           LEFT JOIN contacts c ON c.id = h.contact_id
           WHERE (h.decided_at >= ? AND h.decided_at < ? AND (h.status = 'rejected' OR h.decided_at > h.sla_due_at))
              OR h.status = 'pending'""",
        (to_stored(start), to_stored(end))).fetchall()
    return [HandoffSummary(*r[:12], {}, from_stored(r[12]), _moment(r[13]), _moment(r[14]), r[15], r[16])
            for r in rows]


def open_deals(conn: sqlite3.Connection, playbook: Playbook) -> list[OpenDeal]:
    """Open deals (not closed) with their handoff's kind and context, amounts in the base currency."""
    rows = _plain(conn).execute(
        """SELECT d.id, d.name, d.account_id, a.name, d.amount, d.currency, u.name, d.handoff_id, h.kind, h.context
           FROM deals d
           JOIN accounts a ON a.id = d.account_id
           LEFT JOIN users u ON u.id = d.owner_id
           LEFT JOIN handoffs h ON h.id = d.handoff_id
           WHERE d.closed_at IS NULL""").fetchall()
    contact_keys = [f.key for kind in playbook.handoff.kinds for f in kind.fields if f.type == "contact"]
    contexts = [json.loads(r[9] or "{}") if r[7] is not None else {} for r in rows]
    named = [[int(raw) for key in contact_keys
              if (raw := str(context.get(key) or "").strip()).isascii() and raw.isdigit()] for context in contexts]
    people = _contacts(conn, {cid for ids in named for cid in ids})
    deals = []
    for r, context, ids in zip(rows, contexts, named, strict=True):
        at_account = {cid: people[cid][1] for cid in ids if cid in people and people[cid][0] == r[2]}
        deals.append(OpenDeal(r[0], r[1], r[2], r[3], playbook.currency.to_base(r[4] or 0.0, r[5]), r[6], r[7], r[8],
                              context, at_account))
    return deals


def _contacts(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, tuple[int | None, str]]:
    """Contacts by id: (account id, name)."""
    wanted, found = sorted(ids), {}
    cursor = _plain(conn)
    for index in range(0, len(wanted), CHUNK):
        chunk = wanted[index:index + CHUNK]
        marks = ",".join("?" * len(chunk))
        for cid, account, name in cursor.execute(
                f"SELECT id, account_id, first_name || ' ' || last_name FROM contacts WHERE id IN ({marks})", chunk):
            found[cid] = (account, name)
    return found


_CANDIDATES = "d.created_at < :end AND (d.closed_at IS NULL OR d.closed_at > :start)"


def timelines(conn: sqlite3.Connection, playbook: Playbook, start: datetime, end: datetime) -> list[DealTimeline]:
    """Deals that were open at some moment of [start, end), with their stage and owner histories."""
    params = {"start": to_stored(start), "end": to_stored(end)}
    cursor, parse = _plain(conn), from_stored
    stages: dict[int, list[tuple[str | None, str, datetime]]] = {}
    for deal_id, before, after, at in cursor.execute(
            f"""SELECT sh.deal_id, sh.from_stage, sh.to_stage, sh.changed_at FROM deals d
                JOIN stage_history sh ON sh.deal_id = d.id WHERE {_CANDIDATES} ORDER BY d.id, sh.changed_at, sh.id""",
            params):
        stages.setdefault(deal_id, []).append((before, after, parse(at)))
    owners: dict[int, list[tuple[datetime, int | None, int | None]]] = {}
    for deal_id, before, after, at in cursor.execute(
            f"""SELECT oh.record_id, oh.from_user_id, oh.to_user_id, oh.changed_at FROM owner_history oh
                JOIN deals d ON d.id = oh.record_id
                WHERE oh.record_type = 'deal' AND {_CANDIDATES} ORDER BY oh.record_id, oh.changed_at, oh.id""",
            params):
        owners.setdefault(deal_id, []).append((parse(at), before, after))
    rows = cursor.execute(
        f"""SELECT d.id, d.name, d.account_id, a.name, d.amount, d.currency, d.owner_id, d.stage, d.stage_entered_at,
                   d.created_at FROM deals d JOIN accounts a ON a.id = d.account_id WHERE {_CANDIDATES}""",
        params).fetchall()
    to_base = playbook.currency.to_base
    return [DealTimeline(r[0], r[1], r[2], r[3], to_base(r[4] or 0.0, r[5]), r[6],
                         stints_from_history(r[7], parse(r[8]), parse(r[9]), stages.get(r[0], [])),
                         tuple(owners.get(r[0], ())))
            for r in rows]


def dormant(conn: sqlite3.Connection, playbook: Playbook, now: datetime) -> dict[int, list[DormantAccount]]:
    """Dormant accounts (db.dormancy.queries's definition, snoozed ones included) at the playbook's period and at 18
    months.
    A longer horizon's accounts are those of the shorter one still dormant by core.dormancy.definition.is_dormant at
    it."""
    horizons = sorted({EIGHTEEN_MONTHS_DAYS, playbook.dormancy.days})
    shortest = dormant_accounts(conn, replace(playbook, dormancy=replace(playbook.dormancy, days=horizons[0])), now,
                                "all", snoozed=True)
    return {days: [a for a in shortest if is_dormant(a.lifetime_revenue, 0, a.quiet_since, now, days)]
            for days in horizons}


def mql_leads(conn: sqlite3.Connection) -> list[MqlLead]:
    """Contacts whose lifecycle is MQL now, with their latest lifecycle change (their move to MQL: the history
    index answers it without reading the rows) and their last touch."""
    rows = _plain(conn).execute(
        """SELECT c.id, c.first_name || ' ' || c.last_name, c.account_id, a.name, u.name, c.created_at,
                  (SELECT MAX(sh.changed_at) FROM status_history sh WHERE sh.contact_id = c.id
                   AND sh.axis = 'lifecycle'), c.last_touch_at
           FROM contacts c
           LEFT JOIN accounts a ON a.id = c.account_id
           LEFT JOIN users u ON u.id = c.owner_id
           WHERE c.lifecycle_stage = 'mql'""").fetchall()
    parse = from_stored
    return [MqlLead(r[0], r[1], r[2], r[3], r[4], parse(r[5]), parse(r[6]) if r[6] else None,
                    parse(r[7]) if r[7] else None) for r in rows]
