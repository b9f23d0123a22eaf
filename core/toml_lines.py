"""Find the line of a key in TOML source, so validation errors can name both the key and its line.

tomllib gives values without positions; this scanner follows table headers, arrays of tables and
inline keys well enough to point at the line a person should look at.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]+"|'[^']+'|[A-Za-z0-9_.-]+)\s*=""")
_INLINE_KEY = re.compile(r"""(?:\{|,)\s*([A-Za-z0-9_-]+)\s*=""")


def _clean(part: str) -> str:
    return part.strip().strip("\"'")


def key_lines(source: str) -> dict[tuple[str | int, ...], int]:
    """Map every key path (names and array indexes) to the 1-based line where it is defined."""
    lines: dict[tuple[str | int, ...], int] = {}
    counters: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    array_key: tuple[str | int, ...] | None = None
    array_index = 0
    for number, text in enumerate(source.splitlines(), start=1):
        header = _HEADER.match(text)
        if header and not text.lstrip().startswith("#") and "=" not in text.split("]")[0]:
            parts = tuple(_clean(p) for p in header.group(2).split("."))
            resolved = _resolve(parts, counters)
            if header.group(1) == "[[":
                index = counters.get(resolved, -1) + 1
                counters[resolved] = index
                table = (*resolved, index)
            else:
                table = resolved
            lines.setdefault(table, number)
            lines.setdefault(table[:-1] if header.group(1) == "[[" else table, number)
            array_key = None
            continue
        key = _KEY.match(text)
        if key:
            path = (*table, *(_clean(p) for p in key.group(1).split(".")))
            lines.setdefault(path, number)
            array_key, array_index = (path, 0) if text.rstrip().endswith("[") else (None, 0)
            for inline in _INLINE_KEY.findall(text):
                lines.setdefault((*path, inline), number)
            continue
        if array_key is not None and text.strip().startswith("{"):
            lines.setdefault((*array_key, array_index), number)
            for inline in _INLINE_KEY.findall(text):
                lines.setdefault((*array_key, array_index, inline), number)
            array_index += 1
        elif array_key is not None and text.strip().startswith("]"):
            array_key = None
    return lines


def _resolve(parts: tuple[str, ...], counters: dict[tuple[str | int, ...], int]) -> tuple[str | int, ...]:
    """Turn a dotted header into a path, stepping into the latest element of any array of tables."""
    path: tuple[str | int, ...] = ()
    for part in parts[:-1]:
        path = (*path, part)
        if path in counters:
            path = (*path, counters[path])
    return (*path, parts[-1])


def line_of(source: str, path: tuple[str | int, ...]) -> int | None:
    """The line of the deepest known prefix of `path`, or None when nothing matches."""
    lines = key_lines(source)
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
