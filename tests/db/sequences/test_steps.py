"""db/sequences/steps.py (and skip_step): working a due step. An e-mail step renders its message or is blocked by a
merge
field without a value; sending logs the e-mail and moves the sequence on; LinkedIn and task steps are marked
done; call steps are done by logging the call; nobody works someone else's step.

Times: NOW is Monday 23 Nov 2026 13:00 UTC = 14:00 in Berlin (CET, UTC+1), where contact 1 Jonas Weber of
Nordwind Logistik GmbH lives (DE; no public holiday on 23-25 Nov 2026).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from revdesk.core.common.errors import InvalidInput
from revdesk.db.sequences.definitions import apply_sequence
from revdesk.db.sequences.enrollments import tick
from revdesk.fixtures import FIXTURES_DIR
from revdesk.sequences.templates import MissingMergeFields
from tests.db.helpers import STAMP, bench, row, rows
from tests.factories import NOW

SEQUENCES = FIXTURES_DIR / "sequences"
TUESDAY_0805_BERLIN = datetime(2026, 11, 24, 7, 5, tzinfo=UTC)
WED_0900_BERLIN = "2026-11-25T08:00:00Z"

# No waits or windows: each step is due the moment the one before it is done (on a business day).
TOUCHES = """\
key = "touches"
name = "Touches"

[[steps]]
channel = "linkedin"
note = "Connect, no pitch"

[[steps]]
channel = "task"
note = "Research the account"

[[steps]]
channel = "call"
note = "Call them"
"""


@pytest.fixture
def conn(store):
    for path in sorted(SEQUENCES.glob("*.toml")):
        apply_sequence(store.conn, path.read_text(encoding="utf-8"), path.name, NOW - timedelta(days=1))
    apply_sequence(store.conn, TOUCHES, "touches.toml", NOW - timedelta(days=1))
    return store.conn


def enrolled(store, key: str, contact_id: int, handle: str = "maya", owner: str | None = None) -> int:
    """Enroll at NOW, tick, and return the contact's step task."""
    work = bench(store, handle)
    owner_user = bench(store, owner).user if owner else None
    work.enroll(key, [contact_id], owner_user)
    tick(store.conn, NOW)
    return open_step(store.conn, contact_id)


def open_step(conn, contact_id: int) -> int:
    found = rows(conn, "SELECT id FROM tasks WHERE contact_id = ? AND enrollment_id IS NOT NULL AND status = 'open'",
                 contact_id)
    assert len(found) == 1, found
    return found[0]["id"]


def enrollment(conn, contact_id: int) -> dict:
    return row(conn, "SELECT status, step_index, next_due_at FROM enrollments WHERE contact_id = ?", contact_id)


def runs(conn, contact_id: int) -> list[tuple]:
    return [(r["step_index"], r["channel"], r["outcome"], r["activity_id"]) for r in rows(
        conn, "SELECT r.* FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id WHERE e.contact_id = ?"
              " ORDER BY r.id", contact_id)]


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("activities", "step_runs", "changes", "enrollments")}


# -- e-mail steps ---------------------------------------------------------------------------------------------


def test_the_email_draft_is_merged_with_the_contacts_and_senders_names(store, conn):
    task_id = enrolled(store, "cold_outbound", 1)
    draft = bench(store, "maya").email_draft(task_id)
    assert (draft.task_id, draft.contact_id, draft.to, draft.to_name, draft.sender_name) == (
        task_id, 1, "jonas.weber@nordwind.de", "Jonas Weber", "Maya Koch")
    assert draft.subject == "A question about Nordwind Logistik GmbH"
    assert draft.body.startswith("Hi Jonas,\n\nI work with teams like Nordwind Logistik GmbH on how")
    assert draft.body.endswith("I will leave you be.\n\nMaya\n")  # {sender_first_name}
    assert "{" not in draft.subject + draft.body and "}" not in draft.subject + draft.body


def test_the_same_step_drafted_by_its_owner_for_a_us_contact(store, conn):
    task_id = enrolled(store, "cold_outbound", 3, owner="ines")
    draft = bench(store, "ines").email_draft(task_id)
    assert (draft.to, draft.subject, draft.sender_name) == (
        "dana.brooks@harborhealth.com", "A question about Harbor Health", "Inês Duarte")
    assert draft.body.startswith("Hi Dana,") and draft.body.endswith("\n\nInês\n")


def test_a_blank_first_name_blocks_the_email_naming_the_field(store, conn):
    task_id = enrolled(store, "cold_outbound", 1)
    conn.execute("UPDATE contacts SET first_name = '  ' WHERE id = 1")
    maya = bench(store, "maya")
    with pytest.raises(MissingMergeFields) as caught:
        maya.email_draft(task_id)
    assert caught.value.missing == ["first_name"]
    assert caught.value.field == "template" and "no value for first_name" in caught.value.reason
    before = counts(conn)
    with pytest.raises(MissingMergeFields):
        maya.send_email_step(task_id)
    assert counts(conn) == before  # nothing half-filled went out, and nothing was logged
    assert row(conn, "SELECT status FROM tasks WHERE id = ?", task_id)["status"] == "open"


def test_a_contact_without_an_email_address_is_refused_naming_email(store, conn):
    task_id = enrolled(store, "cold_outbound", 1)
    conn.execute("UPDATE contacts SET email = NULL WHERE id = 1")
    with pytest.raises(InvalidInput) as caught:
        bench(store, "maya").email_draft(task_id)
    assert caught.value.field == "email"
    assert caught.value.reason == "Jonas Weber has no e-mail address: add one or skip the step"


def test_only_an_email_step_has_a_draft(store, conn):
    task_id = enrolled(store, "touches", 1)
    with pytest.raises(InvalidInput, match="step 1 of 'Touches' is a linkedin step"):
        bench(store, "maya").email_draft(task_id)


def test_sending_an_email_step_logs_it_and_moves_the_enrollment_on(store, conn):
    task_id = enrolled(store, "cold_outbound", 1)
    tuesday = bench(store, "maya", TUESDAY_0805_BERLIN)  # the step came due at 08:00; sent at 08:05 Berlin
    logged = tuesday.send_email_step(task_id)
    activity = row(conn, "SELECT kind, outcome, contact_id, user_id, occurred_at, note, sequence_step FROM activities"
                         " WHERE id = ?", logged.activity_id)
    assert activity == {"kind": "email", "outcome": "sent", "contact_id": 1, "user_id": 1,
                        "occurred_at": "2026-11-24T07:05:00Z", "note": "A question about Nordwind Logistik GmbH",
                        "sequence_step": "cold_outbound:1"}
    assert row(conn, "SELECT status FROM tasks WHERE id = ?", task_id)["status"] == "done"
    assert runs(conn, 1) == [(0, "email", "done", logged.activity_id)]
    # Step 2 (call) waits 1 business day: Wed 25 Nov 08:05 Berlin; its window opens at 09:00 (9-11 Mon-Fri),
    # so 09:00 CET = 08:00 UTC.
    assert enrollment(conn, 1) == {"status": "active", "step_index": 1, "next_due_at": WED_0900_BERLIN}
    assert logged.follow_up_task_id is None


# -- LinkedIn, task and call steps ----------------------------------------------------------------------------


def test_completing_a_linkedin_step_logs_a_linkedin_message(store, conn):
    task_id = enrolled(store, "touches", 1)
    logged = bench(store, "maya").complete_step(task_id)
    activity = row(conn, "SELECT kind, outcome, note, sequence_step FROM activities WHERE id = ?",
                   logged.activity_id)
    assert activity == {"kind": "linkedin", "outcome": "message", "note": "Connect, no pitch",
                        "sequence_step": "touches:1"}
    assert row(conn, "SELECT status, closed_at FROM tasks WHERE id = ?", task_id) == {"status": "done",
                                                                                      "closed_at": STAMP}
    assert runs(conn, 1) == [(0, "linkedin", "done", logged.activity_id)]
    assert enrollment(conn, 1) == {"status": "active", "step_index": 1, "next_due_at": STAMP}  # no wait, Monday


def test_completing_a_task_step_records_it_without_an_activity(store, conn):
    maya = bench(store, "maya")
    maya.complete_step(enrolled(store, "touches", 1))
    tick(conn, NOW)
    task_id = open_step(conn, 1)
    before = counts(conn)["activities"]
    change_id = maya.complete_step(task_id)
    assert isinstance(change_id, int)
    assert row(conn, "SELECT command, entity, entity_id FROM changes WHERE id = ?", change_id) == {
        "command": "complete_step", "entity": "task", "entity_id": task_id}
    assert counts(conn)["activities"] == before
    assert runs(conn, 1)[1:] == [(1, "task", "done", None)]
    assert enrollment(conn, 1)["step_index"] == 2


def test_a_call_step_is_not_completed_but_logged_as_a_call(store, conn):
    task_id = enrolled(store, "inbound_follow_up", 3)
    before = counts(conn)
    with pytest.raises(InvalidInput, match="a call step is done by logging the call"):
        bench(store, "maya").complete_step(task_id)
    assert counts(conn) == before
    assert row(conn, "SELECT status FROM tasks WHERE id = ?", task_id)["status"] == "open"


def test_a_step_is_completed_once(store, conn):
    maya = bench(store, "maya")
    task_id = enrolled(store, "touches", 1)
    maya.complete_step(task_id)
    with pytest.raises(InvalidInput, match=f"{task_id} is not a due sequence step of yours"):
        maya.complete_step(task_id)
    with pytest.raises(InvalidInput, match=f"{task_id} is not an open sequence step of yours"):
        maya.skip_step(task_id)


# -- skipping -------------------------------------------------------------------------------------------------


def test_skipping_a_step_records_it_as_skipped_and_schedules_the_next(store, conn):
    task_id = enrolled(store, "cold_outbound", 1)
    maya = bench(store, "maya")
    before = counts(conn)["activities"]
    change_id = maya.skip_step(task_id)
    assert row(conn, "SELECT status, closed_at FROM tasks WHERE id = ?", task_id) == {"status": "skipped",
                                                                                      "closed_at": STAMP}
    assert runs(conn, 1) == [(0, "email", "skipped", None)]
    assert counts(conn)["activities"] == before
    # Skipped Mon 14:00 Berlin; step 2 waits 1 business day (Tue 14:00), past Tuesday's 9-11 window,
    # so Wednesday 09:00 CET = 08:00 UTC.
    assert enrollment(conn, 1) == {"status": "active", "step_index": 1, "next_due_at": WED_0900_BERLIN}
    assert row(conn, "SELECT command, entity FROM changes WHERE id = ?", change_id) == {
        "command": "skip_step", "entity": "enrollment"}


def test_a_task_that_is_not_a_step_cannot_be_skipped(store, conn):
    with pytest.raises(InvalidInput, match="1 is not an open sequence step of yours"):
        bench(store, "maya").skip_step(1)  # the factory's follow-up for contact 1


# -- whose step -----------------------------------------------------------------------------------------------


def test_someone_elses_step_task_is_refused(store, conn):
    task_id = enrolled(store, "cold_outbound", 1, owner="ines")  # maya enrolls, the steps are ines's
    assert row(conn, "SELECT user_id FROM tasks WHERE id = ?", task_id)["user_id"] == 3
    maya = bench(store, "maya")
    before = counts(conn)
    for work in (maya.email_draft, maya.send_email_step, maya.complete_step):
        with pytest.raises(InvalidInput, match=f"{task_id} is not a due sequence step of yours"):
            work(task_id)
    with pytest.raises(InvalidInput, match=f"{task_id} is not an open sequence step of yours"):
        maya.skip_step(task_id)
    assert counts(conn) == before
    assert row(conn, "SELECT status FROM tasks WHERE id = ?", task_id)["status"] == "open"
    assert bench(store, "ines").email_draft(task_id).sender_name == "Inês Duarte"
