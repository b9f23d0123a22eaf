"""The pipeline's pure rules: age in stage, staleness per stage, lane order, next and previous stage, amounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from revdesk.core.pipeline.lanes import (
    age_in_stage,
    default_scope,
    is_stale,
    lane_specs,
    money,
    money_list,
    next_scope,
    next_stage,
    previous_stage,
    short_name,
    stale_before,
    totals,
)
from revdesk.core.playbook.check import parse_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
PLAYBOOK = parse_playbook(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"))


def test_age_in_whole_days_never_negative():
    assert age_in_stage(NOW, NOW) == 0
    assert age_in_stage(NOW - timedelta(days=1, hours=23), NOW) == 1
    assert age_in_stage(NOW - timedelta(days=12), NOW) == 12
    assert age_in_stage(NOW + timedelta(hours=2), NOW) == 0


def test_stale_after_the_stages_days_and_never_when_closed():
    demo, proposal, won = (PLAYBOOK.stage(k) for k in ("demo", "proposal", "closed_won"))
    assert demo.stale_after_days == 14 and proposal.stale_after_days == 21
    assert not is_stale(demo, NOW - timedelta(days=13, hours=23), NOW)
    assert is_stale(demo, NOW - timedelta(days=14), NOW)
    assert not is_stale(proposal, NOW - timedelta(days=20), NOW)
    assert is_stale(proposal, NOW - timedelta(days=21), NOW)
    assert not is_stale(won, NOW - timedelta(days=400), NOW)
    assert stale_before(demo, NOW) == NOW - timedelta(days=14) and stale_before(won, NOW) is None


def test_lane_order_sdr_statuses_then_the_playbooks_stages():
    specs = lane_specs(PLAYBOOK)
    assert [(s.side, s.key) for s in specs] == [
        ("sdr", "new"), ("sdr", "attempting"), ("sdr", "connected"), ("sdr", "qualified"),
        ("ae", "discovery"), ("ae", "demo"), ("ae", "proposal"), ("ae", "negotiation"),
        ("ae", "closed_won"), ("ae", "closed_lost")]
    assert specs[-1].label == "Closed Lost" and specs[-1].stage is PLAYBOOK.stage("closed_lost")


def test_next_and_previous_stage():
    def key(stage):
        return stage.key if stage else None

    assert key(next_stage(PLAYBOOK, "discovery")) == "demo"
    assert key(next_stage(PLAYBOOK, "negotiation")) == "closed_won"
    assert next_stage(PLAYBOOK, "closed_won") is None and next_stage(PLAYBOOK, "closed_lost") is None
    assert previous_stage(PLAYBOOK, "discovery") is None
    assert key(previous_stage(PLAYBOOK, "proposal")) == "demo"
    assert key(previous_stage(PLAYBOOK, "closed_lost")) == "negotiation", "a closed deal reopens in the last open stage"


def test_scopes_names_and_amounts():
    assert [next_scope(s) for s in ("mine", "team", "all")] == ["team", "all", "mine"]
    assert default_scope("sdr") == "mine" and default_scope("founder") == "all"
    assert short_name("Tom Reyes") == "Tom R." and short_name(None) == "unowned" and short_name("Cher") == "Cher"
    assert money(12500, "EUR") == "€12,500" and money(12500, "CHF") == "CHF 12,500"
    assert money(12500, "USD", compact=True) == "$12.5k" and money(1_250_000, "GBP", compact=True) == "£1.2M"
    assert money(250_000, "EUR", compact=True) == "€250k"
    assert totals([("EUR", 10.0), ("USD", 30.0), ("EUR", 5.0), ("GBP", 0.0)]) == (("USD", 30.0), ("EUR", 15.0))
    assert money_list(()) == "—"
