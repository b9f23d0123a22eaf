"""The yes-or-no dialog any screen asks a question with: enter or y confirms, esc or n cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class ConfirmModal(ModalScreen[bool]):
    """Yes or no: enter or y confirms, esc or n cancels."""

    BINDINGS = [Binding("enter,y", "answer(True)", "Yes"), Binding("escape,n", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")
            yield Label("Enter or y confirms · Esc or n cancels", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
