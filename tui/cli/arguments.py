"""Argument types the subcommands share, checked while the command line is read, so a value no command could use is
refused with the option's name before anything opens: record ids (whole numbers SQLite can hold), bounded counts,
and paths the operating system can take."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from pathlib import Path

LARGEST_ID = 2**63 - 1  # SQLite's largest integer: a record id beyond it cannot exist
_WHOLE = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: "⁰⁴⁵" and "٣" pass str.isdigit() yet are no number here


def whole_number(text: str) -> int:
    """A whole number in ASCII digits (int() would also take "٣", "1_000" and " 7 ")."""
    if not _WHOLE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number (digits 0-9)")
    return int(text)


def record_id(text: str) -> int:
    """The id of a record: a whole number from 1 up."""
    value = whole_number(text)
    if not 1 <= value <= LARGEST_ID:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not an id (a whole number from 1 to {LARGEST_ID})")
    return value


def count(low: int, high: int) -> Callable[[str], int]:
    """A whole number from `low` to `high` (a number of days, months or records)."""

    def parse(text: str) -> int:
        value = whole_number(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not between {low} and {high}")
        return value

    parse.__name__ = "count"
    return parse


def path_problem(path: str | os.PathLike[str]) -> str | None:
    """Why the operating system cannot take `path` as a file name (empty, a NUL, a name or path too long), else
    None."""
    text = os.fspath(path)
    if not text.strip():
        return "is empty: name a file"
    if "\x00" in text:
        return "a file name cannot hold a NUL character"
    raw = os.fsencode(text)
    name_max, path_max = _limits()
    if len(raw) >= path_max:
        return f"the path is {len(raw):,} bytes long; this system takes at most {path_max - 1:,}"
    longest = max(raw.split(b"/"), key=len)
    if len(longest) > name_max:
        return f"a name in the path is {len(longest):,} bytes long; this system takes at most {name_max}"
    return None


def file_path(text: str) -> Path:
    """A path the operating system can take (whether the file exists is the command's business)."""
    problem = path_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return Path(text)


def _limits() -> tuple[int, int]:
    try:
        return os.pathconf("/", "PC_NAME_MAX"), os.pathconf("/", "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows): the common limits
        return 255, 4096


def _shown(text: str) -> str:
    return repr(text if len(text) <= 30 else text[:27] + "...")
