"""`revdesk sequences check|apply|list|tick|pause|resume|remove` and `revdesk enroll`, run in-process.

The commands read the clock through db.workbench.system_clock, fixed here at NOW: Monday 23 Nov 2026 13:00 UTC
= 14:00 in Berlin (contact 1) = 08:00 in New York (contact 3) = 13:00 in London (tom).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from revdesk.db.common.connection import Store
from revdesk.fixtures import FIXTURES_DIR
from tests.db.helpers import bench
from tests.factories import NOW
from tests.tui.cli.cli_helpers import query, run

SEQUENCES = FIXTURES_DIR / "sequences"
FILES = [str(SEQUENCES / name) for name in ("cold-outbound.toml", "inbound-follow-up.toml",
                                            "dormant-reengagement.toml")]

BAD_WINDOW = """\
# line 1
key = "bad"
name = "Bad"

[[steps]]
channel = "call"
note = "Call them"

[[steps]]
window = "0 25 * * mon-fri"
channel = "call"
note = "Again"
"""  # the window is on line 10 and belongs to steps[1]

UNKNOWN_KEY = """\
key = "bad"
name = "Bad"

[[steps]]
channel = "call"
note = "Call them"
colour = "blue"
"""  # the unknown key is on line 7, in steps[0]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("revdesk.db.workbench.system_clock", lambda: NOW)


@pytest.fixture
def loaded(capsys, db) -> Path:
    code, _, err = run(capsys, "--db", str(db), "sequences", "apply", *FILES)
    assert code == 0, err
    return db


def cli(capsys, db: Path, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "--db", str(db), "--as", "maya", *argv)


def flat(text: str) -> str:
    """Rich wraps long lines: compare with single spaces."""
    return " ".join(text.split())


def enrollments(db: Path) -> list[tuple]:
    return query(db, "SELECT e.contact_id, s.key, e.user_id, e.enrolled_by, e.status, e.next_due_at FROM enrollments e"
                     " JOIN sequences s ON s.id = e.sequence_id ORDER BY e.id")


# -- check and apply ------------------------------------------------------------------------------------------


def test_check_accepts_the_default_files(capsys):
    code, out, err = run(capsys, "sequences", "check", *FILES)
    assert (code, err) == (0, "")
    text = flat(out)
    assert "'Cold outbound' (cold_outbound) is valid: 8 steps" in text
    assert "'Inbound follow-up' (inbound_follow_up) is valid: 7 steps" in text
    assert "'Dormant re-engagement' (dormant_reengagement) is valid: 6 steps" in text


@pytest.mark.parametrize(("source", "where"), [
    (BAD_WINDOW, ":10: steps[1].window: '0 25 * * mon-fri' is not a valid cron expression"),
    (UNKNOWN_KEY, ":7: steps[0].colour: is not a known key"),
])
def test_check_refuses_a_broken_file_naming_the_key_and_its_line(capsys, tmp_path, source, where):
    path = tmp_path / "bad.toml"
    path.write_text(source, encoding="utf-8")
    code, out, err = run(capsys, "sequences", "check", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"revdesk: error: {path}{where}")


def test_check_names_every_problem_of_a_file(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD_WINDOW.replace('note = "Call them"', 'note = "Call them"\ncolour = "blue"'),
                    encoding="utf-8")
    code, _, err = run(capsys, "sequences", "check", str(path))
    assert code == 2
    assert f"{path}:8: steps[0].colour:" in err and f"{path}:11: steps[1].window:" in err  # one line lower


def test_apply_loads_nothing_when_one_file_is_broken(capsys, tmp_path, db):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_WINDOW, encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "sequences", "apply", FILES[0], str(bad), FILES[1])
    assert code == 2
    assert f"{bad}:10: steps[1].window:" in err
    assert "Applied" not in out
    assert query(db, "SELECT COUNT(*) FROM sequences") == [(0,)]

    code, out, err = run(capsys, "--db", str(db), "sequences", "apply", *FILES)
    assert code == 0, err
    assert query(db, "SELECT key FROM sequences ORDER BY id") == [
        ("cold_outbound",), ("inbound_follow_up",), ("dormant_reengagement",)]
    assert flat(out).count("Applied '") == 3


def test_apply_again_replaces_by_key(capsys, loaded):
    code, _, err = run(capsys, "--db", str(loaded), "sequences", "apply", FILES[0])
    assert code == 0, err
    assert query(loaded, "SELECT COUNT(*) FROM sequences") == [(3,)]


# -- enroll ---------------------------------------------------------------------------------------------------


def test_enroll_several_contacts_as_json(capsys, loaded):
    code, out, err = run(capsys, "--db", str(loaded), "enroll", "--sequence", "cold_outbound", "--contact", "1",
                         "--contact", "3", "--as", "maya", "--json")
    assert code == 0, err
    assert json.loads(out) == {"enrollments": [1, 2], "refused": {}}
    # Step 1 is at 08:00 Tue-Thu their time: Tuesday 07:00 UTC in Berlin, 13:00 UTC in New York.
    assert enrollments(loaded) == [(1, "cold_outbound", 1, 1, "active", "2026-11-24T07:00:00Z"),
                                   (3, "cold_outbound", 1, 1, "active", "2026-11-24T13:00:00Z")]


def test_enroll_reports_who_was_refused_and_why(capsys, loaded):
    _set(loaded, "UPDATE contacts SET do_not_contact = 1 WHERE id = 2")
    code, out, err = cli(capsys, loaded, "enroll", "--sequence", "cold_outbound", "--contact", "2", "--contact", "5",
                         "--json")
    assert code == 0, err
    assert json.loads(out) == {"enrollments": [1], "refused": {"2": "is marked do-not-contact: never scheduled"}}
    code, out, _ = cli(capsys, loaded, "enroll", "--sequence", "cold_outbound", "--contact", "5", "--contact", "1")
    assert code == 0
    assert "Enrolled 1 of 2 in cold_outbound (steps land in Maya Koch's queue)" in flat(out)
    assert "contact 5: is already in 'Cold outbound'" in flat(out)


def test_enrolling_a_do_not_contact_contact_alone_exits_2_naming_contact(capsys, loaded):
    _set(loaded, "UPDATE contacts SET do_not_contact = 1 WHERE id = 2")
    code, out, err = cli(capsys, loaded, "enroll", "--sequence", "cold_outbound", "--contact", "2")
    assert (code, out) == (2, "")
    assert err == "revdesk: error: --contact: 2 is marked do-not-contact: never scheduled\n"
    assert enrollments(loaded) == []


def test_enroll_in_an_unknown_sequence_exits_2(capsys, loaded):
    code, _, err = cli(capsys, loaded, "enroll", "--sequence", "nope", "--contact", "1")
    assert code == 2
    assert "nope" in err and "cold_outbound" in err  # names the known ones


def test_enroll_for_tom_puts_the_steps_in_toms_queue(capsys, loaded):
    code, out, err = cli(capsys, loaded, "enroll", "--sequence", "inbound_follow_up", "--contact", "1", "--for", "tom")
    assert code == 0, err
    assert "Enrolled 1 of 1 in inbound_follow_up (steps land in Tom Reyes's queue)" in flat(out)
    # The first call is due at once: Monday 14:00 in Berlin is inside */5 8-18 Mon-Fri.
    assert enrollments(loaded) == [(1, "inbound_follow_up", 2, 1, "active", "2026-11-23T13:00:00Z")]
    code, out, err = cli(capsys, loaded, "sequences", "tick", "--json")
    assert json.loads(out)["steps_due"] == 0  # enrolling already put the due step in tom's queue
    assert query(loaded, "SELECT user_id, kind, contact_id FROM tasks WHERE enrollment_id IS NOT NULL") == [
        (2, "step", 1)]
    store = Store(loaded)
    try:
        [item] = [i for i in bench(store, "tom").queue() if i.contact_id == 1]
        assert (item.kind, item.step_channel) == ("step", "call")
        # Tom is in London (13:00), Jonas in Berlin (14:00).
        assert item.reason == "Step 1 of 'Inbound follow-up': call, due 13:00 (14:00 their time)"
        assert [i for i in bench(store, "maya").queue() if i.kind == "step"] == []
    finally:
        store.close()


def test_enroll_for_an_unknown_user_exits_2(capsys, loaded):
    code, _, err = cli(capsys, loaded, "enroll", "--sequence", "cold_outbound", "--contact", "1", "--for", "zed")
    assert code == 2
    assert err.startswith("revdesk: error: --for: no user 'zed'")
    assert enrollments(loaded) == []


# -- list and tick --------------------------------------------------------------------------------------------


def test_list_json_has_each_sequences_figures(capsys, loaded):
    cli(capsys, loaded, "enroll", "--sequence", "cold_outbound", "--contact", "1", "--contact", "3")
    cli(capsys, loaded, "log", "--contact", "3", "--type", "email", "--outcome", "replied")
    code, out, err = cli(capsys, loaded, "sequences", "list", "--json")
    assert code == 0, err
    figures = {f["key"]: f for f in json.loads(out)}
    assert set(figures) == {"cold_outbound", "inbound_follow_up", "dormant_reengagement"}
    for f in figures.values():
        assert {"key", "name", "enrolled", "active", "finished", "exited", "replied_pct", "meetings_pct", "bounced",
                "steps"} <= set(f)
    cold = figures["cold_outbound"]
    assert (cold["name"], cold["enrolled"], cold["active"], cold["finished"], cold["exited"]) == (
        "Cold outbound", 2, 1, 0, {"reply": 1})
    assert (cold["replied_pct"], cold["meetings_pct"], cold["bounced"]) == (50.0, 0.0, 0)  # 1 reply of 2
    assert len(cold["steps"]) == 8
    assert cold["steps"][0] == {"step": 1, "channel": "email", "reached": 2, "done": 0, "skipped": 0,
                                "exits": {"reply": 1}}
    assert figures["inbound_follow_up"]["replied_pct"] is None  # nobody enrolled


def test_list_prints_a_table(capsys, monkeypatch, loaded):
    monkeypatch.setenv("COLUMNS", "200")  # wide enough for rich not to cut the names short
    code, out, _ = cli(capsys, loaded, "sequences", "list")
    assert code == 0
    assert "3 sequences" in out
    assert re.search(r"Cold outbound +│ cold_outbound ", out)
    assert re.search(r"Inbound follow-up +│ inbound_follow_up ", out)


def test_tick_twice_reports_nothing_due_the_second_time(capsys, loaded):
    cli(capsys, loaded, "enroll", "--sequence", "cold_outbound", "--contact", "1", "--contact", "3")
    code, out, err = cli(capsys, loaded, "sequences", "tick", "--json")
    assert code == 0, err
    # Both are due within a day (Tuesday 07:00 and 13:00 UTC): enrolling gave them their tasks already.
    assert json.loads(out) == {"exited_do_not_contact": 0, "steps_due": 0}
    code, out, _ = cli(capsys, loaded, "sequences", "tick", "--json")
    assert json.loads(out) == {"exited_do_not_contact": 0, "steps_due": 0}
    assert query(loaded, "SELECT COUNT(*) FROM tasks WHERE enrollment_id IS NOT NULL") == [(2,)]
    code, out, _ = cli(capsys, loaded, "sequences", "tick")
    assert "0 steps came due; 0 enrollments of do-not-contact contacts ended" in flat(out)


def test_tick_ends_a_do_not_contact_contacts_enrollment(capsys, loaded):
    cli(capsys, loaded, "enroll", "--sequence", "cold_outbound", "--contact", "1")
    _set(loaded, "UPDATE contacts SET do_not_contact = 1 WHERE id = 1")
    code, out, _ = cli(capsys, loaded, "sequences", "tick", "--json")
    assert json.loads(out) == {"exited_do_not_contact": 1, "steps_due": 0}
    assert query(loaded, "SELECT status, exit_reason FROM enrollments") == [("exited", "do_not_contact")]


# -- pause, resume, remove ------------------------------------------------------------------------------------


def test_pause_resume_and_remove_by_contact(capsys, loaded):
    cli(capsys, loaded, "enroll", "--sequence", "inbound_follow_up", "--contact", "1")
    cli(capsys, loaded, "sequences", "tick")

    def state() -> list[tuple]:
        return query(loaded, "SELECT e.status, t.status FROM enrollments e JOIN tasks t ON t.enrollment_id = e.id")

    code, out, err = cli(capsys, loaded, "sequences", "pause", "--contact", "1")
    assert (code, flat(out)) == (0, "Enrollment 1 of contact 1: paused"), err
    assert state() == [("paused", "cancelled")]
    code, out, _ = cli(capsys, loaded, "sequences", "resume", "--contact", "1", "--sequence", "inbound_follow_up")
    assert (code, flat(out)) == (0, "Enrollment 1 of contact 1: resumed")
    assert state() == [("active", "open")]
    code, out, _ = cli(capsys, loaded, "sequences", "remove", "--contact", "1")
    assert (code, flat(out)) == (0, "Enrollment 1 of contact 1: removed")
    assert state() == [("removed", "cancelled")]
    code, _, err = cli(capsys, loaded, "sequences", "pause", "--contact", "1")
    assert (code, err) == (2, "revdesk: error: --contact: 1 is in no sequence\n")


def test_pause_names_the_sequence_it_could_not_find(capsys, loaded):
    cli(capsys, loaded, "enroll", "--sequence", "inbound_follow_up", "--contact", "1")
    code, _, err = cli(capsys, loaded, "sequences", "pause", "--contact", "1", "--sequence", "cold_outbound")
    assert (code, err) == (2, "revdesk: error: --contact: 1 is in no sequence 'cold_outbound'\n")
    code, _, err = cli(capsys, loaded, "sequences", "resume", "--contact", "1")
    assert code == 2 and "is active; it cannot be resumed" in err


def _set(db: Path, sql: str) -> None:
    store = Store(db)
    try:
        store.conn.execute(sql)
    finally:
        store.close()
