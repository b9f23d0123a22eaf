"""Sequences: every sequence with its figures (enrolled, active, paused, finished, replied %, meetings %, bounced,
exits by reason) and, for the selected one, its steps with their own figures (reached, done, skipped, exits
while the step was next). Loaded in a thread worker; enter opens the selected sequence's enrollments."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from revdesk.core.common.errors import RevdeskError
from revdesk.db.workbench import SequenceFigures, StoredSequence
from revdesk.sequences.definition import Sequence, Step
from revdesk.tui.commands import SEQUENCES_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill
from revdesk.tui.common.returning import ReloadsOnReturn
from revdesk.tui.common.workers import ShowsWorkerFailures

EXIT_LABELS = {"reply": "replied", "meeting": "meeting", "handoff": "handed off", "bounce": "bounced",
               "do_not_contact": "do-not-contact"}
CHANNEL_STYLES = {"call": "bold cyan", "email": "bold green", "linkedin": "bold blue", "task": "bold yellow"}
ENDS = {"reply": "a reply", "meeting": "a meeting", "handoff": "a handoff", "bounce": "a bounce",
        "do_not_contact": "do-not-contact"}
# Figures keep their width; the exits (a list of figures) wrap onto more lines rather than being cut.
SEQUENCE_COLUMNS = [Column("Sequence", "name", 14), Column("Steps", right=True, drop=3),
                    Column("Enrolled", right=True), Column("Active", right=True), Column("Paused", right=True, drop=2),
                    Column("Finished", right=True, drop=1), *(Column(label, right=True) for label in (
                        "Replied", "Meetings", "Bounced")), Column("Exits by reason", "wrap", 24, floor=14)]
STEP_COLUMNS = [Column("#", right=True), Column("Channel"), Column("Wait"), Column("Window (their time)"),
                Column("Subject or note", "name", 16, drop=1), Column("Reached", right=True),
                Column("Done", right=True), Column("Skipped", right=True, drop=2),
                Column("Exits at this step", "wrap", 20, floor=14, drop=3)]
_DAYS = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def wait_text(step: Step) -> str:
    """'2 business days', '4 hours', or 'none'."""
    if step.wait_days:
        return plural(step.wait_days, "business day")
    if step.wait_hours:
        return plural(step.wait_hours, "hour")
    return "none"


def sequence_length(seq: Sequence) -> str:
    """'8 steps over 15 business days' (hours added when some steps wait hours)."""
    days = sum(s.wait_days for s in seq.steps)
    hours = sum(s.wait_hours for s in seq.steps)
    parts = [plural(days, "business day")] if days else []
    parts += [plural(hours, "hour")] if hours else []
    return plural(len(seq.steps), "step") + (f" over {' and '.join(parts)}" if parts else ", all at once")


def _hours(field: str, minute: str) -> str | None:
    if field.isdigit():
        return f"{field}:{minute}"
    first, _, last = field.partition("-")
    if first.isdigit() and last.isdigit():
        return f"{first}:{minute}–{last}:{minute}"
    return None


def window_text(expr: str | None) -> str:
    """A send window in plain words for the common shapes ('Tue–Thu 8:00', 'Mon–Fri 9:00–11:00',
    'Mon–Fri 8:00–18:55 every 5 min'); any other cron expression as written."""
    if expr is None:
        return "any time"
    fields = expr.split()
    if len(fields) != 5 or fields[2:4] != ["*", "*"]:
        return expr
    minute, hour, weekday = fields[0], fields[1], fields[4].lower()
    every = ""
    if minute.isdigit():
        at = f"{int(minute):02d}"
    elif minute.startswith("*/") and minute[2:].isdigit():
        at, every = "00", f" every {minute[2:]} min"
    else:
        return expr
    hours = _hours(hour, at)
    if every and hours and "–" in hours:
        hours = hours.rsplit(":", 1)[0] + f":{60 - int(minute[2:]):02d}"
    first, _, last = weekday.partition("-")
    if weekday == "*":
        days = "Every day"
    elif first in _DAYS and (not last or last in _DAYS):
        days = _DAYS[first] + (f"–{_DAYS[last]}" if last else "")
    else:
        return expr
    return f"{days} {hours}{every}" if hours else expr


def exits_text(exits: dict[str, int]) -> str:
    """'replied 3 · handed off 1', largest first; '—' when none."""
    if not exits:
        return "—"
    return " · ".join(f"{EXIT_LABELS.get(k, k)} {n}" for k, n in sorted(exits.items(), key=lambda kv: -kv[1]))


def ends_text(exit_on: list[str]) -> str:
    """'a reply, a meeting, a handoff, a bounce or do-not-contact'."""
    words = [ENDS.get(r, r) for r in exit_on]
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


@dataclass(frozen=True)
class Loaded:
    sequences: list[StoredSequence]
    figures: dict[str, SequenceFigures]


class SequencesScreen(ShowsWorkerFailures, ReloadsOnReturn, Screen):
    AUTO_FOCUS = "#sequences"
    COMMANDS_LIST = SEQUENCES_COMMANDS
    BINDINGS = bindings(SEQUENCES_COMMANDS)
    DEFAULT_CSS = """
    SequencesScreen #sequences-title, SequencesScreen #sequence-about {
        height: auto;
        padding: 0 1;
    }
    SequencesScreen DataTable {
        border: round $primary 50%;
        border-title-color: $accent;
    }
    SequencesScreen #sequences {
        height: auto;
        max-height: 12;
    }
    SequencesScreen #sequence-steps {
        height: 1fr;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading sequences…", id="sequences-title")
        yield DataTable(id="sequences", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sequence-about")
        yield DataTable(id="sequence-steps", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Sequences"
        self.query_one("#sequences").border_title = "Sequences"
        self.query_one("#sequence-steps").border_title = "Steps"
        self.load()

    def reload(self) -> None:
        """Back from the enrollments: some may have been paused or removed."""
        self.load()

    @work(thread=True, exclusive=True, group="sequences", exit_on_error=False)
    def load(self) -> None:
        bench = self.app.workbench
        try:
            stored = bench.sequences()
            figures = {f.key: f for f in bench.sequence_figures()}
        except Exception as exc:  # noqa: BLE001 - shown to the user; the screen stays usable
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._failed, reason)
            return
        self.app.call_from_thread(self.show, Loaded(stored, figures))

    def _failed(self, reason: str) -> None:
        self.query_one("#sequences-title", Static).update(Text(f"Could not load the sequences: {reason}", "red"))

    def show(self, loaded: Loaded) -> None:
        if not self.is_attached:
            return
        selected = self.selected()
        self.loaded = loaded
        table = self.query_one("#sequences", DataTable)
        rows = []
        for s in loaded.sequences:
            f = loaded.figures[s.sequence.key]
            rows.append([Text(s.sequence.name, style="bold"), *(Text(v, justify="right") for v in (
                str(len(s.sequence.steps)), str(f.enrolled), str(f.active), str(f.paused), str(f.finished),
                pct(f.rate("reply")), pct(f.rate("meeting")), str(f.exited.get("bounce", 0)))),
                exits_text(f.exited)])
        keys = [s.sequence.key for s in loaded.sequences]
        fill(table, SEQUENCE_COLUMNS, rows, keys=keys, available=self._inner())
        if selected is not None and selected.sequence.key in keys:
            table.move_cursor(row=keys.index(selected.sequence.key))
        title = Text("Sequences", style="bold")
        if not loaded.sequences:
            title.append("  ·  none yet: load one with `revdesk sequences apply FILE`", style="dim")
        else:
            enrolled = sum(f.enrolled for f in loaded.figures.values())
            live = sum(f.active + f.paused for f in loaded.figures.values())
            title.append(f"  ·  {len(keys)} sequences  ·  {enrolled} enrolled, {live} in progress")
            title.append("  ·  enter shows the enrollments", style="dim")
        self.query_one("#sequences-title", Static).update(title)
        self.show_steps()

    def show_steps(self) -> None:
        """The selected sequence's steps with their figures (no query: all was loaded with the table)."""
        chosen = self.selected()
        steps = self.query_one("#sequence-steps", DataTable)
        about = self.query_one("#sequence-about", Static)
        if chosen is None or self.loaded is None:
            steps.clear()
            about.update("")
            return
        seq, f = chosen.sequence, self.loaded.figures[chosen.sequence.key]
        steps.border_title = Text(f"Steps of '{seq.name}'")  # the file's name as written, never markup
        fill(steps, STEP_COLUMNS, [[
            Text(str(figures.index + 1), justify="right"),
            Text(step.channel, style=CHANNEL_STYLES.get(step.channel, "")),
            wait_text(step), window_text(step.window), (step.subject or step.note or "").replace("\n", " "),
            *(Text(str(n), justify="right") for n in (figures.reached, figures.done, figures.skipped)),
            exits_text(figures.exits)] for step, figures in zip(seq.steps, f.steps, strict=True)],
            keys=[str(figures.index) for figures in f.steps], available=self._inner())
        line = Text(seq.name, style="bold")
        ends = ends_text(seq.exit_on) or "nothing: it runs to the end"
        line.append(f"  ·  {sequence_length(seq)}  ·  ends on {ends}")
        line.append(f"  ·  enrolling again {'allowed' if seq.allow_reenroll else 'not allowed'}", style="dim")
        if seq.description:
            line.append(f"\n{seq.description}", style="dim")
        about.update(line)

    def selected(self) -> StoredSequence | None:
        table = self.query_one("#sequences", DataTable)
        if self.loaded is None or not 0 <= table.cursor_row < len(self.loaded.sequences):
            return None
        return self.loaded.sequences[table.cursor_row]

    def _inner(self) -> int:
        """The width inside a table's round border."""
        return (self.size.width or self.app.size.width) - 2

    def on_resize(self) -> None:
        if self.loaded is not None:
            self.show(self.loaded)  # the names and subjects grow or shorten; the exits wrap

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "sequences":
            self.show_steps()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.notify("No sequence selected.")
            return
        from revdesk.tui.navigation import OpenEnrollments

        self.app.post_message(OpenEnrollments(chosen.id, chosen.sequence))

    def action_cursor_down(self) -> None:
        self.query_one("#sequences", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#sequences", DataTable).action_cursor_up()

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
