"""Working sequence steps from call mode with Pilot: an e-mail step shown, sent (an .eml in the outbox) and
logged, which moves the sequence on; a merge field without a value blocks it; a LinkedIn step marked done;
a step skipped; and step keys on items they do not fit say why and write nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Button, Static

from revdesk.db.common.connection import Store, transaction
from revdesk.db.sequences.definitions import apply_sequence
from revdesk.db.workbench import Workbench
from revdesk.fixtures import FIXTURES_DIR
from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from revdesk.tui.sequences.email_step import EmailStepModal
from revdesk.tui.sequences.step_actions import StepNote
from tests.factories import NOW, fixed_clock, make_store
from tests.tui.helpers import settle

JONAS = 1  # enrolled on Monday 23 November at 14:00 Berlin time (the factory's NOW)
STEP_1_DUE = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)  # Tue 08:30 in Berlin: step 1 (an e-mail at 08:00) is due
STEP_2_DUE = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)  # Wed 09:30: step 2 (a call, 09:00-11:00)
STEP_3_DUE = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)  # Thu 09:30: step 3 (LinkedIn, 09:00-16:00)


def clock_at(moment: datetime):
    return lambda: moment


def enrolled_store(tmp_path) -> Store:
    """The factory data with the default sequences, Jonas's other task cancelled (the queue shows one item per
    contact) and Jonas in cold outbound, ticked at STEP_1_DUE."""
    store = make_store(tmp_path / "steps.db")
    for path in sorted((FIXTURES_DIR / "sequences").glob("*.toml")):
        apply_sequence(store.conn, path.read_text(encoding="utf-8"), path.name, NOW)
    with transaction(store.conn):
        store.conn.execute("UPDATE tasks SET status = 'cancelled' WHERE contact_id = ? AND status = 'open'", (JONAS,))
    Workbench.open(store, "maya", fixed_clock).enroll("cold_outbound", [JONAS])
    Workbench.open(store, "maya", clock_at(STEP_1_DUE)).tick_sequences()
    return store


def enrollment(store: Store) -> tuple[str, int, str]:
    row = store.conn.execute("SELECT status, step_index, next_due_at FROM enrollments WHERE contact_id = ?",
                             (JONAS,)).fetchone()
    return row[0], row[1], row[2]


def shown(widget: Widget) -> str:
    """The text a widget has on screen."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(line.text.rstrip() for line in lines)


async def open_step(pilot, channel: str) -> CallScreen:
    """From Today: down to Jonas's step item, then call mode on it."""
    await settle(pilot)
    today = pilot.app.screen
    index = next(n for n, i in enumerate(today.items) if i.contact_id == JONAS)
    assert today.items[index].kind == "step" and today.items[index].step_channel == channel
    for _ in range(index):
        await pilot.press("j")
    await pilot.press("enter")
    await settle(pilot)
    call = pilot.app.screen
    assert isinstance(call, CallScreen) and call.item.contact_id == JONAS and call.item.kind == "step"
    return call


async def test_an_email_step_is_shown_sent_as_an_eml_and_moves_the_sequence_on(tmp_path):
    store = enrolled_store(tmp_path)
    before = enrollment(store)
    assert before[:2] == ("active", 0)
    app = build_app(store, "maya", clock=clock_at(STEP_1_DUE))
    async with app.run_test(size=(140, 45)) as pilot:
        call = await open_step(pilot, "email")
        step_item = call.item
        note = call.query_one(StepNote)
        assert note.display and "E-mail step" in shown(note) and "e shows the e-mail" in shown(note)

        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EmailStepModal)
        head = shown(modal.query_one("#email-head"))
        assert "Jonas Weber <jonas.weber@nordwind.de>" in head
        assert "A question about Nordwind Logistik GmbH" in head and "{" not in head
        body = shown(modal.query_one("#email-text"))
        assert body.startswith("Hi Jonas,") and "{" not in body
        assert not modal.query_one("#send", Button).disabled
        assert "outbox" in shown(modal.query_one("#email-hint"))

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is call, "sending closes the dialog"
        assert call.item is not None and call.item.key != step_item.key, "the next item is on screen"
        last = str(call.query_one("#last-action", Static).content)  # the whole line (a long path is cut on screen)
        assert "E-mail written to" in last and "2026-11-24-jonas-weber.eml" in last and "step 2 is due Wed" in last

    outbox = tmp_path / "data" / "outbox"
    assert [p.name for p in outbox.iterdir()] == ["2026-11-24-jonas-weber.eml"]
    assert "Subject: A question about Nordwind Logistik GmbH" in (outbox / "2026-11-24-jonas-weber.eml").read_text()
    emails = store.conn.execute("SELECT contact_id, outcome, sequence_step, note FROM activities WHERE kind = 'email'"
                                ).fetchall()
    assert [tuple(r) for r in emails] == [(JONAS, "sent", "cold_outbound:1", "A question about Nordwind Logistik GmbH")]
    after = enrollment(store)
    assert after[:2] == ("active", 1) and after[2] > before[2]
    runs = store.conn.execute("SELECT step_index, channel, outcome, activity_id IS NOT NULL FROM step_runs").fetchall()
    assert [tuple(r) for r in runs] == [(0, "email", "done", 1)]


async def test_a_blank_merge_field_blocks_the_email_and_nothing_is_sent(tmp_path):
    store = enrolled_store(tmp_path)
    with transaction(store.conn):
        store.conn.execute("UPDATE contacts SET first_name = '' WHERE id = ?", (JONAS,))
    app = build_app(store, "maya", clock=clock_at(STEP_1_DUE))
    async with app.run_test(size=(140, 45)) as pilot:
        call = await open_step(pilot, "email")
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EmailStepModal)
        assert "No value for first_name: fill it in on the contact or skip the step" in shown(
            modal.query_one("#email-problem"))
        assert "Nothing to send." in shown(modal.query_one("#email-head"))
        assert modal.query_one("#send", Button).disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal, "nothing to send: the dialog stays"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is call and call.item.kind == "step", "the step is still on screen"

    assert not (tmp_path / "data" / "outbox").exists()
    assert store.conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 0
    assert store.conn.execute("SELECT COUNT(*) FROM step_runs").fetchone()[0] == 0
    assert enrollment(store)[:2] == ("active", 0)


async def test_a_step_is_skipped_with_ctrl_x_and_d_on_an_email_step_says_why(tmp_path):
    store = enrolled_store(tmp_path)
    app = build_app(store, "maya", clock=clock_at(STEP_1_DUE))
    async with app.run_test(size=(140, 45)) as pilot:
        call = await open_step(pilot, "email")
        step_item = call.item
        await pilot.press("d")
        await settle(pilot)
        assert call.item == step_item
        assert any("An e-mail step is not marked done: press e" in n.message for n in app._notifications)
        assert store.conn.execute("SELECT COUNT(*) FROM step_runs").fetchone()[0] == 0

        await pilot.press("ctrl+x")
        await settle(pilot)
        assert call.item.key != step_item.key
        last = shown(call.query_one("#last-action"))
        assert "Skipped step 1 of 'Cold outbound' for Jonas Weber; step 2 is due Wed" in last

    runs = store.conn.execute("SELECT step_index, channel, outcome, activity_id FROM step_runs").fetchall()
    assert [tuple(r) for r in runs] == [(0, "email", "skipped", None)]
    assert enrollment(store)[:2] == ("active", 1)
    assert store.conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 0


async def test_a_linkedin_step_shows_its_note_and_d_marks_it_done(tmp_path):
    store = enrolled_store(tmp_path)
    for moment in (STEP_1_DUE, STEP_2_DUE):  # skip steps 1 and 2 to reach the LinkedIn step
        bench = Workbench.open(store, "maya", clock_at(moment))
        bench.tick_sequences()
        bench.skip_step(next(i.task_id for i in bench.queue() if i.contact_id == JONAS))
    Workbench.open(store, "maya", clock_at(STEP_3_DUE)).tick_sequences()
    app = build_app(store, "maya", clock=clock_at(STEP_3_DUE))
    async with app.run_test(size=(140, 45)) as pilot:
        call = await open_step(pilot, "linkedin")
        note = shown(call.query_one(StepNote))
        assert "LinkedIn step: Send a connection request" in note and "d when done" in note
        await pilot.press("e")
        await settle(pilot)
        assert app.screen is call, "e on a LinkedIn step opens nothing"
        assert any("This is a LinkedIn step, not an e-mail" in n.message for n in app._notifications)
        await pilot.press("d")
        await settle(pilot)
        assert "LinkedIn step 3 done: Jonas Weber; step 4 is due" in shown(call.query_one("#last-action"))

    rows = store.conn.execute("SELECT kind, outcome, sequence_step FROM activities").fetchall()
    assert [tuple(r) for r in rows] == [("linkedin", "message", "cold_outbound:3")]
    assert enrollment(store)[:2] == ("active", 3)


async def test_step_keys_on_an_item_that_is_not_a_step_say_why_and_write_nothing(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        call = app.screen
        first = call.item
        assert first.kind != "step" and not call.query_one(StepNote).display
        for key in ("e", "d", "ctrl+x"):
            await pilot.press(key)
            await settle(pilot)
        assert call.item == first and app.screen is call
        messages = [n.message for n in app._notifications]
        assert sum("not a sequence step" in m for m in messages) == 3
    assert store.conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 0
