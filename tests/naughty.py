"""The big list of naughty strings (MIT; copied with its SOURCE.txt into tests/data/naughty) for hostile tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_FILE = Path(__file__).parent / "data" / "naughty" / "blns.json"


@cache
def naughty_strings() -> tuple[str, ...]:
    """Every string of the list, the empty one included, in the list's order."""
    return tuple(json.loads(_FILE.read_text(encoding="utf-8")))
