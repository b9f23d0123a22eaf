"""Find the line of a key in TOML source, so validation errors can name both the key and its line.

tomllib gives values without positions; this scanner follows table headers, arrays of tables and
inline keys well enough to point at the line a person should look at. It reads each line once, with no pattern
that can backtrack (a hostile file can't make it slow), and skips the inside of multi-line strings.
"""

from __future__ import annotations

import re

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
    in_string: str | None = None  # the delimiter of the multi-line string this line is inside
    for number, text in enumerate(source.splitlines(), start=1):
        if in_string is not None:
            if in_string in text:
                in_string = None
            continue
        header = _header(text)
        if header is not None:
            brackets, name = header
            parts = tuple(_clean(p) for p in name.split("."))
            resolved = _resolve(parts, counters)
            if brackets == "[[":
                index = counters.get(resolved, -1) + 1
                counters[resolved] = index
                table = (*resolved, index)
            else:
                table = resolved
            lines.setdefault(table, number)
            lines.setdefault(table[:-1] if brackets == "[[" else table, number)
            array_key = None
            continue
        key = _KEY.match(text)
        if key:
            in_string = _opens_multiline(text[key.end():])
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


def _header(text: str) -> tuple[str, str] | None:
    """('[', name) for a `[name]` line, ('[[', name) for `[[name]]`, else None (a comment may follow)."""
    line = text.strip()
    brackets = "[[" if line.startswith("[[") else "[" if line.startswith("[") else ""
    if not brackets:
        return None
    close = line.find("]" * len(brackets), len(brackets))
    if close < 0:
        return None
    name, rest = line[len(brackets):close].strip(), line[close + len(brackets):].strip()
    if not name or "=" in name or (rest and not rest.startswith("#")):
        return None
    return brackets, name


def _opens_multiline(value: str) -> str | None:
    """The delimiter of a multi-line string a key's value opens and leaves open on its line, else None."""
    for delimiter in ('"""', "'''"):
        if value.lstrip().startswith(delimiter) and value.count(delimiter) % 2 == 1:
            return delimiter
    return None


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
