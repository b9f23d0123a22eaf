"""core/playbook/model.py: the default playbook parses; broken ones are refused with problems naming key and line."""

from __future__ import annotations

import json
import re

import pytest

from revdesk.core.common.errors import PlaybookError
from revdesk.core.playbook.check import parse_playbook
from revdesk.core.playbook.model import playbook_from_json, playbook_to_json
from revdesk.fixtures import DEFAULT_PLAYBOOK

SOURCE = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")


def _line_in_block(text: str, header: str, nth: int, key: str) -> int:
    """1-based line of `key = ...` inside the nth (0-based) `header` block of `text`."""
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines) if line.strip() == header]
    start = headers[nth]
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[i]):
            return i + 1
    raise AssertionError(f"{key} not found in {header} #{nth}")


def _line_containing(text: str, fragment: str) -> int:
    matches = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(matches) == 1, f"{fragment!r} is on lines {matches}"
    return matches[0]


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def _only_problem(problems: list[str], where: str, key: str) -> str:
    """The single problem, checked to start with 'FILE:LINE: key: ' and to say why; returns the reason."""
    assert len(problems) == 1, problems
    prefix = f"{where}: {key}: "
    assert problems[0].startswith(prefix), (problems[0], prefix)
    reason = problems[0].removeprefix(prefix)
    assert reason.strip()
    return reason


def _problems(source: str, tmp_path, name: str = "broken.toml") -> tuple[str, list[str]]:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    with pytest.raises(PlaybookError) as info:
        parse_playbook(path.read_text(encoding="utf-8"), str(path))
    assert str(info.value) == "; ".join(info.value.problems)
    return str(path), info.value.problems


def test_the_default_playbook_parses():
    playbook = parse_playbook(SOURCE, "playbook.toml")
    assert playbook.name == "Default playbook"
    assert [s.key for s in playbook.stages] == [
        "discovery", "demo", "proposal", "negotiation", "closed_won", "closed_lost"]
    assert playbook.stage("proposal").probability == 0.5
    assert playbook.stage("proposal").exit_criteria == ["amount", "expected_close_date"]
    assert playbook.stage("closed_won").won and playbook.stage("closed_won").closed
    assert playbook.stage("closed_lost").entry_criteria == ["lost_reason"]
    assert [o.key for o in playbook.outcomes] == [
        "connected", "voicemail", "no_answer", "bad_number", "meeting_booked", "not_interested", "call_back_later"]
    letters = [o.letter for o in playbook.outcomes]
    assert len(set(letters)) == len(letters)
    assert playbook.conversation_outcomes() == ["connected", "meeting_booked", "not_interested", "call_back_later"]
    assert playbook.meeting_outcomes() == ["meeting_booked"]
    assert playbook.outcome("voicemail").follow_up == "+2d"
    assert playbook.outcome("call_back_later").follow_up_kind == "call_back"
    assert playbook.sla.first_touch_minutes == 15
    assert playbook.sla.near_fraction == 0.5
    assert playbook.qualification.mql_threshold == 40
    assert len(playbook.qualification.fit_rules) == 4
    assert [k.kind for k in playbook.handoff.kinds] == ["sdr_ae", "ae_cs"]
    assert [f.key for f in playbook.handoff.kinds[0].fields] == [
        "pain", "impact", "trigger", "approver", "budget", "next_step"]
    assert playbook.dormancy.days == 365
    assert len(playbook.targets) == 12
    assert playbook.currency.base == "EUR" and playbook.currency.rates["GBP"] > 1


def test_the_stored_form_round_trips():
    playbook = parse_playbook(SOURCE, "playbook.toml")
    stored = json.loads(json.dumps(playbook_to_json(playbook)))
    assert playbook_from_json(stored) == playbook


def test_unknown_outcome_and_stage_lookups_raise_key_error():
    playbook = parse_playbook(SOURCE, "playbook.toml")
    with pytest.raises(KeyError, match="voicemail"):
        playbook.outcome("nope")
    with pytest.raises(KeyError):
        playbook.stage("nope")


def test_probability_out_of_range_names_key_and_line(tmp_path):
    line = _line_in_block(SOURCE, "[[stages]]", 2, "probability")
    assert line == 27  # the default file today; computed above from the text
    broken_lines = SOURCE.splitlines(keepends=True)
    broken_lines[line - 1] = "probability = 5.0\n"
    origin, problems = _problems("".join(broken_lines), tmp_path)
    _only_problem(problems, f"{origin}:{line}", "stages[2].probability")


def test_a_value_of_the_wrong_type_names_key_and_line(tmp_path):
    line = _line_in_block(SOURCE, "[[stages]]", 2, "probability")
    broken_lines = SOURCE.splitlines(keepends=True)
    broken_lines[line - 1] = 'probability = "high"\n'
    origin, problems = _problems("".join(broken_lines), tmp_path)
    _only_problem(problems, f"{origin}:{line}", "stages[2].probability")


def test_unknown_keys_are_refused_with_their_line(tmp_path):
    source = _replace_once(SOURCE, 'key = "demo"\n', 'key = "demo"\ncolour = "red"\n')
    origin, problems = _problems(source, tmp_path)
    _only_problem(problems, f"{origin}:{_line_containing(source, 'colour')}", "stages[1].colour")


def test_unknown_top_level_key_is_refused(tmp_path):
    source = _replace_once(SOURCE, 'name = "Default playbook"\n', 'name = "Default playbook"\nflavour = 1\n')
    origin, problems = _problems(source, tmp_path)
    _only_problem(problems, f"{origin}:{_line_containing(source, 'flavour')}", "flavour")


def test_a_bad_value_inside_an_inline_table_names_its_line(tmp_path):
    source = _replace_once(SOURCE, 'label = "Go-live date", type = "date"', 'label = "Go-live date", type = "number"')
    origin, problems = _problems(source, tmp_path)
    line = _line_containing(source, 'type = "number"')
    _only_problem(problems, f"{origin}:{line}", "handoff.kinds[1].fields[3].type")


def test_a_bad_follow_up_form_names_the_outcome_and_line(tmp_path):
    source = _replace_once(SOURCE, 'follow_up = "+2d"', 'follow_up = "someday"')
    origin, problems = _problems(source, tmp_path)
    reason = _only_problem(problems, f"{origin}:{_line_containing(source, 'someday')}", "outcomes[1].follow_up")
    assert "someday" in reason


def test_a_bad_inline_commented_value_names_its_line(tmp_path):
    source = _replace_once(SOURCE, "first_touch_minutes = 15 ", "first_touch_minutes = 0 ")
    origin, problems = _problems(source, tmp_path)
    line = _line_in_block(source, "[sla]", 0, "first_touch_minutes")
    _only_problem(problems, f"{origin}:{line}", "sla.first_touch_minutes")


def test_every_problem_is_reported(tmp_path):
    source = _replace_once(SOURCE, "probability = 0.25", "probability = -1")
    source = _replace_once(source, 'key = "voicemail"', 'key = "Voice Mail"')
    origin, problems = _problems(source, tmp_path)
    assert len(problems) == 2, problems
    assert any(p.startswith(f"{origin}:{_line_containing(source, '= -1')}: stages[1].probability: ") for p in problems)
    assert any(p.startswith(f"{origin}:{_line_containing(source, 'Voice Mail')}: outcomes[1].key: ") for p in problems)


def test_a_target_for_both_a_role_and_a_user_is_refused(tmp_path):
    source = SOURCE + '\n[[targets]]\nrole = "sdr"\nuser = "maya"\nmetric = "calls"\nperiod = "day"\nvalue = 5\n'
    origin, problems = _problems(source, tmp_path)
    assert len(problems) == 1, problems
    header = len(source.splitlines()) - 5
    assert source.splitlines()[header - 1] == "[[targets]]"
    # The line is the block's header or one of its keys, never anywhere else.
    assert re.match(rf"^{re.escape(origin)}:({header}|{header + 1}|{header + 2}): targets\[12\]", problems[0]), problems
    assert "role" in problems[0] and "user" in problems[0]


def test_a_negative_target_is_refused(tmp_path):
    line = _line_in_block(SOURCE, "[[targets]]", 0, "value")
    broken_lines = SOURCE.splitlines(keepends=True)
    broken_lines[line - 1] = "value = -60\n"
    origin, problems = _problems("".join(broken_lines), tmp_path)
    _only_problem(problems, f"{origin}:{line}", "targets[0].value")


def test_duplicate_outcome_letters_are_refused(tmp_path):
    source = _replace_once(SOURCE, 'letter = "a"', 'letter = "c"')
    line = _line_in_block(SOURCE, "[[outcomes]]", 2, "letter")
    origin, problems = _problems(source, tmp_path)
    assert problems == [f"{origin}:{line}: outcomes[2].letter: 'c' is used twice; each letter must be unique"]


def test_an_outcome_letter_taken_by_call_mode_is_refused(tmp_path):
    source = _replace_once(SOURCE, 'letter = "a"', 'letter = "n"')
    origin, problems = _problems(source, tmp_path)
    line = _line_containing(source, 'letter = "n"')
    _only_problem(problems, f"{origin}:{line}", "outcomes[2].letter")


def test_duplicate_stage_keys_are_refused(tmp_path):
    source = _replace_once(SOURCE, 'key = "demo"', 'key = "discovery"')
    origin, problems = _problems(source, tmp_path)
    assert len(problems) == 1, problems
    assert re.match(rf"^{re.escape(origin)}:\d+: stages", problems[0]), problems
    assert "unique" in problems[0] and "discovery" in problems[0]


def test_sql_threshold_below_mql_is_refused(tmp_path):
    source = _replace_once(SOURCE, "sql_threshold = 70", "sql_threshold = 30")
    origin, problems = _problems(source, tmp_path)
    _only_problem(problems, f"{origin}:{_line_containing(source, 'sql_threshold')}", "qualification.sql_threshold")


def test_invalid_toml_is_refused_naming_the_file_and_line(tmp_path):
    source = _replace_once(SOURCE, 'name = "Default playbook"', 'name = "Default playbook')
    origin, problems = _problems(source, tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{origin}: not valid TOML: ")
    line = _line_containing(source, 'name = "Default')
    assert f"line {line}" in problems[0]


def test_missing_required_sections_are_named(tmp_path):
    source = SOURCE.split("[sla]")[0]  # drops sla, dormancy and outcomes
    origin, problems = _problems(source, tmp_path)
    assert len(problems) == 2, problems
    assert any(p.startswith(f"{origin}: sla: ") for p in problems)
    assert any(p.startswith(f"{origin}: outcomes: ") for p in problems)


def test_a_playbook_needs_an_open_ae_stage_for_accepted_handoffs() -> None:
    source = DEFAULT_PLAYBOOK.read_text(encoding="utf-8").replace('owner_role = "ae"', 'owner_role = "cs"')
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(source, "cs-only.toml")
    assert any("owner_role" in p and "accepted handoffs start there" in p for p in caught.value.problems)
