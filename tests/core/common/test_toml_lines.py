"""core/common/toml_lines.py: a problem's line is found in time linear in the file whatever it holds, and text inside a
multi-line string (a template quoting `[[steps]]` or `key = ...`) is never taken for a table or a key."""

from __future__ import annotations

import time

import pytest

from revdesk.core.common.errors import PlaybookError
from revdesk.core.common.toml_lines import key_lines
from revdesk.sequences.definition import parse_sequence

SEQUENCE = '''\
key = "small"
name = "Small"

[[steps]]
channel = "email"
subject = "Hello"
template = """
[[steps]]
note = "this is the message, not a step"
[{spaces}x
"""

[[steps]]
channel = "call"
window = "0 25 * * *"
note = "Call them"
'''


def test_a_line_full_of_spaces_after_a_bracket_is_scanned_at_once():
    started = time.perf_counter()
    key_lines("x = 1\n[" + " " * 100_000 + "x\n" + "k = {" + " " * 100_000 + "y\n")
    assert time.perf_counter() - started < 0.5


def test_text_inside_a_multiline_string_is_not_a_table_or_a_key():
    source = SEQUENCE.replace("{spaces}", " " * 20_000)
    started = time.perf_counter()
    with pytest.raises(PlaybookError) as caught:
        parse_sequence(source, "small.toml")
    assert time.perf_counter() - started < 2
    line = next(n for n, text in enumerate(source.splitlines(), start=1) if text.startswith("window = "))
    assert caught.value.problems == [caught.value.problems[0]]
    assert caught.value.problems[0].startswith(f"small.toml:{line}: steps[1].window: ")
