"""The leak definitions on hand-made facts (no database): who disqualifies counts, rejections by reason, an
incomplete context named field by field, stalls credited to whoever held the deal, handoffs past SLA, dormancy at
18 months and at the dormancy period, limbo MQLs; and the report's shape (every count is its records)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from revdesk.core.analytics.leak_report import build_leak_report, leak_window
from revdesk.core.analytics.leaks import (
    EIGHTEEN_MONTHS_DAYS,
    DealTimeline,
    Disqualification,
    LeakFacts,
    MqlLead,
    OpenDeal,
    Stint,
    first_stall,
    in_limbo,
    missing_context,
    owner_at,
    sales_disqualifications,
    stale_at,
    stints_from_history,
)
from revdesk.core.common.models import HandoffSummary
from revdesk.core.dormancy.definition import DormantAccount
from revdesk.core.pipeline.lanes import is_stale
from revdesk.core.playbook.check import parse_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK

PLAYBOOK = parse_playbook(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"))
STAGES = {s.key: s for s in PLAYBOOK.stages}
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
DAY = timedelta(days=1)
WINDOW = leak_window("quarter", NOW.date(), NOW, BERLIN)  # Q4 2026; stalls over Q3
CONTEXT = {"pain": "Dispatch is planned by hand in spreadsheets", "impact": "Late deliveries cost them 3% of revenue",
           "trigger": "A competitor's failed rollout in Q3", "approver": "2",
           "budget": "80k EUR approved for the first quarter", "next_step": "Demo with Lea on 1 December at 10:00"}


def disq(contact_id: int, role: str, at: datetime, from_value: str | None = "sql", mql_before: bool = False):
    return Disqualification(contact_id, f"Contact {contact_id}", 1, "Nordwind", from_value, mql_before, "Someone",
                            role, at, "Not a fit")


def handoff(hid: int, status: str, *, kind: str = "sdr_ae", reason: str | None = None, decided: datetime | None = None,
            due: datetime | None = None) -> HandoffSummary:
    return HandoffSummary(hid, kind, status, 1, "Maya Koch", 2, "Tom Reyes", 1, "Jonas Weber", 1, "Nordwind", None, {},
                          NOW - 30 * DAY, due, decided, reason, "Said why at length" if reason else None)


def test_the_windows_are_the_quarter_and_the_one_before_in_the_viewers_timezone():
    assert WINDOW.start == datetime(2026, 10, 1, tzinfo=BERLIN) and WINDOW.end == datetime(2027, 1, 1, tzinfo=BERLIN)
    assert WINDOW.stall_start == datetime(2026, 7, 1, tzinfo=BERLIN)
    assert WINDOW.stall_end == datetime(2026, 10, 1, tzinfo=BERLIN)
    month = leak_window("month", NOW.date(), NOW, BERLIN)
    # A month's stalled deals are still last quarter's: November looks at July to September.
    assert (month.start.month, month.stall_start.month, month.stall_end.month) == (11, 7, 10)


def test_an_mql_disqualified_by_sales_counts_by_an_sdr_it_does_not():
    inside = WINDOW.start + 3 * DAY
    rows = [
        disq(1, "ae", inside),  # counts
        disq(2, "sdr", inside),  # an SDR disqualifying: not sales disagreeing
        disq(3, "founder", inside + DAY, from_value="nurture", mql_before=True),  # was an MQL before nurture: counts
        disq(4, "ae", inside, from_value="lead"),  # never an MQL
        disq(5, "manager", WINDOW.start - DAY),  # before the period
        disq(1, "ae", inside + 2 * DAY),  # the same contact again: once, its latest
        disq(6, "ae", WINDOW.start),  # the first moment of the period counts
        disq(7, "ae", WINDOW.end),  # the period's end does not
    ]
    found = sales_disqualifications(rows, WINDOW.start, WINDOW.end)
    assert [(d.contact_id, d.at) for d in found] == [(6, WINDOW.start), (3, inside + DAY), (1, inside + 2 * DAY)]


def test_handoffs_rejected_by_aes_by_reason_with_the_playbooks_labels():
    inside = WINDOW.start + 5 * DAY
    facts = LeakFacts(handoffs=[
        handoff(1, "rejected", reason="bad_fit", decided=inside),
        handoff(2, "rejected", reason="bad_fit", decided=inside),
        handoff(3, "rejected", reason="no_budget", decided=inside),
        handoff(4, "rejected", reason="retired_reason", decided=inside),  # a reason the playbook dropped
        handoff(5, "rejected", reason="bad_fit", decided=WINDOW.start - DAY),  # last quarter
        handoff(6, "rejected", kind="ae_cs", reason="bad_fit", decided=inside),  # rejected by CS, not by an AE
        handoff(7, "accepted", decided=inside),
    ])
    report = build_leak_report(PLAYBOOK, facts, WINDOW)
    assert [r.id for r in report.figure("alignment.rejected").records] == [1, 2, 3, 4]
    by_reason = {f.key: (f.label.strip(), f.count) for f in report.sections[0].figures[2:]}
    assert by_reason == {
        "alignment.rejected.incomplete_context": ("rejected: Context incomplete", 0),
        "alignment.rejected.not_decision_maker": ("rejected: Not the right person", 0),
        "alignment.rejected.bad_fit": ("rejected: Not a fit for us", 2),
        "alignment.rejected.no_budget": ("rejected: No budget", 1),
        "alignment.rejected.too_early": ("rejected: Too early: no project yet", 0),
        "alignment.rejected.retired_reason": ("rejected: retired reason", 1),
    }
    assert "Rejected by Tom Reyes" in report.figure("alignment.rejected.no_budget").records[0].detail


def deal(deal_id: int, context: dict | None, contacts: dict | None = None, amount: float = 1000.0) -> OpenDeal:
    people = contacts if contacts is not None else {2: "Lea"}
    return OpenDeal(deal_id, f"Deal {deal_id}", 1, "Nordwind", amount, "Tom Reyes", None if context is None else 50,
                    None if context is None else "sdr_ae", context or {}, people)


def test_a_context_with_a_placeholder_names_the_missing_fields():
    assert missing_context(PLAYBOOK, deal(1, CONTEXT)) == []
    assert missing_context(PLAYBOOK, deal(2, {**CONTEXT, "pain": "tbd", "budget": ""})) == [
        "Pain that started the conversation", "Budget and timing"]
    assert missing_context(PLAYBOOK, deal(3, CONTEXT, contacts={})) == ["Who approves the decision"]  # not at account
    assert missing_context(PLAYBOOK, deal(4, {**CONTEXT, "old_field": "x"})) == []  # a dropped field: still complete
    assert missing_context(PLAYBOOK, deal(5, None)) is None
    report = build_leak_report(PLAYBOOK, LeakFacts(open_deals=[
        deal(1, CONTEXT), deal(2, {**CONTEXT, "pain": "n/a"}, amount=5000.0), deal(5, None, amount=700.0)]), WINDOW)
    incomplete = report.figure("continuity.incomplete")
    assert [r.id for r in incomplete.records] == [2] and incomplete.revenue == 5000.0
    assert "lacks: Pain that started the conversation" in incomplete.records[0].detail
    assert [r.id for r in report.figure("continuity.no_handoff").records] == [5]


def test_stints_come_from_the_stage_history():
    created = NOW - 100 * DAY
    assert stints_from_history("demo", NOW - DAY, created, []) == (Stint("demo", NOW - DAY, None),)
    history = [("discovery", "demo", NOW - 50 * DAY), ("demo", "proposal", NOW - 10 * DAY)]
    assert stints_from_history("proposal", NOW - 10 * DAY, created, history) == (
        Stint("discovery", created, NOW - 50 * DAY), Stint("demo", NOW - 50 * DAY, NOW - 10 * DAY),
        Stint("proposal", NOW - 10 * DAY, None))


def test_a_stage_goes_stale_when_the_pipeline_says_so():
    entered = NOW - 30 * DAY
    moment = stale_at(STAGES["discovery"], entered)
    assert moment == entered + 14 * DAY
    assert is_stale(STAGES["discovery"], entered, moment) and not is_stale(STAGES["discovery"], entered,
                                                                          moment - timedelta(seconds=1))
    assert stale_at(STAGES["closed_won"], entered) is None


def timeline(deal_id: int, stints: list[Stint], owner: int | None = 2, changes=()) -> DealTimeline:
    return DealTimeline(deal_id, f"Deal {deal_id}", 1, "Nordwind", 10_000.0 * deal_id, owner, tuple(stints),
                        tuple(changes))


def test_a_deal_that_stalled_last_quarter_is_credited_to_whoever_held_it_then():
    q3 = WINDOW.stall_start
    handed_over = q3 + 60 * DAY
    under_ana = timeline(1, [Stint("discovery", q3 + 10 * DAY, None)], owner=2,
                         changes=[(q3 - 5 * DAY, None, 4), (handed_over, 4, 2)])  # stale on day 24: Ana's
    moved_on = timeline(2, [Stint("discovery", q3, q3 + 13 * DAY), Stint("demo", q3 + 13 * DAY, q3 + 20 * DAY)])
    after_q3 = timeline(3, [Stint("proposal", q3 + 80 * DAY, None)])  # stale 21 days later: in Q4
    before_q3 = timeline(4, [Stint("demo", q3 - 30 * DAY, None)])  # stale since June: stalled then, not in Q3
    no_history = timeline(5, [Stint("negotiation", q3 + 5 * DAY, None)], owner=None)
    assert first_stall(STAGES, under_ana, q3, WINDOW.stall_end, NOW)[1] == q3 + 24 * DAY
    assert owner_at(under_ana, q3 + 24 * DAY) == 4 and owner_at(under_ana, handed_over) == 2
    assert owner_at(under_ana, q3 - 10 * DAY) is None  # before its first owner: the first change's 'from'
    assert first_stall(STAGES, moved_on, q3, WINDOW.stall_end, NOW) is None
    facts = LeakFacts(timelines=[under_ana, moved_on, after_q3, before_q3, no_history],
                      users={2: "Tom Reyes", 4: "Ana Lima"})
    report = build_leak_report(PLAYBOOK, facts, WINDOW)
    stalled = report.figure("accountability.stalled")
    assert [r.id for r in stalled.records] == [1, 5] and stalled.revenue == 60_000.0
    assert [r.id for r in report.figure("accountability.stalled.4").records] == [1]
    assert [r.id for r in report.figure("accountability.stalled.none").records] == [5]
    assert "held by Ana Lima" in report.figure("accountability.stalled.4").records[0].detail
    with pytest.raises(KeyError):
        report.figure("accountability.stalled.2")  # Tom holds it now, but it stalled under Ana


def test_handoffs_past_sla_pending_now_and_decided_late_in_the_period():
    inside = WINDOW.start + 10 * DAY
    facts = LeakFacts(handoffs=[
        handoff(1, "pending", due=NOW - 2 * timedelta(hours=1)),  # past SLA now
        handoff(2, "pending", due=NOW + timedelta(hours=2)),  # still in time
        handoff(3, "accepted", decided=inside, due=inside - timedelta(hours=5)),  # late
        handoff(4, "rejected", reason="bad_fit", decided=inside, due=inside + DAY),  # in time
        handoff(5, "accepted", decided=WINDOW.start - DAY, due=WINDOW.start - 2 * DAY),  # late, but last quarter
    ])
    report = build_leak_report(PLAYBOOK, facts, WINDOW)
    pending = report.figure("accountability.pending_past_sla")
    assert [r.id for r in pending.records] == [1] and "past SLA by 2 h" in pending.records[0].detail
    late = report.figure("accountability.decided_late")
    assert [r.id for r in late.records] == [3] and "Accepted by Tom Reyes 5 h after its SLA" in late.records[0].detail


def dormant(account_id: int, revenue: float, owner: int | None, days: int) -> DormantAccount:
    quiet = NOW - days * DAY
    return DormantAccount(account_id, f"Account {account_id}", None, owner, "Tom Reyes" if owner else None, revenue,
                          "EUR", None, quiet, quiet, days, revenue)


def test_dormant_visibility_at_18_months_and_at_the_dormancy_period():
    old, older_unowned, year = dormant(1, 50_000, 2, 600), dormant(2, 20_000, None, 700), dormant(3, 8_000, None, 400)
    facts = LeakFacts(dormant={EIGHTEEN_MONTHS_DAYS: [old, older_unowned], 365: [old, older_unowned, year]})
    report = build_leak_report(PLAYBOOK, facts, WINDOW)
    figures = {f.key: (f.count, f.revenue, [r.id for r in f.records]) for f in report.sections[3].figures}
    assert figures == {"dormant.18m": (2, 70_000, [1, 2]), "dormant.18m.unowned": (1, 20_000, [2]),
                       "dormant.365d": (3, 78_000, [1, 2, 3]), "dormant.365d.unowned": (2, 28_000, [2, 3])}


def lead(contact_id: int, mql_at: datetime | None, touched: datetime | None, created: datetime = NOW - 90 * DAY):
    return MqlLead(contact_id, f"Lead {contact_id}", 1, "Nordwind", "Maya Koch", created, mql_at, touched)


def test_a_limbo_mql_against_a_touched_one():
    untouched = lead(1, NOW - 3 * DAY, None)
    touched_after = lead(2, NOW - 3 * DAY, NOW - DAY)
    touched_before_only = lead(3, NOW - 3 * DAY, NOW - 10 * DAY)  # worked as a lead, untouched since it became MQL
    within_sla = lead(4, NOW - timedelta(minutes=10), None)
    created_as_mql = lead(5, None, None, created=NOW - 2 * DAY)  # no history: an MQL since it was created
    assert [in_limbo(x, PLAYBOOK, NOW) for x in (untouched, touched_after, touched_before_only, within_sla,
                                                  created_as_mql)] == [True, False, True, False, True]
    report = build_leak_report(PLAYBOOK, LeakFacts(mql_leads=[untouched, touched_after, touched_before_only,
                                                              within_sla, created_as_mql]), WINDOW)
    limbo = report.figure("limbo.mql")
    assert [r.id for r in limbo.records] == [1, 3, 5]  # longest waiting first (ties by id)
    assert limbo.records[0].detail == "An MQL for 3 days without a touch (SLA 15 min); owner Maya Koch"


def test_an_empty_report_shows_every_figure_with_an_honest_zero_and_every_number_is_its_records():
    report = build_leak_report(PLAYBOOK, LeakFacts(), WINDOW)
    assert [s.key for s in report.sections] == ["alignment", "continuity", "accountability", "dormant", "limbo"]
    figures = [f for s in report.sections for f in s.figures]
    assert all(f.count == 0 for f in figures) and len(figures) == 7 + 2 + 3 + 4 + 1
    data = report.to_json()
    assert data["period"] == "quarter" and data["currency"] == "EUR"
    first = data["sections"][1]["figures"][0]
    assert first == {"key": "continuity.incomplete", "label": "Open deals with incomplete handoff context",
                     "count": 0, "revenue": 0, "help": first["help"], "records": []}
