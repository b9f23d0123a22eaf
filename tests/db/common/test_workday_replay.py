"""A full workday on a demo database, through the workbench and the CLI: outcomes, notes, follow-ups, handoffs sent,
accepted and rejected, stage moves, enrolls, ticks, skipped steps, dormant picks, an import, an account merge and
an undo. Every row it writes belongs to a change record (no effect left unclaimed, no change without effects), and
replaying the changes with their effects onto a copy taken before the day reproduces every table exactly."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from revdesk.core.common.errors import InvalidFields, InvalidInput
from revdesk.db.common.connection import Store, connect, transaction
from revdesk.db.common.effects import apply_effects, effects_of, uncaptured, unclaimed
from revdesk.db.workbench import Workbench
from tests.db.helpers import CONTEXT
from tests.factories import NOW
from tests.tui.cli.cli_helpers import run

NOT_COMPARED = {"local_state"}  # this copy's own bookkeeping, not captured (see db.common.effects)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from revdesk.db.seeding.seed import seed_database

    path = tmp_path_factory.mktemp("workday") / "demo.db"
    seed_database(path, "demo", 7, NOW)
    return path


def tables(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table, in key order."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                        " AND name NOT LIKE 'sqlite_%' ORDER BY name") if r[0] not in NOT_COMPARED]
    result = {}
    for name in names:
        keys = [r[1] for r in sorted((r for r in conn.execute(f"PRAGMA table_info({name})") if r[5]),
                                     key=lambda r: r[5])] or ["rowid"]
        result[name] = [tuple(r) for r in conn.execute(f"SELECT * FROM {name} ORDER BY {', '.join(keys)}")]
    return result


def first(conn: sqlite3.Connection, sql: str, *args: object) -> int:
    found = conn.execute(sql, args).fetchone()
    assert found is not None, sql
    return int(found[0])


def workday(path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The day's work; every step through the workbench or the CLI."""
    store = Store(path)
    moment = [NOW]
    conn = store.conn

    def bench(handle: str) -> Workbench:
        return Workbench.open(store, handle, lambda: moment[0])

    maya, jonas = bench("maya"), bench("jonas")
    maya.queue(), jonas.queue()  # the day's dormant picks
    fresh = [r[0] for r in conn.execute("SELECT id FROM contacts WHERE owner_id = ? AND lead_status = 'new'"
                                        " AND do_not_contact = 0 ORDER BY id LIMIT 8", (maya.me.id,))]
    maya.log_call(fresh[0], "voicemail")
    maya.log_call(fresh[1], "connected", note="Interested, wants numbers")
    maya.add_note(fresh[2], "Met at the trade fair")
    maya.follow_up(fresh[3], "+2d", "Send the case study")
    maya.log_call(fresh[4], "no_answer")
    maya.undo()  # takes the last call back
    sent = False
    for contact in fresh[5:] + [fresh[1]]:
        approver = first(conn, "SELECT id FROM contacts WHERE account_id = (SELECT account_id FROM contacts"
                               " WHERE id = ?) ORDER BY id = ?, id LIMIT 1", contact, contact)
        try:
            maya.log_call(contact, "connected")
            maya.send_handoff("sdr_ae", jonas.me.id, dict(CONTEXT, approver=str(approver)), contact_id=contact)
            sent = True
            break
        except (InvalidFields, InvalidInput):
            continue
    assert sent, "no lead of maya's could be handed off"
    pending = [r[0] for r in conn.execute("SELECT id, to_user_id FROM handoffs WHERE status = 'pending'"
                                          " AND kind = 'sdr_ae' ORDER BY id")]
    receiver = {h: conn.execute("SELECT handle FROM users WHERE id = (SELECT to_user_id FROM handoffs"
                                " WHERE id = ?)", (h,)).fetchone()[0] for h in pending}
    bench(receiver[pending[0]]).accept_handoff(pending[0])
    rule = bench(receiver[pending[1]]).playbook.handoff.reject_reasons[1].key
    bench(receiver[pending[1]]).reject_handoff(pending[1], rule, "Not the buyer after all, wrong team")
    deal = first(conn, "SELECT id FROM deals WHERE owner_id = ? AND stage = 'discovery' AND primary_contact_id"
                       " IS NOT NULL ORDER BY id", jonas.me.id)
    jonas.move_deal(deal, "demo", {"amount": "24000"})
    maya.enroll("cold_outbound", fresh[6:8])
    moment[0] = NOW + timedelta(days=3)
    maya.tick_sequences()
    step = conn.execute("SELECT id FROM tasks WHERE user_id = ? AND enrollment_id IS NOT NULL AND status = 'open'"
                        " ORDER BY due_at LIMIT 1", (maya.me.id,)).fetchone()
    if step is not None:
        try:
            maya.skip_step(step[0])
        except InvalidInput:
            pass
    bench("maya").queue()  # a new day: new picks
    store.close()
    csv = tmp_path / "leads.csv"
    csv.write_text("first_name,last_name,email\nAda,Brandt,ada@brandt-logistik.de\nJan,Ode,jan@ode.example\n",
                   encoding="utf-8")
    code, _, err = run(capsys, "--db", str(path), "--as", "alex", "import", str(csv))
    assert code == 0, err
    check = connect(path)
    keep, other = check.execute("SELECT a.id, b.id FROM accounts a JOIN accounts b ON b.id > a.id AND"
                                " b.merged_into IS NULL AND a.merged_into IS NULL ORDER BY a.id LIMIT 1").fetchone()
    check.close()
    code, _, err = run(capsys, "--db", str(path), "--as", "alex", "accounts", "merge", str(keep), str(other))
    assert code == 0, err


def test_a_workday_leaves_every_row_in_a_change_with_its_effects_and_replays_exactly(demo, tmp_path, capsys):
    path, before = tmp_path / "day.db", tmp_path / "before.db"
    for target in (path, before):
        source, copy = sqlite3.connect(demo), sqlite3.connect(target)
        source.backup(copy)
        source.close(), copy.close()
    start = first(sqlite3.connect(before), "SELECT MAX(id) FROM changes")

    workday(path, capsys, tmp_path)

    after = Store(path, create=False)
    conn = after.conn
    assert unclaimed(conn) == 0
    changes = [dict(r) for r in conn.execute("SELECT * FROM changes WHERE id > ? ORDER BY id", (start,))]
    commands = {c["command"] for c in changes}
    assert {"log_activity", "schedule_follow_up", "undo", "send_handoff", "accept_handoff", "reject_handoff",
            "move_deal", "enroll", "tick", "pick_dormant", "import", "merge_accounts"} <= commands, commands
    without = [c["command"] for c in changes if not effects_of(conn, c["id"])]
    assert without == [], f"changes that wrote no rows: {without}"
    assert all(len(c["uid"]) == 36 and c["uid"][14] == "7" for c in changes)
    assert [c["uid"] for c in changes] == sorted(c["uid"] for c in changes)  # time-ordered
    assert all(json.loads(c["arguments"]) is not None for c in changes)
    touched = {r[0] for r in conn.execute("SELECT DISTINCT tbl FROM change_effects WHERE change_id > ?", (start,))}
    assert {"activities", "contacts", "tasks", "handoffs", "deals", "stage_history", "status_history",
            "enrollments", "dormant_picks", "dormant_days", "accounts"} <= touched, touched
    expected = tables(conn)

    replica = Store(before, create=False)
    target = replica.conn
    columns = list(changes[0])
    with transaction(target), uncaptured(target):
        for change in changes:
            target.execute(f"INSERT INTO changes ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                           [change[c] for c in columns])
            effects = effects_of(conn, change["id"])
            apply_effects(target, effects)
            target.executemany("INSERT INTO change_effects (seq, change_id, tbl, op, key, old, new)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?)", conn.execute(
                                   "SELECT seq, change_id, tbl, op, key, old, new FROM change_effects"
                                   " WHERE change_id = ? ORDER BY seq", (change["id"],)).fetchall())
    replayed = tables(target)
    differing = [t for t in expected if expected[t] != replayed.get(t)]
    assert differing == []
    replica.close()
    after.close()
