"""Export then import into an empty database gives the same records: users, accounts and deals of the demo data,
written by `revdesk export` and read back by `revdesk import` with no mapping (revdesk's own columns)."""

from __future__ import annotations

import json

from db.seed import seed_database
from tests.cli.cli_helpers import query, run
from tests.factories import NOW

KINDS = ("users", "accounts", "deals")


def _export(capsys, db, kind: str, fmt: str = "csv", out=None) -> str:
    argv = ["--db", str(db), "export", "--kind", kind, "--format", fmt] + (["--out", str(out)] if out else [])
    code, text, err = run(capsys, *argv)
    assert code == 0, err
    return text


def test_export_then_import_gives_the_same_records(capsys, tmp_path):
    source, target = tmp_path / "demo.db", tmp_path / "copy.db"
    seed_database(source, "demo", 7, NOW)
    for kind in KINDS:
        _export(capsys, source, kind, out=tmp_path / f"{kind}.csv")
        code, out, err = run(capsys, "--db", str(target), "import", str(tmp_path / f"{kind}.csv"), "--json")
        assert code == 0, err
        result = json.loads(out)
        assert result["kind"] == kind and result["rejected_rows"] == 0, result["rejected"][:3]
    for kind in KINDS:
        before = json.loads(_export(capsys, source, kind, "json"))
        after = json.loads(_export(capsys, target, kind, "json"))
        for record in (*before, *after):
            record.pop("external_id", None)
        assert after == before, kind
    assert query(target, "SELECT COUNT(*) FROM deals")[0][0] == query(source, "SELECT COUNT(*) FROM deals")[0][0]
    # Imported deals keep their stage history: time in stage and days to close work on them.
    deals = query(target, "SELECT COUNT(*) FROM deals")[0][0]
    assert query(target, "SELECT COUNT(DISTINCT deal_id) FROM stage_history")[0][0] == deals


def test_a_bad_row_is_left_out_and_named(capsys, tmp_path):
    target = tmp_path / "empty.db"
    people = tmp_path / "users.csv"
    people.write_text("handle,name,role,team,timezone\nana,Ana Lima,ae,North,Europe/Lisbon\n"
                      "bo,Bo Berg,astronaut,North,Europe/Oslo\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", str(target), "import", str(people), "--json", "--rejects",
                         str(tmp_path / "rejected.csv"))
    assert code == 0, err
    result = json.loads(out)
    assert (result["created"], result["rejected_rows"]) == (1, 1)
    assert result["rejected"][0]["reason"].startswith("'astronaut' is not a role")
    assert query(target, "SELECT handle FROM users") == [("ana",)]


def test_a_failure_part_way_leaves_the_database_as_it_was(capsys, tmp_path, monkeypatch):
    import db.import_deals

    source, target = tmp_path / "demo.db", tmp_path / "copy.db"
    seed_database(source, "demo", 7, NOW)
    for kind in ("users", "accounts"):
        _export(capsys, source, kind, out=tmp_path / f"{kind}.csv")
        assert run(capsys, "--db", str(target), "import", str(tmp_path / f"{kind}.csv"))[0] == 0
    _export(capsys, source, "deals", out=tmp_path / "deals.csv")
    calls = {"n": 0}
    real = db.import_deals.write_deal

    def dies_at_the_tenth(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 10:
            raise KeyboardInterrupt  # as if the import were killed part-way
        return real(*args, **kwargs)

    monkeypatch.setattr(db.import_deals, "write_deal", dies_at_the_tenth)
    changes = query(target, "SELECT COUNT(*) FROM changes")[0][0]
    code, _, _ = run(capsys, "--db", str(target), "import", str(tmp_path / "deals.csv"))
    assert code == 130 and calls["n"] == 10
    assert query(target, "SELECT COUNT(*) FROM deals")[0][0] == 0
    assert query(target, "SELECT COUNT(*) FROM stage_history")[0][0] == 0
    assert query(target, "SELECT COUNT(*) FROM changes")[0][0] == changes
