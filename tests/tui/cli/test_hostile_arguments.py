"""The CLI tracebacks the issue found, each now exit code 2 and one line naming the option, with nothing written:
`--note=--`, arguments that are not UTF-8, ids of 40 digits, superscript digits, paths too long for the system, a
context file that is not UTF-8, a damaged database, and another process holding the write lock."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from tests.tui.cli.cli_helpers import CONTEXT, fields, query, run, snapshot


def _refused(capsys, db, *argv: str) -> str:
    """Run ARGV as maya; assert it was refused in one line and wrote nothing; that line."""
    before = snapshot(db)
    code, _, err = run(capsys, "--db", str(db), "--as", "maya", *argv)
    assert code == 2, err
    assert err.startswith("revdesk") and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert snapshot(db) == before
    return err


def test_a_note_of_two_dashes_is_that_text(capsys, db):
    code, _, err = run(capsys, "--db", str(db), "--as", "maya", "log", "--contact", "1", "--type", "note",
                       "--note=--")
    assert code == 0, err
    assert query(db, "SELECT note FROM activities ORDER BY id DESC LIMIT 1") == [("--",)]


@pytest.mark.parametrize(("argv", "option"), [
    (("log", "--contact", "1", "--type", "note", "--note", "caf\udce9"), "--note"),
    (("log", "--contact", "1", "--type", "note", "--note=caf\udce9"), "--note"),
    (("--as", "m\udcffya", "queue"), "--as"),
    (("handoff", "send", "--contact", "1", "--to", "t\udcffm"), "--to"),
    (("import", "caf\udce9.csv"), "argument"),
])
def test_an_argument_that_is_not_utf8_is_refused_naming_its_option(capsys, db, argv, option):
    err = _refused(capsys, db, *argv)
    assert err.startswith(f"revdesk: error: {option}") and "is not text in UTF-8" in err


def test_bytes_that_are_not_utf8_from_a_real_shell(tmp_path, db):
    """The same through a real process: Python hands the bytes over as surrogates."""
    env = {**os.environ, "REVDESK_DATA_DIR": str(tmp_path / "d"), "REVDESK_CONFIG_DIR": str(tmp_path / "c")}
    done = subprocess.run([sys.executable, "-m", "revdesk.tui.cli", "--db", str(db), "--as", "maya",
                           "log", "--contact", "1", "--type", "note", "--note", b"caf\xe9"],
                          capture_output=True, env=env, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode().startswith("revdesk: error: --note: is not text in UTF-8")


@pytest.mark.parametrize(("argv", "option"), [
    (("log", "--contact", "1" + "0" * 39, "--type", "note"), "--contact"),
    (("score", "--contact", "-" + "9" * 40), "--contact"),
    (("handoff", "accept", "9" * 40), "ID"),
    (("deal", "move", "9" * 40, "--stage", "demo"), "ID"),
    (("dormant", "snooze", "1", "--days", "9" * 40, "--reason", "Renewal in May"), "--days"),
    (("dormant", "revival", "--months", "9" * 40), "--months"),
    (("enroll", "--sequence", "cold_outbound", "--contact", "⁰⁴⁵"), "--contact"),
    (("accounts", "merge", "1", "9" * 40), "OTHER"),
    (("leaks", "--records", "٣"), "--records"),
])
def test_a_number_no_record_can_have_is_refused(capsys, db, argv, option):
    assert f"argument {option}" in _refused(capsys, db, *argv)


def test_an_approver_in_superscript_digits_is_refused_naming_the_field(capsys, qualified):
    context = {**CONTEXT, "approver": "⁰⁴⁵"}
    before = snapshot(qualified)
    code, _, err = run(capsys, "--db", str(qualified), "--as", "maya", "handoff", "send", "--contact", "1", "--to",
                       "tom", *fields(context))
    assert code == 2 and "approver: must be the id of a contact at the account" in err
    assert snapshot(qualified) == before


@pytest.mark.parametrize("option", ["--db", "--out", "--context", "FILE"])
def test_a_path_too_long_for_the_system_is_refused(capsys, db, tmp_path, option):
    long = str(tmp_path / ("x" * 300) / "report.md")
    argv = {"--db": ("--db", long, "users"), "--out": ("report", "--out", long),
            "--context": ("handoff", "send", "--contact", "1", "--context", long),
            "FILE": ("import", long)}[option]
    before = snapshot(db)
    code, _, err = run(capsys, *(() if option == "--db" else ("--db", str(db))), "--as", "maya", *argv)
    assert code == 2 and "Traceback" not in err
    assert option in err and "bytes long" in err
    assert snapshot(db) == before


def test_a_context_file_that_is_not_utf8_is_refused(capsys, db, tmp_path):
    context = tmp_path / "context.toml"
    context.write_bytes('pain = "Disposition von Hand, grüße"\n'.encode("latin-1"))
    err = _refused(capsys, db, "handoff", "send", "--contact", "1", "--to", "tom", "--context", str(context))
    assert "--context" in err and "is not UTF-8" in err


def test_a_damaged_database_page_is_one_line(capsys, db):
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size, root = conn.execute("PRAGMA page_size").fetchone()[0], conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'contacts'").fetchone()[0]
    conn.close()
    with open(db, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)
    code, _, err = run(capsys, "--db", str(db), "--as", "maya", "export", "--kind", "contacts")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith("revdesk: error: --db: ") and "is damaged" in err


def test_a_write_lock_held_by_another_process(capsys, db, monkeypatch):
    monkeypatch.setenv("REVDESK_LOCK_WAIT", "0.2")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # an import, or a second revdesk, writing
    try:
        code, _, err = run(capsys, "--db", str(db), "--as", "maya", "log", "--contact", "1", "--type", "note",
                           "--note", "Called back")
        assert code == 2, err
        assert err.strip() == (f"revdesk: error: --db: another revdesk process (an import, a second revdesk) is"
                               f" writing to {db}; nothing was written: try again when it is done")
        code, _, err = run(capsys, "--db", str(db), "users")  # reading goes on meanwhile
        assert code == 0, err
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert query(db, "SELECT count(*) FROM activities WHERE note = 'Called back'") == [(0,)]


@pytest.mark.parametrize("argv", [("--db", "", "users"), ("--db", " ", "users"), ("report", "--out", ""),
                                  ("handoff", "send", "--contact", "1", "--context", "")])
def test_an_empty_path_is_refused_not_read_as_the_default_or_this_folder(capsys, db, argv):
    """`--db "$DB"` with DB unset must not open the default database; `--out ""` is no file to write."""
    full = argv if argv[0] == "--db" else ("--db", str(db), *argv)
    code, _, err = run(capsys, *full)
    assert code == 2 and "is empty: name a file" in err and "Traceback" not in err


def test_an_exclusive_lock_while_the_database_is_first_opened(capsys, db, monkeypatch):
    """A process holding the file exclusively (a rollback journal's EXCLUSIVE lock) when the command opens it:
    the same sentence as a held write lock, not 'not a revdesk database'."""
    monkeypatch.setenv("REVDESK_LOCK_WAIT", "0.2")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("PRAGMA journal_mode = DELETE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run(capsys, "--db", str(db), "users")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 2, err
    assert "another revdesk process" in err and "not a revdesk database" not in err
