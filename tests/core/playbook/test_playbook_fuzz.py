"""Hypothesis-generated text as a whole playbook or sequence file, and in its keys, labels and patterns: the check
answers with a playbook (or sequence) or with PlaybookError naming the file, never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revdesk.core.common.errors import PlaybookError
from revdesk.core.playbook.check import parse_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK, FIXTURES_DIR
from revdesk.sequences.definition import parse_sequence
from tests.toml_strings import toml_string

PLAYBOOK = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
SEQUENCE = (FIXTURES_DIR / "sequences" / "cold-outbound.toml").read_text(encoding="utf-8")
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)  # TOML can't hold lone surrogates
PATTERN = next(line for line in PLAYBOOK.splitlines() if line.startswith("pattern = "))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _answers(parse, source: str) -> None:
    try:
        parse(source, "fuzz.toml")
    except PlaybookError as exc:
        assert exc.problems and all(p.startswith("fuzz.toml") for p in exc.problems), exc.problems


@FUZZ
@given(TEXT)
def test_any_text_as_a_file(text):
    _answers(parse_playbook, text)
    _answers(parse_sequence, text)


@FUZZ
@given(TEXT, st.sampled_from(['key = "connected"', '{ key = "pain"', '"lost_reason"', 'label = "Demo"', PATTERN,
                              'follow_up = "+2d"', 'start = "09:00"', 'sequence = "dormant_reengagement"']))
def test_any_text_in_a_playbook_value(text, item):
    name, sep, _ = item.partition(" = ")
    _answers(parse_playbook, PLAYBOOK.replace(item, f"{name} = {toml_string(text)}" if sep else toml_string(text), 1))


@FUZZ
@given(TEXT, st.sampled_from(['key = "cold_outbound"', 'window = "0 8 * * tue-thu"', 'subject = "Closing the loop"',
                              'channel = "linkedin"', '"handoff"']))
def test_any_text_in_a_sequence_value(text, item):
    name, sep, _ = item.partition(" = ")
    _answers(parse_sequence, SEQUENCE.replace(item, f"{name} = {toml_string(text)}" if sep else toml_string(text), 1))
