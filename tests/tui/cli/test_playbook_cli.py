"""`revdesk playbook check|apply` and `revdesk sequences check|apply` with hostile files, run in-process: names are
printed as written (never as Rich markup), a file that can't be read or isn't UTF-8 gets one line naming it (and
the line and byte), the naughty strings in every string field give exit 0 or 2 and no traceback, and a check (or
a refused apply) never writes to a database, nor creates one."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest

from revdesk.fixtures import DEFAULT_PLAYBOOK, FIXTURES_DIR
from tests.naughty import naughty_strings
from tests.toml_strings import toml_string
from tests.tui.cli.cli_helpers import run, snapshot

PLAYBOOK = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
SEQUENCE = (FIXTURES_DIR / "sequences" / "cold-outbound.toml").read_text(encoding="utf-8")
COMMANDS = [("playbook", "check"), ("playbook", "apply"), ("sequences", "check"), ("sequences", "apply")]
# Free-text fields of each file (TOML lines replaced by the same key holding a naughty string).
PLAYBOOK_WORDS = ['name = "Default playbook"', 'label = "Discovery"', 'name = "Senior title"', '"Software"',
                  'label = "Pain that started the conversation"', '"unknown"', 'label = "SDR to AE"',
                  'label = "Context incomplete"', 'label = "Connected"']
SEQUENCE_WORDS = ['name = "Cold outbound"', 'description = "Eight touches over three weeks for a good-fit prospect'
                  ' who has not heard from us yet."', 'subject = "How other teams handle follow-ups"',
                  'note = "Send a connection request without a note, or a one-liner about something they posted.'
                  ' No pitch."']


def _with(source: str, items: list[str], text: str) -> str:
    for item in items:
        assert item in source, item
        name, sep, _ = item.partition(" = ")
        source = source.replace(item, f"{name} = {toml_string(text)}" if sep else toml_string(text), 1)
    return source


def _dump_digest(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode("utf-8", "surrogatepass")).hexdigest()
    finally:
        conn.close()


def _one_line_refusal(code: int, err: str) -> str:
    assert code == 2, err
    assert err.startswith("revdesk") and ": error: " in err and err.count("\n") == 1, err
    return err


def _flat(out: str) -> str:
    """Text without its whitespace: Rich wraps output at 80 columns under test, at a space (which it drops) or
    inside a long word, so expected and printed text are compared without any."""
    return re.sub(r"\s+", "", out)


def test_names_with_markup_are_printed_as_written(capsys, db, tmp_path):
    playbook = tmp_path / "[bold]team.toml"
    playbook.write_text(_with(PLAYBOOK, PLAYBOOK_WORDS[:1], "Acme [/] Ltd"), encoding="utf-8")
    sequence = tmp_path / "[red]cold [b].toml"
    sequence.write_text(_with(SEQUENCE, SEQUENCE_WORDS[:1], "Acme [/] Ltd [red]"), encoding="utf-8")
    code, out, err = run(capsys, "playbook", "check", str(playbook))
    assert code == 0 and _flat(f"{playbook}: ok") in _flat(out), err
    code, out, err = run(capsys, "--db", str(db), "playbook", "apply", str(playbook))
    assert code == 0 and _flat(f"Applied 'Acme [/] Ltd' from {playbook}") in _flat(out), err
    code, out, err = run(capsys, "sequences", "check", str(sequence))
    assert code == 0 and _flat(f"{sequence}: 'Acme [/] Ltd [red]' (cold_outbound) is valid") in _flat(out), err
    code, out, err = run(capsys, "--db", str(db), "sequences", "apply", str(sequence))
    assert code == 0 and _flat(f"Applied 'Acme [/] Ltd [red]' (cold_outbound) from {sequence}") in _flat(out), err


@pytest.mark.parametrize(("group", "action"), COMMANDS)
def test_a_file_that_is_not_utf8_is_named_with_its_line_and_byte(capsys, db, tmp_path, group, action):
    path = tmp_path / "latin1.toml"
    source = PLAYBOOK if group == "playbook" else SEQUENCE
    path.write_bytes(source.replace('name = "', 'name = "Caf\xe9 ', 1).encode("latin-1"))
    before = _dump_digest(db)
    code, _, err = run(capsys, "--db", str(db), group, action, str(path))
    line = next(n for n, text in enumerate(source.splitlines(), start=1) if text.startswith('name = "'))
    assert f"{path}:{line}: is not UTF-8 text: byte 0xe9" in _one_line_refusal(code, err)
    assert _dump_digest(db) == before


@pytest.mark.parametrize(("group", "action"), COMMANDS)
@pytest.mark.parametrize("kind", ["missing", "directory", "too long", "not a folder"])
def test_a_path_that_cannot_be_read_gets_one_line(capsys, db, tmp_path, group, action, kind):
    path = {"missing": tmp_path / "nope.toml", "directory": tmp_path, "too long": tmp_path / ("x" * 5000),
            "not a folder": Path(db) / "team.toml"}[kind]
    before = _dump_digest(db)
    code, _, err = run(capsys, "--db", str(db), group, action, str(path))
    _one_line_refusal(code, err)
    assert "Traceback" not in err and _dump_digest(db) == before


def test_a_file_with_a_byte_order_mark_is_read(capsys, tmp_path):
    path = tmp_path / "notepad.toml"
    path.write_bytes(b"\xef\xbb\xbf" + PLAYBOOK.encode("utf-8"))
    code, out, err = run(capsys, "playbook", "check", str(path))
    assert code == 0 and "ok" in out, err


def test_a_check_never_writes_and_never_creates_a_database(capsys, db, tmp_path):
    playbook, sequence = tmp_path / "team.toml", tmp_path / "cold.toml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    sequence.write_text(SEQUENCE, encoding="utf-8")
    before = Path(db).read_bytes()
    missing = tmp_path / "nowhere" / "new.db"
    for argv in (["playbook", "check", str(playbook)], ["sequences", "check", str(sequence)]):
        for target in (db, missing):
            code, _, err = run(capsys, "--db", str(target), *argv)
            assert code == 0, err
    assert Path(db).read_bytes() == before
    assert not missing.parent.exists()


def test_a_refused_playbook_creates_no_database(capsys, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text(PLAYBOOK.replace('key = "next_step"', 'key = "next step"'), encoding="utf-8")
    target = tmp_path / "team" / "new.db"
    code, _, err = run(capsys, "--db", str(target), "playbook", "apply", str(broken))
    assert "handoff.kinds[0].fields[5].key: 'next step' is not a key" in _one_line_refusal(code, err)
    assert not target.exists() and not target.parent.exists()


@pytest.mark.parametrize(("group", "source", "words"), [("playbook", PLAYBOOK, PLAYBOOK_WORDS),
                                                          ("sequences", SEQUENCE, SEQUENCE_WORDS)],
                         ids=["playbook", "sequences"])
def test_naughty_strings_in_every_free_text_field_give_exit_0_or_2(capsys, db, tmp_path, group, source, words):
    """A fixed sample (every 8th string; tests/core and tests/sequences parse every one): the check and the apply
    answer 0 or 2 alike, never with a traceback, and a refused apply leaves the database as it was."""
    path = tmp_path / "naughty.toml"
    for text in naughty_strings()[::8]:
        path.write_text(_with(source, words, text), encoding="utf-8")
        code, _, err = run(capsys, group, "check", str(path))
        assert code in (0, 2), err
        if code == 2:
            _one_line_refusal(code, err)
        before = snapshot(Path(db))
        applied, out, err = run(capsys, "--db", str(db), group, "apply", str(path))
        assert applied == code, (text, err)
        if applied == 0:
            assert _flat(repr(text)) in _flat(out) or group == "sequences", out
        else:
            assert snapshot(Path(db)) == before


def test_a_target_for_a_user_who_is_not_there_names_its_line(capsys, db, tmp_path):
    path = tmp_path / "team.toml"
    source = PLAYBOOK + '\n[[targets]]\nmetric = "calls"\nuser = "nobody [/]"\nperiod = "day"\nvalue = 5\n'
    path.write_text(source, encoding="utf-8")
    before = _dump_digest(db)
    code, _, err = run(capsys, "--db", str(db), "playbook", "apply", str(path))
    line = len(source.splitlines()) - 2
    assert f"{path}:{line}: targets[12].user: no user 'nobody [/]' in this database" in _one_line_refusal(code, err)
    assert _dump_digest(db) == before


def test_a_database_whose_playbook_a_check_now_refuses_is_refused_before_the_app_opens(capsys, db):
    conn = sqlite3.connect(db)
    playbook_id, data = conn.execute("SELECT id, data FROM playbooks ORDER BY id DESC LIMIT 1").fetchone()
    conn.execute("UPDATE playbooks SET data = ? WHERE id = ?",  # as an older revdesk stored it
                 (data.replace('"key": "next_step"', '"key": "next step"'), playbook_id))
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "--db", str(db), "--as", "maya")
    assert "the playbook in force: handoff.kinds[0].fields[5].key: 'next step' is not a key" in _one_line_refusal(
        code, err)
    code, out, err = run(capsys, "--db", str(db), "playbook", "show")
    assert code == 0 and _flat("no longer passes `revdesk playbook check`") in _flat(out), err
