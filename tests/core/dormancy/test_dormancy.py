"""The dormancy rules that need no database: the ranking weight, the words, round-robin and revival credit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from revdesk.core.dormancy.definition import (
    AccountDeal,
    Revival,
    dormant_reason,
    is_dormant,
    quiet_for,
    revival_totals,
    risk_weight,
    round_robin,
)

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_dormant_needs_revenue_no_open_deal_and_the_full_period():
    assert is_dormant(1.0, 0, NOW - 365 * DAY, NOW, 365)
    assert not is_dormant(1.0, 0, NOW - 365 * DAY + timedelta(seconds=1), NOW, 365)
    assert not is_dormant(0.0, 0, NOW - 900 * DAY, NOW, 365)
    assert not is_dormant(1.0, 1, NOW - 900 * DAY, NOW, 365)


@pytest.mark.parametrize(("days", "weight"), [(365, 1.0), (200, 1.0), (547.5, 1.5), (730, 2.0), (5000, 3.0)])
def test_revenue_weighs_more_the_longer_it_is_quiet_up_to_three_times(days, weight):
    assert risk_weight(days, 365) == pytest.approx(weight)


def test_the_words_say_months_from_a_year_on():
    assert quiet_for(426) == "13 months"
    assert quiet_for(200) == "200 days"
    assert dormant_reason(426, True, 48_000, "EUR") == "No touch for 13 months; 48,000 EUR lifetime"
    assert dormant_reason(400, False, 900.4, "GBP") == "Never touched for 13 months; 900 GBP lifetime"


def test_round_robin_deals_in_the_order_given():
    assert round_robin([10, 11, 12, 13, 14], [1, 2]) == [(10, 1), (11, 2), (12, 1), (13, 2), (14, 1)]
    assert round_robin([10], [1, 2, 3]) == [(10, 1)]
    assert round_robin([10, 11], []) == []


def test_a_deal_is_credited_to_the_latest_revival_before_it_within_a_period():
    revivals = [Revival(1, 7, NOW - 100 * DAY), Revival(1, 8, NOW - 40 * DAY), Revival(2, 7, NOW - 500 * DAY)]
    deals = [
        AccountDeal(1, NOW - 30 * DAY, NOW - 5 * DAY, 1, 12_000.0),  # after 8's revival: theirs, won this period
        AccountDeal(1, NOW - 60 * DAY, None, None, 5_000.0),  # after 7's revival only: 7's, reopened before the period
        AccountDeal(2, NOW - 20 * DAY, NOW - 2 * DAY, 1, 9_000.0),  # 480 days after 7's revival: nobody's
        AccountDeal(3, NOW - 20 * DAY, NOW - 2 * DAY, 1, 9_000.0),  # never revived
    ]
    start, end = NOW - 45 * DAY, NOW
    assert revival_totals(revivals, deals, start, end, 365) == {8: (1, 1, 1, 12_000.0)}
    everything = revival_totals(revivals, deals, NOW - 1000 * DAY, NOW, 365)
    assert everything == {7: (2, 1, 0, 0.0), 8: (1, 1, 1, 12_000.0)}


def test_no_revivals_no_figures():
    assert revival_totals([], [AccountDeal(1, NOW, NOW, 1, 1.0)], NOW - DAY, NOW + DAY, 365) == {}
