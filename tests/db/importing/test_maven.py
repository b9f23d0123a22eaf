"""The Maven CRM sample (in ../shared/realdata, never copied here) through the shipped mappings into an empty
database: sales teams, accounts, then the pipeline; `deals stats --by owner` then agrees with the CSV, counted
here independently, each agent's name as the key. Skipped where ../shared is absent."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from tests.tui.cli.cli_helpers import query, run

ROOT = Path(__file__).resolve().parents[3]
MAVEN = ROOT.parent / "shared" / "realdata" / "maven_crm_sales_opportunities"
MAPPINGS = ROOT / "fixtures" / "mappings"
pytestmark = pytest.mark.skipif(not MAVEN.exists(), reason="../shared/realdata is not here")


def _import(capsys, db: Path, name: str, mapping: str, *extra: str) -> dict:
    code, out, err = run(capsys, "--db", str(db), "import", str(MAVEN / name), "--mapping", str(MAPPINGS / mapping),
                         "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def _expected() -> dict[str, dict]:
    """Won, lost, revenue (converted to the base currency) and mean days to close per agent, from the CSV."""
    figures: dict[str, dict] = defaultdict(lambda: {"won": 0, "lost": 0, "revenue": 0.0, "days": []})
    with (MAVEN / "sales_pipeline.csv").open(encoding="utf-8") as source:
        for row in csv.DictReader(source):
            if not row["account"] or row["deal_stage"] not in ("Won", "Lost"):
                continue
            agent = figures[row["sales_agent"]]
            if row["deal_stage"] == "Won":
                agent["won"] += 1
                agent["revenue"] += float(row["close_value"] or 0)
                days = date.fromisoformat(row["close_date"]) - date.fromisoformat(row["engage_date"])
                agent["days"].append(days.days)
            else:
                agent["lost"] += 1
    return figures


def test_teams_accounts_and_pipeline_make_deal_stats_by_agent(capsys, tmp_path):
    db = tmp_path / "maven.db"
    teams = _import(capsys, db, "sales_teams.csv", "maven-teams.toml")
    assert teams["created"] == 35 and teams["rejected_rows"] == 0
    accounts = _import(capsys, db, "accounts.csv", "maven-accounts.toml")
    assert accounts["created"] == 85 and accounts["rejected_rows"] == 0
    pipeline = _import(capsys, db, "sales_pipeline.csv", "maven-pipeline.toml", "--rejects",
                       str(tmp_path / "rejected.csv"))
    assert pipeline["rows"] == 8800 and pipeline["rejected_rows"] == 1425  # open deals with no account
    assert pipeline["created"] == 8800 - 1425
    rejected = (tmp_path / "rejected.csv").read_text(encoding="utf-8").splitlines()
    assert rejected[0] == "line,column,reason" and len(rejected) == 1426
    assert rejected[1].endswith("account,no account: a deal belongs to an account")

    # A new database counts in the currency of the team's first file: the Maven CRM's dollars. With no period,
    # the figures are of every deal, whenever it closed.
    assert teams["notes"][0] == "a new database: the default playbook was applied, counting revenue in USD"
    code, out, err = run(capsys, "--db", str(db), "deals", "stats", "--by", "owner", "--json")
    assert code == 0, err
    rows = {r["key"]: r for r in json.loads(out)}
    code, out, _ = run(capsys, "--db", str(db), "deals", "stats", "--by", "owner", "--from", "2016-01-01",
                       "--to", "2017-12-31", "--json")
    closed = ("won", "lost", "win_rate", "revenue_won", "avg_days_to_close")  # in the years the file spans
    assert code == 0 and {r["key"]: [r[k] for k in closed] for r in json.loads(out)} == {
        k: [r[f] for f in closed] for k, r in rows.items()}
    expected = _expected()
    assert set(expected) <= set(rows)
    for agent, figures in expected.items():
        row = rows[agent]
        assert (row["won"], row["lost"]) == (figures["won"], figures["lost"]), agent
        assert row["revenue_won"] == pytest.approx(figures["revenue"], abs=0.05), agent
        decided = figures["won"] + figures["lost"]
        assert row["win_rate"] == pytest.approx(figures["won"] / decided, abs=1e-4), agent
        if figures["days"]:
            assert row["avg_days_to_close"] == pytest.approx(sum(figures["days"]) / len(figures["days"]), abs=0.01)
    silent = [a for a in rows if a not in expected and a not in ("(all)", "(unowned)")]
    assert all(rows[a]["won"] == rows[a]["lost"] == 0 for a in silent), "agents with no deals show zeros"


def test_a_second_import_updates_and_a_dry_run_writes_nothing(capsys, tmp_path):
    db = tmp_path / "maven.db"
    _import(capsys, db, "sales_teams.csv", "maven-teams.toml")
    _import(capsys, db, "accounts.csv", "maven-accounts.toml")
    before = query(db, "SELECT COUNT(*) FROM deals")[0][0]
    dry = _import(capsys, db, "sales_pipeline.csv", "maven-pipeline.toml", "--dry-run", "--rejects",
                  str(tmp_path / "r.csv"))
    assert dry["dry_run"] and dry["created"] == 7375 and query(db, "SELECT COUNT(*) FROM deals")[0][0] == before
    _import(capsys, db, "sales_pipeline.csv", "maven-pipeline.toml", "--rejects", str(tmp_path / "r.csv"))
    again = _import(capsys, db, "sales_pipeline.csv", "maven-pipeline.toml", "--rejects", str(tmp_path / "r.csv"))
    assert (again["created"], again["updated"]) == (0, 7375)
    assert query(db, "SELECT COUNT(*) FROM deals")[0][0] == 7375


def test_us_dates_are_recognised(capsys, tmp_path):
    db = tmp_path / "maven.db"
    _import(capsys, db, "sales_teams.csv", "maven-teams.toml")
    _import(capsys, db, "accounts.csv", "maven-accounts.toml")
    result = _import(capsys, db, "variant_kisaraF_sales_pipeline_us_dates.csv", "maven-pipeline.toml", "--rejects",
                     str(tmp_path / "r.csv"))
    assert result["created"] == 7375
    first = query(db, "SELECT engaged_at, closed_at FROM deals ORDER BY id LIMIT 1")[0]
    assert first == ("2016-10-20T12:00:00Z", "2017-03-01T12:00:00Z")
