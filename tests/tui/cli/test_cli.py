"""The `revdesk` command line, run in-process (and a few times as a real process for the exit code).

The CLI reads the real clock, so these tests assert structure and the facts that do not depend on the hour.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from revdesk.core.common.when import from_stored, to_stored
from revdesk.db.migrations.runner import SCHEMA_VERSION
from revdesk.fixtures import DEFAULT_PLAYBOOK
from revdesk.tui import __version__
from tests.tui.cli.cli_helpers import run, snapshot

ROOT = Path(__file__).resolve().parents[3]



def run_process(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "revdesk.tui.cli", *argv], capture_output=True, text=True, cwd=ROOT,
                          env=os.environ.copy(), timeout=60)



def one_error_line(err: str, *names: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("revdesk: error: "), err
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]



@pytest.fixture
def fresh_inbound(db) -> Path:
    """Contacts 3 and 4 arrived 40 and 5 minutes before the real now (the CLI's clock)."""
    now = datetime.now(UTC)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE contacts SET created_at = ? WHERE id = 3", (to_stored(now - timedelta(minutes=40)),))
        conn.execute("UPDATE contacts SET created_at = ? WHERE id = 4", (to_stored(now - timedelta(minutes=5)),))
    conn.close()
    return db


@pytest.fixture
def bad_playbook(tmp_path) -> Path:
    source = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
    assert source.count("probability = 0.50") == 1
    path = tmp_path / "bad.toml"
    path.write_text(source.replace("probability = 0.50", "probability = 5.0"), encoding="utf-8")
    return path


def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"revdesk {__version__}"


def test_users_json(capsys, db):
    code, out, err = run(capsys, "--db", str(db), "users", "--json")
    assert code == 0, err
    users = json.loads(out)
    assert isinstance(users, list)
    assert sorted(u["handle"] for u in users) == ["ines", "maya", "tom"]
    maya = next(u for u in users if u["handle"] == "maya")
    assert {k: maya[k] for k in ("handle", "name", "role")} == {"handle": "maya", "name": "Maya Koch", "role": "sdr"}
    assert all({"handle", "name", "role"} <= set(u) for u in users)


def test_users_as_a_table(capsys, db):
    code, out, _ = run(capsys, "--db", str(db), "users")
    assert code == 0
    assert "maya" in out and "Maya Koch" in out and "sdr" in out


def test_queue_json(capsys, fresh_inbound):
    code, out, err = run(capsys, "--db", str(fresh_inbound), "--as", "maya", "queue", "--json")
    assert code == 0, err
    items = json.loads(out)
    assert isinstance(items, list) and items
    for item in items:
        assert {"kind", "reason", "due_at", "contact_id", "account_id"} <= set(item)
        assert item["kind"] in ("inbound", "call_back", "follow_up", "lookup")
        assert isinstance(item["reason"], str) and item["reason"]
        assert from_stored(item["due_at"]).tzinfo is not None
        assert isinstance(item["contact_id"], int)
    inbound = {i["contact_id"]: i for i in items if i["kind"] == "inbound"}
    assert set(inbound) == {3, 4}
    assert inbound[3]["account_id"] == 2 and inbound[4]["account_id"] == 2
    assert "first-touch SLA" in inbound[3]["reason"]
    assert items[0]["contact_id"] == 3  # 40 minutes old: past the 15-minute SLA, first in line


def test_queue_for_a_given_day_is_fully_known(capsys, db):
    code, out, err = run(capsys, "--db", str(db), "--as", "maya", "queue", "--date", "2026-11-23", "--json")
    assert code == 0, err
    items = json.loads(out)
    assert [(i["kind"], i["contact_id"], i["task_id"]) for i in items] == [
        ("inbound", 4, None), ("inbound", 3, None), ("call_back", 2, 2), ("follow_up", 1, 1), ("follow_up", 5, 3)]
    assert items[3]["reason"] == "Follow-up overdue by 2 days: Send the ROI sheet"


def test_queue_as_a_table(capsys, db):
    code, out, _ = run(capsys, "--db", str(db), "--as", "maya", "queue", "--date", "2026-11-23")
    assert code == 0
    assert "Dana Brooks" in out and "Maya Koch" in out


def test_log_then_kpi(capsys, db):
    code, out, err = run(capsys, "--db", str(db), "--as", "maya", "log", "--contact", "1", "--type", "call",
                         "--outcome", "voicemail", "--json")
    assert code == 0, err
    logged = json.loads(out)
    assert {"activity_id", "change_id", "follow_up_task_id", "follow_up_due_at"} <= set(logged)
    assert logged["follow_up_task_id"] is not None

    code, out, err = run(capsys, "--db", str(db), "--as", "maya", "kpi", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert {"scope", "period", "start", "end", "metrics"} <= set(report)
    assert report["scope"] == "maya" and report["period"] == "day"
    start, end = datetime.fromisoformat(report["start"]), datetime.fromisoformat(report["end"])
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25)
    assert set(report["metrics"]) == {"calls", "connects", "emails", "meetings_booked", "opportunities_created",
                                      "opportunities_accepted", "deals_won", "revenue_won", "dormant_revived",
                                      "revived_deals", "revived_revenue"}
    assert report["metrics"]["calls"] == {"actual": 1, "target": 60}
    assert report["metrics"]["connects"] == {"actual": 0, "target": 12}
    assert report["metrics"]["meetings_booked"] == {"actual": 0, "target": 2}


def test_log_as_text_names_what_was_logged(capsys, db):
    code, out, _ = run(capsys, "--db", str(db), "--as", "maya", "log", "--contact", "2", "--type", "email")
    assert code == 0
    assert "Logged email" in out and "contact 2" in out


def test_kpi_for_the_team(capsys, db):
    run(capsys, "--db", str(db), "--as", "maya", "log", "--contact", "1", "--type", "call", "--outcome", "connected")
    code, out, err = run(capsys, "--db", str(db), "--as", "maya", "kpi", "--team", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["scope"] == "team:North"
    assert report["metrics"]["calls"] == {"actual": 1, "target": 140}  # 60 + 60 (SDRs) + 20 (AE)
    assert report["metrics"]["connects"]["actual"] == 1
    code, out, _ = run(capsys, "--db", str(db), "--as", "maya", "kpi", "--team")
    assert code == 0 and "team:North" in out and "140" in out


def test_kpi_for_everyone_without_as(capsys, db):
    run(capsys, "--db", str(db), "--as", "ines", "log", "--contact", "1", "--type", "call", "--outcome", "no_answer")
    code, out, err = run(capsys, "--db", str(db), "kpi", "--team", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["scope"] == "team:all"
    assert report["metrics"]["calls"] == {"actual": 1, "target": 140}


def test_kpi_for_a_week(capsys, db):
    code, out, _ = run(capsys, "--db", str(db), "--as", "maya", "kpi", "--period", "week", "--date", "2026-11-25",
                       "--json")
    assert code == 0
    report = json.loads(out)
    assert report["start"].startswith("2026-11-23T00:00:00")
    assert report["end"].startswith("2026-11-30T00:00:00")
    assert report["metrics"]["calls"]["target"] == 300


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["--as", "bob", "queue"], ["--as", "bob"]),
        (["--as", "bob", "log", "--contact", "1", "--type", "call", "--outcome", "voicemail"], ["--as", "bob"]),
        (["--as", "maya", "log", "--contact", "99", "--type", "call", "--outcome", "voicemail"], ["contact", "99"]),
        (["--as", "maya", "log", "--contact", "1", "--type", "call", "--outcome", "zzz"], ["outcome", "zzz"]),
        (["--as", "maya", "kpi", "--date", "2026-13-45"], ["--date", "2026-13-45"]),
        (["--as", "maya", "queue", "--date", "tomorrow"], ["--date", "tomorrow"]),
        (["--as", "maya", "log", "--contact", "1", "--type", "call", "--outcome", "voicemail", "--at", "yesterday"],
         ["--at", "yesterday"]),
        (["--as", "maya", "log", "--contact", "1", "--type", "call", "--outcome", "voicemail", "--at",
          "2099-01-01T10:00"], ["at", "future"]),
        (["--as", "maya", "log", "--contact", "1", "--type", "call"], ["--outcome"]),
    ],
    ids=["unknown-user", "unknown-user-log", "unknown-contact", "unknown-outcome", "bad-date", "bad-queue-date",
         "bad-at", "future-at", "call-without-outcome"],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, db, argv, names):
    before = snapshot(db)
    code, out, err = run(capsys, "--db", str(db), *argv)
    assert code == 2
    one_error_line(err, *names)
    assert "Traceback" not in err
    assert snapshot(db) == before


def test_a_missing_database_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "--db", str(tmp_path / "nope.db"), "users")
    assert code == 2
    one_error_line(err, "--db", "nope.db")
    assert not (tmp_path / "nope.db").exists()


def test_playbook_check_ok(capsys):
    code, out, err = run(capsys, "playbook", "check", str(DEFAULT_PLAYBOOK))
    assert code == 0, err
    assert "ok" in out and "6 stages" in out and "7 outcomes" in out


def test_playbook_check_broken(capsys, bad_playbook):
    code, out, err = run(capsys, "playbook", "check", str(bad_playbook))
    assert code == 2
    line = one_error_line(err)
    assert line.startswith(f"revdesk: error: {bad_playbook}:27: stages[2].probability: ")


def test_playbook_check_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "playbook", "check", str(tmp_path / "none.toml"))
    assert code == 2
    one_error_line(err, "none.toml")


def test_playbook_apply_broken_leaves_the_database_alone(capsys, db, bad_playbook):
    before = snapshot(db)
    code, _, err = run(capsys, "--db", str(db), "playbook", "apply", str(bad_playbook))
    assert code == 2
    one_error_line(err, f"{bad_playbook}:27", "stages[2].probability")
    after = snapshot(db)
    assert after["playbooks"] == before["playbooks"]
    assert after == before


def test_playbook_apply_invalid_toml(capsys, db, tmp_path):
    path = tmp_path / "junk.toml"
    path.write_text("name = \n[[stages\n", encoding="utf-8")
    before = snapshot(db)
    code, _, err = run(capsys, "--db", str(db), "playbook", "apply", str(path))
    assert code == 2
    one_error_line(err, "junk.toml", "not valid TOML")
    assert snapshot(db) == before


def test_playbook_apply_then_show(capsys, db, tmp_path):
    path = tmp_path / "renamed.toml"
    path.write_text(DEFAULT_PLAYBOOK.read_text(encoding="utf-8").replace(
        'name = "Default playbook"', 'name = "Team North playbook"'), encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "playbook", "apply", str(path))
    assert code == 0, err
    assert len(snapshot(db)["playbooks"]) == 2
    code, out, err = run(capsys, "--db", str(db), "playbook", "show", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["name"] == "Team North playbook"


def test_playbook_show_json(capsys, db):
    code, out, err = run(capsys, "--db", str(db), "playbook", "show", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["name"] == "Default playbook"
    assert [s["key"] for s in shown["stages"]] == [
        "discovery", "demo", "proposal", "negotiation", "closed_won", "closed_lost"]
    assert [o["letter"] for o in shown["outcomes"]] == ["c", "v", "a", "b", "m", "x", "l"]
    assert shown["sla"]["first_touch_minutes"] == 15
    assert {"qualification", "handoff", "targets", "dormancy"} <= set(shown)


def test_playbook_show_as_text(capsys, db):
    code, out, _ = run(capsys, "--db", str(db), "playbook", "show")
    assert code == 0
    assert "Default playbook" in out and "[[stages]]" in out


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def test_a_database_from_a_newer_schema_exits_2(capsys, tmp_path):
    path = tmp_path / "newer.db"
    _newer(path)
    code, _, err = run(capsys, "--db", str(path), "--as", "maya", "queue")
    assert code == 2
    one_error_line(err, f"schema version {SCHEMA_VERSION + 1}")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    conn.close()


def test_a_file_that_is_not_a_database_is_one_line_exit_2(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database at all\n" * 10, encoding="utf-8")
    code, _, err = run(capsys, "--db", str(path), "users")
    assert code == 2
    one_error_line(err, "notes.txt")


# --- as a real process: the exit code the shell sees ---------------------------------------------------------


def test_process_exit_codes(db, tmp_path, bad_playbook):
    ok = run_process("--db", str(db), "users", "--json")
    assert ok.returncode == 0, ok.stderr
    assert {u["handle"] for u in json.loads(ok.stdout)} == {"maya", "tom", "ines"}

    unknown = run_process("--db", str(db), "--as", "bob", "queue")
    assert unknown.returncode == 2
    one_error_line(unknown.stderr, "--as", "bob")

    broken = run_process("playbook", "check", str(bad_playbook))
    assert broken.returncode == 2
    one_error_line(broken.stderr, f"{bad_playbook}:27")

    newer = tmp_path / "newer.db"
    _newer(newer)
    refused = run_process("--db", str(newer), "users")
    assert refused.returncode == 2
    one_error_line(refused.stderr, "schema version")


def test_process_version():
    result = run_process("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"revdesk {__version__}"


def test_kpi_for_one_rep_with_the_trend(capsys, db):
    code, out, err = run(capsys, "--db", str(db), "--as", "maya", "log", "--contact", "1", "--type", "call",
                         "--outcome", "connected")
    assert code == 0, err
    code, out, err = run(capsys, "--db", str(db), "--as", "tom", "kpi", "--rep", "maya", "--period", "month",
                         "--trend", "--json")
    assert code == 0, err
    board = json.loads(out)
    assert board["scope"] == "maya" and board["people"] == 1
    assert board["metrics"]["calls"]["actual"] == 1 and board["trend"][-1]["calls"] == 1
    assert len(board["trend"]) == 6 and {"stage", "calls", "connects"} <= set(board["by_lead_stage"][0])
    code, _, err = run(capsys, "--db", str(db), "--as", "tom", "kpi", "--rep", "ghost")
    assert code == 2 and "--rep: no user 'ghost'" in err
