"""One amount parser for every entry point: `deal move --field amount=...` and the TUI's deal move dialog (both call
Workbench.move_deal) read amounts as the import does (core.importing.amounts), and refuse what it can't read exactly."""

from __future__ import annotations

import pytest

from revdesk.core.common.errors import InvalidFields
from revdesk.core.importing.values import ValueProblem
from revdesk.core.pipeline.deal_rules import read_amount
from revdesk.db.common.connection import Store
from revdesk.db.workbench import Workbench
from tests.factories import fixed_clock
from tests.tui.cli.cli_helpers import query, run, snapshot


def _move(capsys, db, deal, amount: str) -> tuple[int, str]:
    code, _, err = run(capsys, "--db", str(db), "--as", "tom", "deal", "move", str(deal), "--stage", "proposal",
                       "--field", "primary_contact_id=1", "--field", f"amount={amount}")
    return code, err


@pytest.mark.parametrize("amount", ["1e3", "10k", "2 Mio", "12,5,0", "0", "-500", "⁰⁴⁵", "1" + "0" * 400, "nan"])
def test_an_amount_the_import_cannot_read_exactly_is_refused(capsys, db, deal, amount):
    before = snapshot(db)
    code, err = _move(capsys, db, deal, amount)
    assert code == 2
    assert "amount:" in err and "Traceback" not in err
    assert snapshot(db) == before


@pytest.mark.parametrize(("amount", "stored"), [("12500", 12500.0), ("12,500.50", 12500.5), ("€12.500,00", 12500.0),
                                                ("EUR 9,99", 9.99), ("12 500", 12500.0), ("1.250.000", 1250000.0)])
def test_amounts_as_people_type_them(capsys, db, deal, amount, stored):
    code, err = _move(capsys, db, deal, amount)
    assert code == 0, err
    assert query(db, "SELECT amount FROM deals WHERE id = ?", deal) == [(pytest.approx(stored),)]


def test_an_amount_in_another_currency_than_the_deal_is_refused(capsys, db, deal):
    before = snapshot(db)
    code, err = _move(capsys, db, deal, "$12,500")
    assert code == 2 and "is in USD, the deal in EUR" in err
    assert snapshot(db) == before


def test_the_dialog_path_refuses_as_the_command_line_does(db, deal):
    store = Store(db)
    tom = Workbench.open(store, "tom", fixed_clock)
    with pytest.raises(InvalidFields) as refused:
        tom.move_deal(deal, "proposal", {"primary_contact_id": "1", "amount": "1e3"})
    assert [field for field, _ in refused.value.problems] == ["amount"]
    store.close()


@pytest.mark.parametrize("text", ["1e3", "10k", "2 Mio", "1,2,3,4", "0", "-1", "(500)", "12 EUR USD", "tbd"])
def test_read_amount_refuses(text):
    with pytest.raises(ValueProblem):
        read_amount(text)


def test_read_amount_names_the_currency():
    assert read_amount("€12.500,00") == (12500.0, "EUR")
    assert read_amount("12,500 usd") == (12500.0, "USD")
    assert read_amount("12500") == (12500.0, None)


def _deal_one(store) -> tuple:
    return tuple(store.conn.execute("SELECT stage, amount FROM deals WHERE id = 1").fetchone())


async def test_the_deal_move_dialog_reads_amounts_as_the_import_does(store):
    """Driven with Pilot: the dialog refuses 1e3 beside its field, writes nothing, then takes 12.500,00."""
    from textual.widgets import Input

    from revdesk.tui.app import build_app
    from revdesk.tui.pipeline.deal_move import DealMoveModal
    from tests.db.pipeline.test_pipeline_query import add_deals
    from tests.tui.helpers import settle

    add_deals(store)
    store.conn.execute("UPDATE deals SET amount = NULL WHERE id = 1")
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=(130, 36)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        board = app.screen.board
        board.move_lane([spec.key for spec in board.specs].index("discovery") - board.index)
        await pilot.pause()
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("down", "enter")  # Proposal, which needs an amount
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DealMoveModal) and [key for key, _ in modal.missing] == ["amount"]
        modal.query_one("#field-amount", Input).value = "1e3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal, "refused: the dialog stays open"
        assert "'1e3' is not a positive amount" in str(modal.query_one("#problem-amount").render())
        assert _deal_one(store) == ("discovery", None)
        modal.query_one("#field-amount", Input).value = "12.500,00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _deal_one(store) == ("proposal", 12500.0)
