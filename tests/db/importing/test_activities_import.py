"""`revdesk import FILE --kind activities`: a CRM's activity history in. Done rows become activities placed on
their contact, account and deal, counted per local day exactly as logging counts them, under the lead status the
contact had then, moving first and last touch but never backwards; planned rows become open follow-up tasks.
A re-import writes nothing twice; rows that cannot be placed are named; a file goes in whole or not at all.
Odoo's planned activities (after its leads) and a Pipedrive export through the shipped mappings."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from revdesk.core.importing.mapping import FIELDS, ImportMapping, parse_mapping
from revdesk.core.importing.rows import RowReader
from revdesk.db.common.connection import Store
from revdesk.db.common.users import user_by_handle
from revdesk.db.importing import activities as import_activities
from revdesk.db.importing.importer import ImportResult, import_file
from revdesk.db.playbook.stored import current_playbook
from tests.db.calls.test_activity_days import _direct, _stored
from tests.factories import NOW, make_store

ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT.parent / "shared" / "realdata"
MAPPINGS = ROOT / "fixtures" / "mappings"
GENERIC = ImportMapping(kind="activities", columns={f: f for f in FIELDS["activities"]}, name="Generic activities")
HEADER = "external_id,kind,outcome,occurred_at,owner,contact_email,contact,account,deal,subject,note,done\n"


def _import(store: Store, tmp_path: Path, text: str, mapping: ImportMapping = GENERIC, name: str = "activities.csv",
            now: datetime = NOW, **options) -> ImportResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    user = user_by_handle(store.conn, "maya")
    return import_file(store.conn, current_playbook(store.conn), user, path, mapping, now, **options)


def _one(store: Store, sql: str, *args) -> object:
    return store.conn.execute(sql, args).fetchone()[0]


def _reasons(result: ImportResult) -> dict[int, tuple[str, str]]:
    return {p.line: (p.column, p.reason) for p in result.rejected}


def test_a_generic_file_becomes_activities_counted_as_logging_counts_them(store, tmp_path):
    conn = store.conn
    with conn:  # Jonas was attempted from the 10th and connected on the 21st; he is "connected" now
        conn.execute("UPDATE contacts SET lead_status = 'connected' WHERE id = 1")
        conn.executemany("INSERT INTO status_history (contact_id, axis, from_value, to_value, changed_at)"
                         " VALUES (1, 'lead_status', ?, ?, ?)",
                         [("new", "attempting", "2026-11-10T09:00:00Z"),
                          ("attempting", "connected", "2026-11-21T09:00:00Z")])
    tasks, history = _one(store, "SELECT COUNT(*) FROM tasks"), _one(store, "SELECT COUNT(*) FROM status_history")
    result = _import(store, tmp_path, HEADER +
                     "a1,call,No answer,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     "a2,call,connected,2026-11-21T10:00:00Z,Maya Koch,jonas.weber@nordwind.de,,,,,Booked,\n"
                     "a3,email,sent,2026-11-19,tom,LEA.FISCHER@nordwind.de,,,,Pricing,Sent the sheet,\n"
                     "a4,meeting,held,2026-11-18 15:30,Tom Reyes,,Dana Brooks,Harbor Health,,Demo,,true\n"
                     "a5,note,,2026-11-17,ines,,,Nordwind Logistik GmbH,,,Org chart,yes\n"
                     # 23:30 UTC on Sunday the 22nd: the 22nd for Tom in London, the 23rd for Maya in Berlin
                     "a6,call,voicemail,2026-11-22T23:30:00Z,tom,karl.busch@nordwind.de,,,,,,\n"
                     "a7,call,voicemail,2026-11-22T23:30:00Z,maya,karl.busch@nordwind.de,,,,,,\n")
    assert (result.created, result.updated, result.rejected) == (7, 0, [])
    rows = conn.execute("SELECT kind, outcome, contact_id, account_id, lead_status, occurred_at, note"
                        " FROM activities ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [
        ("call", "no_answer", 1, 1, "attempting", "2026-11-20T09:00:00Z", None),  # as of then, not now
        ("call", "connected", 1, 1, "connected", "2026-11-21T10:00:00Z", "Booked"),
        ("email", "sent", 2, 1, "new", "2026-11-19T12:00:00Z", "Pricing\n\nSent the sheet"),  # a day: its middle
        ("meeting", "held", 3, 2, "new", "2026-11-18T15:30:00Z", "Demo"),
        ("note", None, None, 1, None, "2026-11-17T12:00:00Z", "Org chart"),
        ("call", "voicemail", 5, 1, "new", "2026-11-22T23:30:00Z", None),
        ("call", "voicemail", 5, 1, "new", "2026-11-22T23:30:00Z", None)]
    assert _stored(conn) == _direct(conn)  # the per-day counts equal counting the activities
    days = {(r[0], r[1]) for r in conn.execute("SELECT user_id, day FROM activity_days WHERE kind = 'call'"
                                               " AND outcome = 'voicemail'")}
    assert days == {(2, "2026-11-22"), (1, "2026-11-23")}
    # History has no side effects: no follow-ups, no status moves, the lead status as it is.
    assert _one(store, "SELECT COUNT(*) FROM tasks") == tasks
    assert _one(store, "SELECT COUNT(*) FROM status_history") == history
    assert _one(store, "SELECT lead_status FROM contacts WHERE id = 1") == "connected"
    assert _one(store, "SELECT lead_status FROM contacts WHERE id = 2") == "new"
    assert tuple(conn.execute("SELECT first_touch_at, last_touch_at FROM contacts WHERE id = 1").fetchone()) == (
        "2026-11-20T09:00:00Z", "2026-11-21T10:00:00Z")
    assert _one(store, "SELECT last_touch_at FROM accounts WHERE id = 1") == "2026-11-22T23:30:00Z"


def test_last_touch_never_moves_backwards_and_notes_do_not_touch(store, tmp_path):
    conn = store.conn
    with conn:
        conn.execute("UPDATE contacts SET first_touch_at = '2026-11-15T09:00:00Z', last_touch_at ="
                     " '2026-11-22T09:00:00Z' WHERE id = 1")
        conn.execute("UPDATE accounts SET last_touch_at = '2026-11-22T09:00:00Z' WHERE id = 1")
    result = _import(store, tmp_path, HEADER +
                     ",call,connected,2026-11-01T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     ",note,,2026-11-23T10:00:00Z,maya,jonas.weber@nordwind.de,,,,,Later note,\n"
                     ",email,,2026-11-02T09:00:00Z,maya,lea.fischer@nordwind.de,,,,,,\n")
    assert (result.created, result.rejected) == (3, [])
    assert tuple(conn.execute("SELECT first_touch_at, last_touch_at FROM contacts WHERE id = 1").fetchone()) == (
        "2026-11-01T09:00:00Z", "2026-11-22T09:00:00Z")  # earlier first; the last stays; a note is no touch
    assert tuple(conn.execute("SELECT first_touch_at, last_touch_at FROM contacts WHERE id = 2").fetchone()) == (
        "2026-11-02T09:00:00Z", "2026-11-02T09:00:00Z")
    assert _one(store, "SELECT last_touch_at FROM accounts WHERE id = 1") == "2026-11-22T09:00:00Z"


def test_a_second_import_of_the_same_file_writes_nothing_twice(store, tmp_path):
    text = (HEADER +
            "x1,call,connected,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
            ",email,sent,2026-11-19T08:00:00Z,tom,lea.fischer@nordwind.de,,,,,Sent,\n"
            "x2,call,,2026-11-30,maya,jonas.weber@nordwind.de,,,,Call back,,false\n"
            ",meeting,,2026-12-01,tom,dana.brooks@harborhealth.com,,,,Demo,,false\n")
    first = _import(store, tmp_path, text)
    assert (first.created, first.updated, first.rejected) == (4, 0, [])
    counts = _stored(store.conn)
    tables = {t: _one(store, f"SELECT COUNT(*) FROM {t}") for t in ("activities", "tasks")}
    # The same file again, one note edited in the CRM since: the row with an id is known by its id.
    again = _import(store, tmp_path, text.replace("x1,call,connected,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind"
                                                  ".de,,,,,,", "x1,call,connected,2026-11-20T09:00:00Z,maya,"
                                                               "jonas.weber@nordwind.de,,,,,edited,"))
    assert (again.created, again.updated, again.rejected) == (0, 0, [])
    assert "4 activities were here already and were left as they were" in again.notes
    assert {t: _one(store, f"SELECT COUNT(*) FROM {t}") for t in tables} == tables
    assert _stored(store.conn) == counts == _direct(store.conn)
    # A dry run writes nothing either.
    dry = _import(store, tmp_path, HEADER + "x9,note,,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n",
                  name="more.csv", dry_run=True)
    assert dry.created == 1 and _one(store, "SELECT COUNT(*) FROM activities") == tables["activities"]


def test_rows_that_cannot_be_placed_are_named_and_the_rest_go_in(store, tmp_path):
    result = _import(store, tmp_path, HEADER +
                     "r1,call,connected,2026-11-20T09:00:00Z,maya,nobody@nowhere.example,,,,,,\n"
                     "r2,call,connected,2026-11-20T09:00:00Z,maya,,Ada Byron,Nordwind Logistik GmbH,,,,\n"
                     "r3,fax,,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     "r4,call,,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     "r5,call,Left a voicemail,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     "r6,call,connected,2026-11-25T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     "r7,call,connected,2026-11-20T09:00:00Z,Zed Zimmer,jonas.weber@nordwind.de,,,,,,\n"
                     "r8,call,connected,2026-11-20T09:00:00Z,,jonas.weber@nordwind.de,,,,,,\n"
                     "r9,email,held,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     "r10,note,,2026-11-20T09:00:00Z,maya,,,No Such GmbH,,,,\n"
                     "r11,note,,2026-11-20T09:00:00Z,maya,,,,D-404,,,\n"
                     "r12,email,sent,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,maybe\n"
                     "r13,,,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     "r14,note,,,maya,jonas.weber@nordwind.de,,,,,,\n"
                     "ok,email,sent,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     # today without a time is not the future at 09:00 UTC: it happened by now
                     "today,note,,2026-11-23,maya,jonas.weber@nordwind.de,,,,,,\n", now=NOW - timedelta(hours=4))
    reasons = _reasons(result)
    assert reasons[2] == ("contact_email", "no contact with the e-mail 'nobody@nowhere.example': import the contacts"
                                           " first")
    assert reasons[3] == ("contact", "no contact named 'Ada Byron' at that account: import the contacts first")
    assert reasons[4][0] == "kind" and reasons[4][1].startswith("'fax' is not an activity kind")
    assert reasons[5] == ("outcome", "a call needs an outcome and this row has none: map the file's outcomes under"
                                     " [values.outcome], or give [defaults] outcome")
    assert reasons[6][1].startswith("'Left a voicemail' is not a call outcome of the playbook")
    assert reasons[7] == ("occurred_at", "2026-11-25T09:00:00Z is in the future: log what happened, schedule what"
                                         " will (a planned activity is one not done)")
    assert reasons[8][0] == "owner" and reasons[8][1].startswith("no user named 'Zed Zimmer'")
    assert reasons[9][0] == "owner" and reasons[9][1].startswith("no owner")
    assert reasons[10][1] == "'held' is not an outcome of 'email' (allowed: sent, replied, bounced)"
    assert reasons[11] == ("account", "no account named 'No Such GmbH': import the accounts first")
    assert reasons[12][0] == "deal" and reasons[12][1].startswith("no deal 'D-404'")
    assert reasons[13][0] == "done"
    assert reasons[14] == ("kind", "no kind (call, email, linkedin, meeting, note); map it under [values.kind]")
    assert reasons[15] == ("occurred_at", "no date: when it happened (or is due) is needed")
    assert (result.created, result.rejected_rows) == (2, 14)
    assert _one(store, "SELECT COUNT(*) FROM users WHERE handle = 'zed.zimmer'") == 0
    assert _one(store, "SELECT occurred_at FROM activities WHERE kind = 'note'") == "2026-11-23T09:00:00Z"


def test_owners_the_file_names_are_created_when_the_import_may(store, tmp_path):
    result = _import(store, tmp_path, HEADER + "o1,email,sent,2026-11-20T09:00:00Z,Zed Zimmer,jonas.weber@nordwind"
                                               ".de,,,,,,\n", owner_role="sdr")
    assert (result.created, result.rejected) == (1, [])
    assert result.notes[-1] == "owners created with role sdr: zed.zimmer"
    assert _stored(store.conn) == _direct(store.conn)  # the new person's day is counted in their zone (UTC)


def test_a_default_outcome_is_for_calls(store, tmp_path):
    mapping = ImportMapping(kind="activities", columns={f: f for f in FIELDS["activities"]}, name="Generic",
                            defaults={"outcome": "connected"})
    result = _import(store, tmp_path, HEADER +
                     ",call,,2026-11-20T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n"
                     ",email,,2026-11-20T10:00:00Z,maya,jonas.weber@nordwind.de,,,,,,\n", mapping)
    assert result.rejected == []
    rows = store.conn.execute("SELECT kind, outcome FROM activities ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("call", "connected"), ("email", None)]


def test_planned_rows_become_open_follow_up_tasks(store, tmp_path):
    tasks = _one(store, "SELECT COUNT(*) FROM tasks")
    result = _import(store, tmp_path, HEADER +
                     "p1,call,,2026-11-30T09:00:00Z,maya,jonas.weber@nordwind.de,,,,Ask about the budget,,false\n"
                     "p2,meeting,,2026-11-20,tom,,,Harbor Health,,,,no\n")
    assert (result.created, result.rejected) == (2, [])
    assert "2 planned activities (not done) became open follow-up tasks" in result.notes
    rows = store.conn.execute("SELECT user_id, kind, contact_id, account_id, due_at, status, note FROM tasks"
                              " WHERE id > ? ORDER BY id", (tasks,)).fetchall()
    assert [tuple(r) for r in rows] == [
        (1, "follow_up", 1, 1, "2026-11-30T09:00:00Z", "open", "Call: Ask about the budget"),
        (2, "follow_up", None, 2, "2026-11-20T12:00:00Z", "open", "Meeting")]  # an overdue one is still to do
    assert _one(store, "SELECT COUNT(*) FROM activities") == 0


def test_the_file_goes_in_whole_or_not_at_all(store, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("killed part-way")

    before = {t: _one(store, f"SELECT COUNT(*) FROM {t}") for t in ("activities", "activity_days", "tasks", "users",
                                                                     "changes")}
    monkeypatch.setattr(import_activities, "_touch", broken)  # after the rows and counts are written
    with pytest.raises(RuntimeError):
        _import(store, tmp_path, HEADER +
                "w1,call,connected,2026-11-20T09:00:00Z,New Person,jonas.weber@nordwind.de,,,,,,\n"
                "w2,call,connected,2026-11-30T09:00:00Z,maya,jonas.weber@nordwind.de,,,,,,false\n",
                owner_role="ae")
    assert {t: _one(store, f"SELECT COUNT(*) FROM {t}") for t in before} == before


def test_a_pipedrive_activities_export(store, tmp_path):
    mapping = parse_mapping((MAPPINGS / "pipedrive-activities.toml").read_text(encoding="utf-8"))
    with store.conn:
        store.conn.execute("INSERT INTO deals (name, amount, currency, stage, owner_id, account_id, created_at,"
                           " stage_entered_at) VALUES ('Nordwind fleet', 1000, 'EUR', 'discovery', 2, 1,"
                           " '2026-11-01T09:00:00Z', '2026-11-01T09:00:00Z')")
    rows = [["Activity - ID", "Activity - Subject", "Activity - Type", "Activity - Due date", "Activity - Due time",
             "Activity - Done", "Activity - Assigned to user", "Activity - Contact person", "Activity - Organization",
             "Activity - Deal", "Activity - Note"],
            ["101", "Intro call", "Call", "2026-11-16", "09:30", "Done", "Maya Koch", "Jonas Weber",
             "Nordwind Logistik GmbH", "", ""],
            ["102", "Demo", "Meeting", "2026-11-18", "14:00", "Done", "Tom Reyes", "Jonas Weber",
             "Nordwind Logistik GmbH", "Nordwind fleet", "Went well"],
            ["103", "Lunch with Lea", "Lunch", "2026-11-19", "", "Done", "Tom Reyes", "Lea Fischer",
             "Nordwind Logistik GmbH", "Nordwind fleet", ""],
            ["104", "Send proposal", "Task", "2026-11-27", "", "To do", "Tom Reyes", "Lea Fischer",
             "Nordwind Logistik GmbH", "Nordwind fleet", ""],
            ["105", "Follow up", "Email", "2026-11-20", "", "Done", "Maya Koch", "Dana Brooks", "Harbor Health",
             "", ""]]
    path = tmp_path / "activities.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    result = import_file(store.conn, current_playbook(store.conn), None, path, mapping, NOW)
    # Pipedrive keeps no call outcome: the done call is named, not given an invented one.
    assert _reasons(result) == {2: ("outcome",
                                    "a call needs an outcome and this row has none: map the file's outcomes under"
                                    " [values.outcome], or give [defaults] outcome")}
    assert (result.created, result.rejected_rows) == (4, 1)
    done = store.conn.execute("SELECT a.kind, c.last_name, d.name, a.note FROM activities a JOIN contacts c ON"
                              " c.id = a.contact_id LEFT JOIN deals d ON d.id = a.deal_id ORDER BY a.id").fetchall()
    assert [tuple(r) for r in done] == [("meeting", "Weber", "Nordwind fleet", "Demo\n\nWent well"),
                                        ("meeting", "Fischer", "Nordwind fleet", "Lunch with Lea"),
                                        ("email", "Brooks", None, "Follow up")]
    assert _one(store, "SELECT note FROM tasks WHERE deal_id IS NOT NULL") == "Note: Send proposal"
    assert _stored(store.conn) == _direct(store.conn)


def test_a_hubspot_calls_export_with_times_of_day(store, tmp_path):
    mapping = parse_mapping((MAPPINGS / "hubspot-calls.toml").read_text(encoding="utf-8"))
    result = _import(store, tmp_path,
                     "Activity date,Call outcome,Call title,Call notes,Activity assigned to,Associated Contact,"
                     "Call duration (HH:mm:ss)\n"
                     "2026-11-20 14:30,Left voicemail,First try,,Maya Koch,Jonas Weber (jonas.weber@nordwind.de),"
                     "00:00:40\n"
                     "2026-11-21 09:05,Connected,Second try,Wants a demo,Maya Koch,Jonas Weber,00:12:10\n"
                     "2026-11-21 10:00,,Third,,Maya Koch,Lea Fischer,00:01:00\n", mapping)
    assert result.notes[0] == "not in this file, left empty: Record ID"
    assert _reasons(result) == {4: ("Call outcome", "a call needs an outcome and this row has none: map the file's"
                                                    " outcomes under [values.outcome], or give [defaults] outcome")}
    rows = store.conn.execute("SELECT outcome, contact_id, occurred_at, note FROM activities ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("voicemail", 1, "2026-11-20T14:30:00Z", "First try"),
                                        ("connected", 1, "2026-11-21T09:05:00Z", "Second try\n\nWants a demo")]


def test_day_first_dates_keep_their_time_and_offsets_count_from_today():
    from revdesk.core.importing.relative_dates import RelativeDay, clock_time, parse_offset

    mapping = ImportMapping(kind="activities", columns={"kind": "kind", "occurred_at": "at", "account": "account"},
                            date_format="dmy")
    reader = RowReader(mapping, ["kind", "at", "account"], None)
    at = [reader.read(["call", text, "x"], 2).get("occurred_at") for text in ("20/11/2026 14:30", "20/11/2026",
                                                                              "20/11/2026 2:30 PM", "-1m")]
    assert [str(a) for a in at] == ["2026-11-20 14:30:00+00:00", "2026-11-20 12:00:00+00:00",
                                    "2026-11-20 14:30:00+00:00", "-1m"]
    assert parse_offset("+3d") == RelativeDay(3, "d") and parse_offset("3 days") is None
    assert RelativeDay(-1, "m").resolve(datetime(2026, 3, 31, 8, tzinfo=UTC)) == datetime(2026, 2, 28, 12,
                                                                                           tzinfo=UTC)
    assert clock_time("20/11/2026 25:00") is None and clock_time("20/11/2026") is None


@pytest.mark.skipif(not REAL.exists(), reason="../shared/realdata is not here")
def test_odoo_planned_activities_after_the_odoo_leads(tmp_path):
    store = make_store(tmp_path / "odoo.db")
    folder = REAL / "odoo_crm_demo"
    try:
        playbook, conn = current_playbook(store.conn), store.conn
        leads = parse_mapping((MAPPINGS / "odoo-leads.toml").read_text(encoding="utf-8"))
        import_file(conn, playbook, None, folder / "crm_lead_demo_transcribed.csv", leads, NOW)
        # The leads import kept each lead's id, which the activities name their lead by.
        assert _one(store, "SELECT COUNT(*) FROM import_keys WHERE record_type = 'contact' AND source = 'Odoo leads'"
                           " AND key LIKE 'crm_case_%'") > 30
        mapping = parse_mapping((MAPPINGS / "odoo-activities.toml").read_text(encoding="utf-8"))
        path = folder / "mail_activity_demo_transcribed.csv"
        result = import_file(conn, playbook, None, path, mapping, NOW, owner_map={"base.user_admin": "maya"})
        # Two activities are on leads with nobody in them (crm_case_21 and 23), which the leads import refused.
        assert {p.line: p.reason for p in result.rejected} == {
            10: "no contact named 'crm_case_21': import the contacts first",
            12: "no contact named 'crm_case_23': import the contacts first"}
        assert (result.rows, result.created) == (14, 12)
        assert _one(store, "SELECT COUNT(*) FROM activities") == 0  # all planned: tasks, due from today
        task = conn.execute("SELECT t.user_id, t.due_at, t.note, c.email FROM tasks t JOIN contacts c ON"
                            " c.id = t.contact_id WHERE t.note LIKE 'Call: Meeting to go over%'").fetchone()
        assert tuple(task) == (1, "2026-11-26T12:00:00Z", "Call: Meeting to go over pricing information.",
                               "willmac@rediffmail.example.com")  # "+3d"
        overdue = _one(store, "SELECT due_at FROM tasks WHERE note = 'Email: Send our service pricelist'")
        assert overdue == (NOW - timedelta(days=1)).strftime("%Y-%m-%dT12:00:00Z")  # "-1d"
        again = import_file(conn, playbook, None, path, mapping, NOW, owner_map={"base.user_admin": "maya"})
        assert (again.created, again.updated) == (0, 0)
    finally:
        store.close()



def test_a_planned_activity_done_since_its_last_import_comes_in_and_closes_its_task(store, tmp_path):
    header = "Activity - ID,Activity - Type,Activity - Due date,Activity - Done,Activity - Assigned to user," \
             "Activity - Contact person,Activity - Subject\n"
    mapping = parse_mapping((MAPPINGS / "pipedrive-activities.toml").read_text(encoding="utf-8"))
    file = tmp_path / "activities.csv"
    row = "7001,meeting,2026-11-20,{},maya,jonas.weber@nordwind.de,Demo\n"
    file.write_text(header + row.format("To do"), encoding="utf-8")
    playbook = current_playbook(store.conn)
    planned = import_file(store.conn, playbook, None, file, mapping, NOW)
    assert (planned.created, planned.rejected) == (1, [])
    task = _one(store, "SELECT id FROM tasks WHERE note LIKE '%Demo%' AND status = 'open'")
    file.write_text(header + row.format("Done"), encoding="utf-8")
    done = import_file(store.conn, playbook, None, file, mapping, NOW)
    assert (done.created, done.updated, done.rejected) == (1, 1, [])
    assert _one(store, f"SELECT status FROM tasks WHERE id = {task}") == "done"
    assert _one(store, "SELECT COUNT(*) FROM activities WHERE kind = 'meeting' AND note LIKE '%Demo%'") == 1
    again = import_file(store.conn, playbook, None, file, mapping, NOW)
    assert (again.created, again.updated) == (0, 0)


def test_a_time_of_day_in_its_own_column_is_read_in_the_owner_s_timezone(store, tmp_path):
    mapping = parse_mapping((MAPPINGS / "pipedrive-activities.toml").read_text(encoding="utf-8"))
    file = tmp_path / "activities.csv"
    file.write_text("Activity - ID,Activity - Type,Activity - Due date,Activity - Due time,Activity - Done,"
                    "Activity - Assigned to user,Activity - Contact person,Activity - Subject\n"
                    "8001,meeting,2026-11-20,14:30,Done,maya,jonas.weber@nordwind.de,Demo\n"
                    "8002,meeting,2026-11-21,half past two,Done,maya,jonas.weber@nordwind.de,Demo\n",
                    encoding="utf-8")
    result = import_file(store.conn, current_playbook(store.conn), None, file, mapping, NOW)
    assert _reasons(result) == {3: ("Activity - Due time", "'half past two' is not a time of day (14:30, 2:30 PM)")}
    # Maya works in Berlin: 14:30 there on 20 November is 13:30 UTC.
    assert _one(store, "SELECT occurred_at FROM activities WHERE note LIKE '%Demo%'") == "2026-11-20T13:30:00Z"
