"""Account 360 driven with Pilot: opened from the palette and with A in call mode; the header shows the
company intelligence, the contacts table their buying roles, and Enter on a contact opens call mode."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from textual.widgets import DataTable, TabbedContent

from revdesk.core.common.when import to_stored
from revdesk.tui.accounts.account_360 import AccountScreen
from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from tests.factories import NOW, fixed_clock
from tests.tui.helpers import open_call_mode, open_from_palette, settle


def _text(renderable) -> str:
    console = Console(width=140, record=True)
    console.print(renderable)
    return console.export_text()


def _column(table: DataTable, index: int) -> list[str]:
    return [str(table.get_row_at(row)[index]) for row in range(table.row_count)]


async def test_palette_opens_the_account_and_enter_calls_a_contact(store):
    won = to_stored(NOW - timedelta(days=100))
    store.conn.execute(
        "INSERT INTO deals (account_id, name, amount, currency, stage, owner_id, closed_at, won, created_at,"
        " stage_entered_at) VALUES (1, 'Nordwind – Fleet pilot', 12000, 'EUR', 'closed_won', 2, ?, 1, ?, ?)",
        (won, won, won),
    )
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_from_palette(pilot, "nordwind.de")
        screen = app.screen
        assert isinstance(screen, AccountScreen) and screen.account_id == 1
        head = _text(screen.query_one("#account-head").content)
        assert "Nordwind Logistik GmbH" in head and "customer" in head
        assert "ICP A · Scale-up · committee high" in head
        assert "12,000 EUR lifetime" in head
        contacts = screen.query_one("#account-contacts", DataTable)
        assert _column(contacts, 0) == ["Decision maker", "Approver", "User"]
        assert _column(contacts, 1) == ["Jonas Weber", "Lea Fischer", "Karl Busch"]
        assert contacts.border_subtitle == "ICP A · Scale-up · committee high"
        deals = screen.query_one("#account-deals", DataTable)
        assert _column(deals, 1) == ["Closed Won"]

        await pilot.press("t")
        assert screen.query_one("#account-tabs", TabbedContent).active == "tab-handoffs"
        await pilot.press("j", "enter")  # Lea
        await settle(pilot)
        call = app.screen
        assert isinstance(call, CallScreen) and call.item.contact_id == 2
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen, "Esc from call mode comes back to the account"


async def test_a_in_call_mode_opens_the_contacts_account(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_call_mode(pilot)
        assert app.screen.item.contact_id == 3  # Dana at Harbor Health
        await pilot.press("A")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen) and screen.account_id == 2
        assert "ICP B · Mature · committee medium" in _text(screen.query_one("#account-head").content)
        contacts = screen.query_one("#account-contacts", DataTable)
        assert _column(contacts, 0) == ["Champion", "Influencer"]
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Open call mode on the selected contact" in _text(app.screen.table)
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)


async def test_a_without_an_account_says_so(store):
    store.conn.execute(
        "INSERT INTO contacts (id, first_name, last_name, email, created_at) VALUES (6, 'Uma', 'Solo', NULL, ?)",
        (to_stored(NOW),),
    )
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_from_palette(pilot, "Uma Solo")
        assert isinstance(app.screen, CallScreen)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)
        assert any(n.message == "No account" for n in app._notifications)
