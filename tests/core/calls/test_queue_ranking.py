"""core/queue.rank_queue on hand-made candidates: the order an SDR works in, and reasons in plain words."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from revdesk.core.calls.queue import (
    CALL_BACK_DUE,
    DUE_LATER_TODAY,
    FOLLOW_UP_OVERDUE,
    INBOUND_PAST_SLA,
    INBOUND_STALE,
    INBOUND_WITHIN_SLA,
    rank_queue,
)
from revdesk.core.common.models import QueueCandidate
from revdesk.core.playbook.model import Sla

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 14:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")
SLA = Sla(first_touch_minutes=15)


def inbound(contact_id: int, age: timedelta, source: str | None = "Website demo request",
            tz: str = "Europe/Berlin") -> QueueCandidate:
    created = NOW - age
    return QueueCandidate(
        source="inbound", task_id=None, task_kind=None, task_note=None,
        due_at=created + timedelta(minutes=SLA.first_touch_minutes), created_at=created, contact_id=contact_id,
        contact_name=f"Contact {contact_id}", contact_title=None, contact_timezone=tz, lead_source=source,
        score=0, account_id=100 + contact_id, account_name=f"Account {contact_id}",
    )


def task(contact_id: int, task_id: int, kind: str, due: timedelta, note: str | None = None,
         tz: str | None = "Europe/Berlin") -> QueueCandidate:
    return QueueCandidate(
        source="task", task_id=task_id, task_kind=kind, task_note=note, due_at=NOW + due,
        created_at=NOW - timedelta(days=3), contact_id=contact_id, contact_name=f"Contact {contact_id}",
        contact_title="Head of Ops", contact_timezone=tz, lead_source=None, score=10, account_id=None,
        account_name=None,
    )


def rank(candidates: list[QueueCandidate], now: datetime = NOW):
    return rank_queue(candidates, now, SLA, BERLIN)


def test_the_day_in_order_whatever_order_the_query_returned():
    candidates = [
        task(5, 3, "follow_up", timedelta(hours=3)),                                 # later today
        task(1, 1, "follow_up", -timedelta(days=2), "Send the ROI sheet"),           # overdue
        inbound(4, timedelta(minutes=5), "Content download"),                        # fresh inbound
        task(2, 2, "call_back", timedelta(minutes=5), "After her board meeting"),    # call-back due
        inbound(3, timedelta(minutes=40)),                                           # past SLA
    ]
    for seed in range(3):
        shuffled = candidates[:]
        random.Random(seed).shuffle(shuffled)
        items = rank(shuffled)
        assert [i.contact_id for i in items] == [3, 2, 4, 1, 5]
    assert [i.kind for i in items] == ["inbound", "call_back", "inbound", "follow_up", "follow_up"]
    assert [i.urgency for i in items] == [
        INBOUND_PAST_SLA, CALL_BACK_DUE, INBOUND_WITHIN_SLA, FOLLOW_UP_OVERDUE, DUE_LATER_TODAY]
    assert [i.task_id for i in items] == [None, 2, None, 1, 3]
    assert [i.key for i in items] == [("contact", 3), ("task", 2), ("contact", 4), ("task", 1), ("task", 3)]
    assert items[0].account_name == "Account 3" and items[0].account_id == 103
    assert items[1].contact_title == "Head of Ops"


def test_reasons_are_in_words():
    items = {i.contact_id: i for i in rank([
        inbound(3, timedelta(minutes=40)),
        task(2, 2, "call_back", timedelta(minutes=5)),
        inbound(4, timedelta(minutes=5), "Content download"),
        task(1, 1, "follow_up", -timedelta(days=2), "Send the ROI sheet"),
        task(5, 3, "follow_up", timedelta(hours=3)),
    ])}
    assert items[3].reason == "Inbound lead (Website demo request) 40 min ago: 25 min past the 15 min first-touch SLA"
    assert "past the 15 min first-touch SLA" in items[3].reason
    assert items[2].reason == "Call back promised for 14:05"
    assert items[4].reason == "Inbound lead (Content download) 5 min ago: 10 min left of the 15 min first-touch SLA"
    assert items[1].reason == "Follow-up overdue by 2 days: Send the ROI sheet"
    assert items[5].reason == "Follow-up due 17:00"


def test_due_at_is_kept_from_the_candidate():
    candidate = task(1, 1, "follow_up", -timedelta(days=2))
    (item,) = rank([candidate])
    assert item.due_at == candidate.due_at


def test_inbound_near_its_sla_ranks_with_the_breached_ones():
    # 10 minutes old: 5 of 15 minutes left, less than half the SLA.
    near = inbound(7, timedelta(minutes=10))
    call_back = task(2, 2, "call_back", timedelta(minutes=1))
    fresh = inbound(8, timedelta(minutes=2))  # 13 minutes left
    items = rank([fresh, call_back, near])
    assert [i.contact_id for i in items] == [7, 2, 8]
    assert items[0].urgency == INBOUND_PAST_SLA
    assert items[0].reason.endswith("5 min left of the 15 min first-touch SLA")
    assert items[2].urgency == INBOUND_WITHIN_SLA


def test_inbound_with_more_than_half_the_sla_left_is_not_near():
    (item,) = rank([inbound(7, timedelta(minutes=7))])  # 8 of 15 minutes left
    assert item.urgency == INBOUND_WITHIN_SLA


def test_inbound_at_or_near_the_sla_goes_newest_first():
    past = inbound(9, timedelta(minutes=20))
    near = inbound(7, timedelta(minutes=12))
    hours = inbound(6, timedelta(hours=5))
    assert [i.contact_id for i in rank([hours, past, near])] == [7, 9, 6]


def test_inbound_untouched_for_over_a_day_drops_below_call_backs_but_above_follow_ups():
    old = inbound(5, timedelta(days=3))
    older = inbound(4, timedelta(days=9))
    items = rank([older, task(1, 1, "follow_up", -timedelta(days=1)), old, task(2, 2, "call_back", timedelta(0)),
                  inbound(3, timedelta(hours=23))])
    assert [i.contact_id for i in items] == [3, 2, 5, 4, 1]
    assert [i.urgency for i in items] == [INBOUND_PAST_SLA, CALL_BACK_DUE, INBOUND_STALE, INBOUND_STALE,
                                         FOLLOW_UP_OVERDUE]
    assert items[2].reason == (
        "Inbound lead (Website demo request) 3 days ago, never touched: first-touch SLA was 15 min")


def test_inbound_reason_without_a_lead_source():
    (item,) = rank([inbound(3, timedelta(hours=2), source=None)])
    assert item.reason == "Inbound lead (inbound) 2 h ago: 1 h 45 min past the 15 min first-touch SLA"


def test_call_back_window_is_fifteen_minutes():
    soon = task(2, 2, "call_back", timedelta(minutes=15))
    later = task(6, 6, "call_back", timedelta(minutes=20))
    overdue = task(1, 1, "follow_up", -timedelta(hours=26))
    items = rank([later, overdue, soon])
    assert [i.contact_id for i in items] == [2, 1, 6]
    assert [i.urgency for i in items] == [CALL_BACK_DUE, FOLLOW_UP_OVERDUE, DUE_LATER_TODAY]
    assert items[2].reason == "Call back promised for 14:20"


def test_a_late_call_back_says_how_late_and_keeps_its_note():
    (item,) = rank([task(2, 2, "call_back", -timedelta(minutes=30), "After her board meeting")])
    assert item.urgency == CALL_BACK_DUE
    assert item.reason == "Call back promised for 13:30, 30 min late: After her board meeting"


def test_a_call_back_shows_the_contacts_own_time_when_it_differs():
    (item,) = rank([task(3, 9, "call_back", timedelta(minutes=5), tz="America/New_York")])
    assert item.reason == "Call back promised for 14:05 (08:05 their time)"


def test_follow_up_due_earlier_today_is_overdue_but_not_by_days():
    (item,) = rank([task(1, 1, "follow_up", -timedelta(hours=1))])
    assert item.urgency == FOLLOW_UP_OVERDUE
    assert item.reason == "Follow-up due 13:00, 1 h ago"


def test_follow_up_from_yesterday_evening_is_overdue_in_hours():
    (item,) = rank([task(1, 1, "follow_up", -timedelta(hours=17), "Ping")])  # Sunday 21:00 Berlin
    assert item.reason == "Follow-up overdue by 17 h: Ping"


def test_ties_break_by_due_time_then_contact():
    a = task(4, 1, "follow_up", -timedelta(days=1))
    b = task(2, 2, "follow_up", -timedelta(days=1))
    c = task(3, 3, "follow_up", -timedelta(days=3))
    assert [i.contact_id for i in rank([a, b, c])] == [3, 2, 4]


def test_an_empty_queue():
    assert rank([]) == []


def test_one_item_per_person_the_most_urgent_reason():
    items = rank([task(2, 7, "follow_up", -timedelta(days=1), "Old follow-up"), task(2, 8, "call_back", timedelta(0)),
                  inbound(2, timedelta(minutes=5))])
    assert len(items) == 1
    assert items[0].kind == "call_back" and items[0].task_id == 8


def test_the_call_back_window_and_stale_inbound_cut_off_come_from_the_playbook():
    wide = Sla(first_touch_minutes=15, call_back_window_minutes=60, stale_inbound_hours=2)
    items = rank_queue([task(1, 1, "call_back", timedelta(minutes=45)), inbound(2, timedelta(hours=3))], NOW, wide,
                       BERLIN)
    assert [(i.contact_id, i.urgency) for i in items] == [(1, CALL_BACK_DUE), (2, INBOUND_STALE)]
