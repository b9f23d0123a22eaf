"""A second import of a file, and files as people really send them: a deal moved in revdesk since its import
keeps its stage; a won deal needs its close date; addresses match whatever their case; a rejected row creates
no account; a repeated column, odd encodings and an opt-out are handled; a dry run on a new database writes
no playbook."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.tui.cli.cli_helpers import query, run

USERS = "handle,name,role\ntom,Tom Gallagher,ae\n"
ACCOUNTS = "name,domain\nNordlicht AB,nordlicht.se\n"
DEALS = ("external_id,name,account,amount,currency,stage,owner,closed_at\n"
         "d1,Pilot,Nordlicht AB,1000,EUR,discovery,Tom Gallagher,\n"
         "d2,Rollout,Nordlicht AB,5000,EUR,demo,Tom Gallagher,\n")


def _import(capsys, db: Path, tmp_path: Path, name: str, text: str | bytes, *options: str) -> dict:
    file = tmp_path / name
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "import", str(file), "--json",
                         "--rejects", str(tmp_path / "rejected.csv"), *options)
    assert code == 0, err
    return json.loads(out)


def _team(capsys, tmp_path: Path) -> Path:
    db = tmp_path / "a.db"
    _import(capsys, db, tmp_path, "users.csv", USERS)
    _import(capsys, db, tmp_path, "accounts.csv", ACCOUNTS)
    assert _import(capsys, db, tmp_path, "deals.csv", DEALS)["created"] == 2
    return db


def test_a_deal_moved_here_since_its_import_keeps_its_stage_and_one_moved_there_gets_a_history_row(capsys, tmp_path):
    db = _team(capsys, tmp_path)
    with sqlite3.connect(db) as conn:  # Tom moves the pilot on in revdesk, as `revdesk deal move` records it
        conn.execute("UPDATE deals SET stage = 'demo' WHERE name = 'Pilot'")
        conn.execute("INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_by, changed_at, reason)"
                     " SELECT id, 'discovery', 'demo', owner_id, '2026-11-03T09:00:00Z', NULL FROM deals"
                     " WHERE name = 'Pilot'")
    moved_there = DEALS.replace("d2,Rollout,Nordlicht AB,5000,EUR,demo,Tom Gallagher,",
                                "d2,Rollout,Nordlicht AB,6000,EUR,closed_won,Tom Gallagher,2026-11-02")
    again = _import(capsys, db, tmp_path, "deals.csv", moved_there)
    assert (again["created"], again["updated"]) == (0, 2)
    assert "1 deals moved in revdesk since they were imported kept their stage" in again["notes"]
    assert query(db, "SELECT name, stage, amount, won FROM deals ORDER BY id") == [
        ("Pilot", "demo", 1000.0, None), ("Rollout", "closed_won", 6000.0, 1)]
    assert query(db, "SELECT from_stage, to_stage, changed_at FROM stage_history h JOIN deals d ON d.id = h.deal_id"
                     " WHERE d.name = 'Rollout' ORDER BY h.id")[-1] == ("demo", "closed_won", "2026-11-02T12:00:00Z")
    assert query(db, "SELECT won_revenue, open_deals FROM accounts") == [(6000.0, 1)]


def test_a_won_or_lost_deal_needs_its_close_date(capsys, tmp_path):
    db = _team(capsys, tmp_path)
    result = _import(capsys, db, tmp_path, "more.csv", "external_id,name,account,stage,owner,closed_at\n"
                                                       "d3,Upsell,Nordlicht AB,closed_won,Tom Gallagher,\n")
    assert result["rejected"] == [{"line": 2, "column": "closed_at",
                                   "reason": "a won or lost deal needs the day it closed (map its close date to"
                                             " closed_at)"}]


def test_addresses_match_whatever_their_case(capsys, tmp_path):
    db = tmp_path / "a.db"
    _import(capsys, db, tmp_path, "users.csv", USERS)
    first = _import(capsys, db, tmp_path, "c.csv", "first_name,last_name,email\nAda,Byron,Ada.Byron@AcmeCorp.com\n")
    assert first["created"] == 1
    again = _import(capsys, db, tmp_path, "c2.csv", "first_name,last_name,email,title\nAda,Byron,"
                                                     "ada.byron@acmecorp.com,CTO\n")
    assert (again["created"], again["updated"]) == (0, 1)
    activity = _import(capsys, db, tmp_path, "a.csv", "kind,occurred_at,owner,contact_email,note\n"
                                                      "note,2026-11-02,tom,ADA.BYRON@acmecorp.com,Met at the fair\n")
    assert (activity["created"], activity["rejected_rows"]) == (1, 0)
    assert query(db, "SELECT email, title FROM contacts") == [("Ada.Byron@acmecorp.com", "CTO")]


def test_a_rejected_row_creates_no_account(capsys, tmp_path):
    db = tmp_path / "a.db"
    result = _import(capsys, db, tmp_path, "c.csv", "first_name,last_name,email,phone,account,country\n"
                                                    "Bob,Ghost,bob@ghostco.example.com,12,Ghost Co,DE\n")
    assert (result["created"], result["rejected_rows"]) == (0, 1)
    assert query(db, "SELECT COUNT(*) FROM accounts") == [(0,)]


def test_a_repeated_column_is_refused_by_name(capsys, tmp_path):
    file = tmp_path / "c.csv"
    file.write_text("email,first_name,email\na@x.com,Ann,\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(tmp_path / "a.db"), "import", str(file))
    assert code == 2 and "'email' more than once" in err


def test_files_in_other_encodings_are_read(capsys, tmp_path):
    db = tmp_path / "a.db"
    cp1252 = "first_name,last_name,email\nZoë,Müller,zoe@example.org\n".encode("cp1252")
    assert _import(capsys, db, tmp_path, "win.csv", cp1252)["created"] == 1
    odd = b"\xef\xbb\xbffirst_name,last_name,email\nZo\x81,M\x9d,zo@example.org\n"  # a BOM, then no known encoding
    result = _import(capsys, db, tmp_path, "odd.csv", odd)
    assert result["created"] == 1
    assert query(db, "SELECT first_name FROM contacts ORDER BY id") == [("Zoë",), ("Zo",)]  # C1 controls dropped


def test_an_opt_out_comes_and_goes_with_the_contact_and_is_never_lifted(capsys, tmp_path):
    db, copy = tmp_path / "a.db", tmp_path / "b.db"
    _import(capsys, db, tmp_path, "c.csv", "first_name,last_name,email,do_not_contact,lead_status\n"
                                           "Ann,Lee,ann@example.org,yes,attempting\n")
    out = tmp_path / "contacts.csv"
    assert run(capsys, "--db", str(db), "export", "--kind", "contacts", "--out", str(out))[0] == 0
    assert _import(capsys, copy, tmp_path, "contacts.csv", out.read_text(encoding="utf-8"))["created"] == 1
    assert query(copy, "SELECT do_not_contact, lead_status FROM contacts") == [(1, "attempting")]
    _import(capsys, copy, tmp_path, "c.csv", "first_name,last_name,email,do_not_contact\nAnn,Lee,ann@example.org,no\n")
    assert query(copy, "SELECT do_not_contact FROM contacts") == [(1,)]


def test_a_dry_run_on_a_new_database_writes_no_playbook(capsys, tmp_path):
    db = tmp_path / "new.db"
    result = _import(capsys, db, tmp_path, "users.csv", USERS, "--dry-run")
    assert result["created"] == 1 and result["change_id"] is None
    assert not db.exists()  # not even a schema
