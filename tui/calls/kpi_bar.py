"""Today's progress against my role's targets, on every screen; updates whenever the app's KPI changes."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from revdesk.core.analytics.kpi import KpiReport

LABELS = {"calls": "Calls", "connects": "Connects", "meetings_booked": "Meetings"}
BAR = 10


def render_kpi(report: KpiReport | None, width: int | None = None) -> Text:
    """The day's figures with bars; on a narrow screen the bars get shorter, then go, before a figure is cut."""
    if report is None:
        return Text("Today's progress: loading…", style="dim")
    for bar in (BAR, BAR // 2, 0):
        text = _render(report, bar)
        if width is None or text.cell_len <= width:
            break
    return text


def _render(report: KpiReport, bar: int) -> Text:
    text = Text()
    for name, value in report.metrics.items():
        if name not in LABELS:
            continue  # the bar is the day's activity; the other metrics are in `revdesk kpi`
        if text:
            text.append("   ")
        text.append(f"{LABELS.get(name, name)} ", style="bold")
        target = value.target
        text.append(f"{value.actual:g}")
        if target:
            text.append(f"/{target:g} ", style="dim")
            ratio = min(value.actual / target, 1.0)
            filled = round(ratio * bar)
            colour = "green" if ratio >= 1 else "yellow" if ratio >= 0.5 else "red"
            text.append("█" * filled, style=colour)
            text.append("░" * (bar - filled), style="dim")
            text.append(f"{' ' if bar else ''}{value.actual / target:.0%}", style=colour if not bar else "")
        else:
            text.append(" (no target)", style="dim")
    return text


class KpiBar(Static):
    DEFAULT_CSS = "KpiBar { height: 1; padding: 0 1; }"

    def on_mount(self) -> None:
        self.watch(self.app, "kpi", self._update_report, init=True)

    def _update_report(self, report: KpiReport | None) -> None:
        self.update(render_kpi(report, self._width()), layout=False)

    def on_resize(self) -> None:
        self._update_report(self.app.kpi)

    def _width(self) -> int:
        return (self.size.width or self.app.size.width - 2) or 80
