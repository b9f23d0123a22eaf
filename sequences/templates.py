"""Merge fields in sequence templates: which exist, which a text uses, and rendering that refuses to send a
message with a hole in it ("Hi {first_name}" or "Hi ,"). Pure Python, no I/O.

Templates use Python str.format placeholders by name only: `{first_name}`. `{{` and `}}` are literal braces.
Positional (`{0}`, `{}`), attribute or index (`{a.b}`, `{a[0]}`), conversion (`{x!r}`) and format spec (`{x:>9}`)
placeholders are refused, so a template can never reach into an object or format surprisingly.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from revdesk.core.common.errors import InvalidInput

# Every merge field a template may use, with what it becomes.
MERGE_FIELDS: dict[str, str] = {
    "first_name": "the contact's first name",
    "last_name": "the contact's last name",
    "full_name": "the contact's first and last name",
    "title": "the contact's job title",
    "company": "the name of the contact's account",
    "industry": "the industry of the contact's account",
    "sender_name": "your full name (the user working the step)",
    "sender_first_name": "your first name",
}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FORMATTER = string.Formatter()


class MissingMergeFields(InvalidInput):
    """A template uses merge fields that have no value for this contact: nothing may be sent."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("template", f"no value for {', '.join(missing)}: fill them in on the contact or edit the step")
        self.missing = missing


def _not_allowed(placeholder: str) -> InvalidInput:
    return InvalidInput("template", f"{placeholder} is not allowed: use a merge field by name, like {{first_name}}"
                                    " (write {{ and }} for literal braces)")


def fields_in(text: str) -> list[str]:
    """The merge field names `text` uses, in order of first use, each once.

    Raises InvalidInput (field "template") for a placeholder that is not a plain name, or unbalanced braces.
    Names are not checked against MERGE_FIELDS here: callers say what is unknown in their own terms.
    """
    try:
        parts = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise InvalidInput("template", f"has a stray brace ({exc}); write {{{{ and }}}} for literal braces") from None
    names: list[str] = []
    for _literal, name, spec, conversion in parts:
        if name is None:  # plain text (with {{ and }} already turned into braces)
            continue
        if not _NAME.match(name) or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise _not_allowed(shown)
        if name not in names:
            names.append(name)
    return names


def render(text: str, values: Mapping[str, str | None]) -> str:
    """Fill in `text`; raise MissingMergeFields naming every field used without a value (None or blank)."""
    names = fields_in(text)
    missing = [n for n in names if not (values.get(n) or "").strip()]
    if missing:
        raise MissingMergeFields(missing)
    # Values are substituted, never parsed again, so braces in a company name are harmless.
    return text.format(**{n: str(values[n]).strip() for n in names})


def _clean(value: object) -> str | None:
    """A stripped string, or None for a missing or blank value."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def merge_values(contact: object, account: object | None, sender: object | None) -> dict[str, str | None]:
    """Every merge field's value from plain objects (core.common.models records will do).

    contact: first_name, last_name, title; account: name, industry (None when the contact has no account);
    sender: name (the user working the step). A missing attribute or blank value becomes None.
    """
    first = _clean(getattr(contact, "first_name", None))
    last = _clean(getattr(contact, "last_name", None))
    sender_name = _clean(getattr(sender, "name", None)) if sender is not None else None
    return {
        "first_name": first,
        "last_name": last,
        "full_name": " ".join(p for p in (first, last) if p) or None,
        "title": _clean(getattr(contact, "title", None)),
        "company": _clean(getattr(account, "name", None)) if account is not None else None,
        "industry": _clean(getattr(account, "industry", None)) if account is not None else None,
        "sender_name": sender_name,
        "sender_first_name": sender_name.split()[0] if sender_name else None,
    }
