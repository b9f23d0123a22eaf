"""Funnel & deals: for one month or quarter (in my timezone), the lifecycle funnel of the contacts created in it
(conversion and median days per step; b: one row per lead source), the deal figures by owner, team, product or
source (g cycles), and per stage the time deals spent in it, how many sit there stale now and the weighted
forecast. [ and ] step to the previous and next period, m and q switch between month and quarter.

Everything loads in one thread worker (db.analytics.funnel, db.analytics.deals); the toggles only redraw what was
loaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from revdesk.core.analytics.deals import GROUPINGS, DealFigures, DealRow, Grouping
from revdesk.core.analytics.funnel import Funnel, FunnelReport
from revdesk.core.analytics.metrics import period_bounds
from revdesk.core.common.errors import RevdeskError
from revdesk.core.pipeline.lanes import money
from revdesk.tui.commands import FUNNEL_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill
from revdesk.tui.common.returning import ReloadsOnReturn
from revdesk.tui.common.workers import ShowsWorkerFailures

PeriodKind = Literal["month", "quarter"]


@dataclass(frozen=True)
class Loaded:
    period: PeriodKind
    start: datetime
    end: datetime
    funnel: FunnelReport
    deals: DealFigures


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def period_title(period: PeriodKind, start: datetime) -> str:
    """'November 2026' or 'Q4 2026'."""
    if period == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start:%B %Y}"


def right(value: object) -> Text:
    """A figure, right-aligned under its header."""
    return Text(str(value), justify="right")


def step_cell(funnel: Funnel, index: int) -> str:
    """'92% · 1.2 d' for one step of a source's funnel."""
    step = funnel.steps[index]
    return f"{pct(step.conversion)} · {days(step.median_days)} d" if step.median_days is not None \
        else pct(step.conversion)


class FunnelScreen(ShowsWorkerFailures, ReloadsOnReturn, Screen):
    AUTO_FOCUS = "#funnel"
    COMMANDS_LIST = FUNNEL_COMMANDS
    BINDINGS = bindings(FUNNEL_COMMANDS)
    DEFAULT_CSS = """
    FunnelScreen .note {
        height: auto;
        padding: 0 1;
    }
    FunnelScreen DataTable {
        height: auto;
        max-height: 14;
        border: round $primary 50%;
        border-title-color: $accent;
    }
    FunnelScreen #deals {
        max-height: 16;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.period: PeriodKind = "month"
        self.anchor: date | None = None  # a day in the period shown (None: today)
        self.grouping: Grouping = "owner"
        self.by_source = False
        self.loaded: Loaded | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the funnel and the deal figures…", id="funnel-title", classes="note")
        yield DataTable(id="funnel", cursor_type="row", zebra_stripes=True)
        yield Static("", id="funnel-note", classes="note")
        yield DataTable(id="deals", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="stages", cursor_type="row", zebra_stripes=True)
        yield Static("", id="stages-note", classes="note")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Funnel & deals"
        self.load()

    def reload(self) -> None:
        self.load()

    def bounds(self) -> tuple[datetime, datetime]:
        bench = self.app.workbench
        return period_bounds(self.period, self.anchor or bench.today(), bench.tz)

    def load(self) -> None:
        start, end = self.bounds()
        self.query_one("#funnel-title", Static).update(
            Text(f"Funnel & deals · {period_title(self.period, start)} · loading…", style="bold"))
        self._load(self.period, start, end)

    @work(thread=True, exclusive=True, group="funnel", exit_on_error=False)
    def _load(self, period: PeriodKind, start: datetime, end: datetime) -> None:
        bench = self.app.workbench
        try:
            loaded = Loaded(period, start, end, bench.funnel(start, end), bench.deal_figures(start, end))
        except Exception as exc:  # noqa: BLE001 - shown to the user; the screen stays usable
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._failed, reason)
            return
        self.app.call_from_thread(self.show, loaded)

    def _failed(self, reason: str) -> None:
        self.query_one("#funnel-title", Static).update(Text(f"Could not compute the figures: {reason}", "red"))

    def show(self, loaded: Loaded) -> None:
        if not self.is_attached or (loaded.period, loaded.start) != (self.period, self.bounds()[0]):
            return  # a later period was asked for meanwhile: its own load shows it
        self.loaded = loaded
        title = Text(f"Funnel & deals · {period_title(loaded.period, loaded.start)}", style="bold")
        last = loaded.end - timedelta(days=1)
        title.append(f"  ·  {loaded.start:%d %b} – {last:%d %b %Y} ({self.app.workbench.tz.key})", style="dim")
        title.append("  ·  [ ] period · m/q month/quarter · b per source · g group by", style="dim")
        self.query_one("#funnel-title", Static).update(title)
        self.show_funnel()
        self.show_deals()
        self.show_stages()

    def show_funnel(self) -> None:
        if self.loaded is None:
            return
        report = self.loaded.funnel
        table = self.query_one("#funnel", DataTable)
        overall = report.overall
        if self.by_source:
            table.border_title = "Funnel per lead source: conversion · median days"
            columns = [Column("Source", "name", 12), Column("Cohort", right=True),
                       *(Column(f"{s.from_stage}→\n{s.to_stage}", right=True) for s in overall.steps),
                       Column("Disqua-\nlified", right=True, drop=2), Column("Nurture", right=True, drop=1)]
            funnels = [*report.by_source, overall]
            fill(table, columns, [[
                Text(funnel.key, style="bold" if funnel is overall else ""), right(funnel.cohort),
                *(right(step_cell(funnel, i)) for i in range(len(funnel.steps))), right(funnel.disqualified),
                right(funnel.nurture)] for funnel in funnels], keys=[f.key for f in funnels], available=self._inner())
        else:
            table.border_title = "Funnel of the contacts created in the period"
            columns = [Column("Step"), *(Column(label, right=True) for label in (
                "Reached", "Converted", "Conversion", "Median\ndays", "Timed"))]
            fill(table, columns, [[
                f"{step.from_stage} → {step.to_stage}", right(step.reached), right(step.converted),
                right(pct(step.conversion)), right(days(step.median_days)), right(step.timed)]
                for step in overall.steps], keys=[f"{s.from_stage}>{s.to_stage}" for s in overall.steps],
                available=self._inner())
        note = Text(f"Cohort: {overall.cohort} contacts created", style="bold")
        note.append(f"  ·  ended disqualified {overall.disqualified} · in nurture {overall.nurture}")
        if not overall.cohort:
            note.append("  ·  nobody was created in this period", style="dim")
        self.query_one("#funnel-note", Static).update(note)

    def show_deals(self) -> None:
        if self.loaded is None:
            return
        base = self.app.workbench.playbook.currency.base
        figures = self.loaded.deals
        table = self.query_one("#deals", DataTable)
        table.border_title = f"Deals by {self.grouping} (g: {' / '.join(GROUPINGS)})"
        # Two-line headers keep the figures' columns narrow: all of them fit at 80 columns.
        columns = [Column(self.grouping.capitalize(), "name", 10), *(Column(label, right=True) for label in (
            "Won", "Lost", "Win\nrate", f"Revenue\nwon ({base})", "Avg won\nvalue", "Days to\nclose", "Open",
            "Weighted\nforecast"))]
        rows = [*figures.rows[self.grouping], figures.total]
        fill(table, columns, [self._deal_cells(row, base, bold=row is figures.total) for row in rows],
             keys=[row.key for row in rows], available=self._inner())

    @staticmethod
    def _deal_cells(row: DealRow, base: str, bold: bool) -> list[Text]:
        def cash(value: float | None) -> str:
            return "—" if value is None else money(value, base)

        cells = [row.key, str(row.won), str(row.lost), pct(row.win_rate), cash(row.revenue_won),
                 cash(row.avg_won_value), days(row.avg_days_to_close), str(row.open), cash(row.weighted_forecast)]
        return [Text(cell, style="bold" if bold else "", justify="left" if n == 0 else "right")
                for n, cell in enumerate(cells)]

    def show_stages(self) -> None:
        if self.loaded is None:
            return
        base = self.app.workbench.playbook.currency.base
        report = self.loaded.deals.stages
        table = self.query_one("#stages", DataTable)
        table.border_title = "Stages: time in stage (stays ended in the period) · stale now · forecast"
        columns = [Column("Stage", "name", 12), Column("Stays", right=True, drop=2),
                   Column("Median\ndays", right=True), Column("Mean\ndays", right=True, drop=1),
                   *(Column(label, right=True) for label in (
                       "Open\nnow", "Stale\nnow", "Stale %", "Closing\ndeals", "Amount", "Weighted"))]
        stale = {s.stage: s for s in report.stagnating}
        lines = {line.stage: line for line in report.forecast.lines}
        rows = []
        for t in report.times:
            s, f = stale.get(t.stage), lines.get(t.stage)
            rows.append([t.label, *(right(v) for v in (
                t.stays, days(t.median_days), days(t.mean_days), str(s.open) if s else "—",
                str(s.stale) if s else "—", pct(s.share) if s else "—", str(f.deals) if f else "—",
                money(f.amount, base) if f else "—", money(f.weighted, base) if f else "—"))])
        fill(table, columns, rows, keys=[t.stage for t in report.times], available=self._inner())
        forecast = report.forecast
        note = Text(f"Weighted forecast: {money(forecast.weighted, base)}", style="bold")
        note.append(f" from {forecast.deals} open deals expected to close in the period"
                    f" ({money(forecast.amount, base)} unweighted)")
        if forecast.undated_deals:
            note.append(f"  ·  {forecast.undated_deals} open deals ({money(forecast.undated_amount, base)}) have no"
                        " expected close date", style="yellow")
        if self.loaded.deals.total.undated:
            note.append(f"  ·  {self.loaded.deals.total.undated} closed deals have no close date (in no period)",
                        style="yellow")
        self.query_one("#stages-note", Static).update(note)

    def _inner(self) -> int:
        """The width inside a table's round border."""
        return (self.size.width or self.app.size.width) - 2

    def on_resize(self) -> None:
        self.show_funnel()
        self.show_deals()
        self.show_stages()

    def action_grouping(self) -> None:
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self.show_deals()

    def action_by_source(self) -> None:
        self.by_source = not self.by_source
        self.show_funnel()

    def action_shift(self, step: int) -> None:
        start, end = self.bounds()
        self.anchor = end.date() if step > 0 else (start - timedelta(days=1)).date()
        self.load()

    def action_period(self, period: PeriodKind) -> None:
        if period != self.period:
            start, end = self.bounds()  # stay around the period shown: today if it is in it, else its first day
            self.anchor = None if start.date() <= self.app.workbench.today() < end.date() else start.date()
            self.period = period
            self.load()

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
