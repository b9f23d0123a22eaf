"""Export then import into an empty database gives the same records: users, accounts, deals, contacts and
activities of the demo data, written by `revdesk export` and read back by `revdesk import` with no mapping
(revdesk's own columns)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime, timedelta

from revdesk.db.importing import deals as import_deals
from revdesk.db.seeding.seed import seed_database
from tests.factories import NOW
from tests.tui.cli.cli_helpers import export, exported_records, query, run

KINDS = ("users", "accounts", "deals")


def test_export_then_import_gives_the_same_records(capsys, tmp_path):
    source, target = tmp_path / "demo.db", tmp_path / "copy.db"
    seed_database(source, "demo", 7, NOW)
    for kind in KINDS:
        export(capsys, source, kind, out=tmp_path / f"{kind}.csv")
        code, out, err = run(capsys, "--db", str(target), "import", str(tmp_path / f"{kind}.csv"), "--json")
        assert code == 0, err
        result = json.loads(out)
        assert result["kind"] == kind and result["rejected_rows"] == 0, result["rejected"][:3]
    for kind in KINDS:
        before = json.loads(export(capsys, source, kind, "json"))
        after = json.loads(export(capsys, target, kind, "json"))
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
    source, target = tmp_path / "demo.db", tmp_path / "copy.db"
    seed_database(source, "demo", 7, NOW)
    for kind in ("users", "accounts"):
        export(capsys, source, kind, out=tmp_path / f"{kind}.csv")
        assert run(capsys, "--db", str(target), "import", str(tmp_path / f"{kind}.csv"))[0] == 0
    export(capsys, source, "deals", out=tmp_path / "deals.csv")
    calls = {"n": 0}
    real = import_deals.write_deal

    def dies_at_the_tenth(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 10:
            raise KeyboardInterrupt  # as if the import were killed part-way
        return real(*args, **kwargs)

    monkeypatch.setattr(import_deals, "write_deal", dies_at_the_tenth)
    changes = query(target, "SELECT COUNT(*) FROM changes")[0][0]
    code, _, _ = run(capsys, "--db", str(target), "import", str(tmp_path / "deals.csv"))
    assert code == 130 and calls["n"] == 10
    assert query(target, "SELECT COUNT(*) FROM deals")[0][0] == 0
    assert query(target, "SELECT COUNT(*) FROM stage_history")[0][0] == 0
    assert query(target, "SELECT COUNT(*) FROM changes")[0][0] == changes


def _copy(capsys, tmp_path, kinds: tuple[str, ...]):
    """The demo data, and an empty database each kind was exported to and imported into, in order."""
    source, target = tmp_path / "demo.db", tmp_path / "copy.db"
    seed_database(source, "demo", 7, NOW)
    for kind in kinds:
        export(capsys, source, kind, out=tmp_path / f"{kind}.csv")
        code, out, err = run(capsys, "--db", str(target), "import", str(tmp_path / f"{kind}.csv"), "--json")
        assert code == 0, err
        result = json.loads(out)
        assert (result["kind"], result["rejected_rows"]) == (kind, 0), result["rejected"][:3]
    return source, target


def test_contacts_export_then_import_gives_the_same_contacts(capsys, tmp_path):
    source, target = _copy(capsys, tmp_path, ("users", "accounts", "contacts"))
    before, after = exported_records(capsys, source, "contacts"), exported_records(capsys, target, "contacts")
    assert len(after) == len(before) == 2000
    assert after == before
    assert sum(1 for c in before if c["became_customer_at"]) > 100  # the lifecycle history came along
    # The funnel reads the same lifecycle moves: the first time each contact reached each stage.
    first = ("SELECT c.email, h.to_value, MIN(h.changed_at) FROM status_history h"
             " JOIN contacts c ON c.id = h.contact_id WHERE h.axis = 'lifecycle'"
             " AND h.to_value IN ('mql', 'sql', 'opportunity', 'customer')"
             " GROUP BY 1, 2 ORDER BY 1, 2")
    assert query(target, first) == query(source, first)


def test_the_activities_export_has_the_import_fields(capsys, tmp_path):
    from revdesk.core.importing.mapping import FIELDS
    from revdesk.db.importing.exporter import EXPORTS

    source = tmp_path / "demo.db"
    seed_database(source, "demo", 7, NOW)
    assert set(EXPORTS["activities"]) <= set(FIELDS["activities"])
    assert set(EXPORTS["contacts"]) <= set(FIELDS["contacts"])
    undone = query(source, "SELECT MIN(id) FROM activities")[0][0]
    conn = sqlite3.connect(source)  # undo marks an activity; nothing deletes it
    with conn:
        conn.execute("UPDATE activities SET undone_at = ? WHERE id = ?", ("2026-11-23T12:00:00Z", undone))
    conn.close()
    text = export(capsys, source, "activities")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(EXPORTS["activities"])
    assert len(rows) == query(source, "SELECT COUNT(*) FROM activities")[0][0] - 1
    assert str(undone) not in {r["external_id"] for r in rows}  # an undone touch is not exported
    assert {r["done"] for r in rows} == {"true"}
    handles = {h for (h,) in query(source, "SELECT handle FROM users")}
    assert {r["owner"] for r in rows} <= handles
    deals = [r for r in rows if r["deal"]]
    deal_ids = {str(r["external_id"]) for r in json.loads(export(capsys, source, "deals", "json"))}
    assert deals and {r["deal"] for r in deals} <= deal_ids  # the deals export's ids: they link on import
    assert all(datetime.fromisoformat(r["occurred_at"]).tzinfo is not None for r in rows)


def test_activities_export_then_import_gives_the_same_activities(capsys, tmp_path, monkeypatch):
    # The import refuses touches in the future: its clock a little after the demo data's now, whatever today is.
    monkeypatch.setattr("revdesk.db.workbench.system_clock", lambda: NOW + timedelta(hours=1))
    source, target = _copy(capsys, tmp_path, ("users", "accounts", "contacts", "deals", "activities"))
    before, after = exported_records(capsys, source, "activities"), exported_records(capsys, target, "activities")
    assert len(after) == len(before) > 10_000
    assert after == before
    assert sum(1 for a in after if a["deal"]) == query(source, "SELECT COUNT(*) FROM activities"
                                                               " WHERE deal_id IS NOT NULL")[0][0]
