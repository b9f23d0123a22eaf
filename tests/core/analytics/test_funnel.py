"""The lifecycle funnel on a hand-made cohort, every figure worked out by hand: reached and converted per step
(a later stage counts as passing the earlier ones), conversion, median days between first entries (only where both
are known and in order), per lead source, the side exits, the cohort's edges in Berlin and an empty period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from revdesk.core.analytics.funnel import (
    LIFECYCLE_ORDER,
    ContactPath,
    entry,
    funnel,
    funnel_by_source,
    funnel_report,
    furthest,
)
from revdesk.core.analytics.metrics import period_bounds

NOVEMBER = period_bounds("month", date(2026, 11, 1), ZoneInfo("UTC"))
NOVEMBER_BERLIN = period_bounds("month", date(2026, 11, 1), ZoneInfo("Europe/Berlin"))


def at(day: int, hour: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def path(contact_id: int, source: str | None, created: datetime, stage: str, **entered: datetime) -> ContactPath:
    return ContactPath(contact_id, source, created, stage, entered)


COHORT = [
    # A goes all the way: lead Nov 2, mql +2 days, sal +1, sql +4, opportunity +1, customer +10.
    path(1, "Webinar", at(2), "customer", lead=at(2), mql=at(4), sal=at(5), sql=at(9), opportunity=at(10),
         customer=at(20)),
    # B skipped mql (lead → sal): it passed mql, but neither step around mql can be timed.
    path(2, "Webinar", at(3), "sal", lead=at(3), sal=at(7)),
    # C: lead → mql after 1 day, then disqualified.
    path(3, "Outbound", at(5), "disqualified", lead=at(5), mql=at(6), disqualified=at(8)),
    # D: still a lead, no source.
    path(4, None, at(6), "lead", lead=at(6)),
    # E: created as an mql, sal 3 days later, then nurture.
    path(5, "Outbound", at(7), "nurture", mql=at(7), sal=at(10), nurture=at(12)),
    # F: an mql with no history at all; an empty source counts as none.
    path(6, "", at(8), "mql"),
    # Created in October: not in November's cohort.
    path(7, "Webinar", at(20, month=10), "customer", lead=at(20, month=10), customer=at(3)),
]


def test_furthest_stage_reached_from_history_or_now_and_where_each_entered():
    assert [furthest(p) for p in COHORT[:6]] == [5, 2, 1, 0, 2, 1]
    assert [entry(p) for p in COHORT[:6]] == [0, 0, 0, 0, 1, 1]
    assert furthest(path(9, None, at(1), "nurture")) == -1  # never in the funnel's stages


def test_the_cohorts_funnel_step_by_step():
    result = funnel(COHORT, *NOVEMBER)
    assert result.cohort == 6 and (result.disqualified, result.nurture) == (1, 1)
    steps = {(s.from_stage, s.to_stage): s for s in result.steps}
    assert list(steps) == list(zip(LIFECYCLE_ORDER, LIFECYCLE_ORDER[1:], strict=False))
    lead_mql = steps["lead", "mql"]
    # A, B, C, D were leads (E and F were created as MQLs: never leads); A, B, C reached mql or later: 3 / 4;
    # timed: A 2 days, C 1 day → median 1.5.
    assert (lead_mql.reached, lead_mql.converted, lead_mql.timed) == (4, 3, 2)
    assert lead_mql.conversion == pytest.approx(3 / 4) and lead_mql.median_days == 1.5
    mql_sal = steps["mql", "sal"]
    # A, B, C, E, F were MQLs (B passed through); A, B, E reached sal: 3 / 5; timed: A 1 day, E 3 days → 2.
    assert (mql_sal.reached, mql_sal.converted, mql_sal.conversion, mql_sal.median_days) == (5, 3, 0.6, 2.0)
    sal_sql = steps["sal", "sql"]
    assert (sal_sql.reached, sal_sql.converted, sal_sql.median_days) == (3, 1, 4.0)  # A only
    assert sal_sql.conversion == pytest.approx(1 / 3)
    assert (steps["sql", "opportunity"].conversion, steps["sql", "opportunity"].median_days) == (1.0, 1.0)
    assert (steps["opportunity", "customer"].converted, steps["opportunity", "customer"].median_days) == (1, 10.0)


def test_per_lead_source():
    by_source = {f.key: f for f in funnel_by_source(COHORT, *NOVEMBER)}
    assert list(by_source) == ["(none)", "Outbound", "Webinar"]  # 2 each, then by name
    webinar, outbound, none = by_source["Webinar"], by_source["Outbound"], by_source["(none)"]
    assert webinar.cohort == 2 and webinar.steps[0].converted == 2 and webinar.steps[0].median_days == 2.0
    # Outbound: C was a lead and reached mql (1 / 1, 1 day; E started as an MQL); E reached sal (1 / 2; 3 days).
    assert (outbound.steps[0].reached, outbound.steps[0].converted, outbound.steps[0].median_days) == (1, 1, 1.0)
    assert (outbound.steps[1].reached, outbound.steps[1].converted, outbound.steps[1].median_days) == (2, 1, 3.0)
    assert (outbound.disqualified, outbound.nurture) == (1, 1)
    # No source and "": D (a lead still) and F (created as an MQL): lead → mql 0 / 1, nobody timed.
    assert (none.cohort, none.steps[0].reached, none.steps[0].converted, none.steps[0].median_days) == (2, 1, 0, None)
    report = funnel_report(COHORT, *NOVEMBER)
    assert report.overall == funnel(COHORT, *NOVEMBER)
    assert sum(f.cohort for f in report.by_source) == report.overall.cohort
    data = report.to_json()
    assert data["all"]["steps"][0] == {"from": "lead", "to": "mql", "reached": 4, "converted": 3,
                                       "conversion": 0.75, "median_days": 1.5, "timed": 2}
    assert "by_source" not in report.to_json(by_source=False)


def test_a_step_entered_backwards_is_not_timed():
    # mql → sql on Nov 3, then back to sal on Nov 5: sal → sql happened "before" sal, so it is not timed.
    odd = path(1, None, at(2), "sal", lead=at(2), mql=at(2, 6), sql=at(3), sal=at(5))
    steps = funnel([odd], *NOVEMBER).steps
    assert (steps[2].converted, steps[2].timed, steps[2].median_days) == (1, 0, None)
    assert steps[1].median_days == pytest.approx(3 - 0.25)  # mql Nov 2 06:00 → sal Nov 5 00:00


def test_cohort_edges_follow_the_periods_timezone():
    late = path(1, None, at(31, 23, month=10), "lead", lead=at(31, 23, month=10))  # Nov 1, 00:00 in Berlin
    last = path(2, None, at(30, 23), "lead", lead=at(30, 23))  # Dec 1, 00:00 in Berlin
    assert funnel([late, last], *NOVEMBER).cohort == 1  # UTC: only `last`
    assert funnel([late, last], *NOVEMBER_BERLIN).cohort == 1  # Berlin: only `late`
    assert funnel([late], *NOVEMBER_BERLIN).cohort == 1 and funnel([last], *NOVEMBER_BERLIN).cohort == 0


def test_an_empty_period_gives_zeros_and_nones():
    empty = funnel([], *NOVEMBER)
    assert empty.cohort == 0 and (empty.disqualified, empty.nurture) == (0, 0)
    assert all((s.reached, s.converted, s.conversion, s.median_days) == (0, 0, None, None) for s in empty.steps)
    assert funnel_report(COHORT, *period_bounds("month", date(2031, 1, 1), ZoneInfo("UTC"))).by_source == []
