"""What the commands print is the user's text as it was typed: a name is never read as Rich markup (`Acme [/] Ltd`
crashed the command, `[bold]x` lost its brackets), never an emoji code, and an escape sequence in an imported name is
shown as a picture instead of reaching the terminal. Checked with every naughty string as a name."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from revdesk.tui.common.text import printable
from tests.dormant_factories import add_customer
from tests.factories import make_store
from tests.naughty import naughty_strings
from tests.tui.cli.cli_helpers import CONTEXT, fields, run

MARKUP = ["Acme [/] Ltd", "[bold]Bold[/bold] GmbH", "[link=https://evil.example]click[/link]", "[/]",
          ":smile: Smiles Inc", "Müller [red]\"Feinkost\"[/red]", "[b]", "\x1b[2J\x1b[31mCleared"]


def _set(path: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


def _shows(out: str, value: str) -> bool:
    """Whether `value` is printed whole (each of its lines on one line of output), as typed."""
    return all(part.strip() in out for part in printable(value).split("\n"))


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "out.db"
    make_store(path).close()
    return path


def test_every_naughty_string_as_a_user_name_and_team_prints_literally(capsys, monkeypatch, db):
    monkeypatch.setenv("COLUMNS", "3000")  # wide enough that no name wraps: each must be found whole
    strings = [s for s in naughty_strings() if s.strip()]
    for start in range(0, len(strings), 6):
        chunk = strings[start:start + 6]
        names, teams = chunk[0::2], chunk[1::2]
        for user_id, (name, team) in enumerate(zip(names, teams + [""] * 3, strict=False), 1):
            _set(db, "UPDATE users SET name = ?, team = ? WHERE id = ?", name, team, user_id)
        code, out, err = run(capsys, "--db", str(db), "users")
        assert code == 0, (chunk, err)
        assert "\x1b" not in out and "Traceback" not in err
        for value in chunk:
            assert _shows(out, value), value


@pytest.mark.parametrize("name", MARKUP)
def test_markup_in_names_is_printed_in_every_table_that_shows_them(capsys, monkeypatch, db, name):
    monkeypatch.setenv("COLUMNS", "300")
    _set(db, "UPDATE accounts SET name = ?", name)
    _set(db, "UPDATE contacts SET first_name = ?, last_name = ''", name)
    _set(db, "UPDATE users SET name = ? WHERE handle = 'tom'", name)
    store = make_store(db.with_name("dormant.db"))
    add_customer(store, name, owner_id=2, revenue=25_000, quiet_days=400, now=datetime.now(UTC))
    store.close()
    code, _, err = run(capsys, "--db", str(db), "--as", "maya", "log", "--contact", "1", "--type", "call",
                       "--outcome", "connected")
    assert code == 0, err
    code, out, err = run(capsys, "--db", str(db), "--as", "maya", "handoff", "send", "--contact", "1",
                         "--to", "tom", *fields(CONTEXT))
    assert code == 0, err  # it was written, and then the confirmation crashed on the recipient's name
    assert _shows(out, name)
    for argv in (["--as", "maya", "queue"], ["handoff", "list"], ["--as", "maya", "users"]):
        code, out, err = run(capsys, "--db", str(db), *argv)
        assert code == 0, (argv, err)
        assert _shows(out, name), argv
        assert "\x1b" not in out
    code, out, err = run(capsys, "--db", str(db.with_name("dormant.db")), "dormant", "--all")
    assert code == 0, err
    assert _shows(out, name)


def test_a_won_deals_owner_with_markup_prints_in_deal_stats_and_leaks(capsys, monkeypatch, db):
    monkeypatch.setenv("COLUMNS", "300")
    name = "Tom [/] [bold]Reyes"
    _set(db, "UPDATE users SET name = ? WHERE handle = 'tom'", name)
    run(capsys, "--db", str(db), "--as", "maya", "log", "--contact", "1", "--type", "call", "--outcome", "connected")
    code, out, err = run(capsys, "--db", str(db), "--as", "maya", "handoff", "send", "--contact", "1", "--to", "tom",
                         *fields(CONTEXT), "--json")
    assert code == 0, err
    handoff = str(json.loads(out)["handoff_id"])
    code, out, err = run(capsys, "--db", str(db), "--as", "tom", "handoff", "accept", handoff)
    assert code == 0, err
    for argv in (["deals", "stats", "--by", "owner"], ["deals", "stats", "--by", "owner", "--period", "month"]):
        code, out, err = run(capsys, "--db", str(db), *argv)
        assert code == 0, err
        assert _shows(out, name), argv
    code, out, err = run(capsys, "--db", str(db), "leaks")
    assert code == 0, err


def test_an_escape_sequence_is_shown_as_pictures(capsys, db):
    _set(db, "UPDATE users SET name = ? WHERE handle = 'maya'", "Maya\x1b]0;owned\x07\x1b[2J\tKoch\x9b")
    code, out, _ = run(capsys, "--db", str(db), "users")
    assert code == 0
    assert "Maya␛]0;owned␇␛[2J Koch\ufffd" in out
    assert not any(ord(c) < 0x20 and c != "\n" or 0x7F <= ord(c) < 0xA0 for c in out)


def test_the_score_line_and_messages_keep_their_brackets(capsys, db):
    _set(db, "UPDATE contacts SET title = ? WHERE id = 1", "Head of [bold]Ops[/] :fire:")
    code, out, err = run(capsys, "--db", str(db), "score", "--contact", "1")
    assert code == 0, err
    assert "Contact 1: score 60" in out
    assert "title is Head of [bold]Ops[/] :fire:" in out
