"""The playbook's call outcomes with their keys: digits in order, and each outcome's letter."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from core.playbook import Outcome


def render_outcomes(outcomes: list[Outcome]) -> Text:
    text = Text()
    for number, outcome in enumerate(outcomes, 1):
        if text:
            text.append("   ")
        text.append(str(number), style="bold reverse")
        text.append(f" {outcome.label} ")
        text.append(outcome.letter, style="bold cyan")
    return text


class OutcomeBar(Static):
    DEFAULT_CSS = "OutcomeBar { height: auto; padding: 0 1; border-top: solid $primary; }"

    def __init__(self, outcomes: list[Outcome], **kwargs) -> None:
        super().__init__(render_outcomes(outcomes), **kwargs)
