"""The records behind one figure of the leak report: kind, record and detail (and revenue where the figure sums
it). Enter opens a record: an account, or a contact's or deal's account, in Account 360; a handoff in its review.
A figure of 0 says so instead of showing an empty table."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from revdesk.core.analytics.leaks import Figure, RecordRef
from revdesk.tui.commands import LEAK_RECORDS_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill

ROW_LIMIT = 1_000  # the most important first (each figure sorts its records); `revdesk leaks --json` lists all
KIND_STYLES = {"contact": "cyan", "account": "green", "deal": "magenta", "handoff": "yellow"}


class LeakRecordsScreen(Screen):
    AUTO_FOCUS = "#leak-records"
    COMMANDS_LIST = LEAK_RECORDS_COMMANDS
    BINDINGS = bindings(LEAK_RECORDS_COMMANDS)
    DEFAULT_CSS = """
    LeakRecordsScreen #leak-records-title {
        height: auto;
        padding: 0 1;
    }
    LeakRecordsScreen #leak-records-empty {
        height: auto;
        padding: 1 2;
        color: $text-muted;
    }
    LeakRecordsScreen #leak-records {
        height: 1fr;
    }
    """

    def __init__(self, section: str, figure: Figure, currency: str) -> None:
        super().__init__()
        self.section = section
        self.figure = figure
        self.currency = currency
        self.records: tuple[RecordRef, ...] = figure.records[:ROW_LIMIT]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="leak-records-title")
        yield Static("", id="leak-records-empty")
        yield DataTable(id="leak-records", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Revenue leaks · {self.section}"
        figure = self.figure
        title = Text.assemble((f"{self.section} › ", "dim"), (figure.label.strip(), "bold"),
                              f"  ·  {figure.count:,} record{'' if figure.count == 1 else 's'}")
        if figure.revenue is not None:
            title.append(f"  ·  {figure.revenue:,.0f} {self.currency}", style="bold")
        if figure.help:
            title.append(f"\n{figure.help}", style="dim italic")
        if figure.count > len(self.records):
            title.append(f"\nShowing the first {len(self.records):,}; `revdesk leaks --json` lists all "
                         f"{figure.count:,}.", style="yellow")
        self.query_one("#leak-records-title", Static).update(title)
        empty = self.query_one("#leak-records-empty", Static)
        table = self.query_one("#leak-records", DataTable)
        empty.display = not self.records
        table.display = bool(self.records)
        if not self.records:
            empty.update(f"Nothing here: no records behind “{figure.label.strip()}” (0) for this report.")
            return
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#leak-records", DataTable)
        row = table.cursor_row
        money = self.figure.revenue is not None
        columns = [Column("Kind"), Column("Record", "name", 20)]
        columns += [Column(f"Revenue ({self.currency})", right=True)] if money else []
        columns.append(Column("Detail", "wrap", 30, floor=16))  # the detail wraps: its days and names stay whole
        rows = []
        for record in self.records:
            cells = [Text(record.kind, style=KIND_STYLES.get(record.kind, "")), Text(record.label, style="bold")]
            if money:
                cells.append(Text(f"{record.revenue or 0:,.0f}", justify="right"))
            cells.append((record.detail or "").replace("\n", " "))
            rows.append(cells)
        fill(table, columns, rows, available=self.size.width or None)
        table.move_cursor(row=min(row, len(rows) - 1))

    def selected(self) -> RecordRef | None:
        tables = list(self.query("#leak-records").results(DataTable))
        if not tables or not self.records or not 0 <= tables[0].cursor_row < len(self.records):
            return None
        return self.records[tables[0].cursor_row]

    def on_resize(self) -> None:
        if self.records:
            self._fill()  # the detail column takes the width left

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        record = self.selected()
        if record is None:
            self.notify("Nothing to open: this figure has no records.")
            return
        if record.kind == "handoff":
            from revdesk.tui.navigation import ReviewHandoff

            self.app.post_message(ReviewHandoff(record.id))
        elif record.account_id is not None:
            from revdesk.tui.navigation import OpenAccount

            self.app.post_message(OpenAccount(record.account_id))
        else:
            self.notify(f"{record.label} belongs to no account: nothing to open.")

    def action_cursor_down(self) -> None:
        for table in self.query("#leak-records").results(DataTable):
            table.action_cursor_down()

    def action_cursor_up(self) -> None:
        for table in self.query("#leak-records").results(DataTable):
            table.action_cursor_up()

    def action_back(self) -> None:
        self.app.pop_screen()
