"""`revdesk seed` and `revdesk demo` from the command line: progress, refusals, nothing replaced silently."""

from __future__ import annotations

import json

from tests.factories import make_store
from tui.cli import main


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
    from db.connection import Store

    assert Store(path).conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 3
