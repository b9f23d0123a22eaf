"""The pipeline screen driven with Pilot: open it with p, move deals with ] and the stage picker, and see the
exit criteria enforced (every missing field named, nothing written until all are given)."""

from __future__ import annotations

import importlib.util

import pytest
from textual.widgets import Input

from revdesk.tui.app import build_app
from revdesk.tui.pipeline.board import PipelineScreen
from revdesk.tui.pipeline.deal_move import DealMoveModal, StagePicker
from tests.db.pipeline.test_pipeline_query import add_deals
from tests.factories import NOW, fixed_clock
from tests.tui.helpers import settle

SIZE = (130, 36)


def _history(store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute("SELECT deal_id, from_stage, to_stage FROM stage_history ORDER BY id")]


def _stage(store, deal_id: int) -> str:
    return store.conn.execute("SELECT stage FROM deals WHERE id = ?", (deal_id,)).fetchone()[0]


async def _open(pilot) -> PipelineScreen:
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PipelineScreen) and screen.loaded
    return screen


async def _to_lane(pilot, screen: PipelineScreen, key: str, keys: bool = False) -> None:
    """Go to a lane with l (or h), one key per lane; or, where the keys are not under test, directly."""
    board = screen.board
    target = [spec.key for spec in board.specs].index(key)
    if keys:
        await pilot.press(*(["l"] * (target - board.index) or ["h"] * (board.index - target)))
    else:
        board.move_lane(target - board.index)
        await pilot.pause()
    assert board.spec.key == key


async def test_open_with_p_and_move_a_deal_that_needs_nothing(store):
    add_deals(store)
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert screen.scope == "mine"
        await _to_lane(pilot, screen, "discovery", keys=True)
        assert screen.board.selected.id == 1
        assert screen.board.left == 1, "four lanes fit in 130 columns: the board scrolled to show Discovery"
        await pilot.press("right_square_bracket")  # Discovery needs a primary contact: deal 1 has one
        await settle(pilot)
        assert app.screen is screen, "nothing was missing: no dialog"
        assert _stage(store, 1) == "demo"
        assert _history(store) == [(1, "discovery", "demo")]
        assert screen.board.spec.key == "demo" and screen.board.selected.id == 1, "the moved deal stays selected"
        assert any("Moved to Demo" in n.message for n in app._notifications)


async def test_a_move_that_needs_fields_names_each_and_writes_nothing_until_given(store):
    add_deals(store)
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _to_lane(pilot, screen, "proposal")
        await pilot.press("j")  # deal 3: no expected close date
        assert screen.board.selected.id == 3
        await pilot.press("greater_than_sign")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DealMoveModal)
        assert [key for key, _ in modal.missing] == ["expected_close_date"], "it has an amount already"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal, "refused: the dialog stays open"
        assert "Expected close date needs a real value" in str(modal.query_one("#problem-expected_close_date").render())
        assert _history(store) == [] and _stage(store, 3) == "proposal"
        modal.query_one("#field-expected_close_date", Input).value = "2027-02-15"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert _history(store) == [(3, "proposal", "negotiation")]
        assert store.conn.execute("SELECT expected_close_date FROM deals WHERE id = 3").fetchone()[0] == "2027-02-15"


async def test_every_missing_field_is_named_at_once(store):
    add_deals(store)
    store.conn.execute("UPDATE deals SET primary_contact_id = NULL WHERE id = 1")
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _to_lane(pilot, screen, "discovery")
        await pilot.press("m")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, StagePicker)
        prompt = str(picker.query_one("#stages").get_option("proposal").prompt)
        assert "asks for primary contact, amount" in prompt, "only what the deal lacks"
        await pilot.press("down", "enter")  # Demo is highlighted first; one down: Proposal
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DealMoveModal) and modal.target.key == "proposal"
        assert [key for key, _ in modal.missing] == ["primary_contact_id", "amount"]
        await pilot.click("#move")
        await settle(pilot)
        problems = [str(modal.query_one(f"#problem-{key}").render()) for key in ("primary_contact_id", "amount")]
        assert "Primary contact needs a choice" in problems[0] and "Amount needs a real value" in problems[1]
        assert _history(store) == [] and _stage(store, 1) == "discovery"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and _history(store) == []


async def test_closed_lost_asks_for_the_reason_and_leads_do_not_move(store):
    add_deals(store)
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("s")  # my team: Maya's leads appear
        await settle(pilot)
        assert screen.scope == "team" and screen.board.selected.kind == "lead"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.screen is screen
        assert any("Leads move by the calls you log" in n.message for n in app._notifications)
        await _to_lane(pilot, screen, "demo")
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("end", "enter")  # Closed Lost
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DealMoveModal) and [k for k, _ in modal.missing] == ["lost_reason"]
        await pilot.press("enter")
        await settle(pilot)
        assert "needs a real value" in str(modal.query_one("#problem-lost_reason").render())
        modal.query_one("#field-lost_reason", Input).value = "Chose a competitor"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert _history(store) == [(2, "demo", "closed_lost")]
        assert store.conn.execute("SELECT lost_reason, won FROM deals WHERE id = 2").fetchone()[:] == (
            "Chose a competitor", 0)


async def test_winning_a_deal_offers_the_customer_success_handoff(store):
    if importlib.util.find_spec("revdesk.tui.handoffs.form") is None:
        pytest.skip("the handoff form is not built yet")
    from revdesk.tui.handoffs.form import HandoffFormScreen

    add_deals(store)
    store.conn.execute("UPDATE deals SET stage = 'negotiation', expected_close_date = '2027-01-31' WHERE id = 3")
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _to_lane(pilot, screen, "negotiation")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert _stage(store, 3) == "closed_won"
        assert isinstance(app.screen, HandoffFormScreen)


def test_pipeline_screen_snapshot(store, snap_compare):
    add_deals(store)

    async def open_pipeline(pilot):
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("s")  # my team: leads and deals side by side
        await settle(pilot)
        pilot.app.screen.board.move_lane(6)  # to Proposal, with its stale deals
        await pilot.pause()

    assert snap_compare(build_app(store, "tom", clock=fixed_clock), terminal_size=SIZE, run_before=open_pipeline)


async def test_enroll_the_leads_shown_in_a_lane(store):
    """ctrl+e on an SDR lane enrolls the leads it shows (do-not-contact ones are named, not enrolled)."""
    from pathlib import Path

    from revdesk.db.sequences.definitions import apply_sequence
    from revdesk.fixtures import FIXTURES_DIR
    from revdesk.tui.sequences.enroll import EnrollModal

    source = Path(FIXTURES_DIR / "sequences" / "cold-outbound.toml").read_text(encoding="utf-8")
    apply_sequence(store.conn, source, "cold-outbound.toml", NOW)
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, EnrollModal)
        assert len(app.screen.contact_ids) >= 1
