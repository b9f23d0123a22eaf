"""One sequence's enrollments: contact, owner, status, step n of N and when the next step is due, in the
contact's time and mine. p pauses (the due step leaves the queue), r resumes (the step is scheduled from now),
x removes after a confirmation; enter opens call mode on the contact. Loaded and changed in thread workers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from revdesk.core.common.errors import RevdeskError
from revdesk.db.workbench import EnrollmentList, EnrollmentRow
from revdesk.sequences.definition import Sequence
from revdesk.tui.commands import SEQUENCE_ENROLLMENTS_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill
from revdesk.tui.common.returning import ReloadsOnReturn
from revdesk.tui.common.text import when
from revdesk.tui.common.workers import ShowsWorkerFailures
from revdesk.tui.sequences.sequence_list import EXIT_LABELS

STATUS_STYLES = {"active": "bold green", "paused": "bold yellow", "finished": "cyan", "exited": "magenta",
                 "removed": "dim"}
ENROLLMENT_COLUMNS = [Column("Contact", "name", 14), Column("Account", "name", 12, drop=1),
                      Column("Owner", "name", 8, drop=2), Column("Status"), Column("Step"),
                      Column("Next due (their time)"), Column("Next due (mine)", drop=3)]
ALLOWED = {"pause": ("active",), "resume": ("paused",), "remove": ("active", "paused")}
DONE = {"pause": "Paused", "resume": "Resumed", "remove": "Removed"}


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"


def status_text(row: EnrollmentRow) -> Text:
    label = row.status
    if row.status == "exited" and row.exit_reason:
        label = f"exited: {EXIT_LABELS.get(row.exit_reason, row.exit_reason)}"
    return Text(label, style=STATUS_STYLES.get(row.status, ""))


def due_texts(row: EnrollmentRow, mine: ZoneInfo, now: datetime) -> tuple[Text, Text]:
    """When the next step is due, in the contact's time and in mine (red once past)."""
    if row.status == "paused":
        return Text("on hold until resumed", style="yellow"), Text("—", style="dim")
    if row.next_due_at is None:
        ended = f"ended {when(row.ended_at, now, mine, clock=False)}" if row.ended_at else "—"
        return Text(ended, style="dim"), Text("—", style="dim")
    theirs = ZoneInfo(row.timezone) if row.timezone else mine
    local = row.next_due_at.astimezone(theirs)
    style = "red" if row.next_due_at < now else ""
    mine_text = Text(when(row.next_due_at, now, mine, weekday=True), style=style)
    return Text(f"{when(local, now, theirs, weekday=True)} {local.tzname()}", style=style), mine_text


class SequenceEnrollmentsScreen(ShowsWorkerFailures, ReloadsOnReturn, Screen):
    AUTO_FOCUS = "#enrollments"
    COMMANDS_LIST = SEQUENCE_ENROLLMENTS_COMMANDS
    BINDINGS = bindings(SEQUENCE_ENROLLMENTS_COMMANDS)
    DEFAULT_CSS = """
    SequenceEnrollmentsScreen #enrollments-title {
        height: auto;
        padding: 0 1;
    }
    SequenceEnrollmentsScreen #enrollments {
        height: 1fr;
    }
    """

    def __init__(self, sequence_id: int, sequence: Sequence) -> None:
        super().__init__()
        self.sequence_id = sequence_id
        self.sequence = sequence
        self.rows: list[EnrollmentRow] = []
        self.listing: EnrollmentList | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading enrollments…", id="enrollments-title")
        yield DataTable(id="enrollments", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Sequences · {self.sequence.name}"
        self.load()

    def reload(self) -> None:
        """Back from call mode: a step may have been done, or the contact replied."""
        self.load()

    @work(thread=True, exclusive=True, group="enrollments", exit_on_error=False)
    def load(self, message: str | None = None) -> None:
        try:
            listing = self.app.workbench.sequence_enrollments(self.sequence_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the screen stays usable
            self.app.call_from_thread(self._failed, _reason(exc))
            return
        self.app.call_from_thread(self.show, listing, message)

    def _failed(self, reason: str) -> None:
        self.busy = False
        self.notify(reason, severity="error", timeout=6)

    def show(self, listing: EnrollmentList, message: str | None = None) -> None:
        if not self.is_attached:
            return
        self.busy = False
        mine, now = self.app.workbench.tz, self.app.workbench.now()
        table = self.query_one("#enrollments", DataTable)
        selected = self.selected()
        self.rows = listing.rows
        steps = len(self.sequence.steps)
        self.listing = listing
        cells = []
        for row in listing.rows:
            theirs, my_time = due_texts(row, mine, now)
            cells.append([Text(row.contact_name, style="bold"), row.account_name or "—", row.owner_name or "",
                          status_text(row), f"{min(row.step_index + 1, steps)} of {steps}", theirs, my_time])
        fill(table, ENROLLMENT_COLUMNS, cells, keys=[str(row.id) for row in listing.rows],
             available=self.size.width or None)
        ids = [r.id for r in listing.rows]
        if selected is not None and selected.id in ids:
            table.move_cursor(row=ids.index(selected.id))
        title = Text(self.sequence.name, style="bold")
        if not listing.total:
            title.append("  ·  nobody enrolled yet: E in call mode or Account 360 enrolls", style="dim")
        else:
            title.append(f"  ·  {listing.total} enrolled, {listing.live} in progress")
            if listing.total > len(listing.rows):
                title.append(f"  ·  first {len(listing.rows)} shown", style="yellow")
            title.append("  ·  p pause · r resume · x remove", style="dim")
        self.query_one("#enrollments-title", Static).update(title)
        if message:
            self.notify(message, timeout=4)

    def on_resize(self) -> None:
        if self.listing is not None:
            self.show(self.listing)

    def selected(self) -> EnrollmentRow | None:
        table = self.query_one("#enrollments", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _change(self, action: str) -> None:
        row = self.selected()
        if row is None:
            self.notify("No enrollment selected.")
            return
        if self.busy:
            self.app.bell()
            return
        if row.status not in ALLOWED[action]:
            hint = " (r resumes)" if row.status == "paused" else ""
            self.notify(f"{row.contact_name} is {row.status}{hint}: nothing to {action}.")
            return
        if action != "remove":
            self._start(row, action)
            return
        from revdesk.tui.dialogs.confirm import ConfirmModal

        question = f"Remove {row.contact_name} from '{self.sequence.name}'? Their due step leaves the queue."
        self.app.push_screen(ConfirmModal(question), lambda yes: yes and self._start(row, action))

    def _start(self, row: EnrollmentRow, action: str) -> None:
        self.busy = True
        self._apply(row, action)

    @work(thread=True, exclusive=True, group="enrollment-change", exit_on_error=False)
    def _apply(self, row: EnrollmentRow, action: str) -> None:
        try:
            self.app.workbench.change_enrollment(row.id, action)
            listing = self.app.workbench.sequence_enrollments(self.sequence_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user; nothing was changed
            self.app.call_from_thread(self._failed, _reason(exc))
            return
        message = f"{DONE[action]} {row.contact_name} in '{self.sequence.name}'"
        if action == "pause":
            message += ": their due step left the queue"
        elif action == "resume":
            now = next((r for r in listing.rows if r.id == row.id), None)
            if now is not None and now.next_due_at is not None:
                message += f": step {now.step_index + 1} is due {_mine(now.next_due_at, self.app.workbench.tz)}"
        self.app.call_from_thread(self.show, listing, message)

    def action_pause(self) -> None:
        self._change("pause")

    def action_resume(self) -> None:
        self._change("resume")

    def action_remove(self) -> None:
        self._change("remove")

    def action_call(self) -> None:
        row = self.selected()
        if row is None:
            self.notify("No enrollment selected.")
            return
        from revdesk.tui.navigation import CallContact

        self.app.post_message(CallContact(row.contact_id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_call()

    def action_cursor_down(self) -> None:
        self.query_one("#enrollments", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#enrollments", DataTable).action_cursor_up()

    def action_back(self) -> None:
        self.app.pop_screen()


def _mine(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%a %d %b %H:%M} your time"
