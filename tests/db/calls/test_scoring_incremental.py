"""db/calls/scoring.py: the score kept incrementally as activities are logged equals a full rescore; undo takes points
back out; a lead reaching the MQL threshold becomes an MQL with history; a new playbook rescores everyone.

Default playbook: fit Target industry 15, Company size 50-5000 15, Core market 10, Senior title 20; engagement
Inbound request 25, Replied 15, Meeting 20, Conversation 10, halving every 30 days. Contact 1 (Logistics, 420
employees, DE, Head of Operations) fits for 60.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from revdesk.core.calls.scoring import ScoreParts
from revdesk.core.common.when import to_stored
from revdesk.db.calls import services as calls
from revdesk.db.calls.scoring import rescore
from revdesk.db.common.connection import transaction
from revdesk.db.playbook.stored import apply_playbook
from revdesk.db.workbench import Workbench
from revdesk.fixtures import DEFAULT_PLAYBOOK
from revdesk.tui.cli.main import main
from tests.factories import NOW

FIT_1 = {"Target industry": 15.0, "Company size 50-5000": 15.0, "Core market": 10.0, "Senior title": 20.0}


def decay(points: float, age: timedelta) -> float:
    return points * 0.5 ** (age / timedelta(days=30))


def bench(store, handle: str = "maya", moment=NOW) -> Workbench:
    return Workbench.open(store, handle, lambda: moment)


def stored(conn, contact_id: int) -> tuple[int, ScoreParts, str]:
    r = conn.execute("SELECT score, score_detail, score_at FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    return r["score"], ScoreParts.from_json(r["score_detail"]), r["score_at"]


def lines(parts: ScoreParts) -> dict[str, float]:
    return {x.rule: x.points for x in (*parts.fit, *parts.engagement)}


def log(store, contact_id: int, kind: str, outcome: str | None, clock, at=None, handle: str = "maya"):
    wb = bench(store, handle, clock)
    return calls.log_activity(store.conn, wb.playbook, wb.user, contact_id, kind, outcome, clock, at=at)


def full_rescore(conn, playbook, now, contact_id: int) -> tuple[int, ScoreParts, str]:
    with transaction(conn):
        assert rescore(conn, playbook, now, [contact_id]) == 1
    return stored(conn, contact_id)


def assert_same(a: ScoreParts, b: ScoreParts) -> None:
    assert a.at == b.at
    assert lines(a).keys() == lines(b).keys()
    for rule, points in lines(a).items():
        assert points == pytest.approx(lines(b)[rule], abs=1e-3), rule
    assert {x.rule: x.count for x in a.engagement} == {x.rule: x.count for x in b.engagement}


# --- incremental equals full ------------------------------------------------------------------------------


def test_a_sequence_of_activities_scores_as_a_full_rescore(store):
    conn = store.conn
    t0 = NOW - timedelta(days=10)

    log(store, 1, "call", "connected", t0)
    score, parts, at = stored(conn, 1)
    assert (score, at) == (70, to_stored(t0))
    assert lines(parts) == {**FIT_1, "Conversation": 10.0}

    log(store, 1, "call", "voicemail", t0 + timedelta(days=1))  # not an engagement event: nothing changes
    assert stored(conn, 1) == (score, parts, at)

    log(store, 1, "email", "replied", NOW - timedelta(days=5))
    score, parts, at = stored(conn, 1)
    conversation = decay(10, timedelta(days=5))  # 8.909
    assert score == round(60 + conversation + 15) == 84
    assert lines(parts)["Conversation"] == pytest.approx(conversation, abs=1e-3)

    log(store, 1, "meeting", "held", NOW, at=NOW - timedelta(hours=2))
    score, parts, at = stored(conn, 1)
    expected = {**FIT_1, "Conversation": decay(10, timedelta(days=10)), "Replied": decay(15, timedelta(days=5)),
                "Meeting": decay(20, timedelta(hours=2))}
    assert expected["Conversation"] == pytest.approx(7.937, abs=1e-3)
    assert expected["Replied"] == pytest.approx(13.3635, abs=1e-3)
    assert expected["Meeting"] == pytest.approx(19.9615, abs=1e-3)
    assert lines(parts) == pytest.approx(expected, abs=1e-3)
    assert score == round(sum(expected.values())) == 101
    assert at == to_stored(NOW)

    full = full_rescore(conn, bench(store).playbook, NOW, 1)
    assert full[0] == score
    assert full[2] == at
    assert_same(full[1], parts)


def test_a_back_dated_activity_logged_last_scores_as_a_full_rescore(store):
    """The reply happened before the meeting but is logged after it."""
    conn = store.conn
    log(store, 1, "meeting", "held", NOW)
    log(store, 1, "email", "replied", NOW, at=NOW - timedelta(days=3))
    score, parts, _ = stored(conn, 1)
    assert lines(parts) == pytest.approx({**FIT_1, "Meeting": 20.0, "Replied": decay(15, timedelta(days=3))},
                                         abs=1e-3)
    assert score == round(60 + 20 + 13.995) == 94
    full = full_rescore(conn, bench(store).playbook, NOW, 1)
    assert full[0] == score
    assert_same(full[1], parts)


def test_repeated_events_add_up_under_one_rule(store):
    conn = store.conn
    log(store, 1, "call", "connected", NOW - timedelta(days=30))
    log(store, 1, "call", "call_back_later", NOW)
    score, parts, _ = stored(conn, 1)
    conversation = next(x for x in parts.engagement if x.rule == "Conversation")
    assert conversation.count == 2
    assert conversation.points == pytest.approx(5 + 10, abs=1e-3)  # one half-life old, plus a fresh one
    assert score == 75
    full = full_rescore(conn, bench(store).playbook, NOW, 1)
    assert full[0] == 75
    assert_same(full[1], parts)


def test_an_inbound_lead_first_scored_by_a_call_includes_its_request(store):
    """Contact 3: Healthcare 15, 1200 employees 15, US 10, VP 20 = 60; asked 40 minutes ago (+25 decayed)."""
    conn = store.conn
    log(store, 3, "call", "connected", NOW)
    score, parts, _ = stored(conn, 3)
    inbound = decay(25, timedelta(minutes=40))
    assert lines(parts) == pytest.approx({"Target industry": 15.0, "Company size 50-5000": 15.0, "Core market": 10.0,
                                          "Senior title": 20.0, "Inbound request": inbound, "Conversation": 10.0},
                                         abs=1e-3)
    assert score == round(60 + inbound + 10) == 95
    full = full_rescore(conn, bench(store).playbook, NOW, 3)
    assert full[0] == score
    assert_same(full[1], parts)


def test_reading_later_only_decays_the_engagement(store):
    conn = store.conn
    log(store, 1, "meeting", "held", NOW)
    before = stored(conn, 1)
    later = bench(store, moment=NOW + timedelta(days=30)).score(1)
    assert later.total == 60 + 10  # the meeting's 20 halved
    assert {x.rule: round(x.points, 3) for x in later.lines}["Meeting"] == 10.0
    assert stored(conn, 1) == before  # a read writes nothing


def test_a_rescore_of_everyone_by_hand(store):
    conn = store.conn
    playbook = bench(store).playbook
    with transaction(conn):
        assert rescore(conn, playbook, NOW) == 5
    scores = dict(conn.execute("SELECT id, score FROM contacts").fetchall())
    assert scores == {
        1: 60,  # Logistics, 420, DE, Head
        2: 60,  # the same account, Finance Director
        3: round(60 + decay(25, timedelta(minutes=40))),  # 85
        4: round(40 + decay(25, timedelta(minutes=5))),  # IT Manager: not senior; 65
        5: 40,  # Warehouse Lead
    }
    assert (scores[3], scores[4]) == (85, 65)


# --- undo -------------------------------------------------------------------------------------------------


def test_undo_takes_the_calls_points_back_out(maya):
    conn = maya.store.conn
    maya.log_call(1, "connected")
    assert stored(conn, 1)[0] == 70
    maya.log_call(1, "meeting_booked")  # a meeting, not also a conversation
    score, parts, _ = stored(conn, 1)
    assert score == 90
    assert lines(parts) == {**FIT_1, "Conversation": 10.0, "Meeting": 20.0}

    maya.undo()
    score, parts, _ = stored(conn, 1)
    assert score == 70
    assert lines(parts) == {**FIT_1, "Conversation": 10.0}
    assert maya.score(1).total == 70

    maya.undo()
    score, parts, _ = stored(conn, 1)
    assert score == 60
    assert parts.engagement == ()
    assert maya.score(1).total == 60
    full = full_rescore(conn, maya.playbook, NOW, 1)
    assert full[0] == 60
    assert_same(full[1], parts)


def test_undo_of_a_call_that_scored_nothing_keeps_the_score(maya):
    conn = maya.store.conn
    maya.log_call(1, "connected")
    maya.log_call(1, "voicemail")
    before = stored(conn, 1)
    maya.undo()
    assert stored(conn, 1)[0] == before[0] == 70


# --- reaching the MQL threshold ---------------------------------------------------------------------------


@pytest.fixture
def lead(store) -> int:
    """Contact 6 at account 1, a lead: Logistics 15 + 420 employees 15; Brazil and an analyst score nothing."""
    store.conn.execute("INSERT INTO contacts (id, account_id, first_name, last_name, title, email, country,"
                       " lifecycle_stage, owner_id, created_at) VALUES (6, 1, 'Ana', 'Souza', 'Analyst',"
                       " 'ana.souza@nordwind.de', 'BR', 'lead', 1, ?)", (to_stored(NOW - timedelta(days=3)),))
    return 6


@pytest.mark.parametrize("lifecycle", ["lead", "nurture"])
def test_a_lead_crossing_the_mql_threshold_becomes_an_mql(store, lead, lifecycle):
    conn = store.conn
    conn.execute("UPDATE contacts SET lifecycle_stage = ? WHERE id = ?", (lifecycle, lead))
    maya = bench(store)
    assert (maya.score(lead).total, maya.score(lead).level) == (30, "below mql")

    log(store, lead, "email", "sent", NOW - timedelta(hours=1))  # a touch, not engagement
    assert conn.execute("SELECT lifecycle_stage FROM contacts WHERE id = ?", (lead,)).fetchone()[0] == lifecycle

    history_before = conn.execute("SELECT MAX(id) FROM status_history").fetchone()[0] or 0
    log(store, lead, "email", "replied", NOW)
    assert tuple(conn.execute("SELECT score, lifecycle_stage FROM contacts WHERE id = ?", (lead,)).fetchone()) == (
        45, "mql")
    history = [dict(r) for r in conn.execute(
        "SELECT axis, from_value, to_value, changed_by, changed_at, reason FROM status_history"
        " WHERE id > ? AND axis = 'lifecycle'", (history_before,))]
    assert history == [{"axis": "lifecycle", "from_value": lifecycle, "to_value": "mql", "changed_by": 1,
                        "changed_at": to_stored(NOW), "reason": "Score 45 reached the MQL threshold 40"}]
    assert "MQL threshold" in history[0]["reason"]
    assert maya.score(lead).level == "mql"


def test_below_the_threshold_a_lead_stays_a_lead(store, lead):
    conn = store.conn
    conn.execute("UPDATE contacts SET title = 'Intern', account_id = 2, country = 'BR' WHERE id = ?", (lead,))
    conn.execute("UPDATE accounts SET industry = 'Retail' WHERE id = 2")  # only size fits: 15
    log(store, lead, "email", "replied", NOW)  # 15 + 15 = 30 < 40
    assert tuple(conn.execute("SELECT score, lifecycle_stage FROM contacts WHERE id = ?", (lead,)).fetchone()) == (
        30, "lead")
    assert conn.execute("SELECT COUNT(*) FROM status_history WHERE contact_id = ? AND to_value = 'mql'",
                        (lead,)).fetchone()[0] == 0


def test_undoing_the_call_that_made_a_lead_an_mql_puts_it_back(store, lead):
    """A lead that became an MQL on a conversation with an AE goes back to lead, with history, when undone."""
    conn = store.conn
    log(store, lead, "call", "connected", NOW, handle="tom")  # an AE's call does not make a lead sal
    assert tuple(conn.execute("SELECT score, lifecycle_stage FROM contacts WHERE id = ?", (lead,)).fetchone()) == (
        40, "mql")
    bench(store, "tom").undo()
    assert tuple(conn.execute("SELECT score, lifecycle_stage FROM contacts WHERE id = ?", (lead,)).fetchone()) == (
        30, "lead")
    last = conn.execute("SELECT from_value, to_value, reason FROM status_history WHERE contact_id = ?"
                        " AND axis = 'lifecycle' ORDER BY id DESC LIMIT 1", (lead,)).fetchone()
    assert tuple(last) == ("mql", "lead", "undo")


# --- a new playbook rescores everyone ---------------------------------------------------------------------


def reweighed(tmp_path: Path) -> Path:
    """The default playbook with Senior title 20 → 35 and Target industry 15 → 5."""
    source = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
    senior = 'points = 20\n\n[[qualification.engagement_rules]]\nname = "Inbound request"'
    industry = '"Manufacturing"]\npoints = 15\n'
    assert source.count(senior) == 1 and source.count(industry) == 1
    source = source.replace(senior, senior.replace("20", "35")).replace(industry, industry.replace("15", "5"))
    path = tmp_path / "reweighed.toml"
    path.write_text(source, encoding="utf-8")
    return path


def test_a_contact_never_scored_reads_the_new_weights(store, tmp_path):
    apply_playbook(store.conn, reweighed(tmp_path).read_text(encoding="utf-8"), "reweighed.toml", NOW)
    maya = bench(store)
    assert maya.score(2).total == 5 + 15 + 10 + 35
    assert maya.score(5).total == 5 + 15 + 10


def test_playbook_apply_rescores_every_contact(store, capsys, tmp_path):
    conn = store.conn
    bench(store).log_call(1, "connected")
    with transaction(conn):
        rescore(conn, bench(store).playbook, NOW)
    assert dict(conn.execute("SELECT id, score FROM contacts WHERE id IN (2, 5)").fetchall()) == {2: 60, 5: 40}

    assert main(["--db", str(store.path), "playbook", "apply", str(reweighed(tmp_path))]) == 0
    assert "Applied" in capsys.readouterr().out

    check = sqlite3.connect(store.path)
    try:
        scores = dict(check.execute("SELECT id, score FROM contacts").fetchall())
        detail = json.loads(check.execute("SELECT score_detail FROM contacts WHERE id = 1").fetchone()[0])
    finally:
        check.close()
    assert scores[2] == 5 + 15 + 10 + 35
    assert scores[5] == 5 + 15 + 10
    fit = {rule: points for rule, kind, points, *_ in detail["lines"] if kind == "fit"}
    assert fit == {"Target industry": 5.0, "Company size 50-5000": 15.0, "Core market": 10.0, "Senior title": 35.0}
