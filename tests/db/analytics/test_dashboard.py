"""The KPI dashboard's figures on a small database built here, checked against hand counts: the period, the
trend over earlier periods (an empty month, a rep with no activity), activity per lead stage, and month
boundaries in the person's own timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from revdesk.core.common.when import to_stored
from revdesk.db.calls.services import log_activity
from revdesk.db.common.connection import transaction
from revdesk.db.common.users import user_by_handle
from revdesk.db.workbench import Workbench


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _log(store, handle: str, contact: int, kind: str, outcome: str | None, when: str) -> None:
    """Log as `handle` at `when` (UTC), the clock then too (so the lead status moves as it would have)."""
    moment = _at(when)
    log_activity(store.conn, Workbench.open(store, handle).playbook, user_by_handle(store.conn, handle), contact,
                 kind, outcome, moment)


def _bench(store, handle: str, now: str = "2026-11-23T13:00:00") -> Workbench:
    return Workbench.open(store, handle, lambda: _at(now))


def test_the_month_its_trend_and_activity_per_lead_stage(store):
    # Maya (Berlin). October: contact 1 called twice (no answer, then connected), an e-mail to contact 2.
    _log(store, "maya", 1, "call", "no_answer", "2026-10-05T09:00:00")
    _log(store, "maya", 1, "call", "connected", "2026-10-06T09:00:00")
    _log(store, "maya", 2, "email", "sent", "2026-10-07T09:00:00")
    # November: contact 5 called (voicemail), then a meeting booked on a call; contact 2 replied (not an e-mail
    # of ours). 23:30 UTC on 31 October is 00:30 on 1 November in Berlin: November's.
    _log(store, "maya", 5, "call", "voicemail", "2026-10-31T23:30:00")
    _log(store, "maya", 5, "call", "meeting_booked", "2026-11-02T10:00:00")
    _log(store, "maya", 2, "email", "replied", "2026-11-03T10:00:00")
    with transaction(store.conn):  # a handoff Maya sent in November, accepted; Tom's deal won in November
        store.conn.execute(
            "INSERT INTO handoffs (kind, from_user_id, to_user_id, contact_id, account_id, status, created_at,"
            " decided_at) VALUES ('sdr_ae', 1, 2, 1, 1, 'accepted', ?, ?)",
            (to_stored(_at("2026-11-04T10:00:00")), to_stored(_at("2026-11-05T10:00:00"))))
        store.conn.execute(
            "INSERT INTO deals (account_id, name, amount, currency, stage, owner_id, closed_at, won, created_at,"
            " stage_entered_at) VALUES (1, 'Won', 1000, 'GBP', 'closed_won', 2, ?, 1, ?, ?)",
            (to_stored(_at("2026-11-10T10:00:00")), to_stored(_at("2026-10-01T10:00:00")),
             to_stored(_at("2026-11-10T10:00:00"))))
    maya = _bench(store, "maya").dashboard("me", "month")
    metrics = {k: v.actual for k, v in maya.report.metrics.items()}
    # November: calls 2 (voicemail, meeting booked); connects 1 (meeting booked counts as a conversation);
    # e-mails 0 (a reply is theirs); meetings 1; one handoff sent and accepted.
    assert (metrics["calls"], metrics["connects"], metrics["emails"], metrics["meetings_booked"]) == (2, 1, 0, 1)
    assert (metrics["opportunities_created"], metrics["opportunities_accepted"], metrics["deals_won"]) == (1, 1, 0)
    assert [p.label for p in maya.trend] == ["Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
    assert [p.values["calls"] for p in maya.trend] == [0, 0, 0, 0, 2, 2]
    assert [p.values["emails"] for p in maya.trend] == [0, 0, 0, 0, 1, 0]
    assert maya.trend[-1].values["opportunities_accepted"] == 1
    stages = {s.stage: (s.calls, s.connects, s.emails, s.meetings_booked) for s in maya.stages}
    # Contact 5 was new when the voicemail was left, attempting when the meeting was booked; contact 2 was
    # attempting (after October's e-mail) when she replied.
    assert stages == {"new": (1, 0, 0, 0), "attempting": (1, 1, 0, 1), "connected": (0, 0, 0, 0),
                      "qualified": (0, 0, 0, 0), "disqualified": (0, 0, 0, 0), "(unknown)": (0, 0, 0, 0)}
    tom = _bench(store, "tom").dashboard("me", "month")
    rate = _bench(store, "tom").playbook.currency.rates["GBP"]
    assert tom.report.metrics["deals_won"].actual == 1
    assert tom.report.metrics["revenue_won"].actual == round(1000 * rate, 2)
    assert tom.report.metrics["calls"].actual == 0, "a rep with no activity: zeros, not errors"
    team = _bench(store, "maya").dashboard("team", "month")
    assert team.people == 3 and team.report.metrics["deals_won"].actual == 1
    assert team.trend[-1].values["revenue_won"] == round(1000 * rate, 2)


def test_periods_move_and_one_rep_can_be_looked_at(store):
    _log(store, "ines", 3, "call", "no_answer", "2026-11-20T10:00:00")
    tom = _bench(store, "tom")
    ines = tom.dashboard("ines", "week", date(2026, 11, 20))
    assert ines.report.scope == "ines" and ines.report.metrics["calls"].actual == 1
    assert ines.report.start == datetime(2026, 11, 16, tzinfo=ZoneInfo("Europe/London"))
    assert [p.label for p in ines.trend][-2:] == ["W46", "W47"]
    empty = tom.dashboard("ines", "quarter", date(2026, 1, 15))
    assert all(v.actual == 0 for v in empty.report.metrics.values()), "an empty period is all zeros"
    assert [p.label for p in empty.trend] == ["Q2", "Q3", "Q4", "Q1"]
