"""Every CLI option of every subcommand, driven with the naughty strings and hypothesis' text: no traceback, exit code
0 or 2, and a refused command leaves the database as it was (its logical dump unchanged)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tui.cli import hostile

SLOTS = hostile.slots()
SAMPLED = 6  # naughty strings per option in the quick run, besides hostile.SPECIAL
SPREAD = 16  # the slow run: option i takes the strings whose index is i modulo SPREAD


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("hostile")
    monkeypatch_module.chdir(root)
    return hostile.Workspace(root)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_every_option_is_found():
    names = {s.name for s in SLOTS}
    assert {"log --note", "deal move --field", "report --out", "import FILE", "deals stats --from", "log --db",
            "kpi --as"} <= names
    assert not any(s.command[0] in ("open", "demo") for s in SLOTS)


@pytest.mark.parametrize("command", hostile.commands(), ids=" ".join)
def test_hostile_strings_in_every_option(workspace, command):
    findings = hostile.drive(workspace, [s for s in SLOTS if s.command == command], SAMPLED)
    assert not findings.problems, findings.report()


@pytest.mark.slow
@pytest.mark.parametrize("command", hostile.commands(), ids=" ".join)
def test_every_naughty_string_in_many_options(workspace, command):
    """Each of the 549 strings goes through about ten options spread over the commands (REVDESK_EXHAUSTIVE=1: every
    string through every option, some 88,000 runs, too long for CI)."""
    chosen = [s for s in SLOTS if s.command == command]
    if os.environ.get("REVDESK_EXHAUSTIVE") == "1":
        findings = hostile.drive(workspace, chosen, None)
    else:
        findings = hostile.drive_spread(workspace, chosen, [SLOTS.index(s) for s in chosen], SPREAD)
    assert not findings.problems, findings.report()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slot=st.sampled_from(SLOTS), text=st.text(max_size=40))
def test_generated_text_in_any_option(workspace, slot, text):
    outcome = hostile.run(workspace, workspace.argv(slot, hostile.hostile_value(slot, text)))
    assert outcome.problem() is None, outcome.problem()


@pytest.mark.parametrize("command", sorted({s.command for s in SLOTS if s.dest in hostile.READ_FILES}), ids=" ".join)
def test_files_holding_hostile_strings(workspace, command):
    findings = hostile.drive_files(workspace, [s for s in SLOTS if s.command == command], 2)
    assert not findings.problems, findings.report()
