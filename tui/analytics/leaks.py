"""The revenue-leak report (L): the four diagnostic questions and limbo leads as figures grouped by section, each
with its count and, where it matters, revenue. Enter lists the records behind a figure (tui/analytics/leak_records.py);
m and q show a month or a quarter, [ and ] the one before or after. The report is computed in a thread worker
(db.analytics.leaks)."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from revdesk.core.analytics.leaks import Figure, LeakReport, Section
from revdesk.core.common.errors import RevdeskError
from revdesk.core.playbook.model import Period
from revdesk.tui.commands import LEAKS_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill
from revdesk.tui.common.workers import ShowsWorkerFailures

PERIODS: tuple[Period, ...] = ("quarter", "month")
MIN_FIGURE = 40


def revenue_text(figure: Figure, currency: str) -> Text:
    if figure.revenue is None:
        return Text("")
    return Text(f"{figure.revenue:,.0f} {currency}", justify="right", style="" if figure.count else "dim")


class LeaksScreen(ShowsWorkerFailures, Screen):
    AUTO_FOCUS = "#leaks"
    COMMANDS_LIST = LEAKS_COMMANDS
    BINDINGS = bindings(LEAKS_COMMANDS)
    DEFAULT_CSS = """
    LeaksScreen #leaks-title {
        height: auto;
        padding: 0 1;
    }
    LeaksScreen #leaks {
        height: 1fr;
    }
    """

    def __init__(self, period: Period = "quarter") -> None:
        super().__init__()
        self.period = period
        self.day: date | None = None  # a day in the period shown (today, on mount)
        self.report: LeakReport | None = None
        self.rows: list[tuple[Section, Figure | None]] = []  # one per table row: a section's heading, or a figure

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Computing the leak report…", id="leaks-title")
        yield DataTable(id="leaks", cursor_type="row", zebra_stripes=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Revenue leaks"
        self.day = self.app.workbench.today()
        self.reload()

    def reload(self) -> None:
        self.report = None
        self._title()
        self.load(self.period, self.day or self.app.workbench.today())

    @work(thread=True, exclusive=True, group="leaks", exit_on_error=False)
    def load(self, period: Period, day: date) -> None:
        bench = self.app.workbench
        try:
            report = bench.leak_report(period, day)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the screen stays usable
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._failed, reason)
            return
        self.app.call_from_thread(self.show, report)

    def _failed(self, reason: str) -> None:
        self.query_one("#leaks-title", Static).update(Text(f"Could not compute the leak report: {reason}", "red"))

    def show(self, report: LeakReport) -> None:
        if not self.is_attached or not self._shows(report):  # closed, or switched again meanwhile
            return
        self.report = report
        self._title()
        self._fill()

    def _shows(self, report: LeakReport) -> bool:
        """Whether `report` is the period the screen asks for now."""
        day, tz = self.day or self.app.workbench.today(), self.app.workbench.tz
        first, after = report.start.astimezone(tz).date(), report.end.astimezone(tz).date()
        return report.period == self.period and first <= day < after

    def _title(self) -> None:
        report, tz = self.report, self.app.workbench.tz
        chips = Text("Period ", style="dim")
        for period in PERIODS:
            chips.append(f" {period.capitalize()} ", style="reverse bold" if period == self.period else "dim")
        chips.append("  ·  m month · q quarter · [ ] earlier, later · enter lists the records behind a figure",
                     style="dim")
        if report is None:
            chips.append("\ncomputing…", style="dim italic")
            self.query_one("#leaks-title", Static).update(chips)
            return
        last = (report.end - timedelta(seconds=1)).astimezone(tz)
        stall_last = (report.stall_end - timedelta(seconds=1)).astimezone(tz)
        line = Text.assemble(
            (f"{report.start.astimezone(tz):%d %b} – {last:%d %b %Y}", "bold"),
            (f"   stalled deals: {report.stall_start.astimezone(tz):%d %b} – {stall_last:%d %b %Y}", ""),
            (f"   point-in-time figures as of {report.as_of.astimezone(tz):%d %b %H:%M}", "dim"))
        self.query_one("#leaks-title", Static).update(Text.assemble(chips, "\n", line))

    def _fill(self) -> None:
        if self.report is None:
            return
        table = self.query_one("#leaks", DataTable)
        row = table.cursor_row
        self.rows = []
        cells: list[list[Text | str]] = []
        keys: list[str] = []
        for section in self.report.sections:
            heading = Text(section.title, style="bold underline")
            heading.append(f"  {section.question}", style="dim italic")
            cells.append([heading, "", ""])
            keys.append(f"section:{section.key}")
            self.rows.append((section, None))
            for figure in section.figures:
                style = "" if figure.count else "dim"
                label = Text(figure.label, style=style if figure.label.startswith(" ") else f"bold {style}")
                cells.append([label, Text(f"{figure.count:,}", justify="right", style=f"bold {style}"),
                              revenue_text(figure, self.report.currency)])
                keys.append(figure.key)
                self.rows.append((section, figure))
        # The figures' words wrap onto a second line on a narrow screen; a count or an amount is never cut.
        columns = [Column("Figure", "wrap", MIN_FIGURE, floor=20), Column("Count", right=True),
                   Column(f"Revenue ({self.report.currency})", right=True)]
        fill(table, columns, cells, keys=keys, available=self.size.width or None)
        if self.rows:
            table.move_cursor(row=min(max(row, 1), len(self.rows) - 1))
        if self.focused is None:
            table.focus()

    def selected(self) -> tuple[Section, Figure | None] | None:
        tables = list(self.query("#leaks").results(DataTable))
        if not tables or not self.rows or not 0 <= tables[0].cursor_row < len(self.rows):
            return None
        return self.rows[tables[0].cursor_row]

    def on_resize(self) -> None:
        self._fill()  # the figure column takes the width left

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        chosen = self.selected()
        if chosen is None or self.report is None:
            self.notify("Still computing…" if self.report is None else "No figure selected.")
            return
        section, figure = chosen
        if figure is None:
            self.notify(f"{section.title}: pick one of its figures to see the records behind it.")
            return
        from revdesk.tui.navigation import OpenLeakRecords

        self.app.post_message(OpenLeakRecords(section.title, figure, self.report.currency))

    def action_period(self, period: Period) -> None:
        if period != self.period:
            self.period = period
            self.reload()

    def action_shift(self, step: int) -> None:
        from revdesk.core.analytics.metrics import period_bounds

        bench = self.app.workbench
        start, end = period_bounds(self.period, self.day or bench.today(), bench.tz)
        if step > 0 and end.date() > bench.today():
            self.notify(f"This is the current {self.period}: nothing has happened after it yet.")
            return
        self.day = end.date() if step > 0 else (start - timedelta(days=1)).date()
        self.reload()

    def action_cursor_down(self) -> None:
        for table in self.query("#leaks").results(DataTable):  # keys may come before the table is mounted
            table.action_cursor_down()

    def action_cursor_up(self) -> None:
        for table in self.query("#leaks").results(DataTable):
            table.action_cursor_up()

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
