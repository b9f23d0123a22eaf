"""sequences/definition.py: the default sequences parse; broken ones are refused naming key and line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from revdesk.core.common.errors import PlaybookError
from revdesk.fixtures import FIXTURES_DIR
from revdesk.sequences.definition import Sequence, Step, parse_sequence, sequence_from_json, sequence_to_json

SEQUENCES = FIXTURES_DIR / "sequences"
COLD = (SEQUENCES / "cold-outbound.toml").read_text(encoding="utf-8")

SMALL = """\
# a two-step sequence to break in tests
key = "small"
name = "Small"

[[steps]]
channel = "call"
wait_days = 0
window = "0 9-11 * * mon-fri"
note = "Call them"

[[steps]]
channel = "email"
wait_days = 2
subject = "Hello {first_name}"
template = "Hi {first_name}, this is {sender_first_name}."
"""


def _line_containing(text: str, fragment: str) -> int:
    matches = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(matches) == 1, f"{fragment!r} is on lines {matches}"
    return matches[0]


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def _problems(source: str, origin: str = "broken.toml") -> list[str]:
    with pytest.raises(PlaybookError) as info:
        parse_sequence(source, origin)
    assert str(info.value) == "; ".join(info.value.problems)
    return info.value.problems


def _only_problem(source: str, fragment: str, key: str) -> str:
    """The single problem, checked to read 'broken.toml:LINE: key: reason' with LINE that of `fragment`."""
    problems = _problems(source)
    assert len(problems) == 1, problems
    prefix = f"broken.toml:{_line_containing(source, fragment)}: {key}: "
    assert problems[0].startswith(prefix), (problems[0], prefix)
    reason = problems[0].removeprefix(prefix)
    assert reason.strip()
    return reason


@pytest.mark.parametrize("name,key,steps", [("cold-outbound.toml", "cold_outbound", 8),
                                            ("inbound-follow-up.toml", "inbound_follow_up", 7),
                                            ("dormant-reengagement.toml", "dormant_reengagement", 6)])
def test_the_default_sequences_parse(name, key, steps):
    path = SEQUENCES / name
    seq = parse_sequence(path.read_text(encoding="utf-8"), str(path))
    assert seq.key == key and len(seq.steps) == steps
    assert set(seq.exit_on) == {"reply", "meeting", "handoff", "bounce", "do_not_contact"}
    assert {"call", "email"} <= {s.channel for s in seq.steps}


def test_cold_outbound_mixes_channels_over_three_weeks():
    seq = parse_sequence(COLD, "cold-outbound.toml")
    assert {s.channel for s in seq.steps} == {"call", "email", "linkedin"}
    assert 13 <= sum(s.wait_days for s in seq.steps) <= 17  # business days: about three weeks
    assert not seq.allow_reenroll and not seq.allow_parallel


def test_inbound_follow_up_calls_within_hours_and_allows_reenrollment():
    seq = parse_sequence((SEQUENCES / "inbound-follow-up.toml").read_text(encoding="utf-8"), "inbound")
    first, second = seq.steps[:2]
    assert first.channel == "call" and first.wait_days == 0
    assert second.channel == "email" and second.wait_days == 0 and second.wait_hours <= 4
    assert seq.allow_reenroll


def test_dormant_reengagement_ends_with_a_break_up_email():
    seq = parse_sequence((SEQUENCES / "dormant-reengagement.toml").read_text(encoding="utf-8"), "dormant")
    assert [s.channel for s in seq.steps][:1] == ["email"] and seq.steps[-1].channel == "email"
    assert {"call", "linkedin"} <= {s.channel for s in seq.steps}


def test_defaults_for_optional_keys():
    seq = parse_sequence(SMALL, "small.toml")
    assert seq.description == "" and not seq.allow_reenroll and not seq.allow_parallel
    assert seq.exit_on == ["reply", "meeting", "handoff", "bounce", "do_not_contact"]
    assert seq.steps[1] == Step("email", wait_days=2, subject="Hello {first_name}",
                                template="Hi {first_name}, this is {sender_first_name}.")


def test_a_bad_cron_window_names_the_step_and_line():
    source = _replace_once(COLD, 'window = "0 16-17 * * mon-fri"', 'window = "0 25 * * mon-fri"')
    reason = _only_problem(source, '"0 25 * * mon-fri"', "steps[4].window")
    assert "cron" in reason


def test_a_window_must_have_exactly_five_fields():
    source = _replace_once(SMALL, '"0 9-11 * * mon-fri"', '"0 0 9-11 * * mon-fri"')
    assert "5-field" in _only_problem(source, "0 0 9-11", "steps[0].window")
    source = _replace_once(SMALL, '"0 9-11 * * mon-fri"', '"@daily"')
    _only_problem(source, "@daily", "steps[0].window")


def test_an_email_without_a_template_is_refused():
    source = _replace_once(SMALL, 'template = "Hi {first_name}, this is {sender_first_name}."\n', "")
    # the key is missing, so the line is the step's own [[steps]] header
    lines = SMALL.splitlines()
    header = [n for n, line in enumerate(lines, start=1) if line == "[[steps]]"][1]
    problems = _problems(source)
    assert problems == [f"broken.toml:{header}: steps[1].template: an e-mail step needs a template (the message body)"]


def test_an_email_without_a_subject_is_refused():
    source = _replace_once(SMALL, 'subject = "Hello {first_name}"', 'subject = "  "')
    _only_problem(source, 'subject = "  "', "steps[1].subject")


def test_a_call_without_a_note_and_a_call_with_a_subject_are_refused():
    source = _replace_once(SMALL, 'note = "Call them"', 'note = ""')
    assert "note" in _only_problem(source, 'note = ""', "steps[0].note")
    source = _replace_once(SMALL, 'note = "Call them"', 'note = "Call them"\nsubject = "Hi"')
    _only_problem(source, 'subject = "Hi"', "steps[0].subject")


def test_an_unknown_merge_field_names_the_step_and_line():
    source = _replace_once(COLD, 'subject = "Closing the loop"', 'subject = "Closing the loop, {firstname}"')
    reason = _only_problem(source, "{firstname}", "steps[7].subject")
    assert reason.startswith("{firstname} is not a merge field") and "{first_name}" in reason


def test_a_placeholder_that_is_not_a_name_is_refused_at_its_template():
    source = _replace_once(COLD, "Following up on my note from last week.", "Following up on my note {0}.")
    step = 3
    header_lines = [n for n, line in enumerate(source.splitlines(), start=1) if line == "[[steps]]"]
    template_line = next(n for n, line in enumerate(source.splitlines(), start=1)
                         if n > header_lines[step] and line.startswith("template = "))
    problems = _problems(source)
    assert len(problems) == 1 and problems[0].startswith(f"broken.toml:{template_line}: steps[3].template: {{0}} is")


def test_an_unknown_key_is_refused_with_its_line():
    source = _replace_once(COLD, 'window = "0 9-16 * * mon-fri"', 'window = "0 9-16 * * mon-fri"\ncolour = "red"')
    assert _only_problem(source, "colour", "steps[2].colour") == "is not a known key"
    source = _replace_once(SMALL, 'name = "Small"', 'name = "Small"\nflavour = "mint"')
    assert _only_problem(source, "flavour", "flavour") == "is not a known key"


def test_both_waits_are_refused():
    source = _replace_once(SMALL, "wait_days = 2", "wait_days = 2\nwait_hours = 4")
    reason = _only_problem(source, "wait_hours = 4", "steps[1].wait_hours")
    assert "not both" in reason


def test_a_negative_wait_is_refused():
    source = _replace_once(SMALL, "wait_days = 2", "wait_days = -1")
    _only_problem(source, "wait_days = -1", "steps[1].wait_days")


def test_an_unknown_channel_is_refused():
    source = _replace_once(SMALL, 'channel = "call"', 'channel = "fax"')
    _only_problem(source, '"fax"', "steps[0].channel")


def test_empty_steps_are_refused():
    body = SMALL.split("[[steps]]")[0]
    source = body + "steps = []\n"
    assert "between 1 and 30" in _only_problem(source, "steps = []", "steps")
    # with no steps at all there is no line to point at, but the key is named
    assert _problems(body) == ["broken.toml: steps: Field required"]


def test_more_than_thirty_steps_are_refused():
    start = SMALL.index("[[steps]]")
    step = SMALL[start:SMALL.index("\n\n[[steps]]", start)] + "\n\n"
    source = SMALL.split("[[steps]]")[0] + step * 31
    first = [n for n, line in enumerate(source.splitlines(), start=1) if line == "[[steps]]"][0]
    problems = _problems(source)
    assert problems == [f"broken.toml:{first}: steps: needs between 1 and 30 steps (a [[steps]] table each); it has 31"]


def test_a_duplicate_exit_reason_is_refused():
    line = 'exit_on = ["reply", "meeting", "handoff", "bounce", "do_not_contact"]'
    source = _replace_once(COLD, line, 'exit_on = ["reply", "meeting", "reply"]')
    assert _only_problem(source, '"meeting", "reply"', "exit_on[2]") == "'reply' is listed twice; list each reason once"


def test_an_unknown_exit_reason_and_a_bad_key_are_refused():
    source = _replace_once(SMALL, 'key = "small"', 'key = "Small One"\nexit_on = ["reply", "holiday"]')
    problems = _problems(source)
    assert any(p.startswith(f"broken.toml:{_line_containing(source, 'holiday')}: exit_on[1]: ") for p in problems)


def test_every_problem_is_reported():
    source = _replace_once(SMALL, "wait_days = 2", "wait_days = -2")
    source = _replace_once(source, '"0 9-11 * * mon-fri"', '"sometimes"')
    problems = _problems(source)
    assert len(problems) == 2
    assert problems[0].startswith(f"broken.toml:{_line_containing(source, 'sometimes')}: steps[0].window: ")
    assert problems[1].startswith(f"broken.toml:{_line_containing(source, 'wait_days = -2')}: steps[1].wait_days: ")


def test_not_toml_is_refused():
    assert _problems("key = ")[0].startswith("broken.toml: not valid TOML: ")


def test_labels():
    seq = parse_sequence(COLD, "cold-outbound.toml")
    assert seq.steps[2].label(2) == "Step 3: linkedin"
    assert seq.step_label(1) == "Step 2 of 'Cold outbound': call"


def test_the_stored_form_round_trips():
    for path in sorted(SEQUENCES.glob("*.toml")):
        seq = parse_sequence(path.read_text(encoding="utf-8"), str(path))
        again = sequence_from_json(json.loads(json.dumps(sequence_to_json(seq))))
        assert again == seq and isinstance(again, Sequence) and isinstance(again.steps[0], Step)


def test_rebuilding_a_stored_sequence_needs_no_pydantic():
    data = json.dumps(sequence_to_json(parse_sequence(SMALL, "small.toml")))
    script = ("import json, sys\nfrom sequences.definition import sequence_from_json\n"
              f"seq = sequence_from_json(json.loads({data!r}))\n"
              "print(seq.steps[1].subject, 'pydantic' in sys.modules)")
    root = FIXTURES_DIR.parent
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "Hello {first_name} False"
