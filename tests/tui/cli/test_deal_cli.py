"""`revdesk deal move`, and no command anywhere that sets a deal's owner, run in-process."""

from __future__ import annotations

import argparse
import json

import pytest

from revdesk.tui.cli.main import build_parser
from tests.tui.cli.cli_helpers import query, run, snapshot

# --- deal move --------------------------------------------------------------------------------------------


def test_deal_move_to_closed_lost_names_lost_reason(capsys, db, deal):
    before = snapshot(db)
    code, out, err = run(capsys, "--db", str(db), "--as", "tom", "deal", "move", str(deal), "--stage", "closed_lost")
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == ["revdesk: error: refused, nothing was written; 1 to fix:",
                                        "  lost_reason: is required to enter Closed Lost"]
    assert snapshot(db) == before
    code, out, err = run(capsys, "--db", str(db), "--as", "tom", "deal", "move", str(deal), "--stage", "closed_lost",
                         "--field", "lost_reason=Chose a competitor", "--json")
    assert code == 0, err
    assert json.loads(out)["to"] == "closed_lost"
    assert query(db, "SELECT stage, won, lost_reason FROM deals WHERE id = ?", deal) == [
        ("closed_lost", 0, "Chose a competitor")]


def test_deal_move_to_demo_json(capsys, db, deal):
    code, out, err = run(capsys, "--db", str(db), "--as", "tom", "deal", "move", str(deal), "--stage", "demo", "--json")
    assert code == 0, err
    moved = json.loads(out)
    change_id = query(db, "SELECT MAX(id) FROM changes")[0][0]
    assert moved == {"deal_id": deal, "from": "discovery", "to": "demo", "won": False, "change_id": change_id}
    assert query(db, "SELECT stage FROM deals WHERE id = ?", deal) == [("demo",)]
    assert query(db, "SELECT from_stage, to_stage, changed_by FROM stage_history WHERE deal_id = ? ORDER BY id",
                 deal) == [(None, "discovery", 2), ("discovery", "demo", 2)]


def test_deal_move_names_every_bad_field(capsys, db, deal):
    before = snapshot(db)
    code, _, err = run(capsys, "--db", str(db), "--as", "tom", "deal", "move", str(deal), "--stage", "closed_won",
                       "--field", "amount=x", "--field", "expected_close_date=2020-01-01")
    assert code == 2
    assert err.strip().splitlines()[1:] == ["  amount: 'x' is not a positive amount, like 12500 or 12,500.00",
                                            "  expected_close_date: 2020-01-01 is in the past"]
    assert snapshot(db) == before


def test_deal_move_to_won_suggests_the_cs_handoff(capsys, db, deal):
    code, out, err = run(capsys, "--db", str(db), "--as", "tom", "deal", "move", str(deal), "--stage", "closed_won",
                         "--field", "amount=24,000", "--field", "expected_close_date=2099-12-31")
    assert code == 0, err
    assert "moved from Discovery to Closed Won" in out
    assert f"revdesk handoff send --deal {deal}" in out
    assert query(db, "SELECT amount, won FROM deals WHERE id = ?", deal) == [(24000.0, 1)]


def test_only_the_owner_moves_a_deal(capsys, db, deal):
    before = snapshot(db)
    code, _, err = run(capsys, "--db", str(db), "--as", "maya", "deal", "move", str(deal), "--stage", "demo")
    assert code == 2
    assert err.startswith(f"revdesk: error: --as: deal {deal} is Tom Reyes's")
    assert snapshot(db) == before


# --- no CLI option sets a deal's owner --------------------------------------------------------------------


def test_deal_help_mentions_no_owner_option(capsys):
    for argv in (["deal", "--help"], ["deal", "move", "--help"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        assert "usage:" in out
        assert "owner" not in out.lower(), argv


def test_deal_move_with_an_owner_option_is_a_usage_error(capsys, db, deal):
    before = snapshot(db)
    code, _, err = run(capsys, "--db", str(db), "--as", "tom", "deal", "move", str(deal), "--stage", "demo",
                       "--owner", "ines")
    assert code == 2
    assert "unrecognized arguments: --owner ines" in err
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["deal", "move", "1", "--owner", "tom"])
    assert caught.value.code == 2
    assert snapshot(db) == before


def _options(parser: argparse.ArgumentParser, path: str = "revdesk") -> list[tuple[str, str]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _options(child, f"{path} {name}")
        else:
            found += [(path, option) for option in action.option_strings]
            if not action.option_strings and action.dest:
                found.append((path, action.dest))
    return found


def test_no_command_anywhere_has_an_owner_option():
    options = _options(build_parser())
    assert ("revdesk deal move", "--stage") in options  # the walk reaches the deal commands
    # Import names the owners of the records it creates (never of existing deals): its map says who is who.
    allowed = {("revdesk import", "--owner-map")}
    assert [(p, o) for p, o in options if "owner" in o.lower() and (p, o) not in allowed] == []
