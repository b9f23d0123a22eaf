"""Values an import refuses per row with the reason, so they never reach the database: a date outside the
playbook's years (0202-03-15 for 2022), employees written in superscript digits, a handle another user has;
and what stays readable afterwards (stats, export) because nothing impossible got in."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.tui.cli.cli_helpers import query, run

USERS = "handle,name,role\ntom,Tom Gallagher,ae\n"
ACCOUNTS = "name,domain\nNordlicht AB,nordlicht.se\n"


def _import(capsys, db: Path, tmp_path: Path, name: str, text: str, *options: str) -> dict:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "import", str(file), "--json", *options)
    assert code == 0, err
    return json.loads(out)


def _team(capsys, tmp_path: Path) -> Path:
    db = tmp_path / "a.db"
    _import(capsys, db, tmp_path, "users.csv", USERS)
    _import(capsys, db, tmp_path, "accounts.csv", ACCOUNTS)
    return db


@pytest.mark.parametrize("day", ["0202-03-15", "0001-01-01", "2202-03-15", "1899-12-31",
                                 "0202-03-15T10:00:00+02:00", "0001-01-01T00:00:00+01:00", "15/03/0202"])
def test_a_date_outside_the_playbooks_years_is_refused_with_the_reason(capsys, tmp_path, day):
    db = _team(capsys, tmp_path)
    deals = ("name,account,amount,stage,owner,closed_at\n"
             "Pilot,Nordlicht AB,1000,discovery,Tom Gallagher,\n"
             f"Typo,Nordlicht AB,2000,closed_won,Tom Gallagher,{day}\n")
    result = _import(capsys, db, tmp_path, "deals.csv", deals)
    assert (result["created"], result["rejected_rows"]) == (1, 1)
    (problem,) = result["rejected"]
    assert problem["line"] == 3 and problem["column"] == "closed_at"
    assert "outside the years 1900 to 2100" in problem["reason"] or "outside the calendar" in problem["reason"]
    assert query(db, "SELECT name FROM deals") == [("Pilot",)]
    code, _, err = run(capsys, "--db", str(db), "export", "--kind", "deals")
    assert code == 0, err


def test_every_kind_of_date_is_checked(capsys, tmp_path):
    db = _team(capsys, tmp_path)
    deals = ("name,account,stage,owner,expected_close_date,created_at\n"
             "A,Nordlicht AB,discovery,Tom Gallagher,0202-03-15,\n"
             "B,Nordlicht AB,discovery,Tom Gallagher,,0202-03-15T12:00:00Z\n")
    result = _import(capsys, db, tmp_path, "deals.csv", deals)
    assert [(p["line"], p["column"]) for p in result["rejected"]] == [(2, "expected_close_date"), (3, "created_at")]
    contacts = "email,became_mql_at\nann@nordlicht.se,0202-03-15\n"
    result = _import(capsys, db, tmp_path, "contacts.csv", contacts)
    assert [p["column"] for p in result["rejected"]] == ["became_mql_at"]
    assert query(db, "SELECT COUNT(*) FROM deals") == query(db, "SELECT COUNT(*) FROM contacts") == [(0,)]


def test_the_playbooks_years_decide(capsys, tmp_path):
    from revdesk.core.importing.mapping import ImportMapping
    from revdesk.core.importing.rows import RowReader
    from revdesk.core.playbook.model import Dates, Playbook

    mapping = ImportMapping(kind="deals", columns={"stage": "stage", "account": "account", "closed_at": "closed"})
    playbook = Playbook.__new__(Playbook)
    object.__setattr__(playbook, "dates", Dates(earliest_year=2000, latest_year=2030))
    object.__setattr__(playbook, "stages", ())
    reader = RowReader(mapping, ["stage", "account", "closed"], None, playbook)
    assert reader.read(["closed_won", "A", "2020-01-01"], 2).problems == []
    (problem,) = reader.read(["closed_won", "A", "1999-12-31"], 3).problems
    assert problem.reason.startswith("1999-12-31 is outside the years 2000 to 2030")


@pytest.mark.parametrize("employees", ["⁰⁴⁵", "٤٥", "4" * 40, "12x"])
def test_employees_that_are_no_number_are_refused_with_the_reason(capsys, tmp_path, employees):
    db = tmp_path / "a.db"
    result = _import(capsys, db, tmp_path, "accounts.csv", f"name,domain,employees\nAcme,acme.com,{employees}\n"
                                                           "Beta,beta.com,1 200\n")
    assert (result["created"], result["rejected_rows"]) == (1, 1)
    assert result["rejected"][0]["column"] == "employees"
    assert query(db, "SELECT name, employees FROM accounts") == [("Beta", 1200)]


def test_a_handle_another_user_has_is_refused_for_its_row(capsys, tmp_path):
    db = tmp_path / "a.db"
    _import(capsys, db, tmp_path, "users.csv", USERS)
    again = _import(capsys, db, tmp_path, "more.csv", "handle,name,role\ntom,Tom Baker,sdr\nana,Ana Lima,ae\n"
                                                      "ana,Ana Other,ae\n")
    assert (again["created"], again["rejected_rows"]) == (1, 2)
    assert [(p["line"], p["column"]) for p in again["rejected"]] == [(2, "handle"), (4, "handle")]
    assert "already the handle of Tom Gallagher" in again["rejected"][0]["reason"]
    assert query(db, "SELECT handle, name FROM users ORDER BY id") == [("tom", "Tom Gallagher"), ("ana", "Ana Lima")]
    # the same person again is no conflict
    same = _import(capsys, db, tmp_path, "same.csv", "handle,name,role\ntom,Tom Gallagher,ae\n")
    assert (same["created"], same["rejected_rows"]) == (0, 0)


def test_a_row_that_contradicts_itself_is_refused_with_the_reason(capsys, tmp_path):
    db = _team(capsys, tmp_path)
    deals = ("name,account,stage,owner,closed_at,lost_reason,status\n"
             "Open,Nordlicht AB,discovery,Tom Gallagher,,Too expensive,\n"
             "Won,Nordlicht AB,closed_won,Tom Gallagher,2026-10-01,Too expensive,\n"
             "Won by status,Nordlicht AB,demo,Tom Gallagher,2026-10-01,Too expensive,won\n"
             "Lost,Nordlicht AB,closed_lost,Tom Gallagher,2026-10-01,Too expensive,\n"
             "Lost by status,Nordlicht AB,demo,Tom Gallagher,2026-10-01,Too expensive,lost\n")
    result = _import(capsys, db, tmp_path, "deals.csv", deals)
    assert [(p["line"], p["column"]) for p in result["rejected"]] == [(2, "lost_reason"), (3, "lost_reason"),
                                                                     (4, "lost_reason")]
    assert result["rejected"][0]["reason"].startswith("a lost reason on a deal that is open (in 'discovery')")
    assert query(db, "SELECT name, lost_reason FROM deals ORDER BY id") == [
        ("Lost", "Too expensive"), ("Lost by status", "Too expensive")]
    contacts = ("email,lifecycle_stage,lead_status\nann@nordlicht.se,customer,disqualified\n"
                "bo@nordlicht.se,disqualified,qualified\ncy@nordlicht.se,lead,disqualified\n")
    result = _import(capsys, db, tmp_path, "contacts.csv", contacts)
    assert [(p["line"], p["reason"]) for p in result["rejected"]] == [
        (2, "the lead status is disqualified but the lifecycle stage is customer"),
        (3, "the lead status is qualified but the lifecycle stage is disqualified")]
    assert query(db, "SELECT email FROM contacts") == [("cy@nordlicht.se",)]


def test_a_report_with_markup_like_names_prints_them_literally(capsys, tmp_path):
    file = tmp_path / "accounts.csv"
    file.write_text("name,domain,employees\nAcme [/] Ltd,acme.com,[bold]x\n[red]Beta,beta.com,3\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", str(tmp_path / "a.db"), "import", str(file))
    assert code == 0, err
    assert "line 2, employees: '[bold]x' is not a number of employees" in " ".join(out.split())
    assert query(tmp_path / "a.db", "SELECT name FROM accounts") == [("[red]Beta",)]


@pytest.mark.parametrize(("option", "content"), [
    ("--mapping", b'kind = "users"\nname = "\xff"\n[columns]\nname = "n"\n'), ("--owner-map", b"Tom,\xfftom\n")])
def test_a_mapping_or_owner_map_that_is_not_utf8_is_refused_in_one_line(capsys, tmp_path, option, content):
    side, file = tmp_path / "side.txt", tmp_path / "users.csv"
    side.write_bytes(content)
    file.write_text("name\nAnn\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(tmp_path / "a.db"), "import", str(file), option, str(side))
    assert code == 2 and err.count("\n") == 1 and option in err and "UTF-8" in err
    assert not (tmp_path / "a.db").exists() or query(tmp_path / "a.db", "SELECT COUNT(*) FROM users") == [(0,)]


def test_an_impossible_date_stored_earlier_is_exported_as_it_is(capsys, tmp_path):
    """A database an older revdesk let "0202-03-15" into: the export still takes everything out."""
    db = _team(capsys, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE accounts SET created_at = '202-03-15T12:00:00Z'")
    code, out, err = run(capsys, "--db", str(db), "export", "--kind", "accounts", "--format", "json")
    assert code == 0, err
    assert json.loads(out)[0]["created_at"] == "202-03-15T12:00:00Z"
