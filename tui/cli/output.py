"""The CLI's console: whatever it prints is shown literally. A name like `Acme [/] Ltd`, `[bold]x` or `:smile:` is
never read as Rich markup or an emoji code, nothing is highlighted, and control characters (an escape sequence in
an imported name) are shown as visible pictures rather than sent to the terminal. Styles come only from the code:
Text objects and style=."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from revdesk.tui.common.text import printable


class LiteralConsole(Console):
    """A Rich console without markup, emoji codes or highlighting, whose printed strings and Text are made safe."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    def print(self, *objects: Any, **options: Any) -> None:  # noqa: A003 - Console.print
        super().print(*(literal(o) if isinstance(o, str | Text) else o for o in objects), **options)


def literal(value: object) -> Text:
    """A Text showing `value` as typed: control characters as pictures, a Text's styles kept where they were."""
    if value is None:
        return Text("")
    if isinstance(value, Text):
        safe = value.copy()
        safe.plain = printable(value.plain)  # one character for one: the spans still fit
        return safe
    return Text(printable(str(value)))
