"""The playbook's call outcomes with their keys: digits in order, and each outcome's letter, shown inside its label
when the label has it (`3 No answer` with the a lit) and after it otherwise. It fits one line of the width it has
(the default seven outcomes fit at 120 columns); narrower, it wraps between outcomes, never inside one."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from revdesk.core.playbook.model import Outcome

KEY_STYLE = "bold cyan underline"


def outcome_item(number: int, outcome: Outcome) -> Text:
    """`1 Connected` with its letter lit where the label has it, else `6 Not interested x`."""
    text = Text()
    text.append(str(number), style="bold reverse")
    text.append(" ")
    label = outcome.label
    at = _letter_at(label, outcome.letter)
    if at is None:
        text.append(f"{label} ")
        text.append(outcome.letter, style=KEY_STYLE)
    else:
        text.append(label[:at])
        text.append(label[at], style=KEY_STYLE)
        text.append(label[at + 1:])
    return text


def _letter_at(label: str, letter: str) -> int | None:
    """Where the letter is in the label: at the start of a word first, then anywhere; None when it isn't."""
    lowered, wanted = label.lower(), letter.lower()
    starts = [i for i, ch in enumerate(lowered) if ch == wanted and (i == 0 or not lowered[i - 1].isalnum())]
    if starts:
        return starts[0]
    found = lowered.find(wanted)
    return None if found < 0 or len(letter) != 1 else found


def render_outcomes(outcomes: list[Outcome], width: int | None = None) -> Text:
    items = [outcome_item(n, o) for n, o in enumerate(outcomes, 1)]
    for gap in ("   ", "  "):
        line = Text(gap).join(items)
        if width is None or line.cell_len <= width:
            return line
    lines: list[Text] = [Text()]
    for item in items:  # wrap between outcomes, never inside one
        if lines[-1] and lines[-1].cell_len + 2 + item.cell_len > width:
            lines.append(Text())
        if lines[-1]:
            lines[-1].append("  ")
        lines[-1].append_text(item)
    return Text("\n").join(lines)


class OutcomeBar(Static):
    DEFAULT_CSS = "OutcomeBar { height: auto; padding: 0 1; border-top: solid $primary; }"

    def __init__(self, outcomes: list[Outcome], **kwargs) -> None:
        super().__init__(render_outcomes(outcomes), **kwargs)
        self.outcomes = outcomes

    def on_resize(self) -> None:
        self.update(render_outcomes(self.outcomes, self.size.width or None))
