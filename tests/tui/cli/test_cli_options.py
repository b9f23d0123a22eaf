"""Global options in either place, as the issue writes them (`revdesk queue --as H`)."""

from __future__ import annotations

import json

from revdesk.tui.cli.main import main
from tests.factories import make_store


def test_as_and_db_after_the_subcommand(capsys, tmp_path):
    path = tmp_path / "team.db"
    make_store(path).close()
    capsys.readouterr()
    assert main(["queue", "--db", str(path), "--as", "maya", "--date", "2026-11-23", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [i["contact_id"] for i in items] == [4, 3, 2, 1, 5]
    code = main(["log", "--db", str(path), "--as", "maya", "--contact", "1", "--type", "note", "--outcome",
                 "meeting_booked"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("revdesk: error: --outcome: 'meeting_booked' is not an outcome of 'note'")


def test_a_foreign_sqlite_file_is_refused_and_left_alone(capsys, tmp_path):
    import sqlite3

    path = tmp_path / "other_app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(path), "users"]) == 2
    assert "is not a revdesk database" in capsys.readouterr().err
    assert path.read_bytes() == before
    empty = tmp_path / "empty.db"
    empty.touch()
    assert main(["--db", str(empty), "--as", "maya", "queue"]) == 2
    assert empty.stat().st_size == 0


def test_playbook_apply_starts_a_new_team_database(capsys, tmp_path):
    from revdesk.fixtures import DEFAULT_PLAYBOOK

    path = tmp_path / "team.db"
    assert main(["--db", str(path), "playbook", "apply", str(DEFAULT_PLAYBOOK)]) == 0
    capsys.readouterr()
    assert main(["--db", str(path), "playbook", "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "Default playbook"


def test_seeding_leaves_only_the_finished_file(capsys, tmp_path):
    path = tmp_path / "demo.db"
    assert main(["--db", str(path), "seed", "demo"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(("data", "config"))) == ["demo.db"]


def test_a_target_for_a_user_who_does_not_exist_is_refused(capsys, tmp_path):
    from revdesk.fixtures import DEFAULT_PLAYBOOK

    path = tmp_path / "team.db"
    make_store(path).close()
    source = DEFAULT_PLAYBOOK.read_text(encoding="utf-8") + (
        '\n[[targets]]\nuser = "ghost"\nmetric = "calls"\nperiod = "day"\nvalue = 10\n')
    playbook = tmp_path / "ghost.toml"
    playbook.write_text(source, encoding="utf-8")
    capsys.readouterr()
    assert main(["--db", str(path), "playbook", "apply", str(playbook)]) == 2
    err = capsys.readouterr().err
    assert "targets[12].user" in err and "no user 'ghost'" in err
