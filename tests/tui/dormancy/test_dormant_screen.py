"""The dormant-accounts screen driven with Pilot on a real database: D opens it, its rows are the workbench's (order,
figures, scope), s switches scope, o re-sorts, z snoozes, a and ctrl+a assign (founders only), E enrolls in the
re-engagement sequence and enter opens Account 360."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, Select, SelectionList, Static

from revdesk.core.common.errors import EnrollmentRefused, InvalidInput
from revdesk.core.common.when import to_stored
from revdesk.core.dormancy.definition import RevivalRow, quiet_for
from revdesk.db.common.connection import transaction
from revdesk.db.common.users import user_by_handle
from revdesk.db.sequences.definitions import apply_sequence
from revdesk.db.workbench import Workbench
from revdesk.fixtures import FIXTURES_DIR
from revdesk.tui.accounts.account_360 import AccountScreen
from revdesk.tui.app import build_app
from revdesk.tui.dormancy.dialogs import AssignModal, BulkAssignModal, SnoozeModal
from revdesk.tui.dormancy.dormant import DormantScreen, enroll_refusal, revival_text
from tests.dormant_factories import add_customer
from tests.factories import NOW, fixed_clock
from tests.tui.helpers import settle

SIZE = (160, 50)


@pytest.fixture
def dormant(store):
    """Six dormant customers and one that is not, plus Alex, a founder (id 4). By value at risk: Birch
    (unowned), Acme (Maya), Cobalt (unowned), Gale (unowned), Delta (Tom), Fjord (unowned)."""
    add_customer(store, "Acme", owner_id=1, revenue=50_000, quiet_days=400)
    add_customer(store, "Birch", owner_id=None, revenue=80_000, quiet_days=380)
    add_customer(store, "Cobalt", owner_id=None, revenue=20_000, quiet_days=900)
    add_customer(store, "Delta", owner_id=2, revenue=30_000, quiet_days=500)
    add_customer(store, "Elm", owner_id=1, revenue=10_000, quiet_days=100)  # touched lately: not dormant
    add_customer(store, "Fjord", owner_id=None, revenue=5_000, quiet_days=370)
    add_customer(store, "Gale", owner_id=None, revenue=40_000, quiet_days=400)
    with transaction(store.conn):
        store.conn.execute("INSERT INTO users (id, handle, name, role, team, timezone, created_at) VALUES"
                           " (4, 'alex', 'Alex Stein', 'founder', 'North', 'Europe/Berlin', ?)",
                           (to_stored(NOW),))
    return store


def desk(store, handle: str) -> Workbench:
    return Workbench(store, user_by_handle(store.conn, handle), fixed_clock)


def rows(screen: DormantScreen) -> list[list[str]]:
    table = screen.query_one("#dormant", DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


def names(screen: DormantScreen) -> list[str]:
    return [r[0] for r in rows(screen)]


def title(screen: DormantScreen) -> str:
    return str(screen.query_one("#dormant-title", Static).render())


def owners(store) -> dict[str, int | None]:
    return dict(store.conn.execute("SELECT name, owner_id FROM accounts").fetchall())


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def open_dormant(pilot) -> DormantScreen:
    await settle(pilot)
    await pilot.press("D")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DormantScreen)
    return screen


async def test_D_shows_my_dormant_accounts_as_the_desk_reads_them_and_s_switches_scope(dormant):
    maya = desk(dormant, "maya")
    app = build_app(dormant, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dormant(pilot)
        assert screen.scope == "mine"  # an SDR starts with her own
        (acme,) = maya.dormant("mine")
        tz = maya.tz
        assert rows(screen) == [["Acme", "Maya Koch", "50,000", f"{acme.last_won_at.astimezone(tz):%d %b %Y}",
                                 f"{acme.last_touch_at.astimezone(tz):%d %b %Y}", quiet_for(acme.days_dormant),
                                 f"{acme.value_at_risk:,.0f}"]]
        assert quiet_for(acme.days_dormant) == "13 months"
        head = title(screen)
        assert "1 dormant account · 50,000 EUR lifetime revenue" in head
        assert "Sorted by value at risk" in head and "Revived this month: nothing yet" in head

        for scope, label in (("unowned", "Unowned"), ("all", "Everyone's"), ("mine", "Mine")):
            await pilot.press("s")
            await settle(pilot)
            assert screen.scope == scope
            listed = maya.dormant(scope)
            assert names(screen) == [a.name for a in listed]
            assert [r[-1] for r in rows(screen)] == [f"{a.value_at_risk:,.0f}" for a in listed]
            lifetime = sum(a.lifetime_revenue for a in listed)
            assert f"{maya.dormant_count(scope)} dormant account" in title(screen)
            assert f"{lifetime:,.0f} EUR lifetime revenue" in title(screen)
            assert f" {label} " in title(screen)
            if scope == "unowned":
                assert names(screen) == ["Birch", "Cobalt", "Gale", "Fjord"]
                assert {r[1] for r in rows(screen)} == {"—"}
            if scope == "all":
                assert names(screen) == ["Birch", "Acme", "Cobalt", "Gale", "Delta", "Fjord"]
                assert rows(screen)[4][1] == "Tom Reyes"

        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DormantScreen)


async def test_o_sorts_by_value_at_risk_lifetime_revenue_and_longest_quiet(dormant):
    app = build_app(dormant, "alex", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dormant(pilot)
        assert screen.scope == "all"  # a founder watches everyone's
        assert names(screen) == [a.name for a in desk(dormant, "alex").dormant("all")]
        await pilot.press("j")  # the cursor stays on Acme through the sorts
        await pilot.press("o")
        await pilot.pause()
        assert names(screen) == ["Birch", "Acme", "Gale", "Delta", "Cobalt", "Fjord"]
        assert "Sorted by lifetime revenue" in title(screen)
        assert screen.selected().name == "Acme"
        await pilot.press("o")
        await pilot.pause()
        assert names(screen) == ["Cobalt", "Delta", "Acme", "Gale", "Birch", "Fjord"]
        assert [r[5] for r in rows(screen)][:2] == ["29 months", "16 months"]
        assert "Sorted by longest quiet" in title(screen)
        await pilot.press("o")
        await pilot.pause()
        assert names(screen) == ["Birch", "Acme", "Cobalt", "Gale", "Delta", "Fjord"]
        assert screen.selected().name == "Acme"


async def test_z_snoozes_with_a_reason_and_refuses_a_bad_number_of_days(dormant):
    acme = desk(dormant, "maya").dormant("mine")[0].account_id
    app = build_app(dormant, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dormant(pilot)
        changes = dormant.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]  # after the day's picks
        await pilot.press("z")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, SnoozeModal)
        assert modal.query_one("#field-days", Input).value == "30"
        modal.query_one("#field-days", Input).value = "0"
        await pilot.press(*"mid-reorg")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal, "nothing closes on a refusal"
        problem = modal.query_one("#problem-days", Static)
        assert problem.display and "Must be between 1 and 365" in str(problem.render())
        assert not modal.query_one("#problem-reason", Static).display
        stored = dormant.conn.execute("SELECT dormant_snoozed_until FROM accounts WHERE id = ?", (acme,)).fetchone()
        assert stored[0] is None
        assert dormant.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == changes

        modal.query_one("#field-days", Input).value = "45"
        await pilot.pause()
        assert not problem.display  # editing the field clears its problem
        assert "back in Today and in this list on Thu 07 Jan 2027" in str(modal.query_one("#preview-line").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Snoozed until Thu 07 Jan 2027: Acme" in messages(app)
        until, reason = dormant.conn.execute("SELECT dormant_snoozed_until, dormant_snooze_reason FROM accounts"
                                             " WHERE id = ?", (acme,)).fetchone()
        assert until is not None and reason == "mid-reorg"
        assert names(screen) == []
        empty = str(screen.query_one("#dormant-empty", Static).render())
        assert empty == ("No dormant accounts in this scope. Customers go dormant after 365 days without a touch.")
        assert "1 dormant account" in title(screen) and "1 snoozed, not listed" in title(screen)


async def test_a_founder_deals_the_unowned_out_round_robin_most_valuable_first(dormant):
    app = build_app(dormant, "alex", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_dormant(pilot)
        await pilot.press("ctrl+a")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, BulkAssignModal)
        reps = modal.query_one("#field-to", SelectionList)
        assert [str(reps.get_option_at_index(i).prompt) for i in range(reps.option_count)] == [
            "Inês Duarte · sdr", "Maya Koch · sdr", "Tom Reyes · ae"]
        await pilot.press("down", "space", "down", "space")  # Maya, then Tom
        await pilot.press("tab", "3")
        await pilot.pause()
        assert reps.selected == ["maya", "tom"]
        assert str(modal.query_one("#preview-line").render()) == "→ 3 of 4 will be assigned: 2 to maya, 1 to tom"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DormantScreen)
        assert "Assigned 3: 2 to maya, 1 to tom" in messages(app)
        after = owners(dormant)
        assert [after[n] for n in ("Birch", "Cobalt", "Gale", "Fjord")] == [1, 2, 1, None]
        assert [r[1] for r in rows(app.screen)] == ["Maya Koch", "Maya Koch", "Tom Reyes", "Maya Koch", "Tom Reyes",
                                                    "—"]


async def test_a_founder_assigns_one_account_and_must_choose_whom(dormant):
    app = build_app(dormant, "alex", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dormant(pilot)
        await pilot.press("j", "j")  # Cobalt
        await pilot.press("a")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, AssignModal)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert "Choose who should own it" in str(modal.query_one("#problem-to", Static).render())
        modal.query_one("#field-to", Select).value = "ines"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Cobalt assigned to Inês Duarte" in messages(app)
        assert owners(dormant)["Cobalt"] == 3 and owners(dormant)["Birch"] is None
        assert rows(screen)[2][:2] == ["Cobalt", "Inês Duarte"]


async def test_an_sdr_may_not_assign(dormant):
    before = owners(dormant)
    app = build_app(dormant, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dormant(pilot)
        await pilot.press("s")  # unowned
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is screen, "no dialog opens"
        assert "Maya is sdr; only a manager or founder assigns dormant accounts" in messages(app)
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert app.screen is screen
    assert owners(dormant) == before


async def test_E_enrolls_the_best_contact_in_the_re_engagement_sequence(dormant):
    acme = desk(dormant, "maya").dormant("mine")[0].account_id
    contact = dormant.conn.execute("SELECT id FROM contacts WHERE account_id = ?", (acme,)).fetchone()[0]
    app = build_app(dormant, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_dormant(pilot)
        await pilot.press("E")  # no sequences loaded yet
        await settle(pilot)
        assert any(m.startswith("Could not enroll Acme: sequence: no sequence 'dormant_reengagement")
                   for m in messages(app))
        for path in sorted((FIXTURES_DIR / "sequences").glob("*.toml")):
            apply_sequence(dormant.conn, path.read_text(encoding="utf-8"), path.name, NOW - timedelta(days=1))
        await pilot.press("E")
        await settle(pilot)
        assert ("Acme: best contact enrolled in 'Dormant re-engagement'; its steps land in your Today"
                in messages(app))
        enrolled = dormant.conn.execute("SELECT s.key, e.status FROM enrollments e JOIN sequences s"
                                        " ON s.id = e.sequence_id WHERE e.contact_id = ?", (contact,)).fetchall()
        assert [tuple(r) for r in enrolled] == [("dormant_reengagement", "active")]
        await pilot.press("E")  # already in it: refused, named
        await settle(pilot)
        assert messages(app)[-1] == "Could not enroll Acme: its best contact is already in 'Dormant re-engagement'"


async def test_enter_opens_account_360_and_the_list_follows_a_revival(dormant):
    app = build_app(dormant, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dormant(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.account_id == desk(dormant, "maya").dormant("mine")[0].account_id
        # Meanwhile Maya calls Acme: the account is revived, and comes off the list when she is back.
        contact = dormant.conn.execute("SELECT c.id FROM contacts c JOIN accounts a ON a.id = c.account_id"
                                       " WHERE a.name = 'Acme'").fetchone()[0]
        Workbench.open(dormant, "maya", fixed_clock).log_call(contact, "connected")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert names(screen) == []
        assert "Revived this month: 1 account · 0 deals reopened · 0 EUR won" in title(screen)


async def test_nobody_s_accounts_show_a_friendly_empty_line(dormant):
    app = build_app(dormant, "ines", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dormant(pilot)
        assert not screen.query_one("#dormant", DataTable).display
        assert "No dormant accounts in this scope." in str(screen.query_one("#dormant-empty", Static).render())
        assert "0 dormant accounts · 0 EUR lifetime revenue" in title(screen)


def test_refusals_and_revival_read_in_words():
    assert enroll_refusal(EnrollmentRefused(311, "is already in 'X'")) == "its best contact is already in 'X'"
    assert (enroll_refusal(InvalidInput("contact", "nobody at the account may be contacted"))
            == "nobody at the account may be contacted")
    month = [RevivalRow(1, "maya", "2026-11", 2, 1, 1, 12_000.0), RevivalRow(2, "tom", "2026-11", 1, 0, 0, 0.0)]
    assert revival_text(month, None, "EUR") == "Revived this month: 3 accounts · 1 deal reopened · 12,000 EUR won"
    assert revival_text(month, 2, "EUR") == "Revived this month: 1 account · 0 deals reopened · 0 EUR won"
    assert revival_text(month, 3, "EUR") == "Revived this month: nothing yet"
