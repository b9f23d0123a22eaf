"""`revdesk leaks`: the report as JSON (sections → figures → count, revenue and every record, so every number
drills down), as rich tables, for a month or a quarter; a bad date is refused with exit code 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.factories import make_store
from tests.leak_factories import seed_leaks
from tests.tui.cli.cli_helpers import run


@pytest.fixture
def leaks_db(tmp_path):
    """tests/leak_factories.seed_leaks, its point-in-time rows relative to the real clock (the CLI's)."""
    path = tmp_path / "cli.db"
    store = make_store(path)
    made = seed_leaks(store, now=datetime.now(UTC))
    store.close()
    return path, made


def report(capsys, path, *argv: str) -> dict:
    code, out, err = run(capsys, "--db", str(path), "leaks", "--json", *argv)
    assert code == 0, err
    return json.loads(out)


def figures(data: dict) -> dict[str, dict]:
    return {f["key"]: f for s in data["sections"] for f in s["figures"]}


def test_json_sections_figures_and_the_records_behind_every_number(capsys, leaks_db):
    path, made = leaks_db
    data = report(capsys, path, "--date", "2026-11-23")
    assert [s["key"] for s in data["sections"]] == ["alignment", "continuity", "accountability", "dormant", "limbo"]
    assert data["period"] == "quarter" and data["start"].startswith("2026-10-01")
    assert data["stall_window"]["start"].startswith("2026-07-01") and data["currency"] == "EUR"
    found = figures(data)
    assert all(f["count"] == len(f["records"]) for f in found.values())
    assert [(r["kind"], r["id"], r["account_id"]) for r in found["alignment.mql_disqualified"]["records"]] == [
        ("contact", 1, 1)]
    assert found["alignment.rejected"]["count"] == 3 and found["alignment.rejected.bad_fit"]["count"] == 2
    assert found["alignment.rejected.not_decision_maker"] == {
        "key": "alignment.rejected.not_decision_maker", "label": "  rejected: Not the right person", "count": 0,
        "revenue": None, "help": "", "records": []}
    assert [r["id"] for r in found["continuity.incomplete"]["records"]] == [made["pilot"]]
    assert found["continuity.incomplete"]["revenue"] == 5000
    stalled = found["accountability.stalled.4"]
    assert [r["id"] for r in stalled["records"]] == [made["stuck"]] and stalled["label"] == "  held by Ana Lima"
    assert [r["id"] for r in found["accountability.pending_past_sla"]["records"]] == [made["pending_late"]]
    assert (found["dormant.18m"]["count"], found["dormant.18m"]["revenue"]) == (1, 30000)
    assert (found["dormant.365d"]["count"], found["dormant.365d.unowned"]["count"]) == (2, 1)
    assert made["nina"] in [r["id"] for r in found["limbo.mql"]["records"]]


def november_quarter_stalls(capsys, path) -> int:
    quarter = figures(report(capsys, path, "--period", "quarter", "--date", "2026-11-23"))
    return quarter["accountability.stalled"]["count"]


def test_a_month_counts_only_its_own_decisions(capsys, leaks_db):
    path, _ = leaks_db
    october = figures(report(capsys, path, "--period", "month", "--date", "2026-10-15", "--as", "tom"))
    assert october["alignment.rejected"]["count"] == 0
    # Stalled deals are last quarter's (July to September) for any month of the fourth quarter.
    assert october["accountability.stalled"]["count"] == november_quarter_stalls(capsys, path)
    november = figures(report(capsys, path, "--period", "month", "--date", "2026-11-23"))
    assert november["alignment.rejected"]["count"] == 3


def test_rich_tables_section_by_section_with_the_first_records(capsys, leaks_db):
    path, _ = leaks_db
    code, out, err = run(capsys, "--db", str(path), "leaks", "--date", "2026-11-23", "--records", "1")
    assert code == 0, err
    for words in ("Qualification alignment", "Context continuity", "Handoff accountability", "Dormant visibility",
                  "Limbo leads", "MQLs disqualified by sales", "held by Ana Lima", "… and 2 more"):
        assert words in out, words


def test_a_bad_date_is_refused(capsys, leaks_db):
    path, _ = leaks_db
    code, _, err = run(capsys, "--db", str(path), "leaks", "--date", "23/11/2026")
    assert code == 2 and "--date" in err
    code, _, err = run(capsys, "--db", str(path), "leaks", "--period", "year")
    assert code == 2 and "--period" in err
