"""Deal facts and the funnel's cohort read from a real SQLite file: amounts converted to the base currency, the
period's edges in Berlin, undated and open deals, stage stays from the stage history, a rep with no deals, and
lifecycle history read as first entries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from revdesk.core.analytics.metrics import period_bounds
from revdesk.db.analytics.deals import all_deal_figures, deal_facts, deal_rows, deal_stage_report, stage_stays
from revdesk.db.analytics.funnel import cohort_paths, funnel_for
from revdesk.db.playbook.stored import current_playbook
from tests.deal_factories import add_contact, add_deal, add_user, at

BERLIN = ZoneInfo("Europe/Berlin")
NOVEMBER = period_bounds("month", date(2026, 11, 1), BERLIN)
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


@pytest.fixture
def deals(store):
    """tom (North) and ana (South, an AE with no deals); the default playbook: USD at 0.92, GBP at 1.17 EUR."""
    add_user(store, 4, "ana", "ae", "South")
    # USD 10,000 won = 9,200 EUR; 10 days from engaged Nov 1 to Nov 11.
    add_deal(store, owner_id=2, stage="closed_won", amount=10_000, currency="USD", won=1, created="2026-10-01 09:00",
             engaged="2026-11-01 09:00", closed="2026-11-11 10:00", product="Core", source="SDR handoff",
             history=[(None, "discovery", "2026-10-01 09:00"), ("discovery", "demo", "2026-11-04 09:00"),
                      ("demo", "closed_won", "2026-11-11 10:00")])
    # GBP 1,000 lost on Nov 30 23:30 UTC: December in Berlin.
    add_deal(store, owner_id=2, stage="closed_lost", amount=1_000, currency="GBP", won=0, created="2026-10-01 09:00",
             closed="2026-11-30 23:30", source="Referral")
    # GBP 2,000 lost on Oct 31 23:30 UTC: November in Berlin.
    add_deal(store, owner_id=2, stage="closed_lost", amount=2_000, currency="GBP", won=0, created="2026-10-01 09:00",
             closed="2026-10-31 23:30", source="Referral")
    # Won with no close date: undated.
    add_deal(store, owner_id=2, stage="closed_won", amount=500, won=1, created="2026-10-01 09:00")
    # Open, proposal since Oct 20 (stale after 21 days), closing Nov 20 in USD: 5,000 × 0.92 × 0.5 = 2,300.
    add_deal(store, owner_id=2, stage="proposal", amount=5_000, currency="USD", created="2026-10-05 09:00",
             entered="2026-10-20 09:00", expected="2026-11-20",
             history=[(None, "discovery", "2026-10-05 09:00"), ("discovery", "proposal", "2026-10-20 09:00")])
    # Open with no expected close date, no owner.
    add_deal(store, owner_id=None, stage="discovery", amount=800, created="2026-11-15 09:00")
    return store


def test_facts_convert_amounts_and_keep_undated_and_open_deals(deals):
    playbook = current_playbook(deals.conn)
    facts = {f.id: f for f in deal_facts(deals.conn, playbook, *NOVEMBER)}
    assert sorted(facts) == [1, 3, 4, 5, 6]  # 2 closed in December (Berlin) is not read
    assert facts[1].amount == pytest.approx(9_200) and facts[3].amount == pytest.approx(2_340)  # 2,000 × 1.17
    assert facts[1].won is True and facts[3].won is False and facts[5].won is None
    assert (facts[1].owner, facts[1].team, facts[6].owner) == ("Tom Reyes", "North", None)
    assert facts[5].expected_close == date(2026, 11, 20)


def test_rows_by_owner_include_the_ae_with_no_deals(deals):
    rows, total = deal_rows(deals.conn, current_playbook(deals.conn), "owner", *NOVEMBER)
    by_key = {r.key: r for r in rows}
    assert list(by_key) == ["Tom Reyes", "(unowned)", "Ana"]  # maya and ines are SDRs: no rows of their own
    tom = by_key["Tom Reyes"]
    assert (tom.won, tom.lost, tom.undated) == (1, 1, 1)  # deal 1; deal 3; deal 4
    assert tom.win_rate == 0.5 and tom.revenue_won == pytest.approx(9_200)
    assert tom.avg_days_to_close == 10  # Nov 1 09:00 → Nov 11 10:00
    assert tom.weighted_forecast == pytest.approx(2_300)
    ana = by_key["Ana"]
    assert (ana.won, ana.lost, ana.win_rate, ana.avg_won_value) == (0, 0, None, None)
    assert (total.open, total.open_amount) == (2, pytest.approx(4_600 + 800))
    teams = {r.key for r in deal_rows(deals.conn, current_playbook(deals.conn), "team", *NOVEMBER)[0]}
    assert teams == {"North", "South", "(unowned)"}
    sources = {r.key: r for r in deal_rows(deals.conn, current_playbook(deals.conn), "source", *NOVEMBER)[0]}
    assert sources["Referral"].lost == 1 and sources["(none)"].undated == 1


def test_the_same_days_in_utc(deals):
    utc = period_bounds("month", date(2026, 11, 1), ZoneInfo("UTC"))
    _, total = deal_rows(deals.conn, current_playbook(deals.conn), "owner", *utc)
    assert (total.won, total.lost) == (1, 1)  # deal 2 (Nov 30 23:30) in, deal 3 (Oct 31 23:30) out


def test_stage_stays_and_the_stage_report(deals):
    stays = sorted(stage_stays(deals.conn, *NOVEMBER), key=lambda s: s.left_at)
    # Deal 1: discovery Oct 1 09:00 → Nov 4 09:00 (34 days), demo Nov 4 09:00 → Nov 11 10:00 (7 days 1 hour).
    # Deal 5 left discovery on Oct 20: not in November.
    assert [(s.deal_id, s.stage, s.entered_at, s.left_at) for s in stays] == [
        (1, "discovery", at("2026-10-01 09:00"), at("2026-11-04 09:00")),
        (1, "demo", at("2026-11-04 09:00"), at("2026-11-11 10:00"))]
    report = deal_stage_report(deals.conn, current_playbook(deals.conn), *NOVEMBER, NOW)
    times = {t.stage: t for t in report.times}
    assert times["discovery"].median_days == 34 and times["demo"].mean_days == pytest.approx(7 + 1 / 24)
    stale = {s.stage: s for s in report.stagnating}
    assert (stale["proposal"].open, stale["proposal"].stale) == (1, 1)  # 34 days ≥ 21
    assert (stale["discovery"].open, stale["discovery"].stale) == (1, 0)  # deal 6: 8 days
    assert report.forecast.weighted == pytest.approx(2_300)
    assert (report.forecast.undated_deals, report.forecast.undated_amount) == (1, 800)
    figures = all_deal_figures(deals.conn, current_playbook(deals.conn), *NOVEMBER, NOW)
    assert figures.rows["owner"][0].key == "Tom Reyes" and figures.stages == report


def test_an_empty_period(deals):
    start, end = period_bounds("quarter", date(2031, 1, 1), BERLIN)
    rows, total = deal_rows(deals.conn, current_playbook(deals.conn), "owner", start, end)
    assert {r.key: r.won for r in rows}["Ana"] == 0 and total.won == 0 and total.win_rate is None
    assert funnel_for(deals.conn, start, end).overall.cohort == 0


def test_cohort_paths_read_first_entries(store):
    # Created Oct 31 23:30 UTC: November in Berlin. lead → mql → sal → mql again: the first mql counts.
    first = add_contact(store, created="2026-10-31 23:30", stage="mql", source="Webinar",
                        history=[(None, "lead", "2026-10-31 23:30"), ("lead", "mql", "2026-11-02 23:30"),
                                 ("mql", "sal", "2026-11-03 11:30"), ("sal", "mql", "2026-11-05 00:00")])
    add_contact(store, created="2026-11-30 23:30", stage="lead", source="Webinar")  # December in Berlin
    no_history = add_contact(store, created="2026-11-10 10:00", stage="sql", source=None)
    paths = {p.contact_id: p for p in cohort_paths(store.conn, *NOVEMBER)}
    assert sorted(paths) == [3, 4, first, no_history]  # make_store's Dana and Sam (mql, no history) came today
    assert paths[first].entered == {"lead": at("2026-10-31 23:30"), "mql": at("2026-11-02 23:30"),
                                    "sal": at("2026-11-03 11:30")}
    assert paths[no_history].entered == {} and paths[no_history].stage == "sql"
    report = funnel_for(store.conn, *NOVEMBER)
    steps = report.overall.steps
    assert report.overall.cohort == 4
    # Only `first` was ever a lead (Dana and Sam were created as MQLs, the other as an SQL): 1 / 1, 2 days.
    assert (steps[0].reached, steps[0].converted, steps[0].median_days, steps[0].timed) == (1, 1, 2.0, 1)
    # MQLs: first, Dana, Sam (no_history was created an SQL); only first reached sal, 12 hours later.
    assert (steps[1].reached, steps[1].converted, steps[1].median_days) == (3, 1, 0.5)
    # SALs: first only (no_history started beyond it), and it went back to mql: 0 / 1.
    assert (steps[2].reached, steps[2].converted, steps[2].timed) == (1, 0, 0)
    assert [f.key for f in report.by_source] == ["(none)", "Content download", "Webinar", "Website demo request"]


def test_a_deals_source_is_its_contacts_lead_source_else_its_own(store):
    from revdesk.db.common.connection import transaction

    playbook = current_playbook(store.conn)
    via_contact = add_deal(store, owner_id=2, stage="closed_won", created="2026-11-02 10:00", amount=1000, won=1,
                           closed="2026-11-05 10:00", source="SDR handoff")
    own = add_deal(store, owner_id=2, stage="closed_won", created="2026-11-02 10:00", amount=500, won=1,
                   closed="2026-11-06 10:00", source="Partner referral")
    with transaction(store.conn):  # contact 3 (Dana) came from a website demo request
        store.conn.execute("UPDATE deals SET primary_contact_id = 3 WHERE id = ?", (via_contact,))
    start, end = period_bounds("month", date(2026, 11, 1), ZoneInfo("Europe/Berlin"))
    facts = {f.id: f.source for f in deal_facts(store.conn, playbook, start, end)}
    assert (facts[via_contact], facts[own]) == ("Website demo request", "Partner referral")
