"""Deal metrics on hand-made facts, every figure worked out by hand: win rate = won / (won + lost), revenue and
average won value, whole days to close, open deals, time in stage, stagnating stages, the weighted forecast;
period edges in Berlin, undated deals, a rep with no deals and an empty period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from revdesk.core.analytics.deals import (
    DealFact,
    StageStay,
    closes_in,
    days_to_close,
    deal_stats,
    deal_total,
    range_bounds,
    stagnation,
    time_in_stage,
    weighted_forecast,
)
from revdesk.core.analytics.metrics import outcome, period_bounds
from revdesk.core.playbook.check import parse_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK

PLAYBOOK = parse_playbook(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"))
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
NOVEMBER = period_bounds("month", date(2026, 11, 1), BERLIN)  # [Oct 31 23:00Z, Nov 30 23:00Z)
NOVEMBER_UTC = period_bounds("month", date(2026, 11, 1), ZoneInfo("UTC"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def deal(id: int, owner: str | None, stage: str, amount: float | None, won: bool | None, created: str,
         closed: str | None = None, engaged: str | None = None, entered: str | None = None,
         expected: date | None = None, product: str | None = None, team: str | None = None) -> DealFact:
    teams = {"tom": "North", "ana": "South"}
    return DealFact(id, owner, team or teams.get(owner or ""), product, None, amount, stage, won, at(created),
                    at(closed) if closed else None, at(engaged) if engaged else None,
                    at(entered) if entered else None, expected)


FACTS = [
    # 1: 30 days from engaged (Oct 11 12:00) to closed (Nov 10 12:00), created earlier.
    deal(1, "tom", "closed_won", 10_000, True, "2026-10-01 12:00", "2026-11-10 12:00", "2026-10-11 12:00",
         product="Core"),
    # 2: 20 days 12 hours from created → 20 whole days.
    deal(2, "tom", "closed_won", 5_000, True, "2026-11-01 09:00", "2026-11-21 21:00", product="Core"),
    deal(3, "tom", "closed_lost", 9_000, False, "2026-10-01 00:00", "2026-11-15 10:00"),
    deal(4, "ana", "closed_lost", 1_000, False, "2026-10-01 00:00", "2026-11-05 10:00"),
    # 5: no amount: a win worth 0; 18 days.
    deal(5, "ana", "closed_won", None, True, "2026-11-02 08:00", "2026-11-20 08:00"),
    # 6: 23:30 UTC on Oct 31 is 00:30 on Nov 1 in Berlin: November. 11 days 23.5 hours → 11.
    deal(6, "tom", "closed_won", 2_000, True, "2026-10-20 00:00", "2026-10-31 23:30"),
    # 7: 23:30 UTC on Nov 30 is 00:30 on Dec 1 in Berlin: not November (but November in UTC).
    deal(7, "tom", "closed_won", 4_000, True, "2026-11-01 00:00", "2026-11-30 23:30"),
    # 8: won with no close date: in no period, counted as undated.
    deal(8, "tom", "closed_won", 7_000, True, "2026-09-01 00:00"),
    # Open deals. 9: proposal since Oct 20 (34 days: stale at 21), closing Nov 25 → 20,000 × 0.5.
    deal(9, "tom", "proposal", 20_000, None, "2026-10-01 00:00", entered="2026-10-20 13:00",
         expected=date(2026, 11, 25)),
    # 10: negotiation for 13 days (not stale), closing Dec 5: not in November's forecast.
    deal(10, "ana", "negotiation", 8_000, None, "2026-10-01 00:00", entered="2026-11-10 13:00",
         expected=date(2026, 12, 5)),
    # 11: discovery for exactly 14 days (stale), no expected close date: counted apart.
    deal(11, "tom", "discovery", 3_000, None, "2026-11-01 00:00", entered="2026-11-09 13:00"),
    # 12: discovery for 13 days, no amount, closing Nov 30 (the period's last day).
    deal(12, "tom", "discovery", None, None, "2026-11-01 00:00", entered="2026-11-10 13:00",
         expected=date(2026, 11, 30)),
]


def rows_by_key(rows):
    return {r.key: r for r in rows}


def test_by_owner_in_berlin_with_a_rep_who_has_no_deals():
    rows = deal_stats(FACTS, "owner", *NOVEMBER, PLAYBOOK, keys=("ana", "ines", "tom"))
    assert [r.key for r in rows] == ["tom", "ana", "ines"]  # most revenue, then most won
    tom, ana, ines = rows
    # tom: won 1, 2, 6 (7 is December in Berlin, 8 is undated); lost 3.
    assert (tom.won, tom.lost, tom.undated) == (3, 1, 1)
    assert tom.win_rate == pytest.approx(3 / 4)  # 3 / (3 + 1), never 3 / all 6 of his closed deals
    assert tom.revenue_won == 17_000  # 10,000 + 5,000 + 2,000
    assert tom.avg_won_value == pytest.approx(17_000 / 3)
    assert tom.avg_days_to_close == pytest.approx((30 + 20 + 11) / 3)
    assert (tom.open, tom.open_amount) == (3, 23_000)  # 9, 11, 12: 20,000 + 3,000 + 0
    assert tom.weighted_forecast == 10_000  # 9: 20,000 × 0.5; 12: 0 × 0.1
    # ana: 5 won with no amount, 4 lost.
    assert (ana.won, ana.lost, ana.revenue_won, ana.avg_won_value) == (1, 1, 0, 0)
    assert ana.win_rate == 0.5 and ana.avg_days_to_close == 18
    assert (ana.open, ana.open_amount, ana.weighted_forecast) == (1, 8_000, 0)
    # ines has no deals: a row of zeros, and no rate or average rather than a division by zero.
    assert (ines.won, ines.lost, ines.revenue_won, ines.open) == (0, 0, 0, 0)
    assert (ines.win_rate, ines.avg_won_value, ines.avg_days_to_close) == (None, None, None)


def test_the_same_month_in_utc_moves_the_edge_deals():
    tom = rows_by_key(deal_stats(FACTS, "owner", *NOVEMBER_UTC, PLAYBOOK))["tom"]
    # 6 closed on Oct 31 (UTC): out; 7 closed on Nov 30 (UTC): in, 29 days 23.5 hours → 29.
    assert tom.won == 3 and tom.revenue_won == 10_000 + 5_000 + 4_000
    assert tom.avg_days_to_close == pytest.approx((30 + 20 + 29) / 3)


def test_by_team_and_by_product():
    teams = rows_by_key(deal_stats(FACTS, "team", *NOVEMBER, PLAYBOOK))
    assert set(teams) == {"North", "South"}
    assert (teams["North"].won, teams["South"].won) == (3, 1)
    products = rows_by_key(deal_stats(FACTS, "product", *NOVEMBER, PLAYBOOK))
    assert set(products) == {"Core", "(none)"}
    core, other = products["Core"], products["(none)"]
    assert (core.won, core.lost, core.win_rate, core.revenue_won) == (2, 0, 1.0, 15_000)
    assert core.avg_days_to_close == 25  # (30 + 20) / 2
    # (none): won 5 (0, 18 days) and 6 (2,000, 11 days); lost 3 and 4; undated 8.
    assert (other.won, other.lost, other.revenue_won, other.undated) == (2, 2, 2_000, 1)
    assert other.win_rate == 0.5 and other.avg_days_to_close == pytest.approx(14.5)


def test_total_and_its_json_row():
    total = deal_total(FACTS, *NOVEMBER, PLAYBOOK)
    # won 1, 2, 5, 6; lost 3, 4.
    assert (total.won, total.lost, total.undated, total.open) == (4, 2, 1, 4)
    assert total.revenue_won == 17_000 and total.avg_won_value == 4_250  # 17,000 / 4
    assert total.avg_days_to_close == pytest.approx((30 + 20 + 18 + 11) / 4)  # 19.75
    row = total.to_json()
    assert {"key", "won", "lost", "win_rate", "revenue_won", "avg_won_value", "avg_days_to_close"} <= set(row)
    assert row["win_rate"] == round(4 / 6, 4) and row["open_amount"] == 31_000  # 23,000 + 8,000


def test_an_empty_period_gives_zeros_and_nones():
    start, end = period_bounds("month", date(2030, 1, 1), BERLIN)
    assert deal_stats(FACTS, "owner", start, end, PLAYBOOK, keys=("tom",))[0].won == 0
    empty = deal_total([], start, end, PLAYBOOK)
    assert (empty.won, empty.lost, empty.win_rate, empty.avg_won_value, empty.avg_days_to_close) == (
        0, 0, None, None, None)
    assert deal_stats([], "source", start, end, PLAYBOOK) == []
    assert all(t.stays == 0 and t.median_days is None for t in time_in_stage([], PLAYBOOK, start, end))
    assert all(s.open == 0 and s.share is None for s in stagnation([], PLAYBOOK, NOW))
    forecast = weighted_forecast([], PLAYBOOK, start, end)
    assert (forecast.deals, forecast.weighted, forecast.undated_deals) == (0, 0, 0)


def test_days_to_close_outcome_and_close_dates():
    assert days_to_close(FACTS[1]) == 20 and days_to_close(FACTS[7]) is None
    assert outcome(1, None) is True and outcome(0, None) is False
    assert outcome(None, PLAYBOOK.stage("closed_won")) is True and outcome(None, PLAYBOOK.stage("demo")) is None
    start, end = NOVEMBER
    assert closes_in(date(2026, 11, 1), start, end) and closes_in(date(2026, 11, 30), start, end)
    assert not closes_in(date(2026, 12, 1), start, end) and not closes_in(date(2026, 10, 31), start, end)
    # --from 2026-11-01 --to 2026-11-30 is the month (the last day whole).
    assert range_bounds(date(2026, 11, 1), date(2026, 11, 30), BERLIN) == NOVEMBER


def test_time_in_stage_counts_stays_that_ended_in_the_period():
    stays = [StageStay(1, "discovery", at("2026-10-01 12:00"), at("2026-11-03 12:00")),  # 33 days
             StageStay(2, "discovery", at("2026-11-01 09:00"), at("2026-11-04 21:00")),  # 3.5 days
             StageStay(4, "discovery", at("2026-11-01 00:00"), at("2026-11-02 00:00")),  # 1 day
             StageStay(3, "discovery", at("2026-10-20 00:00"), at("2026-10-30 00:00")),  # ended in October
             StageStay(1, "demo", at("2026-11-03 12:00"), at("2026-11-10 12:00"))]  # 7 days
    times = {t.stage: t for t in time_in_stage(stays, PLAYBOOK, *NOVEMBER)}
    assert list(times) == ["discovery", "demo", "proposal", "negotiation"]
    assert times["discovery"].stays == 3
    assert times["discovery"].median_days == 3.5  # of 1, 3.5, 33
    assert times["discovery"].mean_days == pytest.approx(12.5)  # 37.5 / 3
    assert (times["demo"].stays, times["demo"].median_days, times["demo"].mean_days) == (1, 7, 7)
    assert (times["proposal"].stays, times["proposal"].median_days) == (0, None)


def test_stagnating_stages_now():
    stale = {s.stage: s for s in stagnation(FACTS, PLAYBOOK, NOW)}
    # discovery: 11 (14 days: stale at 14) and 12 (13 days) → 1 of 2.
    assert (stale["discovery"].open, stale["discovery"].stale, stale["discovery"].share) == (2, 1, 0.5)
    assert (stale["demo"].open, stale["demo"].share) == (0, None)
    assert (stale["proposal"].stale, stale["proposal"].share) == (1, 1.0)  # 9: 34 days ≥ 21
    assert (stale["negotiation"].open, stale["negotiation"].stale) == (1, 0)  # 10: 13 days < 21


def test_weighted_forecast_leaves_deals_without_a_close_date_apart():
    forecast = weighted_forecast(FACTS, PLAYBOOK, *NOVEMBER)
    lines = {line.stage: line for line in forecast.lines}
    assert (lines["proposal"].deals, lines["proposal"].amount, lines["proposal"].weighted) == (1, 20_000, 10_000)
    assert (lines["discovery"].deals, lines["discovery"].weighted) == (1, 0)  # 12 has no amount
    assert lines["negotiation"].deals == 0  # 10 closes in December
    assert (forecast.deals, forecast.amount, forecast.weighted) == (2, 20_000, 10_000)
    assert (forecast.undated_deals, forecast.undated_amount) == (1, 3_000)  # 11
