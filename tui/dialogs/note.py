"""A one-line note on the contact in call mode; Enter saves, Esc cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class NoteModal(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, contact_name: str) -> None:
        super().__init__()
        self.contact_name = contact_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Note on {self.contact_name}"), classes="dialog-title")
            yield Input(placeholder="What did you learn? Enter saves, Esc cancels", id="note")
            yield Label("", id="note-error", classes="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#note-error", Label).update("note: is empty; type something or press Esc")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
