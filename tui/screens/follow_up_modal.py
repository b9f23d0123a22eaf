"""Schedule a follow-up with a quick form (+2d, tomorrow 9:00, next monday), read in the contact's local
time; the resolved time is previewed as you type, in their time and yours."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from core.errors import RevdeskError
from core.when import resolve_quick_form
from db.workbench import Workbench

QUICK_FORMS = ["+2d", "tomorrow 9:00", "next monday"]


class FollowUpModal(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, workbench: Workbench, contact_id: int, contact_name: str, contact_tz: str | None) -> None:
        super().__init__()
        self.workbench = workbench
        self.contact_id = contact_id
        self.contact_name = contact_name
        self.contact_tz = ZoneInfo(contact_tz) if contact_tz else workbench.tz

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Follow up with {self.contact_name}", classes="dialog-title")
            yield Input(placeholder="when: +2d, tomorrow 9:00, next monday 10:00, 2026-12-01 14:00", id="when")
            with Horizontal(classes="quick"):
                for number, form in enumerate(QUICK_FORMS, 1):
                    yield Button(f"{form}", id=f"quick-{number}", compact=True)
            yield Input(placeholder="note (optional): what to do then", id="note")
            yield Label("", id="preview")
            yield Label("Enter schedules · Esc cancels · times are the contact's local time", classes="hint")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "when":
            self._preview(event.value)

    def _preview(self, value: str) -> None:
        label = self.query_one("#preview", Label)
        if not value.strip():
            label.update("")
            return
        try:
            due = resolve_quick_form(value, self.workbench.now().astimezone(self.contact_tz), field="when")
        except RevdeskError as exc:
            label.update(f"[red]{exc}[/red]")
            return
        mine = due.astimezone(self.workbench.tz)
        label.update(f"→ {due:%a %d %b %H:%M} their time · {mine:%a %H:%M} yours")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        form = QUICK_FORMS[int(str(event.button.id).split("-")[1]) - 1]
        self.query_one("#when", Input).value = form
        self._submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _submit(self) -> None:
        when = self.query_one("#when", Input).value
        note = self.query_one("#note", Input).value.strip() or None
        try:
            _, due = self.workbench.follow_up(self.contact_id, when, note)
        except RevdeskError as exc:
            self.query_one("#preview", Label).update(f"[red]{exc}[/red]")
            return
        self.dismiss(f"Follow-up with {self.contact_name} on {due.astimezone(self.workbench.tz):%a %d %b %H:%M}")

    def action_cancel(self) -> None:
        self.dismiss(None)
