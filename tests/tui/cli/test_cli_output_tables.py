"""Every command that prints a table, on the demo database, at 40, 80 and 200 columns: each number, id, amount,
percentage and decision its --json gives is printed whole (at 80 columns `€1,251…` and an empty ID column were
printed), no line is wider than the terminal, and a table too wide to fit becomes a record list."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len

from revdesk.core.pipeline.lanes import money
from revdesk.tui.cli.main import main
from tests.tui.cli.cli_helpers import run

WIDTHS = (40, 80, 200)
LONG_NAME = "Vereinigte Nordwestdeutsche Landmaschinen- und Präzisionsgerätefabrik Aktiengesellschaft & Co. KG"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo database, with a very long account name and a very large account among the dormant ones."""
    base = tmp_path_factory.mktemp("tables")
    path = base / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REVDESK_DATA_DIR", str(base / "data"))
        patch.setenv("REVDESK_CONFIG_DIR", str(base / "config"))
        assert main(["--db", str(path), "seed", "demo", "--seed", "7"]) == 0
    conn = sqlite3.connect(path)
    with conn:
        top = conn.execute("SELECT id FROM accounts WHERE won_revenue > 0 AND open_deals = 0"
                           " AND quiet_since < strftime('%Y-%m-%d', 'now', '-500 days')"
                           " ORDER BY won_revenue DESC LIMIT 1").fetchone()[0]
        conn.execute("UPDATE accounts SET name = ?, won_revenue = 123456789012 WHERE id = ?", (LONG_NAME, top))
    conn.close()
    return path


def _count(value: int) -> str:
    return f"{value:,}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _either(value: float, show: Callable[[float], str]) -> re.Pattern:
    """`value` as printed; the --json value is itself rounded to two decimals, so it may have been up to 0.005
    either way (14.75 may have been 14.749, printed 14.7; 24,817.50 may have been 24,817.4999, printed 24,817)."""
    either = {show(value - 0.005), show(value), show(value + 0.005)}
    return re.compile("(?:" + "|".join(re.escape(text) for text in sorted(either)) + ")")


def _days(value: float | None) -> str | re.Pattern:
    """Days to one decimal."""
    return "—" if value is None else _either(value, lambda v: f"{v:,.1f}")


def _money(value: float) -> re.Pattern:
    """An amount to the unit, in euros."""
    return _either(value, lambda v: money(v, "EUR"))


def _figure(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _users(data: list) -> list[str]:
    return [u["handle"] for u in data] + [u["role"] for u in data]


def _queue(data: list) -> list[str]:
    return [f"{len(data):,} items", *(item["kind"].replace("_", " ") for item in data)]


def _kpi(data: dict) -> list[str]:
    tokens = [_figure(m["actual"]) for m in data["metrics"].values()]
    tokens += [_figure(m["target"]) for m in data["metrics"].values() if m["target"] is not None]
    tokens += [_figure(point[metric]) for point in data["trend"] for metric in ("calls", "connects", "emails",
                                                                                 "revenue_won")]
    tokens += [_count(row[key]) for row in data["by_lead_stage"] for key in ("calls", "connects", "emails")]
    return tokens + [point["label"] for point in data["trend"]]


def _handoffs(data: list) -> list[str]:
    return [str(h["id"]) for h in data] + ["past SLA" if h["past_sla"] else h["status"] for h in data]


def _sequences(data: list) -> list[str]:
    tokens = [s["key"] for s in data]
    for s in data:
        tokens += [_count(s[key]) for key in ("enrolled", "active", "paused", "finished", "bounced")]
        tokens += [f"{s[key]:g}%" for key in ("replied_pct", "meetings_pct") if s[key] is not None]
    return tokens


def _dormant(data: list) -> list[str | re.Pattern]:
    return [token for a in data for token in (
        str(a["account_id"]), f"{a['lifetime_revenue']:,.0f}", _same_size(a["value_at_risk"]),
        f"{a['days_dormant']:,} d")]


def _same_size(value: float) -> re.Pattern:
    """A number that grows by the second (the value at risk): as many digit groups as it has, whatever they are."""
    return re.compile(r"\d{1,3}" + r",\d{3}" * f"{value:,.0f}".count(","))


def _deal_stats(data: list) -> list[str | re.Pattern]:
    return [token for row in data for token in (
        _count(row["won"]), _count(row["lost"]), _pct(row["win_rate"]), _money(row["revenue_won"]),
        *(_money(row[k]) for k in ("avg_won_value", "weighted_forecast") if row[k] is not None),
        _days(row["avg_days_to_close"]), _count(row["open"]))]


def _stages(data: dict) -> list[str | re.Pattern]:
    tokens = [t for row in data["time_in_stage"] for t in (
        _count(row["stays"]), _days(row["median_days"]), _days(row["mean_days"]))]
    tokens += [t for row in data["stagnating"] for t in (
        f"{row['stale_after_days']:,} days", _count(row["open"]), _count(row["stale"]), _pct(row["share"]))]
    forecast = data["forecast"]
    tokens += [t for row in forecast["stages"] for t in (
        _pct(row["probability"]), _count(row["deals"]), _money(row["amount"]), _money(row["weighted"]))]
    return [*tokens, _count(forecast["deals"]), _money(forecast["amount"]), _money(forecast["weighted"])]


def _funnel(data: dict) -> list[str | re.Pattern]:
    funnels = [data["all"], *data.get("by_source", [])]
    return [t for f in funnels for step in f["steps"] for t in (
        _count(step["reached"]), _count(step["converted"]), _pct(step["conversion"]), _days(step["median_days"]),
        _count(step["timed"]))] + [f"{f['cohort']:,} contacts" for f in funnels]


def _leaks(data: dict) -> list[str]:
    tokens = []
    for section in data["sections"]:
        for figure in section["figures"]:
            tokens.append(_count(figure["count"]))
            if figure["revenue"] is not None:
                tokens.append(f"{figure['revenue']:,.0f}")
            tokens += [f"{r['kind']} {r['id']}" for r in figure["records"][:3]]
    return tokens


COMMANDS: dict[str, tuple[list[str], Callable[[object], list[str | re.Pattern]]]] = {
    "users": (["users"], _users),
    "queue": (["--as", "maya", "queue"], _queue),
    "kpi": (["--as", "alex", "kpi", "--everyone", "--period", "month", "--trend"], _kpi),
    "handoff list": (["handoff", "list"], _handoffs),
    "sequences list": (["sequences", "list"], _sequences),
    "dormant": (["dormant", "--all"], _dormant),
    "deals stats": (["deals", "stats"], _deal_stats),
    "deals stats by source": (["deals", "stats", "--by", "source"], _deal_stats),
    "deals stages": (["deals", "stages", "--period", "quarter"], _stages),
    "funnel": (["funnel", "--by", "source", "--period", "quarter"], _funnel),
    "leaks": (["leaks"], _leaks),
}


def _whole(token: str | re.Pattern, text: str) -> bool:
    """`token` printed whole: not the start or end of a longer number or word."""
    pattern = token.pattern if isinstance(token, re.Pattern) else re.escape(token)
    return re.search(rf"(?<![\w.,]){pattern}(?![\w,]|\.\d)", text) is not None


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_fact_of_the_json_is_printed_whole(capsys, monkeypatch, demo, command, width):
    argv, expected = COMMANDS[command]
    code, out, err = run(capsys, "--db", str(demo), *argv, "--json")
    assert code == 0, err
    tokens = expected(json.loads(out))
    assert tokens, "the demo should give this command something to show"
    monkeypatch.setenv("COLUMNS", str(width))
    code, out, err = run(capsys, "--db", str(demo), *argv)
    assert code == 0, err
    missing = [token for token in tokens if not _whole(token, out)]
    assert not missing, f"{command} at {width} columns cut {missing[:8]}"
    assert not re.search(r"\d…", out), "a number was cut short"
    too_wide = [line for line in out.splitlines() if cell_len(line.rstrip()) > width]
    assert not too_wide, too_wide[:3]


def test_a_long_account_name_wraps_and_its_figures_stay_whole(capsys, monkeypatch, demo):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "--db", str(demo), "dormant", "--all")
    assert code == 0
    assert "123,456,789,012" in out
    words = " ".join(re.findall(r"\S+", out))
    assert all(word in words for word in LONG_NAME.split())


def test_a_narrow_terminal_gets_one_record_per_block(capsys, monkeypatch, demo):
    code, out, _ = run(capsys, "--db", str(demo), "handoff", "list", "--json")
    first = json.loads(out)[0]
    monkeypatch.setenv("COLUMNS", "40")
    code, out, _ = run(capsys, "--db", str(demo), "handoff", "list")
    assert code == 0
    assert f"\nID: {first['id']}\n" in out
    assert f"Account: {first['account']}" in out
    assert "┃" not in out


def test_a_wide_terminal_gets_the_ruled_table(capsys, monkeypatch, demo):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "--db", str(demo), "handoff", "list")
    assert code == 0
    assert re.search(r"┃ +ID ┃ Status", out)
