"""Patterns a person writes (a playbook fit rule's `pattern`) run on RE2 (google-re2): matching takes time linear
in the text whatever the pattern, so a pattern like `^(a+)+$` can never hang revdesk on a long title.

RE2 has no backreferences and no lookarounds; a pattern using them is refused when the playbook is checked, with
the reason, rather than run on a backtracking engine. Pure Python, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import re2

MAX_PATTERN_LENGTH = 1000  # characters; a fit rule's pattern is a few words, and RE2's memory is bounded too
# RE2's message for what it does not do, and what to tell the person who wrote it.
_UNSUPPORTED = (
    (re.compile(r"invalid escape sequence: \\[1-9]"), "backreferences (\\1, \\2...) are not supported"),
    (re.compile(r"invalid perl operator: \(\?[=!]"), "lookaheads ((?=...), (?!...)) are not supported"),
    (re.compile(r"invalid perl operator: \(\?<"), "lookbehinds ((?<=...), (?<!...)) are not supported"),
)


class UserPattern:
    """A compiled RE2 pattern that remembers its answers: rescoring asks about the same few thousand titles
    over and over, and one RE2 search from Python costs several microseconds."""

    MEMO_SIZE = 65536  # answers kept; the memo starts afresh when full

    def __init__(self, compiled: Any) -> None:  # re2._Regexp: the package ships no type hints
        self._compiled = compiled
        self._memo: dict[str, bool] = {}

    def matches(self, text: str) -> bool:
        """Whether the pattern occurs anywhere in `text` (a lone surrogate counts as '?')."""
        known = self._memo.get(text)
        if known is None:
            try:
                known = self._compiled.search(text) is not None
            except UnicodeEncodeError:  # RE2 reads UTF-8, which has no lone surrogates
                known = self._compiled.search(text.encode("utf-8", "replace").decode("utf-8")) is not None
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            self._memo[text] = known
        return known


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # the reason goes into the refusal, not onto stderr
    return options


def _reason(error: re2.error) -> str:
    raw = error.args[0] if error.args else ""
    message = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    hint = next((why for known, why in _UNSUPPORTED if known.match(message)), None)
    detail = f"{hint} (patterns run on RE2, which never backtracks)" if hint else message
    return f"is not a pattern revdesk can run: {detail}"


def pattern_problem(text: str) -> str | None:
    """Why `text` is refused as a pattern, or None when it compiles."""
    if len(text) > MAX_PATTERN_LENGTH:
        return f"is {len(text)} characters long; a pattern may have at most {MAX_PATTERN_LENGTH}"
    try:
        compile_pattern(text)
    except re2.error as exc:
        return _reason(exc)
    except UnicodeEncodeError:
        return "holds a character that is not text (a lone surrogate)"
    return None


@lru_cache(maxsize=256)
def compile_pattern(text: str) -> UserPattern:
    """The pattern compiled by RE2 (cached); raises re2.error for a pattern RE2 cannot run."""
    return UserPattern(re2.compile(text, options=_options()))
