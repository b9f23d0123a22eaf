"""A sequence's key is an identifier like the playbook's (snake_case, no trailing newline, at most 64 characters),
refused with its line; and the naughty strings in every string field of a sequence file get a checked sequence or
its problems, never another exception."""

from __future__ import annotations

import pytest

from revdesk.core.common.errors import PlaybookError
from revdesk.fixtures import FIXTURES_DIR
from revdesk.sequences.definition import parse_sequence, sequence_from_json, sequence_to_json
from tests.naughty import naughty_strings
from tests.toml_strings import toml_string

COLD = (FIXTURES_DIR / "sequences" / "cold-outbound.toml").read_text(encoding="utf-8")
FIELDS = ['key = "cold_outbound"', 'name = "Cold outbound"', '"handoff"', 'window = "0 9-16 * * mon-fri"',
          'subject = "Closing the loop"', 'note = "Send a connection request without a note, or a one-liner about'
          ' something they posted. No pitch."', 'channel = "linkedin"']


@pytest.mark.parametrize("key", ["cold outbound", "cold_outbound\n", "Cold_outbound", "x" * 65, "köld", ""])
def test_a_key_that_is_not_an_identifier_is_refused_with_its_line(key):
    source = COLD.replace('key = "cold_outbound"', f"key = {toml_string(key)}", 1)
    with pytest.raises(PlaybookError) as caught:
        parse_sequence(source, "cold.toml")
    line = next(n for n, text in enumerate(source.splitlines(), start=1) if text.startswith("key = "))
    assert caught.value.problems[0].startswith(f"cold.toml:{line}: key: "), caught.value.problems
    assert "not a key" in caught.value.problems[0] or "65 characters long" in caught.value.problems[0]


@pytest.mark.parametrize("field", FIELDS, ids=lambda item: item.partition(" = ")[0].strip('"') or item)
def test_naughty_strings_in_a_field_give_a_sequence_or_its_problems(field):
    name, sep, _ = field.partition(" = ")
    for text in naughty_strings():
        source = COLD.replace(field, f"{name} = {toml_string(text)}" if sep else toml_string(text), 1)
        try:
            sequence = parse_sequence(source, "naughty.toml")
        except PlaybookError as exc:
            assert exc.problems and all(p.startswith("naughty.toml") for p in exc.problems), exc.problems
        else:
            if name == "name":
                assert sequence.name == text


def test_a_sequence_stored_with_a_key_refused_since_is_refused_when_read():
    data = sequence_to_json(parse_sequence(COLD, "cold.toml"))
    data["key"] = "k" * 70  # an older revdesk had no length limit
    with pytest.raises(PlaybookError) as caught:
        sequence_from_json(data)
    assert caught.value.problems[0].startswith(f"the stored sequence {'k' * 70!r}: key: is 70 characters long")
    assert "revdesk sequences apply FILE" in caught.value.problems[-1]
