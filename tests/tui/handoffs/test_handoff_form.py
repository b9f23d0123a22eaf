"""The SDR's handoff form driven with Pilot from call mode: prefilled approver, every missing field named
beside its field with nothing written, and a complete form that lands in the AE's queue."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Select, Static, TextArea

from revdesk.db.workbench import Workbench
from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from revdesk.tui.handoffs.form import HandoffFormScreen
from tests.factories import fixed_clock
from tests.tui.helpers import settle

COMPLETE = {
    "pain": "Dispatchers re-plan routes by hand every morning",
    "impact": "Two planners freed up, 8% fewer empty kilometres",
    "trigger": "New depot in Leipzig opens in March",
    "budget": "40k EUR approved for Q1 by Lea",
    "next_step": "Demo with Lea and Jonas on Thursday 10:00",
}


def _text(renderable) -> str:
    console = Console(width=140, record=True)
    console.print(renderable)
    return console.export_text()


def _counts(store) -> tuple[int, int]:
    conn = store.conn
    return conn.execute("SELECT COUNT(*) FROM handoffs").fetchone()[0], conn.execute(
        "SELECT COUNT(*) FROM changes").fetchone()[0]


def _problem(form: HandoffFormScreen, key: str) -> str:
    static = form.query_one(f"#problem-{key}", Static)
    return _text(static.content) if static.display else ""


def _fill(form: HandoffFormScreen, answers: dict[str, str]) -> None:
    for key, value in answers.items():
        form.query_one(f"#field-{key}", TextArea).text = value


async def _open_form(pilot, from_call_mode: bool = False) -> HandoffFormScreen:
    """The form for Jonas Weber: from call mode (as search opens it, then h), or pushed straight onto Today."""
    await settle(pilot)
    if from_call_mode:
        pilot.app.push_screen(CallScreen.for_contact(1))
        await settle(pilot)
        assert pilot.app.screen.item.contact_id == 1
        await pilot.press("h")
    else:
        pilot.app.push_screen(HandoffFormScreen("sdr_ae", contact_id=1))
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, HandoffFormScreen)
    return form


async def test_missing_context_is_named_field_by_field_and_nothing_is_written(store):
    Workbench.open(store, "maya", fixed_clock).log_call(1, "connected")  # 60 + 10: reaches the SQL threshold
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        form = await _open_form(pilot)
        before = _counts(store)  # after start-up, which records the day's dormant picks
        approver = form.query_one("#field-approver", Select)
        assert approver.value == 2, "Lea Fischer is the account's approver"
        assert form.context()["approver"] == "2"
        assert "Lea Fischer — Finance Director (Approver)" in [str(prompt) for prompt, _ in approver._options]
        assert form.recipient() == 2, "Tom is the only AE: suggested and preselected"
        about = _text(form.query_one("#handoff-about", Static).content)
        assert "Score 70" in about and "Below the SQL threshold" not in about

        _fill(form, {"impact": "tbd", "trigger": "soon", "budget": "n/a", "next_step": "-"})  # pain left empty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "the form stays open"
        assert "is missing" in _problem(form, "pain")
        assert "'tbd' is a placeholder" in _problem(form, "impact")
        assert "too short" in _problem(form, "trigger")
        assert "'n/a' is a placeholder" in _problem(form, "budget")
        assert "'-' is a placeholder" in _problem(form, "next_step")
        assert _problem(form, "approver") == "" and _problem(form, "to") == ""
        assert "5 fields need attention" in _text(form.query_one("#handoff-summary", Static).content)
        assert _counts(store) == before, "nothing is written"
        assert store.conn.execute("SELECT lead_status FROM contacts WHERE id = 1").fetchone()[0] == "connected"

        assert app.focused is form.query_one("#field-pain"), "the first field that needs attention has focus"
        await pilot.press(*"Routes")
        assert _problem(form, "pain") == "", "editing a field clears its problem"
        assert "4 fields need attention" in _text(form.query_one("#handoff-summary", Static).content)

        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HandoffFormScreen)
        assert _counts(store) == before


async def test_a_complete_handoff_lands_in_the_aes_queue(store):
    Workbench.open(store, "maya", fixed_clock).log_call(1, "connected")
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        form = await _open_form(pilot, from_call_mode=True)
        call_items = len(app.screen_stack[-2].items)
        _fill(form, COMPLETE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        call = app.screen
        assert isinstance(call, CallScreen), "sent: back in call mode"
        assert call.item is not None and call.item.contact_id != 1, "the next item shows"
        assert len(call.items) == call_items - 1
        assert "Handoff 1 sent: Jonas Weber" in _text(call.query_one("#last-action", Static).content)
        assert any(n.message == "Handoff 1 sent to Tom Reyes; SLA 24 h" for n in app._notifications)

    row = store.conn.execute("SELECT from_user_id, to_user_id, contact_id, status, context FROM handoffs").fetchone()
    assert tuple(row)[:4] == (1, 2, 1, "pending")
    assert '"approver": "2"' in row["context"] and COMPLETE["pain"] in row["context"]
    toms = Workbench.open(store, "tom", fixed_clock).queue()
    assert [(i.kind, i.handoff_id, i.contact_id) for i in toms] == [("handoff", 1, 1)]
    assert "1 day left to accept or reject" in toms[0].reason


async def test_a_lead_below_the_sql_threshold_is_flagged_and_refused(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        form = await _open_form(pilot)
        about = _text(form.query_one("#handoff-about", Static).content)
        assert "Below the SQL threshold (60 of 70)" in about
        _fill(form, COMPLETE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "Score is 60, below the SQL threshold 70" in _problem(form, "general")
        assert "1 field needs attention" in _text(form.query_one("#handoff-summary", Static).content)
    assert _counts(store)[0] == 0
