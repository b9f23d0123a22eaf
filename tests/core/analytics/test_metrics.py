"""core/metrics, core/targets and core/transitions: one definition each, checked on small hand-made inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from revdesk.core.analytics.metrics import ActivityCount, activity_metrics, period_bounds, working_days
from revdesk.core.analytics.targets import target_for, team_target
from revdesk.core.calls.transitions import move_for_outcome
from revdesk.core.common.models import User
from revdesk.core.playbook.check import parse_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK

SOURCE = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
PLAYBOOK = parse_playbook(SOURCE, "playbook.toml")
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)

MAYA = User(id=1, handle="maya", name="Maya Koch", role="sdr", team="North", timezone="Europe/Berlin")
INES = User(id=3, handle="ines", name="Inês Duarte", role="sdr", team="North", timezone="Europe/Lisbon")
TOM = User(id=2, handle="tom", name="Tom Reyes", role="ae", team="North", timezone="Europe/London")
CARA = User(id=4, handle="cara", name="Cara Lind", role="cs", team="North", timezone="UTC")


def with_targets(extra: str):
    return parse_playbook(SOURCE + "\n" + extra, "playbook.toml")


# --- activity metrics -------------------------------------------------------------------------------------


def test_calls_count_every_call_connects_only_conversations_meetings_only_meeting_outcomes():
    counts = [
        ActivityCount("call", "connected", 3),
        ActivityCount("call", "voicemail", 5),
        ActivityCount("call", "no_answer", 7),
        ActivityCount("call", "bad_number", 1),
        ActivityCount("call", "meeting_booked", 2),
        ActivityCount("call", "not_interested", 1),
        ActivityCount("call", "call_back_later", 1),
        ActivityCount("email", None, 9),
        ActivityCount("email", "replied", 2),  # their reply, not an e-mail of ours
        ActivityCount("email", "bounced", 1),
        ActivityCount("note", None, 4),
        ActivityCount("meeting", "meeting_booked", 1),
    ]
    # calls 3+5+7+1+2+1+1 = 20; connects: connected 3 + meeting_booked 2 + not_interested 1 + call back 1 = 7
    assert activity_metrics(counts, PLAYBOOK) == {"calls": 20, "connects": 7, "emails": 9, "meetings_booked": 3}


def test_deals_won_and_revenue_won_are_the_owner_s():
    from revdesk.core.analytics.metrics import DealCount, deal_metrics

    assert deal_metrics(DealCount(2, 12_345.678)) == {"deals_won": 2, "revenue_won": 12_345.68}
    assert deal_metrics(DealCount()) == {"deals_won": 0, "revenue_won": 0}


def test_no_activity_is_all_zeros():
    assert activity_metrics([], PLAYBOOK) == {"calls": 0, "connects": 0, "emails": 0, "meetings_booked": 0}


def test_a_conversation_outcome_on_an_email_is_not_a_connect():
    assert activity_metrics([ActivityCount("email", "connected", 2)], PLAYBOOK)["connects"] == 0


# --- period bounds -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "day", "first", "after"),
    [
        ("day", date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 24)),
        ("day", date(2026, 12, 31), date(2026, 12, 31), date(2027, 1, 1)),
        ("week", date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 30)),   # a Monday starts its week
        ("week", date(2026, 11, 29), date(2026, 11, 23), date(2026, 11, 30)),   # Sunday belongs to it too
        ("week", date(2026, 12, 31), date(2026, 12, 28), date(2027, 1, 4)),     # across the year end
        ("month", date(2026, 11, 23), date(2026, 11, 1), date(2026, 12, 1)),
        ("month", date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
        ("month", date(2028, 2, 29), date(2028, 2, 1), date(2028, 3, 1)),
        ("month", date(2026, 1, 31), date(2026, 1, 1), date(2026, 2, 1)),
        ("quarter", date(2026, 2, 14), date(2026, 1, 1), date(2026, 4, 1)),
        ("quarter", date(2026, 5, 31), date(2026, 4, 1), date(2026, 7, 1)),
        ("quarter", date(2026, 9, 30), date(2026, 7, 1), date(2026, 10, 1)),
        ("quarter", date(2026, 11, 23), date(2026, 10, 1), date(2027, 1, 1)),
        ("quarter", date(2026, 12, 31), date(2026, 10, 1), date(2027, 1, 1)),
    ],
)
def test_period_bounds(period, day, first, after):
    start, end = period_bounds(period, day, ZoneInfo("UTC"))
    assert start == datetime(first.year, first.month, first.day, tzinfo=UTC)
    assert end == datetime(after.year, after.month, after.day, tzinfo=UTC)
    assert start.date() <= day < end.date()


def test_period_bounds_are_local_midnights_in_a_non_utc_zone():
    start, end = period_bounds("day", MONDAY, BERLIN)
    assert start.astimezone(UTC) == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    start, end = period_bounds("month", date(2026, 12, 15), ZoneInfo("America/New_York"))
    assert start.astimezone(UTC) == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2027, 1, 1, 5, 0, tzinfo=UTC)


def test_a_week_across_the_dst_change_is_seven_local_days():
    start, end = period_bounds("week", date(2026, 10, 25), BERLIN)
    assert start.astimezone(UTC) == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)  # Monday 19 Oct, CEST
    assert end.astimezone(UTC) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)    # Monday 26 Oct, CET
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=7, hours=1)


def test_working_days():
    assert working_days(date(2026, 11, 23), date(2026, 11, 30)) == 5
    assert working_days(date(2026, 11, 28), date(2026, 11, 30)) == 0
    assert working_days(date(2026, 11, 1), date(2026, 12, 1)) == 21
    assert working_days(date(2026, 11, 23), date(2026, 11, 23)) == 0


# --- targets -------------------------------------------------------------------------------------------------


def test_role_target():
    assert target_for(PLAYBOOK, MAYA, "calls", "day", MONDAY) == 60
    assert target_for(PLAYBOOK, TOM, "calls", "day", MONDAY) == 20
    assert target_for(PLAYBOOK, MAYA, "meetings_booked", "month", MONDAY) == 40


def test_a_week_target_is_the_day_target_times_five_working_days():
    assert target_for(PLAYBOOK, MAYA, "calls", "week", MONDAY) == 300
    assert target_for(PLAYBOOK, MAYA, "connects", "week", date(2026, 11, 29)) == 60  # asked on a Sunday


def test_a_month_target_is_derived_by_working_days_in_that_month():
    assert target_for(PLAYBOOK, MAYA, "calls", "month", MONDAY) == 60 * 21


def test_a_day_target_is_derived_from_a_week_target_in_whole_meetings():
    assert target_for(PLAYBOOK, TOM, "meetings_booked", "day", MONDAY) == 1  # 6 a week / 5 days, rounded


def test_day_targets_do_not_apply_at_the_weekend():
    assert target_for(PLAYBOOK, MAYA, "calls", "day", date(2026, 11, 28)) is None


def test_a_users_own_target_overrides_the_role():
    playbook = with_targets('[[targets]]\nuser = "maya"\nmetric = "calls"\nperiod = "day"\nvalue = 80\n')
    assert target_for(playbook, MAYA, "calls", "day", MONDAY) == 80
    assert target_for(playbook, MAYA, "calls", "week", MONDAY) == 400
    assert target_for(playbook, INES, "calls", "day", MONDAY) == 60  # the role target still holds for others
    assert target_for(playbook, MAYA, "connects", "day", MONDAY) == 12  # other metrics fall back to the role


def test_no_target_is_none():
    assert target_for(PLAYBOOK, MAYA, "dormant_revived", "day", MONDAY) is None
    assert target_for(PLAYBOOK, CARA, "calls", "day", MONDAY) is None
    assert team_target(PLAYBOOK, [CARA], "calls", "day", MONDAY) is None


def test_team_target_sums_its_members():
    assert team_target(PLAYBOOK, [MAYA, INES, TOM], "calls", "day", MONDAY) == 140
    assert team_target(PLAYBOOK, [MAYA, CARA], "calls", "day", MONDAY) == 60
    assert team_target(PLAYBOOK, [], "calls", "day", MONDAY) is None


# --- transitions -------------------------------------------------------------------------------------------


def move(status: str, lifecycle: str, outcome: str, role: str = "sdr"):
    result = move_for_outcome(status, lifecycle, PLAYBOOK.outcome(outcome), role)
    return result.lead_status, result.lifecycle_stage


def test_no_answer_moves_new_to_attempting():
    assert move("new", "sal", "no_answer") == ("attempting", "sal")


def test_connected_moves_to_connected():
    assert move("new", "sal", "connected") == ("connected", "sal")
    assert move("attempting", "sal", "connected") == ("connected", "sal")


@pytest.mark.parametrize("outcome", ["no_answer", "voicemail", "bad_number"])
def test_never_back_from_connected_to_attempting(outcome):
    assert move("connected", "sal", outcome) == ("connected", "sal")


def test_not_interested_disqualifies_and_nurtures():
    assert move("connected", "sal", "not_interested") == ("disqualified", "nurture")
    assert move("new", "mql", "not_interested") == ("disqualified", "nurture")


def test_not_interested_leaves_a_customer_a_customer():
    assert move("connected", "customer", "not_interested")[1] == "customer"
    assert move("connected", "opportunity", "not_interested")[1] == "opportunity"


def test_a_qualified_contact_stays_qualified_on_a_missed_call():
    assert move("qualified", "sql", "no_answer") == ("qualified", "sql")


@pytest.mark.parametrize("lifecycle", ["lead", "mql"])
def test_an_sdrs_first_touch_makes_a_lead_or_mql_sales_accepted(lifecycle):
    assert move("new", lifecycle, "no_answer", "sdr") == ("attempting", "sal")


@pytest.mark.parametrize("lifecycle", ["lead", "mql"])
def test_an_ae_touch_does_not_set_sal(lifecycle):
    assert move("new", lifecycle, "no_answer", "ae") == ("attempting", lifecycle)
    assert move("new", lifecycle, "connected", "ae") == ("connected", lifecycle)


def test_an_sdr_touch_leaves_later_lifecycles_alone():
    assert move("attempting", "sql", "connected") == ("connected", "sql")


def test_a_disqualified_lead_who_books_a_meeting_comes_back():
    from revdesk.core.calls.transitions import move_for_outcome
    from revdesk.core.playbook.check import parse_playbook
    from revdesk.fixtures import DEFAULT_PLAYBOOK

    playbook = parse_playbook(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"))
    move = move_for_outcome("disqualified", "nurture", playbook.outcome("meeting_booked"), "sdr")
    assert (move.lead_status, move.lifecycle_stage) == ("connected", "sal")
    stays = move_for_outcome("disqualified", "nurture", playbook.outcome("no_answer"), "sdr")
    assert (stays.lead_status, stays.lifecycle_stage) == ("disqualified", "nurture")
    qualified = move_for_outcome("qualified", "sql", playbook.outcome("not_interested"), "sdr")
    assert (qualified.lead_status, qualified.lifecycle_stage) == ("qualified", "sql")
