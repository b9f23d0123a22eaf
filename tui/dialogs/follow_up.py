"""Schedule a follow-up with a quick form (+2d, tomorrow 9:00, next monday), read in the contact's local
time; the resolved time is previewed as you type, in their time and yours.

Tab goes from the time to the note; a preset button only fills the time in (the preview shows what it means)
and never sends on its own, so what was typed is never replaced behind the user's back, and the note is kept."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from revdesk.core.calls.follow_up import decide_follow_up
from revdesk.core.common.errors import RevdeskError
from revdesk.core.common.when import resolve_quick_form
from revdesk.db.workbench import Workbench
from revdesk.tui.common.text import when

QUICK_FORMS = ["+2d", "tomorrow 9:00", "next monday"]


def both_times(due: datetime, theirs: ZoneInfo, mine: ZoneInfo, now: datetime) -> str:
    """`Tue 08 Dec 09:00 their time, 15:00 yours`, or `… 09:00 your time and theirs` when the clocks agree."""
    local, own = due.astimezone(theirs), due.astimezone(mine)
    day = when(local, now, theirs, weekday=True)
    if local.utcoffset() == own.utcoffset():
        return f"{day} your time and theirs"
    other_day = "" if own.date() == local.date() else f"{own:%a} "
    return f"{day} their time, {other_day}{own:%H:%M} yours"


class FollowUpModal(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = "FollowUpModal #presets { margin: 0; }  /* all of it fits at 80x24 */"

    def __init__(self, workbench: Workbench, contact_id: int, contact_name: str, contact_tz: str | None) -> None:
        super().__init__()
        self.workbench = workbench
        self.contact_id = contact_id
        self.contact_name = contact_name
        self.contact_tz = ZoneInfo(contact_tz) if contact_tz else workbench.tz

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Follow up with {self.contact_name}"), classes="dialog-title")
            yield Input(placeholder="when: +2d, tomorrow 9:00, next monday 10:00, 2026-12-01 14:00", id="when")
            yield Input(placeholder="note (optional): what to do then", id="note")
            with Horizontal(classes="quick", id="presets"):
                yield Label("Fill in:", classes="quick-label")
                for number, form in enumerate(QUICK_FORMS, 1):
                    yield Button(f"{form}", id=f"quick-{number}", compact=True)
            yield Label("", id="preview")
            yield Label("Enter schedules · a preset fills the time in · Esc cancels\nTimes are the contact's local"
                        " time", classes="hint")

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
            label.update(Text(str(exc), style="red"))
            return
        label.update(f"→ {both_times(due, self.contact_tz, self.workbench.tz, self.workbench.now())}")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A preset fills the time in and shows what it means; Enter (in the time or the note) schedules."""
        form = QUICK_FORMS[int(str(event.button.id).split("-")[1]) - 1]
        self.query_one("#when", Input).value = form
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _submit(self) -> None:
        """Checked here (the form stays open with the reason), then saved off the UI thread: the form closes at
        once, and the follow-up lands even while another process holds the database (the header says so)."""
        typed = self.query_one("#when", Input).value
        note = self.query_one("#note", Input).value.strip() or None
        bench, contact_id, name, tz = self.workbench, self.contact_id, self.contact_name, self.contact_tz
        try:
            decide_follow_up(typed, tz, bench.now(), note)
        except RevdeskError as exc:
            self.query_one("#preview", Label).update(Text(str(exc), style="red"))
            return

        def saved(result: tuple[int, datetime]) -> None:
            times = both_times(result[1], tz, bench.tz, bench.now())
            self.app.notify(f"Follow-up with {name} on {times}" + (f": {note}" if note else ""), timeout=4)

        self.app.save(lambda: bench.follow_up(contact_id, typed, note), saved,  # type: ignore[attr-defined]
                      f"The follow-up with {name} ({typed!r}" + (f", {note!r}" if note else "") + ") was not saved")
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
