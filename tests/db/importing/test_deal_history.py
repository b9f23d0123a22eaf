"""Salesforce OpportunityHistory through fixtures/mappings/salesforce-opportunity-history.toml, after the
opportunities (../shared/realdata's Opportunities.json through the shipped mapping, given the Id a real export
has; a synthetic copy of five of its records where ../shared is absent): each deal's guessed history is replaced
by the real one, time in stage follows it, a second import changes nothing, and a file goes in whole or not at
all. Then a deal status (Pipedrive's "Deal - Status") overriding the pipeline stage."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.tui.cli.cli_helpers import query, run, snapshot

ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT.parent / "shared" / "realdata" / "salesforce_lwc_recipes_sample" / "Opportunities.json"
MAPPINGS = ROOT / "fixtures" / "mappings"
ACCOUNTS = ("Alpha Dynamics", "Madison Investments", "Burlington Textiles", "GenePoint", "OpenFloor Furniture",
            "Express Logistics", "Jefferson Management", "Northern Trail Travel", "United Productions",
            "Edge Communications")
# Five records of Opportunities.json, as they are there (used where ../shared is absent).
SYNTHETIC = [
    (1, "@AccountRef1", "Cloud Platform Expansion", 125000, "2025-06-30", "Proposal/Price Quote"),
    (3, "@AccountRef3", "Digital Transformation Initiative", 342000, "2025-09-20", "Qualification"),
    (4, "@AccountRef4", "API Integration Project", 28500, "2025-01-15", "Closed Won"),
    (10, "@AccountRef10", "Unified Communications Deal", 278000, "2024-11-20", "Closed Lost"),
    (15, "@AccountRef7", "Compliance Audit Services", 78000, "2025-02-28", "Closed Won"),
]
HEADER = ("Id,OpportunityId,CreatedById,CreatedDate,StageName,Amount,ExpectedRevenue,CloseDate,Probability,"
          "ForecastCategory,PrevAmount,PrevCloseDate,IsDeleted,SystemModstamp")
ANA = "005000000000001AAA"  # a Salesforce user the owner map names
BOB = "005000000000002AAA"  # one it does not


def opportunity_id(n: int) -> str:
    return f"0065g00000{n:05d}AAA"  # 18 characters, as Salesforce writes them


def _history_row(n: int, opportunity: str, by: str, at: str, stage: str, amount: int, close: str,
                 deleted: bool = False) -> str:
    return (f"00k5g00000{n:05d}AAA,{opportunity},{by},{at}T09:00:00.000+0000,{stage},{amount},{amount // 2},{close},"
            f"50,Pipeline,,,{'true' if deleted else 'false'},{at}T09:00:00.000+0000")


HISTORY = [
    # Cloud Platform Expansion: two rows in Prospecting (an amount change), then Needs Analysis (discovery as
    # well), Value Proposition (demo) and Proposal; a deleted row in between is skipped.
    _history_row(1, opportunity_id(1), ANA, "2025-01-06", "Prospecting", 100000, "2025-06-30"),
    _history_row(2, opportunity_id(1), ANA, "2025-01-10", "Prospecting", 120000, "2025-06-30"),
    _history_row(3, opportunity_id(1), BOB, "2025-01-20", "Needs Analysis", 120000, "2025-06-30"),
    _history_row(4, opportunity_id(1), BOB, "2025-02-03", "Value Proposition", 125000, "2025-06-30"),
    _history_row(5, opportunity_id(1), BOB, "2025-02-10", "Negotiation/Review", 125000, "2025-06-30", deleted=True),
    _history_row(6, opportunity_id(1), ANA, "2025-02-17", "Proposal/Price Quote", 125000, "2025-06-30"),
    # API Integration Project: the file's order is not time order; won on its close date.
    _history_row(7, opportunity_id(4), ANA, "2025-01-15", "Closed Won", 28500, "2025-01-15"),
    _history_row(8, opportunity_id(4), ANA, "2024-11-01", "Prospecting", 30000, "2025-01-31"),
    _history_row(9, opportunity_id(4), ANA, "2024-12-01", "Negotiation/Review", 28500, "2025-01-15"),
    # Digital Transformation Initiative: the history ends in demo, the opportunity file says discovery.
    _history_row(10, opportunity_id(3), ANA, "2025-03-03", "Qualification", 342000, "2025-09-20"),
    _history_row(11, opportunity_id(3), ANA, "2025-03-24", "Value Proposition", 342000, "2025-09-20"),
]


def _import(capsys, db: Path, file: Path, *extra: str) -> dict:
    code, out, err = run(capsys, "--db", str(db), "import", str(file), "--json", "--rejects",
                         str(file.with_suffix(".rejected.csv")), *extra)
    assert code == 0, err
    return json.loads(out)


def _opportunities(tmp_path: Path) -> tuple[Path, Path]:
    """The opportunities file, each record given its Id (a real export has it; the sample's records only name
    themselves by a reference), and the shipped mapping reading that Id as the deal's external_id."""
    if REAL.exists():
        records = json.loads(REAL.read_text(encoding="utf-8"))["records"]
    else:
        records = [{"attributes": {"type": "Opportunity", "referenceId": f"OpportunityRef{n}"}, "AccountId": account,
                    "Name": name, "Amount": amount, "CloseDate": close, "StageName": stage}
                   for n, account, name, amount, close, stage in SYNTHETIC]
    for record in records:
        record["Id"] = opportunity_id(int(record["attributes"]["referenceId"].removeprefix("OpportunityRef")))
    file = tmp_path / "Opportunities.json"
    file.write_text(json.dumps({"records": records}), encoding="utf-8")
    shipped = (MAPPINGS / "salesforce-opportunities.toml").read_text(encoding="utf-8")
    mapping = tmp_path / "opportunities.toml"
    mapping.write_text(shipped, encoding="utf-8")  # the shipped mapping reads the Id as the deal's external_id
    return file, mapping


@pytest.fixture
def imported(capsys, tmp_path) -> Path:
    """A database with a user, the ten accounts and the opportunities."""
    db = tmp_path / "sf.db"
    users, accounts = tmp_path / "users.csv", tmp_path / "accounts.csv"
    users.write_text("handle,name,role,team,timezone\nana,Ana Lima,ae,North,UTC\n", encoding="utf-8")
    accounts.write_text("name\n" + "\n".join(ACCOUNTS) + "\n", encoding="utf-8")
    assert _import(capsys, db, users)["created"] == 1
    assert _import(capsys, db, accounts)["created"] == 10
    file, mapping = _opportunities(tmp_path)
    result = _import(capsys, db, file, "--mapping", str(mapping))
    assert result["rejected_rows"] == 0 and result["created"] >= 5
    (tmp_path / "owners.csv").write_text(f"{ANA},ana\n", encoding="utf-8")
    return db


def _history(capsys, db: Path, tmp_path: Path, rows: list[str] = HISTORY) -> dict:
    file = tmp_path / "OpportunityHistory.csv"
    file.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return _import(capsys, db, file, "--mapping", str(MAPPINGS / "salesforce-opportunity-history.toml"),
                   "--owner-map", str(tmp_path / "owners.csv"))


def _deal(db: Path, name: str) -> int:
    return query(db, "SELECT id FROM deals WHERE name = ?", name)[0][0]


def _moves(db: Path, deal: int) -> list[tuple]:
    return query(db, "SELECT from_stage, to_stage, substr(changed_at, 1, 10), u.handle FROM stage_history h"
                     " LEFT JOIN users u ON u.id = h.changed_by WHERE deal_id = ? ORDER BY changed_at, h.id", deal)


def test_the_real_history_replaces_the_guessed_one(capsys, tmp_path, imported):
    db = imported
    cloud, api = _deal(db, "Cloud Platform Expansion"), _deal(db, "API Integration Project")
    won_revenue = query(db, "SELECT SUM(won_revenue) FROM accounts")
    result = _history(capsys, db, tmp_path)
    assert (result["kind"], result["rejected_rows"], result["updated"]) == ("deal_history", 0, 3)
    assert "1 rows marked deleted (IsDeleted) were skipped" in result["notes"]
    # Same-stage rows collapse (Needs Analysis is discovery too); who changed it is Ana where the owner map says.
    assert _moves(db, cloud) == [(None, "discovery", "2025-01-06", "ana"), ("discovery", "demo", "2025-02-03", None),
                                 ("demo", "proposal", "2025-02-17", "ana")]
    assert _moves(db, api) == [(None, "discovery", "2024-11-01", "ana"),
                               ("discovery", "negotiation", "2024-12-01", "ana"),
                               ("negotiation", "closed_won", "2025-01-15", "ana")]
    assert query(db, "SELECT stage, stage_entered_at, created_at FROM deals WHERE id = ?", cloud) == [
        ("proposal", "2025-02-17T09:00:00Z", "2025-01-06T09:00:00Z")]  # it existed from its first change on
    # The deals keep their figures: won revenue (kept by the deal-fact triggers) is what it was.
    assert query(db, "SELECT stage, won, amount FROM deals WHERE id = ?", api) == [("closed_won", 1, 28500.0)]
    assert query(db, "SELECT SUM(won_revenue) FROM accounts") == won_revenue


def test_a_history_ending_elsewhere_keeps_the_deals_stage_and_says_so(capsys, tmp_path, imported):
    db = imported
    digital = _deal(db, "Digital Transformation Initiative")
    result = _history(capsys, db, tmp_path)
    assert any(f"{opportunity_id(3)} (demo → discovery)" in n for n in result["notes"])
    assert query(db, "SELECT stage FROM deals WHERE id = ?", digital) == [("discovery",)]
    assert _moves(db, digital) == [(None, "discovery", "2025-03-03", "ana"), ("discovery", "demo", "2025-03-24", "ana"),
                                   ("demo", "discovery", "2025-03-24", None)]


def test_time_in_stage_follows_the_history(capsys, tmp_path, imported):
    db = imported

    def times() -> dict[str, tuple]:
        code, out, err = run(capsys, "--db", str(db), "deals", "stages", "--from", "2024-10-01", "--to", "2025-02-20",
                             "--json")
        assert code == 0, err
        return {t["stage"]: (t["stays"], t["median_days"]) for t in json.loads(out)["time_in_stage"]}

    before = times()
    assert before["demo"] == (0, None) and before["negotiation"] == (0, None)  # the guess: no time in them
    _history(capsys, db, tmp_path)
    after = times()
    assert after["demo"] == (1, 14)  # Cloud Platform Expansion: 3 to 17 February
    assert after["negotiation"] == (1, 45)  # API Integration Project: 1 December to 15 January
    stays = query(db, "SELECT COUNT(*) FROM stage_history WHERE from_stage = 'discovery'"
                      " AND changed_at >= '2024-10-01' AND changed_at < '2025-02-21'")[0][0]
    assert after["discovery"][0] == stays  # ours (28 and 30 days) and the guessed ones of the other closed deals


def test_a_row_of_an_opportunity_never_imported_is_refused(capsys, tmp_path, imported):
    db = imported
    unknown = _history_row(99, "006XXXXXXXXXXXXXXX", ANA, "2025-01-06", "Prospecting", 1, "2025-06-30")
    result = _history(capsys, db, tmp_path, [*HISTORY[:2], unknown])
    assert (result["updated"], result["rejected_rows"]) == (1, 1)
    problem = result["rejected"][0]
    assert (problem["line"], problem["column"]) == (4, "OpportunityId")
    assert "import the opportunities first" in problem["reason"]


def test_the_15_character_form_of_an_id_finds_the_deal(capsys, tmp_path, imported):
    db = imported
    short = [row.replace(opportunity_id(4), opportunity_id(4)[:15]) for row in HISTORY[6:9]]
    assert _history(capsys, db, tmp_path, short)["updated"] == 1
    assert len(_moves(db, _deal(db, "API Integration Project"))) == 3


def test_a_second_import_changes_nothing(capsys, tmp_path, imported):
    db = imported
    _history(capsys, db, tmp_path)
    before = snapshot(db)
    again = _history(capsys, db, tmp_path)
    assert (again["updated"], again["rejected_rows"]) == (0, 0)
    after = snapshot(db)
    assert len(after.pop("changes")) == len(before.pop("changes")) + 1  # only the import's own change record
    assert after == before


def test_moves_made_in_revdesk_are_kept(capsys, tmp_path, imported):
    db = imported
    cloud = _deal(db, "Cloud Platform Expansion")
    conn = sqlite3.connect(db)  # a move made here after the import (as `deals move` writes it)
    with conn:
        conn.execute("UPDATE deals SET stage = 'negotiation', stage_entered_at = '2025-03-01T10:00:00Z' WHERE id = ?",
                     (cloud,))
        conn.execute("INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_at, reason)"
                     " VALUES (?, 'proposal', 'negotiation', '2025-03-01T10:00:00Z', NULL)", (cloud,))
    conn.close()
    _history(capsys, db, tmp_path)
    assert _moves(db, cloud)[-2:] == [("demo", "proposal", "2025-02-17", "ana"),
                                      ("proposal", "negotiation", "2025-03-01", None)]
    assert query(db, "SELECT stage, stage_entered_at FROM deals WHERE id = ?", cloud) == [
        ("negotiation", "2025-03-01T10:00:00Z")]


def test_a_failure_part_way_leaves_the_history_as_it_was(capsys, tmp_path, imported, monkeypatch):
    from revdesk.db.importing import stage_history as import_history

    db = imported
    before = snapshot(db)
    real, calls = import_history.replace_history, {"n": 0}

    def dies_at_the_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as if the import were killed part-way
        return real(*args, **kwargs)

    monkeypatch.setattr(import_history, "replace_history", dies_at_the_second)
    file = tmp_path / "OpportunityHistory.csv"
    file.write_text(HEADER + "\n" + "\n".join(HISTORY) + "\n", encoding="utf-8")
    code, _, _ = run(capsys, "--db", str(db), "import", str(file), "--mapping",
                     str(MAPPINGS / "salesforce-opportunity-history.toml"))
    assert code == 130 and calls["n"] == 2
    assert snapshot(db) == before


# A deal's status apart from its pipeline stage, as Pipedrive exports it.
PIPEDRIVE_MAPPING = """
kind = "deals"
name = "Pipedrive deals (test)"
vendor = "pipedrive"
[columns]
external_id = "Deal - ID"
name = "Deal - Title"
account = "Deal - Organization"
amount = "Deal - Value"
currency = "Deal - Currency"
stage = "Deal - Stage"
status = "Deal - Status"
created_at = "Deal - Deal created"
closed_at = "Deal - Close time"
lost_reason = "Deal - Lost reason"
[values.stage]
"Qualified" = "discovery"
"Demo Scheduled" = "demo"
"Proposal Made" = "proposal"
"Negotiations Started" = "negotiation"
"Won" = "closed_won"
[values.status]
Gewonnen = "won"
"""
PIPEDRIVE_HEADER = ("Deal - ID,Deal - Title,Deal - Organization,Deal - Value,Deal - Currency,Deal - Stage,"
                    "Deal - Status,Deal - Deal created,Deal - Won time,Deal - Lost time,Deal - Close time,"
                    "Deal - Lost reason")
PIPEDRIVE_ROWS = [
    "1,Open one,Acme,1000,EUR,Proposal Made,open,2025-01-10 12:00:00,,,,",
    "2,Won one,Acme,5000,EUR,Negotiations Started,Gewonnen,2025-01-05 09:00:00,2025-03-01 10:00:00,,"
    "2025-03-01 10:00:00,",
    "3,Lost one,Globex,2000,EUR,Demo Scheduled,LOST,2025-01-07 09:00:00,,2025-02-14 16:00:00,2025-02-14 16:00:00,Price",
    "4,Open but won,Globex,700,EUR,Won,Open,2025-01-08 09:00:00,,,,",
    "5,Unsure,Globex,800,EUR,Qualified,maybe,2025-01-09 09:00:00,,,,",
]


def _pipedrive(capsys, tmp_path: Path, rows: list[str]) -> tuple[Path, dict]:
    db = tmp_path / "pd.db"
    accounts = tmp_path / "accounts.csv"
    if not db.exists():
        accounts.write_text("name\nAcme\nGlobex\n", encoding="utf-8")
        assert _import(capsys, db, accounts)["created"] == 2
    mapping, file = tmp_path / "pipedrive.toml", tmp_path / "deals.csv"
    mapping.write_text(PIPEDRIVE_MAPPING, encoding="utf-8")
    file.write_text(PIPEDRIVE_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return db, _import(capsys, db, file, "--mapping", str(mapping))


def test_a_won_or_lost_status_closes_a_deal_in_an_open_stage(capsys, tmp_path):
    db, result = _pipedrive(capsys, tmp_path, PIPEDRIVE_ROWS[:3])
    assert (result["created"], result["rejected_rows"]) == (3, 0)
    assert query(db, "SELECT name, stage, won, closed_at, lost_reason FROM deals ORDER BY id") == [
        ("Open one", "proposal", None, None, None),
        ("Won one", "closed_won", 1, "2025-03-01T10:00:00Z", None),
        ("Lost one", "closed_lost", 0, "2025-02-14T16:00:00Z", "Price")]
    # The open stage it was in is the one before the close in its history.
    assert _moves(db, _deal(db, "Won one")) == [(None, "negotiation", "2025-01-05", None),
                                                ("negotiation", "closed_won", "2025-03-01", None)]
    assert _moves(db, _deal(db, "Lost one")) == [(None, "demo", "2025-01-07", None),
                                                 ("demo", "closed_lost", "2025-02-14", None)]
    assert query(db, "SELECT name, won_revenue, open_deals FROM accounts ORDER BY name") == [
        ("Acme", 5000.0, 1), ("Globex", 0.0, 0)]


def test_a_status_at_odds_with_the_stage_is_refused(capsys, tmp_path):
    db, result = _pipedrive(capsys, tmp_path, PIPEDRIVE_ROWS)
    assert (result["created"], result["rejected_rows"]) == (3, 2)
    reasons = {p["line"]: (p["column"], p["reason"]) for p in result["rejected"]}
    assert reasons[5] == ("Deal - Status", "the status is open but the stage 'closed_won' is closed")
    assert reasons[6][0] == "Deal - Status" and reasons[6][1].startswith("'maybe' is not a status (open, won or lost)")
    assert query(db, "SELECT COUNT(*) FROM deals WHERE name IN ('Open but won', 'Unsure')") == [(0,)]


def test_a_status_read_again_updates_the_deal(capsys, tmp_path):
    db, _ = _pipedrive(capsys, tmp_path, PIPEDRIVE_ROWS[:3])
    won = PIPEDRIVE_ROWS[0].replace(",open,", ",won,").replace("12:00:00,,,,", "12:00:00,,,2025-04-01 08:00:00,")
    _, again = _pipedrive(capsys, tmp_path, [won, *PIPEDRIVE_ROWS[1:3]])
    assert (again["created"], again["updated"], again["rejected_rows"]) == (0, 3, 0)
    assert query(db, "SELECT stage, won, closed_at FROM deals WHERE name = 'Open one'") == [
        ("closed_won", 1, "2025-04-01T08:00:00Z")]
    assert query(db, "SELECT won_revenue, open_deals FROM accounts WHERE name = 'Acme'") == [(6000.0, 0)]
