"""The AE's side of a handoff, driven with Pilot: the inbox (to me, sent by me, everyone's; past-SLA rows
stand out), the review screen with the whole context, accept (a deal at the first AE stage) and reject (a
reason and a note; with a "return" reason the lead is back in the SDR's queue with the reason in view)."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from textual.widgets import DataTable, Select, Static, TextArea

from revdesk.db.workbench import Workbench
from revdesk.tui.app import build_app
from revdesk.tui.calls.today import TodayScreen
from revdesk.tui.dialogs.confirm import ConfirmModal
from revdesk.tui.handoffs.inbox import HandoffInboxScreen
from revdesk.tui.handoffs.reject import RejectHandoffModal
from revdesk.tui.handoffs.review import HandoffReviewScreen
from tests.factories import NOW, fixed_clock
from tests.tui.helpers import open_from_palette, settle

CONTEXT = {
    "pain": "Dispatchers re-plan routes by hand every morning",
    "impact": "Two planners freed up, 8% fewer empty kilometres",
    "trigger": "New depot in Leipzig opens in March",
    "approver": "2",
    "budget": "40k EUR approved for Q1 by Lea",
    "next_step": "Demo with Lea and Jonas on Thursday 10:00",
}


def _text(renderable) -> str:
    console = Console(width=160, record=True)
    console.print(renderable)
    return console.export_text()


def _panel(screen, selector: str) -> str:
    return _text(screen.query_one(selector, Static).content)


def _send(store) -> int:
    """Maya hands Jonas Weber (qualified by a conversation) to Tom."""
    maya = Workbench.open(store, "maya", fixed_clock)
    maya.log_call(1, "connected")
    return maya.send_handoff("sdr_ae", 2, CONTEXT, contact_id=1).handoff_id


def _rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def test_the_ae_reviews_the_whole_context_and_accepting_creates_the_deal(store):
    handoff_id = _send(store)
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, HandoffInboxScreen) and inbox.mode == "to_me"
        rows = _rows(inbox.query_one("#inbox", DataTable))
        assert len(rows) == 1 and rows[0][:5] == ["1 day left", "SDR→AE", "Jonas Weber", "Nordwind Logistik GmbH",
                                                  "Maya Koch"]
        await pilot.press("enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, HandoffReviewScreen) and review.handoff_id == handoff_id
        context = _panel(review, "#review-context")
        assert "from Maya Koch to Tom Reyes" in context
        assert "Lea Fischer, Finance Director (Approver)" in context
        for answer in (CONTEXT["pain"], CONTEXT["budget"], CONTEXT["next_step"]):
            assert answer in context
        account = _panel(review, "#review-account")
        for fact in ("Logistics", "420 employees", "DE", "ICP tier      A", "scale-up", "high complexity",
                     "Maya Koch"):
            assert fact in account
        contact = _panel(review, "#review-contact")
        assert "Score 70" in contact and "+10  Conversation" in contact
        assert "call · connected" in _panel(review, "#review-timeline")
        assert "1 day left" in _panel(review, "#review-banner")

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is inbox, "accepted: back to the inbox"
        assert any(n.message.startswith("Deal ") and n.message.endswith("created in Discovery")
                   for n in app._notifications)
        assert _rows(inbox.query_one("#inbox", DataTable))[0][0] == "Accepted"

    deal = store.conn.execute("SELECT id, stage, owner_id, handoff_id, primary_contact_id FROM deals").fetchone()
    assert tuple(deal)[1:] == ("discovery", 2, handoff_id, 1)
    owners = store.conn.execute("SELECT record_type, from_user_id, to_user_id FROM owner_history"
                                " WHERE handoff_id = ? ORDER BY record_type", (handoff_id,)).fetchall()
    assert [tuple(r) for r in owners] == [("account", 1, 2), ("deal", 1, 2)]
    assert store.conn.execute("SELECT status FROM handoffs").fetchone()[0] == "accepted"


async def test_reject_needs_a_reason_and_a_note_and_the_lead_returns_to_the_sdr(store):
    handoff_id = _send(store)
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.screen.items[0].handoff_id == handoff_id
        await pilot.press("enter")  # the handoff in Tom's queue opens its review
        await settle(pilot)
        review = app.screen
        assert isinstance(review, HandoffReviewScreen)
        await pilot.press("r")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, RejectHandoffModal)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert "Choose a reason" in _panel(modal, "#problem-reason")
        assert "Say why in at least 12 characters" in _panel(modal, "#problem-note")
        assert "2 fields need attention" in _panel(modal, "#reject-summary")
        assert store.conn.execute("SELECT status FROM handoffs").fetchone()[0] == "pending", "nothing is written"

        modal.query_one("#field-reason", Select).value = "incomplete_context"
        modal.query_one("#field-note", TextArea).text = "Budget owner unclear; confirm with Lea first"
        await pilot.pause()
        assert not modal.query_one("#problem-reason").display, "choosing a reason clears its problem"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen), "rejected: back where it was opened"
        assert any("rejected (Context incomplete): back in Maya Koch's queue" in n.message
                   for n in app._notifications)

    row = store.conn.execute("SELECT status, reject_reason, reject_note FROM handoffs").fetchone()
    assert tuple(row) == ("rejected", "incomplete_context", "Budget owner unclear; confirm with Lea first")
    back = [i for i in Workbench.open(store, "maya", fixed_clock).queue() if i.contact_id == 1]
    assert len(back) == 1
    assert "Handoff rejected by Tom Reyes: Context incomplete" in back[0].reason
    assert "Budget owner unclear" in back[0].reason


async def test_the_sdr_sees_the_decision_and_cannot_decide_it(store):
    handoff_id = _send(store)
    Workbench.open(store, "tom", fixed_clock).reject_handoff(handoff_id, "no_budget", "No budget until next year")
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(150, 45)) as pilot:
        await open_from_palette(pilot, "Inbox")
        inbox = app.screen
        assert isinstance(inbox, HandoffInboxScreen) and inbox.mode == "from_me", "an SDR starts on what they sent"
        rows = _rows(inbox.query_one("#inbox", DataTable))
        assert rows[0][0] == "Rejected" and rows[0][4] == "Tom Reyes"
        assert rows[0][-1] == "No budget: No budget until next year"
        await pilot.press("t")
        await settle(pilot)
        assert inbox.mode == "to_me" and inbox.query_one("#inbox", DataTable).row_count == 0
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, HandoffReviewScreen)
        banner = _panel(review, "#review-banner")
        assert "Rejected by Tom Reyes" in banner and "No budget: No budget until next year" in banner
        assert "a and r are off" in banner
        assert review.check_action("accept", ()) is None and review.check_action("reject", ()) is None
        await pilot.press("a", "r")
        await settle(pilot)
        assert app.screen is review, "no dialog opens"


async def test_past_sla_handoffs_stand_out_in_the_team_view(store):
    _send(store)
    store.conn.execute("INSERT INTO users (id, handle, name, role, team, timezone, created_at)"
                       " VALUES (4, 'lena', 'Lena Brandt', 'manager', 'North', 'Europe/Berlin', '2026-01-01')")
    app = build_app(store, "lena", clock=lambda: NOW + timedelta(hours=27))
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, HandoffInboxScreen) and inbox.mode == "everyone", "managers start on the team"
        table = inbox.query_one("#inbox", DataTable)
        status = table.get_row_at(0)[0]
        assert str(status) == "past SLA by 3 h" and "red" in str(status.style)
        assert "1 past SLA" in _panel(inbox, "#inbox-title")
        await pilot.press("e")
        await settle(pilot)
        assert inbox.mode == "to_me" and table.row_count == 0
