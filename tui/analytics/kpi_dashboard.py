"""The KPI dashboard: me, my team, everyone or one rep; a day, week, month or quarter. Every metric against its
playbook target with a progress bar, the trend over recent periods as a chart, and the activity per lead stage
(calls on attempting leads, meetings from connected ones). Computed in a thread worker (db.analytics.dashboard)."""

from __future__ import annotations

import math
from datetime import date, timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual_plotext import PlotextPlot

from revdesk.core.analytics.dashboard import TREND_METRICS, Dashboard
from revdesk.core.analytics.kpi import METRIC_LABELS, MONEY_METRICS, MetricValue
from revdesk.core.common.errors import RevdeskError
from revdesk.core.playbook.model import Period
from revdesk.tui.commands import DASHBOARD_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill
from revdesk.tui.common.returning import ReloadsOnReturn
from revdesk.tui.common.workers import ShowsWorkerFailures

LABELS = METRIC_LABELS
MONEY = MONEY_METRICS
PERIOD_KEYS: dict[str, Period] = {"d": "day", "w": "week", "m": "month", "q": "quarter"}
BAR = 20
NARROW_BAR = 10
NARROW = 110  # below this width the chart goes under the targets and the screen scrolls
TARGET_COLUMNS = [Column("Metric"), Column("Actual", right=True), Column("Target", right=True), Column("Progress")]
STAGE_COLUMNS = [Column("Lead stage when worked"), *(Column(name, right=True)
                                                    for name in ("Calls", "Connects", "E-mails", "Meetings booked"))]
LEADERS = ("manager", "founder")


def progress_bar(value: MetricValue, cells: int = BAR) -> Text:
    """A bar of `cells` coloured by how far along the target is (green done, yellow half, red behind), then the
    percentage, which is never cut."""
    if not value.target:
        return Text("no target", style="dim")
    ratio = value.actual / value.target
    filled = round(min(ratio, 1.0) * cells)
    colour = "green" if ratio >= 1 else "yellow" if ratio >= 0.5 else "red"
    return Text.assemble(("█" * filled, colour), ("░" * (cells - filled), "dim"), f" {ratio:.0%}")


def count_ticks(top: float, steps: int = 4) -> list[int]:
    """Whole-number axis ticks from 0 to at least `top`, a round step apart (1, 2 or 5 times a power of ten):
    calls are counted, never 1908.5."""
    rough = max(top / steps, 1)
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def figure(name: str, amount: float | None, currency: str) -> str:
    if amount is None:
        return "—"
    if name in MONEY:
        return f"{amount:,.0f} {currency}"
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.1f}"


def shift(day: date, period: Period, steps: int) -> date:
    """A day in the period `steps` periods before (negative) or after `day`'s."""
    if period == "day":
        return day + timedelta(days=steps)
    if period == "week":
        return day + timedelta(weeks=steps)
    months = 1 if period == "month" else 3
    index = day.year * 12 + day.month - 1 + steps * months
    return date(index // 12, index % 12 + 1, 1)


class DashboardScreen(ShowsWorkerFailures, ReloadsOnReturn, Screen):
    AUTO_FOCUS = "#dash-targets"
    COMMANDS_LIST = DASHBOARD_COMMANDS
    BINDINGS = bindings(DASHBOARD_COMMANDS)
    DEFAULT_CSS = """
    DashboardScreen #dash-title { height: auto; padding: 0 1; }
    DashboardScreen #dash-body { height: 1fr; }
    DashboardScreen #dash-top { height: 15; }
    DashboardScreen #dash-targets { width: auto; max-width: 100%; }
    DashboardScreen #dash-trend {
        width: 1fr; min-width: 30; border-top: solid $primary 50%; border-title-color: $accent;
    }
    DashboardScreen #dash-stages { height: auto; }
    DashboardScreen.narrow #dash-top { layout: vertical; height: auto; }
    DashboardScreen.narrow #dash-targets { width: 100%; height: auto; }
    DashboardScreen.narrow #dash-trend { height: 14; width: 100%; }
    """

    def __init__(self, scope: str | None = None, period: Period = "month") -> None:
        super().__init__()
        self.scope = scope
        self.period: Period = period
        self.day: date | None = None
        self.trend_metric = "calls"
        self.loaded: Dashboard | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="dash-title")
        with VerticalScroll(id="dash-body", can_focus=False):
            with Horizontal(id="dash-top"):
                yield DataTable(id="dash-targets", cursor_type="row", zebra_stripes=True)
                yield PlotextPlot(id="dash-trend")
            yield DataTable(id="dash-stages", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        bench = self.app.workbench
        self.title = "KPIs"
        self.scope = self.scope or ("everyone" if bench.user.role in LEADERS else "me")
        self.day = self.day or bench.today()
        self.set_class(self.app.size.width < NARROW, "narrow")
        self.query_one("#dash-trend", PlotextPlot).display = False  # drawn once, when there is a trend to draw
        self.reload()

    def on_resize(self) -> None:
        narrow = self.app.size.width < NARROW
        if narrow != self.has_class("narrow"):
            self.set_class(narrow, "narrow")
            if self.loaded is not None:
                self._tables(self.loaded)

    # -- loading ----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self._title(loading=True)
        self.load(self.scope or "me", self.period, self.day or self.app.workbench.today())

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load(self, scope: str, period: Period, day: date) -> None:
        try:
            loaded = self.app.workbench.dashboard(scope, period, day)
        except Exception as exc:  # noqa: BLE001 - shown on the screen, which stays usable
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._failed, reason)
            return
        self.app.call_from_thread(self.show, loaded, (scope, period, day))

    def _failed(self, reason: str) -> None:
        self.query_one("#dash-title", Static).update(Text(f"Could not load the KPIs: {reason}", "red"))

    def show(self, loaded: Dashboard, asked: tuple[str, Period, date]) -> None:
        if not self.is_attached or asked != (self.scope, self.period, self.day):
            return  # closed, or another scope or period was asked for meanwhile
        self.loaded = loaded
        self._tables(loaded)
        self._chart()
        self._title(loading=False)

    def _tables(self, loaded: Dashboard) -> None:
        """The targets and the stages, every figure and percentage whole; the bar is shorter when narrow."""
        currency = self.app.workbench.playbook.currency.base
        cells = NARROW_BAR if self.has_class("narrow") else BAR
        targets = self.query_one("#dash-targets", DataTable)
        selected = targets.cursor_row
        metrics = loaded.report.metrics
        fill(targets, TARGET_COLUMNS, [[
            LABELS.get(name, name), Text(figure(name, value.actual, currency), justify="right"),
            Text(figure(name, value.target, currency), justify="right", style="dim"),
            progress_bar(value, cells)] for name, value in metrics.items()], keys=list(metrics))
        targets.move_cursor(row=selected)
        fill(self.query_one("#dash-stages", DataTable), STAGE_COLUMNS, [[
            row.stage, *(Text(f"{n:,}", justify="right")
                         for n in (row.calls, row.connects, row.emails, row.meetings_booked))]
            for row in loaded.stages])

    def _chart(self) -> None:
        if self.loaded is None:
            return
        chart = self.query_one("#dash-trend", PlotextPlot)
        chart.display = True
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        labels = [p.label for p in self.loaded.trend]
        values = [p.values.get(self.trend_metric, 0) for p in self.loaded.trend]
        plt.bar(labels, values, marker="hd")
        plt.xticks(list(range(1, len(labels) + 1)), labels)  # every period named, the same on every draw
        ticks = count_ticks(max(values) if any(values) else 1)
        plt.yticks(ticks, [f"{t:,}" for t in ticks])
        plt.ylim(0, ticks[-1])
        # The title on the border: plotext drops its own title when the plot is narrow.
        chart.border_title = f"{LABELS[self.trend_metric]} per {self.period} · t next metric"
        chart.refresh()

    def _title(self, loading: bool) -> None:
        bench = self.app.workbench
        who = {"me": bench.user.name, "team": f"Team: {bench.user.team}", "everyone": "Everyone"}.get(
            self.scope or "me", self.scope or "")
        text = Text(who, style="bold")
        if self.loaded is not None and not loading:
            report = self.loaded.report
            last = report.end - timedelta(days=1)
            text.append(f" ({self.loaded.people} {'person' if self.loaded.people == 1 else 'people'})", style="dim")
            text.append(f"  ·  {self.period.title()} {report.start:%d %b %Y} – {last:%d %b %Y}", style="bold")
        else:
            text.append("  ·  loading…", style="dim italic")
        text.append("\ns scope · u one rep · d/w/m/q period · [ ] earlier/later · t trend metric", style="dim")
        self.query_one("#dash-title", Static).update(text)

    # -- keys -------------------------------------------------------------------------------------------------
    def action_scope(self) -> None:
        order = ["me", "team", "everyone"] if self.app.workbench.user.role in LEADERS else ["me", "team"]
        current = self.scope if self.scope in order else order[-1]
        self.scope = order[(order.index(current) + 1) % len(order)]
        self.reload()

    def action_rep(self) -> None:
        from revdesk.tui.dialogs.rep_picker import RepPicker

        def chosen(handle: str | None) -> None:
            if handle:
                self.scope = handle
                self.reload()

        self.app.push_screen(RepPicker(), chosen)

    def action_period(self, key: str) -> None:
        self.period = PERIOD_KEYS[key]
        self.reload()

    def action_move(self, steps: int) -> None:
        self.day = shift(self.day or self.app.workbench.today(), self.period, steps)
        self.reload()

    def action_trend(self) -> None:
        index = TREND_METRICS.index(self.trend_metric) if self.trend_metric in TREND_METRICS else -1
        self.trend_metric = TREND_METRICS[(index + 1) % len(TREND_METRICS)]
        self._chart()

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
