"""The handoff inbox: handoffs to me (pending first, past-SLA rows in red), or those I sent (with the AE's
decision and reason; SDRs start there), or everyone's (the team view; managers and founders start there).
Enter opens one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from revdesk.core.common.models import HandoffSummary
from revdesk.core.playbook.model import Playbook
from revdesk.tui.commands import HANDOFF_INBOX_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill
from revdesk.tui.common.returning import ReloadsOnReturn
from revdesk.tui.common.text import when
from revdesk.tui.common.workers import ShowsWorkerFailures
from revdesk.tui.handoffs.review import PAST_SLA_STYLE, reason_label, sla_text

Mode = Literal["to_me", "from_me", "everyone"]
MODE_TITLES = {"to_me": "Handoffs to me", "from_me": "Handoffs I sent", "everyone": "Everyone's handoffs"}
KIND_LABELS = {"sdr_ae": "SDR→AE", "ae_cs": "AE→CS"}
TEAM_ROLES = ("manager", "founder")
NARROW = 100  # below this width a pending decision reads "pending"

class HandoffInboxScreen(ShowsWorkerFailures, ReloadsOnReturn, Screen):
    AUTO_FOCUS = "#inbox"
    COMMANDS_LIST = HANDOFF_INBOX_COMMANDS
    BINDINGS = bindings(HANDOFF_INBOX_COMMANDS)
    DEFAULT_CSS = """
    HandoffInboxScreen #inbox-title {
        height: auto;
        padding: 0 1;
    }
    HandoffInboxScreen #inbox {
        height: 1fr;
    }
    """

    def __init__(self, mode: Mode | None = None) -> None:
        super().__init__()
        self.mode: Mode | None = mode  # decided on mount from my role when not given
        self.rows: list[HandoffSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading handoffs…", id="inbox-title")
        yield DataTable(id="inbox", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        if self.mode is None:
            role = self.app.workbench.user.role
            # Managers see the team; SDRs send handoffs rather than receive them.
            self.mode = "everyone" if role in TEAM_ROLES else "from_me" if role == "sdr" else "to_me"
        self.title = "Handoff inbox"
        self.load()

    def reload(self) -> None:
        """Back from a handoff: it may have been accepted or rejected."""
        self.load()

    @work(thread=True, exclusive=True, group="inbox", exit_on_error=False)
    def load(self) -> None:
        bench = self.app.workbench
        me = bench.user.id
        mode = self.mode
        if mode == "to_me":
            rows = bench.handoffs(to_user_id=me)
        elif mode == "from_me":
            rows = bench.handoffs(from_user_id=me)
        else:
            rows = bench.handoffs()
        self.app.call_from_thread(self.show, rows, mode)

    def show(self, rows: list[HandoffSummary], mode: Mode) -> None:
        if not self.is_attached or mode != self.mode:  # closed, or toggled again meanwhile
            return
        bench = self.app.workbench
        now, tz, playbook = bench.now(), bench.tz, bench.playbook
        table = self.query_one("#inbox", DataTable)
        selected = self.selected()
        self.rows = rows
        # Who is "me" goes without saying: to me shows the sender, sent by me the recipient, everyone both.
        columns = [Column("Status / SLA"), Column("Kind", drop=2), Column("Contact", "name", 12),
                   Column("Account", "name", 12)]
        if mode != "from_me":
            columns.append(Column("From", "name", 8, drop=1))
        if mode != "to_me":
            columns.append(Column("To", "name", 8, drop=1 if mode == "everyone" else 0))
        # The decision's words (a reason, "awaiting a decision") stay whole; only a note after them shortens.
        # Narrow, a pending handoff says "pending": its status column already gives the SLA.
        short = (self.size.width or self.app.size.width) < NARROW
        decided = max([len(self._decision(h, playbook, with_note=False, short=short)) for h in rows] or [8])
        columns += [Column("Sent"), Column("Decision", "name", 20, floor=decided)]
        cells: list[list[Text]] = []
        for h in rows:
            style = "red" if h.past_sla(now) else ""
            row = [sla_text(h, now), Text(KIND_LABELS.get(h.kind, h.kind), style=style),
                   Text(h.contact_name or "—", style=f"bold {style}"), Text(h.account_name, style=style)]
            if mode != "from_me":
                row.append(Text(h.from_name, style=style))
            if mode != "to_me":
                row.append(Text(h.to_name, style=style))
            row += [Text(when(h.created_at, now, tz), style=style or "dim"), self._decision(h, playbook, short=short)]
            cells.append(row)
        fill(table, columns, cells, keys=[str(h.id) for h in rows], available=self.size.width or None)
        ids = [h.id for h in rows]
        if selected in ids:
            table.move_cursor(row=ids.index(selected))
        self._title(rows, now)

    @staticmethod
    def _decision(h: HandoffSummary, playbook: Playbook, with_note: bool = True, short: bool = False) -> Text:
        if h.status == "rejected":
            note = f": {h.reject_note}" if h.reject_note and with_note else ""
            return Text(f"{reason_label(playbook, h.reject_reason)}{note}".replace("\n", " "), style="red")
        if h.status == "accepted":
            return Text(f"deal {h.deal_id}" if h.deal_id else "accepted", style="green")
        return Text("pending" if short else "awaiting a decision", style="dim")

    def _title(self, rows: list[HandoffSummary], now: datetime) -> None:
        title = Text(MODE_TITLES[self.mode or "to_me"], style="bold")
        if not rows:
            title.append("  ·  nothing here yet", style="dim")
        else:
            pending = sum(1 for h in rows if h.status == "pending")
            title.append(f"  ·  {len(rows)} shown  ·  {pending} pending")
            late = sum(1 for h in rows if h.past_sla(now))
            if late:
                title.append("  ·  ")
                title.append(f" {late} past SLA ", style=PAST_SLA_STYLE)
        title.append("  ·  t to me / sent · e everyone · enter opens", style="dim")
        self.query_one("#inbox-title", Static).update(title)

    def selected(self) -> int | None:
        tables = list(self.query("#inbox").results(DataTable))
        if not tables or not self.rows or not 0 <= tables[0].cursor_row < len(self.rows):
            return None
        table = tables[0]
        return self.rows[table.cursor_row].id

    def on_resize(self) -> None:
        if self.rows and self.mode is not None:
            self.show(self.rows, self.mode)  # the decision column takes the width left

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        handoff_id = self.selected()
        if handoff_id is None:
            self.notify("No handoff selected.")
            return
        from revdesk.tui.navigation import ReviewHandoff

        self.app.post_message(ReviewHandoff(handoff_id))

    def _switch(self, mode: Mode) -> None:
        self.mode = mode
        self.query_one("#inbox-title", Static).update(Text(f"Loading {MODE_TITLES[mode].lower()}…", style="dim"))
        self.load()

    def action_toggle_sent(self) -> None:
        self._switch("to_me" if self.mode == "from_me" else "from_me")

    def action_toggle_everyone(self) -> None:
        self._switch("to_me" if self.mode == "everyone" else "everyone")

    def action_cursor_down(self) -> None:
        for table in self.query("#inbox").results(DataTable):  # keys may come before the table is mounted
            table.action_cursor_down()

    def action_cursor_up(self) -> None:
        for table in self.query("#inbox").results(DataTable):
            table.action_cursor_up()

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
