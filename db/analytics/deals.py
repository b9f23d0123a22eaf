"""Reading deal facts for the deal metrics: db/ selects the period's deals and stage stays, core.analytics.deals applies
the definitions. Amounts are converted to the playbook's base currency here, once."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from revdesk.core.analytics.deals import (
    NONE_KEY,
    DealFact,
    DealFigures,
    DealRow,
    Grouping,
    StageReport,
    StageStay,
    deal_figures,
    deal_stats,
    deal_total,
    stage_report,
)
from revdesk.core.analytics.metrics import outcome
from revdesk.core.common.when import from_stored, to_stored
from revdesk.core.playbook.model import Playbook

# A deal's source is the lead source of its primary contact (where marketing found it), else the deal's own.
_COLUMNS = ("d.id, u.name, u.team, d.product, COALESCE(NULLIF(TRIM(c.lead_source), ''), d.source), d.amount,"
            " d.currency, d.stage, d.won, d.created_at, d.closed_at, d.engaged_at, d.stage_entered_at,"
            " d.expected_close_date")


_CONTACT = " LEFT JOIN contacts c ON c.id = d.primary_contact_id"


def deal_facts(conn: sqlite3.Connection, playbook: Playbook, start: datetime, end: datetime) -> list[DealFact]:
    """Deals closed in [start, end) (the deals_closed index), and every deal with no close moment: the open ones
    and the closed ones missing their date (undated)."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM deals d LEFT JOIN users u ON u.id = d.owner_id{_CONTACT}"
        " WHERE d.closed_at >= ? AND d.closed_at < ?"
        f" UNION ALL SELECT {_COLUMNS} FROM deals d LEFT JOIN users u ON u.id = d.owner_id{_CONTACT}"
        " WHERE d.closed_at IS NULL",
        (to_stored(start), to_stored(end)),
    ).fetchall()
    stages = {s.key: s for s in playbook.stages}
    to_base = playbook.currency.to_base
    return [DealFact(
        id=r[0], owner=r[1], team=r[2], product=r[3], source=r[4],
        amount=None if r[5] is None else to_base(r[5], r[6]), stage=r[7], won=outcome(r[8], stages.get(r[7])),
        created_at=from_stored(r[9]), closed_at=_moment(r[10]), engaged_at=_moment(r[11]),
        stage_entered_at=_moment(r[12]), expected_close=_day(r[13]),
    ) for r in rows]


def stage_stays(conn: sqlite3.Connection, start: datetime, end: datetime) -> list[StageStay]:
    """Stays in a stage that ended in [start, end): each stage change out of a stage, with the change that brought
    the deal into it (else the deal's creation)."""
    rows = conn.execute(
        "SELECT h.deal_id, h.from_stage, h.changed_at, COALESCE("
        " (SELECT p.changed_at FROM stage_history p WHERE p.deal_id = h.deal_id"
        "  AND (p.changed_at < h.changed_at OR (p.changed_at = h.changed_at AND p.id < h.id))"
        "  ORDER BY p.changed_at DESC, p.id DESC LIMIT 1), d.created_at)"
        " FROM stage_history h JOIN deals d ON d.id = h.deal_id"
        " WHERE h.changed_at >= ? AND h.changed_at < ? AND h.from_stage IS NOT NULL",
        (to_stored(start), to_stored(end)),
    ).fetchall()
    return [StageStay(r[0], r[1], from_stored(r[3]), from_stored(r[2])) for r in rows]


def owner_keys(conn: sqlite3.Connection, playbook: Playbook) -> dict[Grouping, tuple[str, ...]]:
    """The people who own deals by the playbook (its stages' owner roles) and their teams: every one gets a row,
    also with no deals."""
    roles = sorted({s.owner_role for s in playbook.stages})
    marks = ",".join("?" * len(roles))
    people = conn.execute(f"SELECT name, team FROM users WHERE role IN ({marks}) ORDER BY name", roles).fetchall()
    teams = sorted({team or NONE_KEY for _, team in people})
    return {"owner": tuple(h for h, _ in people), "team": tuple(teams)}


def deal_rows(conn: sqlite3.Connection, playbook: Playbook, by: Grouping, start: datetime,
              end: datetime) -> tuple[list[DealRow], DealRow]:
    """The period's deal metrics per `by` key, and everyone's total."""
    facts = deal_facts(conn, playbook, start, end)
    keys = owner_keys(conn, playbook).get(by, ())
    return deal_stats(facts, by, start, end, playbook, keys), deal_total(facts, start, end, playbook)


def deal_stage_report(conn: sqlite3.Connection, playbook: Playbook, start: datetime, end: datetime,
                      now: datetime) -> StageReport:
    """Time in stage, stagnating stages (as of `now`) and the weighted forecast for [start, end)."""
    return stage_report(deal_facts(conn, playbook, start, end), stage_stays(conn, start, end), playbook, start, end,
                        now)


def all_deal_figures(conn: sqlite3.Connection, playbook: Playbook, start: datetime, end: datetime,
                     now: datetime) -> DealFigures:
    """Every grouping, the total and the stage report, from one read of the facts (the screen's load)."""
    return deal_figures(deal_facts(conn, playbook, start, end), stage_stays(conn, start, end), playbook, start, end,
                        now, owner_keys(conn, playbook))


def _moment(text: str | None) -> datetime | None:
    return from_stored(text) if text else None


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
