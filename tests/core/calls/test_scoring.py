"""Qualification scoring on small hand-computed cases: fit rules, decayed engagement, the incremental path
agreeing with the full one, the explanation, and the MQL move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from revdesk.core.calls.scoring import (
    ScoreParts,
    add_event,
    compute_parts,
    engagement_event,
    fit_lines,
    lifecycle_after_score,
    score_now,
)
from revdesk.core.playbook.check import parse_playbook
from revdesk.core.playbook.model import EngagementRule, FitRule, Qualification
from revdesk.fixtures import DEFAULT_PLAYBOOK

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
Q = Qualification(
    mql_threshold=40, sql_threshold=70, engagement_half_life_days=10,
    fit_rules=[FitRule("Industry", "industry", 15, any_of=["Software"]),
               FitRule("Size", "employees", 10, min=50, max=500),
               FitRule("Senior", "title", 20, pattern=r"(?i)\bhead\b")],
    engagement_rules=[EngagementRule("Reply", "reply", 16), EngagementRule("Meeting", "meeting", 20)],
)
FACTS = {"industry": "software", "employees": 120, "title": "Head of Sales", "country": "DE"}


def test_fit_rules_match_case_insensitively_and_by_range_and_pattern() -> None:
    lines = fit_lines(Q, FACTS)
    assert [(x.rule, x.points) for x in lines] == [("Industry", 15), ("Size", 10), ("Senior", 20)]
    assert fit_lines(Q, {"industry": "Retail", "employees": 501, "title": "Headhunter"}) == ()
    assert fit_lines(Q, {"employees": None, "title": None}) == ()


def test_engagement_halves_every_half_life() -> None:
    events = [("reply", NOW - timedelta(days=10)), ("meeting", NOW)]
    score = score_now(compute_parts(Q, FACTS, events, NOW), Q, NOW)
    # 45 fit + 16 × ½ + 20 = 73
    assert score.total == 73 and score.level == "sql"
    later = score_now(compute_parts(Q, FACTS, events, NOW), Q, NOW + timedelta(days=10))
    # 45 + 16 × ¼ + 20 × ½ = 59
    assert later.total == 59 and later.level == "mql"


def test_adding_events_one_by_one_equals_computing_from_scratch() -> None:
    start = NOW - timedelta(days=30)
    events = [("reply", start), ("meeting", start + timedelta(days=7)), ("reply", start + timedelta(days=20))]
    parts = ScoreParts(fit_lines(Q, FACTS), (), start)
    for event, at in events:
        parts = add_event(parts, Q, event, at, at)
        parts = ScoreParts.from_json(parts.to_json())  # stored and read back between events
    incremental = score_now(parts, Q, NOW)
    full = score_now(compute_parts(Q, FACTS, events, NOW), Q, NOW)
    assert incremental.total == full.total
    reply = next(x for x in incremental.lines if x.rule == "Reply")
    assert reply.count == 2
    assert reply.points == pytest.approx(16 * 0.5 ** 3 + 16 * 0.5 ** 1, abs=1e-3)


def test_an_event_no_rule_scores_changes_nothing_but_the_moment() -> None:
    parts = compute_parts(Q, FACTS, [], NOW)
    assert add_event(parts, Q, "connect", NOW, NOW).total() == parts.total() == 45


def test_the_explanation_names_each_rule_and_the_thresholds() -> None:
    score = score_now(compute_parts(Q, FACTS, [("meeting", NOW)], NOW), Q, NOW)
    text = "\n".join(score.explain())
    assert "+20  Senior: title is Head of Sales" in text and "+20  Meeting" in text
    assert text.splitlines()[-1].strip() == "65  total; MQL at 40, SQL at 70"
    data = score.to_json()
    assert data["score"] == 65 and data["level"] == "mql"
    assert {x["rule"] for x in data["explanation"]} == {"Industry", "Size", "Senior", "Meeting"}


def test_negative_rules_never_take_the_total_below_zero() -> None:
    q = Qualification(40, 70, fit_rules=[FitRule("Competitor", "industry", -30, any_of=["Software"])])
    assert compute_parts(q, FACTS, [], NOW).total() == 0


def test_which_activities_are_engagement_events() -> None:
    playbook = parse_playbook(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"))
    assert engagement_event("email", "replied", playbook) == "reply"
    assert engagement_event("linkedin", "replied", playbook) == "reply"
    assert engagement_event("meeting", "held", playbook) == "meeting"
    assert engagement_event("meeting", "no_show", playbook) is None
    assert engagement_event("call", "meeting_booked", playbook) == "meeting"
    assert engagement_event("call", "connected", playbook) == "connect"
    assert engagement_event("call", "voicemail", playbook) is None
    assert engagement_event("email", "sent", playbook) is None


def test_a_lead_or_nurtured_contact_becomes_an_mql_at_the_threshold() -> None:
    assert lifecycle_after_score("lead", 40, Q) == "mql"
    assert lifecycle_after_score("nurture", 41, Q, engaged=True) == "mql"
    assert lifecycle_after_score("nurture", 41, Q) is None  # a new playbook alone does not revive them
    assert lifecycle_after_score("lead", 39, Q) is None
    assert lifecycle_after_score("sal", 90, Q) is None  # never backwards
    assert lifecycle_after_score("customer", 90, Q) is None
