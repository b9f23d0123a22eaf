"""The monthly closed-loop report for sales and marketing together: activity against targets with its trend,
the funnel by lead source, deals by owner, source and product, time in stage and the forecast, the revenue
leaks (every figure with its records) and dormant accounts with their revival. Every number comes from the
same definitions as the screens and commands; this module only gathers them into a core.reporting.document.ReportDoc.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from revdesk.core.analytics.kpi import METRIC_LABELS, MONEY_METRICS
from revdesk.core.playbook.model import Playbook
from revdesk.core.reporting.document import Chart, ReportDoc, Section, Table, count, days, money, percent
from revdesk.db.common.connection import Store
from revdesk.db.playbook.stored import current_playbook

if TYPE_CHECKING:
    from revdesk.core.analytics.dashboard import Dashboard

RECORDS_LISTED = 25  # per leak figure; the rest are counted
_NUM3 = frozenset({1, 2, 3})


def monthly_report(store: Store, month: date, tz: ZoneInfo, now: datetime, viewer: str | None = None) -> ReportDoc:
    """The report for the calendar month containing `month`, in `tz`: the viewer's timezone (`viewer` is whose it
    is, None for this computer's), stated in the subtitle and used for every period, date and time. The month's
    flows (activity, the funnel of its new contacts, deals closed, handoffs decided) are the month's; the
    point-in-time figures (open deals, stagnation, dormant accounts, limbo leads, pending handoffs) are as of
    `now`, and the forecast is for the month after."""
    from revdesk.core.analytics.metrics import period_bounds
    from revdesk.db.analytics.dashboard import dashboard
    from revdesk.db.common.users import list_users

    playbook = current_playbook(store.conn)
    start, end = period_bounds("month", month, tz)
    base = playbook.currency.base
    board = dashboard(store, playbook, "team:all", list_users(store.conn), "month", month, tz)
    sections = [_activity(board, base, f"{start:%B %Y}"), _funnel(store, start, end, f"{start:%B %Y}"),
                _deals(store, playbook, start, end, now, tz, base), _leaks(store, playbook, month, now, tz),
                _dormant(store, playbook, start, end, now, base)]
    last = (end - timedelta(days=1)).date()
    whose = f"{viewer}'s timezone" if viewer else "this computer's timezone; --as HANDLE reads it in yours"
    subtitle = (f"{start:%d %B %Y} – {last:%d %B %Y} · everyone ({board.people} people) · point-in-time figures as "
                f"of {now.astimezone(tz):%d %b %Y %H:%M} · dates and times in {tz.key} ({whose}) · amounts in {base}")
    return ReportDoc(f"Sales and marketing report — {start:%B %Y}", subtitle, sections)


def _activity(board: Dashboard, base: str, period: str) -> Section:
    rows = []
    for name, value in board.report.metrics.items():
        show = (lambda v: money(v, base)) if name in MONEY_METRICS else count
        rows.append([METRIC_LABELS.get(name, name), show(value.actual), show(value.target), percent(value.ratio)])
    labels = [p.label for p in board.trend]
    charts = [
        Chart("bar", "Calls, connects and meetings per month", labels,
              [(METRIC_LABELS[m], [p.values.get(m, 0) for p in board.trend])
               for m in ("calls", "connects", "meetings_booked")]),
        Chart("line", f"Revenue won per month ({base})", labels,
              [("Revenue won", [p.values.get("revenue_won", 0) for p in board.trend])]),
    ]
    stages = Table(["Lead stage when worked", "Calls", "Connects", "E-mails", "Meetings booked"],
                   [[s.stage, count(s.calls), count(s.connects), count(s.emails), count(s.meetings_booked)]
                    for s in board.stages], "Activity per lead stage when worked", frozenset({1, 2, 3, 4}),
                   collapsed=True)
    return Section("activity", "Activity against targets", [
        "Every metric the playbook sets a target for, for everyone, against the sum of their targets. A person's "
        "activity counts on their own local date."],
        [Table(["Metric", "Actual", "Target", "Progress"], rows, period, _NUM3), stages], charts)


def _funnel(store: Store, start: datetime, end: datetime, period: str) -> Section:
    from revdesk.db.analytics.funnel import funnel_for

    report = funnel_for(store.conn, start, end)
    overall = report.overall
    steps = Table(["Step", "Reached", "Converted", "Conversion", "Median time"],
                  [[f"{s.from_stage} → {s.to_stage}", count(s.reached), count(s.converted), percent(s.conversion),
                    days(s.median_days)] for s in overall.steps], f"Contacts created in {period}, step by step",
                  frozenset({1, 2, 3, 4}))
    pairs = [f"{s.from_stage}→{s.to_stage}" for s in overall.steps]
    by_source = Table(["Lead source", "New contacts", *pairs, "Disqualified"],
                      [[f.key, count(f.cohort), *(percent(s.conversion) for s in f.steps), count(f.disqualified)]
                       for f in report.by_source], "Conversion per lead source",
                      frozenset(range(1, len(pairs) + 3)))
    # the contacts that reached each stage (entered at it or converted to it), as the steps table counts them
    reached = [s.reached for s in overall.steps] + [overall.steps[-1].converted]
    chart = Chart("funnel", f"How far the contacts created in {period} got (contacts reaching each stage)",
                  [overall.steps[0].from_stage, *(s.to_stage for s in overall.steps)],
                  [("contacts", [float(n) for n in reached])])
    return Section("funnel", "Funnel: from lead to customer", [
        f"{overall.cohort:,} contacts were created in {period} ({overall.disqualified:,} disqualified and "
        f"{overall.nurture:,} in nurture since). Each counts from the stage it entered at; a step's median time is "
        "between first entering the two stages."], [steps, by_source], [chart])


def _deals(store: Store, playbook: Playbook, start: datetime, end: datetime, now: datetime, tz: ZoneInfo,
           base: str) -> Section:
    from revdesk.core.analytics.metrics import period_bounds
    from revdesk.db.analytics.deals import all_deal_figures, deal_stage_report

    figures = all_deal_figures(store.conn, playbook, start, end, now)
    after = period_bounds("month", end.date(), tz)
    forecast = deal_stage_report(store.conn, playbook, *after, now).forecast
    columns = ["Won", "Lost", "Win rate", f"Revenue won ({base})", "Average won", "Days to close"]

    def table(by: str, caption: str, noun: str = "") -> Table:
        """Deals per owner in the open; per source, product and team folded, with how many there are."""
        rows = [[r.key, count(r.won), count(r.lost), percent(r.win_rate), count(r.revenue_won),
                 count(r.avg_won_value), days(r.avg_days_to_close)] for r in [*figures.rows[by], figures.total]]
        if noun:
            caption = f"{caption}: {len(figures.rows[by]):,} {noun}"
        return Table([by.title(), *columns], rows, caption, frozenset(range(1, 7)), collapsed=bool(noun))

    stage = figures.stages
    times = Table(["Stage", "Stays ended", "Median", "Mean"],
                  [[t.label, count(t.stays), days(t.median_days), days(t.mean_days)] for t in stage.times],
                  "Time in each stage", _NUM3)
    stagnant = Table(["Stage", "Stale after", "Open", "Stale", "Share"],
                     [[s.label, f"{s.stale_after_days} d", count(s.open), count(s.stale), percent(s.share)]
                      for s in stage.stagnating], "Stagnating stages now", frozenset({1, 2, 3, 4}))
    lines = Table(["Stage", "Probability", "Deals", f"Amount ({base})", f"Weighted ({base})"],
                  [[x.label, percent(x.probability), count(x.deals), count(x.amount), count(x.weighted)]
                   for x in forecast.lines], f"Weighted forecast: open deals expected to close in {after[0]:%B %Y}",
                  frozenset({1, 2, 3, 4}))
    total = figures.total
    sources = figures.rows["source"]
    chart = Chart("hbar", f"Revenue won by source ({base})", [r.key for r in sources],
                  [("Revenue won", [r.revenue_won for r in sources])])
    return Section("deals", "Deals: win rate, value and speed", [
        f"{total.won:,} won and {total.lost:,} lost in {start:%B %Y}: a win rate of {percent(total.win_rate)} "
        "(won / (won + lost)), "
        f"{money(total.revenue_won, base)} won. Weighted forecast for {after[0]:%B}: {money(forecast.weighted, base)}"
        f" ({forecast.undated_deals:,} open deals have no expected close date and are left out)."],
        [table("owner", "By owner"), table("source", "By lead source", "sources"),
         table("product", "By product", "products"), table("team", "By team", "teams"), times, stagnant, lines],
        [chart])


def _leaks(store: Store, playbook: Playbook, month: date, now: datetime, tz: ZoneInfo) -> Section:
    from revdesk.core.analytics.leak_report import leak_window
    from revdesk.db.analytics.leaks import leak_report

    report = leak_report(store.conn, playbook, "month", month, now, tz)
    window = leak_window("month", month, now, tz)
    stalled_in = _quarter(window.stall_start, window.stall_end)
    tables, paragraphs = [], []
    for section in report.sections:
        labels = {f.key: _label(f.key, f.label, stalled_in) for f in section.figures}
        rows = [[labels[f.key], count(f.count), money(f.revenue, report.currency) if f.revenue is not None else ""]
                for f in section.figures]
        tables.append(Table(["Figure", "Count", "Revenue"], rows, f"{section.title}: {section.question}",
                            frozenset({1, 2})))
        parent = ""
        for figure in section.figures:
            label = labels[figure.key]
            name = f"{parent}, {label.strip()}" if label.startswith(" ") and parent else label
            parent = parent if label.startswith(" ") else label  # an indented figure is part of the one above
            if not figure.records:
                continue
            listed = [[r.kind, r.label, r.detail] for r in figure.records[:RECORDS_LISTED]]
            more = len(figure.records) - len(listed)
            caption = f"{name}: {_records(len(figure.records))}"
            caption += f" (the first {len(listed)} listed)" if more else ""
            tables.append(Table(["Record", "Name", "Detail"], listed, caption, collapsed=True))
    paragraphs.append("Where revenue leaks between marketing, SDRs, AEs and customer success: each figure is "
                      "followed by the records behind it (open a list to see them).")
    return Section("leaks", "Revenue leaks", paragraphs, tables)


def _records(n: int) -> str:
    return f"{n:,} record" + ("" if n == 1 else "s")


def _quarter(start: datetime, end: datetime) -> str:
    """'Q3 2026 (July to September)': the quarter that the leak report's stalled deals are counted in."""
    last = (end - timedelta(days=1)).date()
    return f"Q{(start.month - 1) // 3 + 1} {start.year} ({start:%B} to {last:%B})"


def _label(key: str, label: str, stalled_in: str) -> str:
    """A figure's label named for this report's period: the stalled deals are the quarter before the month's,
    said as that quarter rather than 'last quarter'."""
    if key == "accountability.stalled":
        return f"Deals that stalled in {stalled_in}"
    return label


def _dormant(store: Store, playbook: Playbook, start: datetime, end: datetime, now: datetime, base: str) -> Section:
    from dataclasses import replace

    from revdesk.core.analytics.leaks import EIGHTEEN_MONTHS_DAYS
    from revdesk.db.dormancy.queries import dormant_accounts
    from revdesk.db.dormancy.revival import revival_by_month

    rows = []
    for label, days_quiet in (("Dormancy period", playbook.dormancy.days), ("18 months", EIGHTEEN_MONTHS_DAYS)):
        rules = replace(playbook, dormancy=replace(playbook.dormancy, days=days_quiet))
        found = dormant_accounts(store.conn, rules, now, "all", snoozed=True)
        unowned = [a for a in found if a.owner_id is None]
        rows.append([f"No touch for {label.lower()} ({days_quiet} days)", count(len(found)),
                     count(sum(a.lifetime_revenue for a in found)), count(len(unowned)),
                     count(sum(a.lifetime_revenue for a in unowned))])
    revival = revival_by_month(store.conn, playbook, [(f"{start:%Y-%m}", start, end)])
    revived = Table(["Owner", "Accounts revived", "Deals reopened", "Deals won", f"Revived revenue ({base})"],
                    [[r.handle, count(r.revived), count(r.deals_reopened), count(r.deals_won),
                      count(r.revived_revenue)] for r in revival], f"Revival in {start:%B %Y}", frozenset({1, 2, 3, 4}))
    return Section("dormant", "Dormant accounts and their revival", [
        "Customers with won revenue, no open deal and no touch: how much revenue sleeps, and how much nobody owns."],
        [Table(["Quiet for", "Accounts", f"Lifetime revenue ({base})", "Unowned", f"Unowned revenue ({base})"], rows,
               "Dormant accounts now", frozenset({1, 2, 3, 4})), revived])
