"""`revdesk dormant` from the command line: the list as JSON, scopes, assignment round-robin, snooze and the
revival table; every refusal names its option and writes nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from tests.dormant_factories import add_customer
from tests.factories import NOW, make_store
from tests.tui.cli.cli_helpers import query, run, snapshot


@pytest.fixture
def dormant_db(tmp_path):
    """Tom owns 'Big' (60k) and 'Small' (5k); 'Orphan A' (30k), 'Orphan B' (20k), 'Orphan C' (10k) have no
    owner; Alex is the founder."""
    path = tmp_path / "cli.db"
    store = make_store(path)
    now = datetime.now(UTC)
    for name, owner, revenue in (("Big", 2, 60_000), ("Small", 2, 5_000), ("Orphan A", None, 30_000),
                                 ("Orphan B", None, 20_000), ("Orphan C", None, 10_000)):
        add_customer(store, name, owner_id=owner, revenue=revenue, quiet_days=400, now=now)
    store.conn.execute("INSERT INTO users (handle, name, role, team, timezone, created_at)"
                       " VALUES ('alex', 'Alex Moreau', 'founder', 'Leadership', 'Europe/Berlin', ?)",
                       (NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),))
    store.conn.commit()
    store.close()
    return path


def _json(capsys, *argv: str):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return json.loads(out)


def test_the_list_as_json_mine_unowned_and_all(capsys, dormant_db):
    mine = _json(capsys, "--db", str(dormant_db), "--as", "tom", "dormant", "--json")
    assert [a["name"] for a in mine] == ["Big", "Small"]
    assert {"account_id", "name", "owner", "lifetime_revenue", "last_touch_at", "days_dormant"} <= set(mine[0])
    assert mine[0]["owner"] == "Tom Reyes" and mine[0]["lifetime_revenue"] == 60_000
    assert mine[0]["days_dormant"] == 400
    unowned = _json(capsys, "--db", str(dormant_db), "dormant", "--unowned", "--json")
    assert [a["name"] for a in unowned] == ["Orphan A", "Orphan B", "Orphan C"]
    everyone = _json(capsys, "--db", str(dormant_db), "dormant", "--all", "--json")
    assert len(everyone) == 5 and everyone[0]["name"] == "Big"
    code, out, _ = run(capsys, "--db", str(dormant_db), "--as", "tom", "dormant")
    assert code == 0 and "Big" in out and "Dormant accounts" in out


def test_assign_round_robin_with_a_limit(capsys, dormant_db):
    result = _json(capsys, "--db", str(dormant_db), "--as", "alex", "dormant", "assign", "--to", "maya", "--to",
                   "ines", "--limit", "2", "--json")
    assert [(a["owner"]) for a in result["assigned"]] == ["maya", "ines"]
    owners = dict(query(dormant_db, "SELECT name, owner_id FROM accounts WHERE name LIKE 'Orphan%'"))
    assert owners == {"Orphan A": 1, "Orphan B": 3, "Orphan C": None}
    code, out, err = run(capsys, "--db", str(dormant_db), "--as", "alex", "dormant", "assign", "--to", "tom")
    assert code == 0 and "Assigned 1 dormant accounts: 1 to tom" in out


def test_refusals_name_the_option_and_write_nothing(capsys, dormant_db):
    before = snapshot(dormant_db)
    code, _, err = run(capsys, "--db", str(dormant_db), "--as", "maya", "dormant", "assign", "--to", "maya")
    assert code == 2 and "--as: maya is sdr; only a manager or founder assigns dormant accounts" in err
    code, _, err = run(capsys, "--db", str(dormant_db), "--as", "alex", "dormant", "assign", "--to", "nobody")
    assert code == 2 and "--to: no user 'nobody'" in err
    big = query(dormant_db, "SELECT id FROM accounts WHERE name = 'Big'")[0][0]
    code, _, err = run(capsys, "--db", str(dormant_db), "--as", "tom", "dormant", "snooze", str(big), "--days",
                       "500", "--reason", "")
    assert code == 2 and "--days: must be between 1 and 365" in err and "--reason:" in err
    assert snapshot(dormant_db) == before


def test_snooze_hides_the_account_and_revival_reports_it(capsys, dormant_db):
    big = query(dormant_db, "SELECT id FROM accounts WHERE name = 'Big'")[0][0]
    code, out, err = run(capsys, "--db", str(dormant_db), "--as", "tom", "dormant", "snooze", str(big), "--days",
                         "30", "--reason", "Acquired; new team from January")
    assert code == 0 and f"Account {big} is snoozed until" in out
    mine = _json(capsys, "--db", str(dormant_db), "--as", "tom", "dormant", "--json")
    assert [a["name"] for a in mine] == ["Small"]
    snoozed = _json(capsys, "--db", str(dormant_db), "--as", "tom", "dormant", "--snoozed", "--json")
    assert snoozed[0]["snooze_reason"] == "Acquired; new team from January"
    contact = query(dormant_db, "SELECT c.id FROM contacts c JOIN accounts a ON a.id = c.account_id"
                                " WHERE a.name = 'Small'")[0][0]
    code, _, err = run(capsys, "--db", str(dormant_db), "--as", "maya", "log", "--contact", str(contact), "--type",
                       "call", "--outcome", "connected")
    assert code == 0, err
    rows = _json(capsys, "--db", str(dormant_db), "--as", "maya", "dormant", "revival", "--json")
    assert len(rows) == 1 and re.fullmatch(r"\d{4}-\d{2}", rows[0].pop("month"))
    # Maya touched it, Tom owns it: the revival is Tom's.
    assert rows == [{"owner": "tom", "revived": 1, "deals_reopened": 0, "deals_won": 0, "revived_revenue": 0.0}]
