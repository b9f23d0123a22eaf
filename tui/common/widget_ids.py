"""Widget ids for things the playbook names (a handoff field, a stage's criterion): built by a safe, reversible
encoding, never pasted from the text, so no key can crash a screen (Textual ids allow only letters, digits, _ and
-) or take the id of one of the screen's own widgets.

A plain key (ASCII letters, digits and _) keeps its readable id: `field-next_step`. Any other character, and every
character of a key that a screen reserves for its own widgets (`to`, `general`...), becomes `-<hex code>-`; a plain
key never holds `-`, so no two keys share an id.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_PLAIN = re.compile(r"[A-Za-z0-9_]+")
_ESCAPE = re.compile(r"-([0-9a-f]+)-")


def _escaped(text: str) -> str:
    return "".join(f"-{ord(ch):x}-" for ch in text)


def key_id(prefix: str, key: str, reserved: Collection[str] = ()) -> str:
    """The id of the widget for `key`: `prefix-key` for a plain key, else an escaped form of it."""
    if key in reserved:
        return f"{prefix}-{_escaped(key)}"
    body = "".join(ch if _PLAIN.fullmatch(ch) else _escaped(ch) for ch in key)
    return f"{prefix}-{body}"


def key_of(prefix: str, widget_id: str | None) -> str | None:
    """The key a `key_id` (or a screen's own `prefix-name` id) stands for; None for another widget's id."""
    if widget_id is None or not widget_id.startswith(f"{prefix}-"):
        return None
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), widget_id[len(prefix) + 1:])
