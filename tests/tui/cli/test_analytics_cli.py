"""`revdesk deals stats`, `deals stages` and `funnel` in-process on a small database: the JSON rows the issue asks
for, the period in the acting user's timezone (--to includes its whole day), tables, and bad dates refused with
exit code 2 naming the option."""

from __future__ import annotations

import json

import pytest

from revdesk.db.common.connection import Store
from tests.deal_factories import add_contact, add_deal
from tests.tui.cli.cli_helpers import run


@pytest.fixture
def sales(db):
    """tom's deals around the end of November: won Nov 10 (EUR 6,000; 9 days), won Nov 30 23:30 UTC (USD 1,000 =
    920 EUR; 00:30 on Dec 1 in Berlin, 23:30 on Nov 30 in London), lost Nov 12; an open proposal since 2020
    closing Nov 20, and an open one with no expected close date. A November contact from a webinar."""
    store = Store(db)
    add_deal(store, owner_id=2, stage="closed_won", amount=6_000, won=1, created="2026-11-01 10:00",
             closed="2026-11-10 12:00", product="Core", source="SDR handoff",
             history=[(None, "discovery", "2026-11-01 10:00"), ("discovery", "closed_won", "2026-11-10 12:00")])
    add_deal(store, owner_id=2, stage="closed_won", amount=1_000, currency="USD", won=1, created="2026-11-20 00:00",
             closed="2026-11-30 23:30", product="Add-on")
    add_deal(store, owner_id=2, stage="closed_lost", amount=3_000, won=0, created="2026-10-01 00:00",
             closed="2026-11-12 08:00")
    add_deal(store, owner_id=2, stage="proposal", amount=4_000, created="2020-01-01 00:00", entered="2020-02-01 00:00",
             expected="2026-11-20")
    add_deal(store, owner_id=2, stage="demo", amount=2_500, created="2026-11-02 00:00", entered="2026-11-02 00:00")
    add_contact(store, created="2026-11-03 09:00", stage="sal", source="Webinar",
                history=[(None, "lead", "2026-11-03 09:00"), ("lead", "mql", "2026-11-04 09:00"),
                         ("mql", "sal", "2026-11-05 21:00")])
    store.close()
    return db


def _json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_stats_by_owner_json_in_the_acting_users_timezone(capsys, sales):
    november = ("--from", "2026-11-01", "--to", "2026-11-30")
    rows = _json(capsys, "--db", str(sales), "--as", "maya", "deals", "stats", "--by", "owner", *november)
    tom = next(r for r in rows if r["key"] == "Tom Reyes")
    # Berlin (maya): the USD deal closed on Dec 1. Won 1 of 2 decided; 6,000; 9 days (Nov 1 10:00 → Nov 10 12:00).
    assert {k: tom[k] for k in ("won", "lost", "win_rate", "revenue_won", "avg_won_value", "avg_days_to_close")} == {
        "won": 1, "lost": 1, "win_rate": 0.5, "revenue_won": 6000, "avg_won_value": 6000, "avg_days_to_close": 9}
    assert tom["open"] == 2 and tom["weighted_forecast"] == 2000  # 4,000 × 0.5
    london = _json(capsys, "--db", str(sales), "--as", "tom", "deals", "stats", *november)
    tom = next(r for r in london if r["key"] == "Tom Reyes")
    # London (tom): the USD deal closed on Nov 30 at 23:30: 920 EUR more; 10 days (Nov 20 → Nov 30 23:30).
    assert (tom["won"], tom["revenue_won"], tom["win_rate"]) == (2, 6920, round(2 / 3, 4))
    assert tom["avg_days_to_close"] == 9.5  # (9 + 10) / 2


def test_stats_by_product_and_a_table(capsys, sales):
    rows = _json(capsys, "--db", str(sales), "--as", "tom", "deals", "stats", "--by", "product",
                 "--period", "month", "--date", "2026-11-15")
    assert {r["key"]: r["won"] for r in rows} == {"Core": 1, "Add-on": 1, "(none)": 0}
    code, out, err = run(capsys, "--db", str(sales), "--as", "tom", "deals", "stats", "--by", "team",
                         "--from", "2026-11-01", "--to", "2026-11-30")
    assert code == 0, err
    assert "Deals by team, 2026-11-01 to 2026-11-30" in out and "North" in out and "(all)" in out


def test_an_empty_period_and_bad_dates(capsys, sales):
    rows = _json(capsys, "--db", str(sales), "--as", "tom", "deals", "stats", "--from", "2031-01-01",
                 "--to", "2031-01-31")
    assert rows == [{"key": "Tom Reyes", "won": 0, "lost": 0, "win_rate": None, "revenue_won": 0, "avg_won_value": None,
                     "avg_days_to_close": None, "undated": 0, "open": 2, "open_amount": 6500,
                     "weighted_forecast": 0}]
    for argv, option in ((("--from", "2026-11-31"), "--from"), (("--from", "2026-11-01", "--to", "30/11"), "--to"),
                         (("--to", "2026-11-30"), "--from"), (("--from", "2026-11-02", "--to", "2026-11-01"), "--to")):
        code, _, err = run(capsys, "--db", str(sales), "--as", "tom", "deals", "stats", *argv)
        assert code == 2 and f"error: {option}:" in err, err
    code, _, err = run(capsys, "--db", str(sales), "deals", "stats", "--by", "region")
    assert code == 2 and "--by" in err


def test_stages_json_and_table(capsys, sales):
    report = _json(capsys, "--db", str(sales), "--as", "tom", "deals", "stages", "--from", "2026-11-01",
                   "--to", "2026-11-30")
    times = {t["stage"]: t for t in report["time_in_stage"]}
    assert times["discovery"]["stays"] == 1 and times["discovery"]["median_days"] == pytest.approx(9.08, abs=0.01)
    stale = {s["stage"]: s for s in report["stagnating"]}
    assert (stale["proposal"]["open"], stale["proposal"]["stale"], stale["proposal"]["share"]) == (1, 1, 1.0)
    assert report["forecast"]["weighted"] == 2000 and report["forecast"]["no_expected_close_deals"] == 1
    code, out, err = run(capsys, "--db", str(sales), "--as", "tom", "deals", "stages", "--from", "2026-11-01",
                         "--to", "2026-11-30")
    assert code == 0, err
    assert "Time in stage" in out and "Stagnating stages" in out and "Weighted forecast" in out


def test_funnel_by_source(capsys, sales):
    data = _json(capsys, "--db", str(sales), "--as", "maya", "funnel", "--by", "source", "--period", "month",
                 "--date", "2026-11-15")
    # The webinar contact, plus make_store's Dana and Sam (mqls with no history, created "today": Nov 23).
    assert data["all"]["cohort"] == 3
    webinar = next(f for f in data["by_source"] if f["key"] == "Webinar")
    assert webinar["steps"][0] == {"from": "lead", "to": "mql", "reached": 1, "converted": 1, "conversion": 1.0,
                                   "median_days": 1.0, "timed": 1}
    assert webinar["steps"][1]["median_days"] == 1.5  # Nov 4 09:00 → Nov 5 21:00
    plain = _json(capsys, "--db", str(sales), "--as", "maya", "funnel", "--from", "2031-01-01", "--to", "2031-03-31")
    assert plain["all"]["cohort"] == 0 and "by_source" not in plain
    code, out, err = run(capsys, "--db", str(sales), "--as", "maya", "funnel", "--date", "2026-11-15")
    assert code == 0, err
    assert "Funnel of the 3 contacts created 2026-11-01 to 2026-11-30" in out


def test_with_nobody_named_periods_follow_this_computers_zone_across_daylight_saving(capsys, tmp_path, monkeypatch):
    import tzlocal

    from tests.factories import make_store

    path = tmp_path / "dst.db"
    make_store(path).close()
    monkeypatch.setenv("TZ", "Europe/Berlin")
    tzlocal.reload_localzone()
    try:
        code, out, err = run(capsys, "--db", str(path), "funnel", "--period", "month", "--date", "2026-03-15",
                             "--json")
    finally:
        monkeypatch.delenv("TZ")
        tzlocal.reload_localzone()
    assert code == 0, err
    report = json.loads(out)
    # March starts in winter time and ends in summer time: the real zone, not today's offset.
    assert (report["start"], report["end"]) == ("2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00")
