"""`revdesk seed` and `revdesk demo` from the command line: progress, refusals, nothing replaced silently."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from revdesk.tui.cli.main import main
from tests.factories import make_store
from tests.tui.cli.cli_helpers import query, snapshot


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_demo_then_users_and_a_queue(capsys, tmp_path):
    path = tmp_path / "demo.db"
    code, out, err = run(capsys, "--db", str(path), "seed", "demo", "--seed", "3")
    assert code == 0, err
    assert "Seeded demo data" in out and "2,000 contacts" in out
    code, out, _ = run(capsys, "--db", str(path), "users", "--json")
    users = json.loads(out)
    roles = sorted(u["role"] for u in users)
    assert roles == ["ae"] * 3 + ["cs", "founder"] + ["sdr"] * 5
    sdr = next(u["handle"] for u in users if u["role"] == "sdr")
    code, out, err = run(capsys, "--db", str(path), "--as", sdr, "queue", "--json")
    assert code == 0, err
    kinds = {i["kind"] for i in json.loads(out)}
    assert {"inbound", "follow_up", "call_back"} <= kinds


def test_seed_refuses_an_existing_file(capsys, tmp_path):
    path = tmp_path / "team.db"
    make_store(path).close()
    before = path.read_bytes()
    code, _, err = run(capsys, "--db", str(path), "seed", "demo")
    assert code == 2 and "already exists" in err and len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before


def test_demo_never_replaces_a_database_that_is_not_a_demo(capsys, tmp_path):
    path = tmp_path / "team.db"
    make_store(path).close()
    code, _, err = run(capsys, "--db", str(path), "demo", "--fresh")
    assert code == 2 and "is not a demo database" in err
    from revdesk.db.common.connection import Store

    assert Store(path).conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 3


# `revdesk demo`: work done in a demo is never deleted, and the commands after it use the database it opened.

YESTERDAY = datetime.now(UTC) - timedelta(days=2)


@pytest.fixture
def opened(monkeypatch) -> list[tuple[Path, str]]:
    """The databases `revdesk demo` opened the app on (the app itself is tested with Pilot elsewhere)."""
    calls: list[tuple[Path, str]] = []

    def run_app(store, handle: str) -> int:
        calls.append((store.path, handle))
        return 0

    monkeypatch.setattr("revdesk.tui.run.run_app", run_app)
    return calls


def _old_demo_with_work(capsys, path: Path) -> dict:
    from revdesk.db.seeding.seed import seed_database

    seed_database(path, "demo", 1, YESTERDAY)
    users = json.loads(run(capsys, "--db", str(path), "users", "--json")[1])
    sdr = next(u["handle"] for u in users if u["role"] == "sdr")
    code, _, err = run(capsys, "--db", str(path), "--as", sdr, "log", "--contact", "1", "--type", "call",
                       "--outcome", "connected", "--note", "real work")
    assert code == 0, err
    return snapshot(path)


def test_demo_never_deletes_an_old_demo_with_work_in_it(capsys, tmp_path, opened):
    path = tmp_path / "team-demo.db"
    before = _old_demo_with_work(capsys, path)
    code, _, err = run(capsys, "--db", str(path), "demo")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "1 changes made since its demo was built" in err and "nothing was changed" in err
    assert "revdesk demo --db NEW.db" in err and "or `revdesk demo`" in err
    assert snapshot(path) == before and opened == []


def test_demo_fresh_without_a_terminal_refuses_to_delete_work(capsys, tmp_path, opened):
    path = tmp_path / "team-demo.db"
    before = _old_demo_with_work(capsys, path)
    code, _, err = run(capsys, "--db", str(path), "demo", "--fresh")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "will not replace it" in err, err
    assert snapshot(path) == before and opened == []


def test_demo_rebuilds_an_untouched_demo_from_an_earlier_day(capsys, tmp_path, opened):
    from revdesk.db.seeding.seed import seed_database

    path = tmp_path / "old-demo.db"
    seed_database(path, "demo", 1, YESTERDAY)
    code, out, err = run(capsys, "--db", str(path), "demo")
    assert code == 0, err
    assert "building a fresh one for today" in out
    seeded = query(path, "SELECT at FROM changes WHERE command = 'seed'")
    assert len(seeded) == 1 and seeded[0][0] > YESTERDAY.strftime("%Y-%m-%dT%H:%M:%S")
    assert opened and opened[0][0] == path


def test_after_the_demo_other_commands_use_its_database(capsys, tmp_path, opened):
    code, _, err = run(capsys, "demo")
    assert code == 0, err
    demo = opened[0][0]
    assert "the commands you run next use it" in err
    code, out, err = run(capsys, "users", "--json")
    assert code == 0, err
    assert len(json.loads(out)) == 10
    assert f"using the demo database {demo}" in err
    assert stat.S_IMODE(demo.stat().st_mode) == 0o600


def test_the_demo_leaves_a_database_the_user_configured_alone(capsys, tmp_path, opened):
    from revdesk.tui.common.config import config_dir, load_settings

    team = tmp_path / "team.db"
    make_store(team).close()
    config_dir().mkdir(parents=True)
    (config_dir() / "config.toml").write_text(f'db = "{team}"\n', encoding="utf-8")
    code, _, err = run(capsys, "demo")
    assert code == 0, err
    assert f"config.toml names {team}" in err and "--db" in err
    assert load_settings().db == team
    code, out, err = run(capsys, "users", "--json")
    assert code == 0 and len(json.loads(out)) == 3 and err == ""


def test_a_second_demo_elsewhere_is_remembered_in_place_of_the_first(capsys, tmp_path, opened):
    from revdesk.tui.common.config import config_dir, load_settings

    assert run(capsys, "demo")[0] == 0
    other = tmp_path / "odd \"name\" #1\tx.db"
    assert run(capsys, "--db", str(other), "demo")[0] == 0
    settings = load_settings()
    assert settings.db == other and settings.db_from_demo
    assert (config_dir() / "config.toml").read_text(encoding="utf-8").count("db =") == 1
