"""`revdesk log` while another process (really another process) holds the database's write lock: it waits up to
REVDESK_LOCK_WAIT seconds saying why, then writes; past that, or at once with --no-wait, it exits 2 with one line
naming what holds the lock, and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.lock_holder import held_lock
from tests.tui.cli.cli_helpers import query, run

LOG = ("--as", "maya", "log", "--contact", "1", "--type", "note", "--note", "Called back")


def notes(db) -> int:
    return query(db, "SELECT count(*) FROM activities WHERE note = 'Called back'")[0][0]


def test_log_waits_for_the_lock_says_why_once_then_writes(capsys, db, monkeypatch):
    monkeypatch.setenv("REVDESK_LOCK_WAIT", "30")
    with held_lock(db, seconds=1.5, doing="import in progress"):
        started = time.monotonic()
        code, out, err = run(capsys, "--db", str(db), *LOG)
        assert time.monotonic() - started > 1  # it wrote only once the lock cleared
    assert code == 0, err
    assert "Logged note" in out
    assert err.strip() == (f"revdesk: waiting up to 30 s to write to {db}: another revdesk is writing: import in"
                           " progress (--no-wait not to wait)")
    assert notes(db) == 1


@pytest.mark.parametrize("where", ["before", "after"])
def test_no_wait_exits_2_at_once_with_one_line_naming_the_holder(capsys, db, monkeypatch, where):
    monkeypatch.setenv("REVDESK_LOCK_WAIT", "30")
    argv = ("--db", str(db), "--no-wait", *LOG) if where == "before" else ("--db", str(db), *LOG, "--no-wait")
    with held_lock(db, seconds=30, doing="import in progress"):
        code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert err.strip() == (f"revdesk: error: --db: another revdesk is writing: import in progress ({db}); nothing"
                           " was written: try again when it is done")
    assert notes(db) == 0


def test_past_its_patience_log_exits_2_naming_the_holder(capsys, db, monkeypatch):
    monkeypatch.setenv("REVDESK_LOCK_WAIT", "1")
    with held_lock(db, seconds=30, doing="seed in progress"):
        code, _, err = run(capsys, "--db", str(db), *LOG)
    assert code == 2, err
    waiting, failed = err.strip().splitlines()
    assert waiting.startswith("revdesk: waiting up to 1 s") and waiting.count("seed in progress") == 1
    assert failed == (f"revdesk: error: --db: another revdesk is writing: seed in progress ({db}); waited 1 s,"
                      " nothing was written: try again when it is done")
    assert notes(db) == 0


def test_a_real_command_process_with_no_wait_prints_no_traceback(db):
    with held_lock(db, seconds=30):
        done = subprocess.run([sys.executable, "-m", "revdesk.tui.cli", "--db", str(db), "--no-wait", *LOG],
                              capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (f"revdesk: error: --db: another revdesk process (an import, a second revdesk)"
                                   f" is writing to {db}; nothing was written: try again when it is done")
    assert notes(db) == 0
