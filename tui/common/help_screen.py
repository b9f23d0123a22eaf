"""Help (F1 or ?): every key on the screen beneath, from the same command list that drives its bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


def _keys(keys: str, display: str | None) -> str:
    names = [k.replace("question_mark", "?").replace("escape", "esc") for k in keys.split(",")]
    return display if display and len(names) == 1 else " / ".join(names)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss_help", "Close")]

    def __init__(self, beneath: Screen) -> None:
        super().__init__()
        self.beneath = beneath

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for command in self.app.screen_commands(self.beneath):
            table.add_row(_keys(command.keys, command.key_display), command.help)
        if getattr(self.beneath, "LOGS_OUTCOMES", False):
            for number, outcome in enumerate(self.app.workbench.playbook.outcomes, 1):
                # the playbook's words, as written: a label like "Call [/] back" is no markup
                table.add_row(f"{number} / {outcome.letter}", Text(f"Log “{outcome.label}” and go to the next item"))
        with VerticalScroll(classes="dialog"):
            yield Label(Text(f"Keys — {self.beneath.title or 'revdesk'}"), classes="dialog-title")
            self.table = table
            yield Static(table, id="help-keys")
            yield Label("Esc closes", classes="hint")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
