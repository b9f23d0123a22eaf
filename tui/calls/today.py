"""The Today screen: my ranked queue, each item with its reason and due time, and today's progress."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker

from revdesk.core.calls.queue import FOLLOW_UP_OVERDUE, HANDOFF_PAST_SLA
from revdesk.core.common.models import QueueItem
from revdesk.db.workbench import STEPS_IN_QUEUE
from revdesk.tui.calls.kpi_bar import KpiBar
from revdesk.tui.commands import TODAY_COMMANDS, bindings
from revdesk.tui.common.returning import ReloadsOnReturn
from revdesk.tui.common.text import cut, day_text
from revdesk.tui.common.workers import ShowsWorkerFailures, cancelled

REFRESH_SECONDS = 60
KIND_LABELS = {"handoff": "Handoff", "inbound": "Inbound", "call_back": "Call back", "follow_up": "Follow-up",
               "step": "Step", "stale_deal": "Stale deal", "dormant": "Dormant", "lookup": "Looked up"}
KIND_STYLES = {"handoff": "bold yellow", "inbound": "bold magenta", "call_back": "bold cyan", "follow_up": "green",
               "step": "bold blue", "stale_deal": "yellow", "dormant": "bold red", "lookup": "dim"}

STARTUP_TICK_SECONDS = 1.0
WHEN_WIDTH = 11  # "Follow-up" over "Mon 07 Dec"; another year's day puts its year on a third line
FIRST_ROWS = 12  # at least this many rows in the first frame (a screenful); the rest follow right after it


def _wrapped(text: str, width: int, lines: int = 2) -> Text:
    """Wrap to at most `lines` lines up front: much cheaper for the table to draw than letting it wrap."""
    width = max(width, 8)
    out: list[str] = []
    while len(text) > width and len(out) < lines - 1:
        split = text.rfind(" ", 0, width + 1)
        split = split if split > width // 2 else width
        out.append(text[:split].rstrip())
        text = text[split:].strip()
    out.append(cut(text, width))
    return Text("\n".join(out), no_wrap=True, overflow="ellipsis")


def who_width(screen_width: int) -> int:
    """The name column grows with the screen (up to 50 cells) and narrows on a small one so the reason stays whole."""
    return max(18, min(50, (screen_width - WHEN_WIDTH - 8) * 2 // 5))


def style_of(item: QueueItem) -> str:
    return "bold white on red" if item.urgency == HANDOFF_PAST_SLA else KIND_STYLES[item.kind]


class TodayScreen(ShowsWorkerFailures, ReloadsOnReturn, Screen):
    AUTO_FOCUS = "#queue"
    COMMANDS_LIST = TODAY_COMMANDS
    BINDINGS = bindings(TODAY_COMMANDS)

    def __init__(self) -> None:
        super().__init__()
        self.items: list[QueueItem] = []
        self._more = 0
        self._warm = False
        self._first_load = True
        self._built_width = 0
        self._loading: Worker | None = None  # the queue load in flight
        self._again: bool | None = None  # asked for while one ran: None no, else whether with a tick

    def compose(self) -> ComposeResult:
        yield Header()
        yield KpiBar(id="kpi")
        yield Static("Loading your queue…", id="queue-title")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Today"
        # With sequence steps the queue is a 5-15 ms query at bench scale: it loads in a worker while the
        # screen draws, and the first screenful of rows follows (see tests/bench).
        self.load_queue()
        self.set_interval(REFRESH_SECONDS, self._tick)
        # sequence steps that came due while revdesk was closed, once start-up is over (a tick is a write)
        self.set_timer(STARTUP_TICK_SECONDS, lambda: self.load_queue(tick=True))

    def _tick(self) -> None:
        """Keep reasons and SLAs current, bring in sequence steps and new inbound leads while open."""
        if self.is_current:
            self.load_queue(tick=True)

    def reload(self) -> None:
        """Back from call mode (or a dialog): the queue has moved on."""
        self.load_queue()

    def load_queue(self, tick: bool = False) -> None:
        """Load the queue in a worker, after a sequence tick when `tick`. A load asked for while one runs neither
        cancels it nor runs beside it: it runs once that one is done, and every tick and refresh asked for meanwhile
        is that one load (the start-up tick used to cancel the first load in flight)."""
        if self._loading is not None and not self._loading.is_finished:
            self._again = bool(self._again) or tick
            return
        warm = tick and not self._warm
        self._warm = self._warm or tick
        self._loading = self._load_queue(tick, warm, self._first_load)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self._loading and event.worker.is_finished:
            self._loading = None
            if self._again is not None:
                tick, self._again = self._again, None
                self.load_queue(tick)

    @work(thread=True, group="queue", exit_on_error=False)
    def _load_queue(self, tick: bool, warm: bool, first: bool) -> None:
        bench = self.app.workbench
        if tick:
            bench.tick_sequences()
            if warm:
                bench.warm_up_sequences()
        items = bench.queue()
        more = self._steps_behind(items)
        if cancelled():  # the screen has closed: nothing to show
            return
        self.app.call_from_thread(self.show_queue, items, more)
        if first:  # the header's numbers right after the first queue is on screen
            self.app.call_from_thread(setattr, self.app, "kpi", bench.kpi("day"))  # dropped once cancelled

    def _steps_behind(self, items: list[QueueItem]) -> int:
        """How many more sequence steps are due today than the queue lists (a count only when it is full)."""
        steps = sum(1 for i in items if i.kind == "step")
        return self.app.workbench.steps_due_count() - steps if steps >= STEPS_IN_QUEUE else 0

    def show_queue(self, items: list[QueueItem], more: int = 0) -> None:
        bench = self.app.workbench
        table = self.query_one("#queue", DataTable)
        selected = self.items[table.cursor_row].key if self.items and table.cursor_row < len(self.items) else None
        self.items, self._more = items, more
        table.clear(columns=True)
        # Three two-line cells per row (what, who, why): few cells keep the first frame fast.
        fixed = {"When": WHEN_WIDTH, "Who": who_width(self.app.size.width)}
        for name, width in fixed.items():
            table.add_column(name, width=width)
        self._built_width = self.app.size.width
        reason_width = max(30, self._built_width - sum(fixed.values()) - 2 * (len(fixed) + 1) - 2)
        table.add_column("Why", width=reason_width)
        screenful = max(FIRST_ROWS, (self.app.size.height - 6) // 2 + 1)  # two lines a row
        first = items[:screenful] if self._first_load else items
        self._add_rows(first, reason_width)
        rest = items[len(first):]
        keys = [i.key for i in first]
        if selected in keys:
            table.move_cursor(row=keys.index(selected))
        overdue = sum(1 for i in items if i.urgency <= FOLLOW_UP_OVERDUE)
        title = self.query_one("#queue-title", Static)
        if items:
            title.update(Text.assemble(
                (f"{bench.now():%a %d %b}  ·  ", "dim"),
                (f"{len(items)} to work today", "bold"), (f"  ·  {overdue} urgent or overdue", "yellow"),
                (f"  ·  {more:,} more sequence steps due follow as you work" if more > 0 else "", "cyan"),
                ("  ·  enter opens call mode", "dim"),
            ))
        else:
            title.update(Text("Your queue is clear. New inbound leads and follow-ups will show up here.", "green"))
        if self._first_load:
            self._first_load = False
            self.app.ready()
        if rest:  # a long queue: the first screenful is drawn first, the rest right after it
            self.app.call_after_refresh(self._add_rows, rest, reason_width)  # after ready(): same queue

    def _add_rows(self, items: list[QueueItem], reason_width: int) -> None:
        bench, table = self.app.workbench, self.query_one("#queue", DataTable)
        names = who_width(self._built_width)
        today = bench.today()
        for item in items:
            due = item.due_at.astimezone(bench.tz)
            due_text = due.strftime("%H:%M") if due.date() == today else day_text(due.date(), today, weekday=True)
            if item.kind == "dormant":  # picked for the day, not due at an hour
                due_text = "today"
            when = Text.assemble((KIND_LABELS[item.kind], style_of(item)), "\n", (due_text[:WHEN_WIDTH], "dim"))
            if len(due_text) > WHEN_WIDTH:  # another year's day: the year goes on a line of its own
                when.append(f"\n{due_text[WHEN_WIDTH:].strip()}", style="dim")
            who = f"{item.contact_name}, {item.contact_title}" if item.contact_title else item.contact_name
            # The reason is the decision: two lines, a third on a narrow screen rather than cutting it.
            why = _wrapped(item.reason, reason_width, lines=2 if len(item.reason) <= 2 * reason_width else 3)
            table.add_row(
                when, Text.assemble((cut(who, names), "bold"), "\n", cut(item.account_name or "", names)), why,
                height=max(2, why.plain.count("\n") + 1, when.plain.count("\n") + 1),
            )

    def on_resize(self) -> None:
        if self.items and self.app.size.width != self._built_width:
            self.show_queue(self.items, self._more)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_call()

    def action_call(self) -> None:
        if not self.items:
            self.notify("Nothing to call: your queue is clear.")
            return
        row = self.query_one("#queue", DataTable).cursor_row
        item = self.items[max(row, 0)]
        if item.handoff_id is not None:
            from revdesk.tui.navigation import ReviewHandoff

            self.app.post_message(ReviewHandoff(item.handoff_id))
            return
        from revdesk.tui.navigation import CallQueue

        self.app.post_message(CallQueue(self.items, item))

    def action_cursor_down(self) -> None:
        self.query_one("#queue", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#queue", DataTable).action_cursor_up()

    def action_refresh(self) -> None:
        self.load_queue()
        self.app.refresh_kpi()
