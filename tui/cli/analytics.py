"""`revdesk deals stats`, `revdesk deals stages` and `revdesk funnel`: deal metrics and the lifecycle funnel for a
period, as rich tables or --json. The definitions are core.analytics.deals and core.analytics.funnel."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from revdesk.core.analytics.deals import GROUPINGS, range_bounds
from revdesk.core.analytics.metrics import period_bounds
from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import parse_day
from revdesk.tui.cli.common import console, open_bench, print_json
from revdesk.tui.cli.tables import CliTable, fact, name

if TYPE_CHECKING:
    from revdesk.core.analytics.deals import DealRow, StageReport
    from revdesk.core.analytics.funnel import Funnel, FunnelReport
    from revdesk.db.workbench import Workbench


def register(sub: argparse._SubParsersAction) -> None:
    deals = sub.add_parser("deals", help="deal metrics: win rate, values, days to close, stages, forecast")
    actions = deals.add_subparsers(dest="deals_command", metavar="ACTION", required=True)
    stats = actions.add_parser("stats", help="won, lost, win rate, revenue, average value, days to close per group")
    stats.add_argument("--by", choices=GROUPINGS, default="owner", help="group by (default owner)")
    _period_options(stats, default="all")
    stats.set_defaults(handler=_stats)
    stages = actions.add_parser("stages", help="time in each stage, stagnating stages, weighted forecast")
    _period_options(stages)
    stages.set_defaults(handler=_stages)

    funnel = sub.add_parser("funnel", help="lifecycle conversion and median days, for the contacts created in a period")
    funnel.add_argument("--by", choices=["source"], help="also one funnel per lead source")
    _period_options(funnel)
    funnel.set_defaults(handler=_funnel)


def _period_options(parser: argparse.ArgumentParser, default: str = "month") -> None:
    choices, told = (["month", "quarter", "all"], "all time") if default == "all" else (["month", "quarter"],
                                                                                      "this month")
    parser.add_argument("--period", choices=choices, default=default,
                        help=f"the month or quarter of --date, or all time (default: {told})")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="a day in the period (default today)")
    parser.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first day (instead of --period)")
    parser.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day, included (with --from)")
    parser.add_argument("--json", action="store_true")


def period(args: argparse.Namespace, tz: tzinfo, today: date) -> tuple[datetime, datetime]:
    """[start, end) from --from/--to (both days whole), else the --period around --date (default today)."""
    if args.first is None and args.last is None and args.period == "all":  # every deal, whenever it closed
        return datetime(1900, 1, 1, tzinfo=UTC), datetime.combine(today, datetime.min.time(), tz) + timedelta(days=2)
    if args.first is None and args.last is None:
        day = parse_day(args.date, "--date") if args.date else today
        return period_bounds(args.period, day, tz)  # type: ignore[arg-type]
    if args.date:
        raise InvalidInput("--date", "give either --date (with --period) or --from/--to, not both")
    if args.first is None:
        raise InvalidInput("--from", "is needed with --to (the first day of the range)")
    first = parse_day(args.first, "--from")
    last = parse_day(args.last, "--to") if args.last else today
    if last < first:
        raise InvalidInput("--to", f"{last} is before --from {first}")
    return range_bounds(first, last, tz)  # type: ignore[arg-type]


def _setup(args: argparse.Namespace) -> tuple[Workbench, datetime, datetime]:
    """The workbench (of --as or the configured user, in their timezone; else this computer's) and the period."""
    bench = open_bench(args)
    start, end = period(args, bench.tz, bench.today())
    return bench, start, end


def _span(start: datetime, end: datetime) -> str:
    if start.year == 1900:
        return "all time"
    return f"{start:%Y-%m-%d} to {(end - timedelta(days=1)):%Y-%m-%d}"


def _money(value: float | None, currency: str) -> str:
    from revdesk.core.pipeline.lanes import money

    return "—" if value is None else money(value, currency)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _stats(args: argparse.Namespace) -> int:
    bench, start, end = _setup(args)
    rows, total = bench.deal_rows(args.by, start, end)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    _print_stats(rows, total, args.by, bench.playbook.currency.base, _span(start, end))
    return 0


def _print_stats(rows: list[DealRow], total: DealRow, by: str, base: str, span: str) -> None:
    table = CliTable(f"Deals by {by}, {span}", [name(by), *(fact(header, right=True) for header in (
        "won", "lost", "win rate", f"revenue won ({base})", "avg won value", "days to close", "open",
        "weighted forecast"))])
    for row in [*rows, total]:
        if row is total:
            table.add_section()
        table.add_row(row.key, f"{row.won:,}", f"{row.lost:,}", _pct(row.win_rate), _money(row.revenue_won, base),
                      _money(row.avg_won_value, base), _num(row.avg_days_to_close), f"{row.open:,}",
                      _money(row.weighted_forecast, base), style="bold" if row is total else None)
    table.print()
    if total.undated:
        console().print(f"{total.undated:,} closed deals have no close date: they are in no period (not counted).",
                        style="yellow")


def _stages(args: argparse.Namespace) -> int:
    bench, start, end = _setup(args)
    report = bench.deal_stage_report(start, end)
    if args.json:
        print_json(report.to_json())
        return 0
    _print_stages(report, bench.playbook.currency.base, _span(start, end))
    return 0


def _print_stages(report: StageReport, base: str, span: str) -> None:
    out = console()
    times = CliTable(f"Time in stage, stays ended {span}", [name("stage"), *(
        fact(header, right=True) for header in ("stays ended", "median days", "mean days"))])
    for t in report.times:
        times.add_row(t.label, f"{t.stays:,}", _num(t.median_days), _num(t.mean_days))
    times.print(out)
    stale = CliTable("Stagnating stages (now)", [name("stage"), *(
        fact(header, right=True) for header in ("stale after", "open deals", "stale now", "share"))])
    for s in report.stagnating:
        stale.add_row(s.label, f"{s.stale_after_days:,} days", f"{s.open:,}", f"{s.stale:,}", _pct(s.share))
    stale.print(out)
    f = report.forecast
    forecast = CliTable(f"Weighted forecast, expected to close {span}", [name("stage"), *(
        fact(header, right=True) for header in ("probability", "deals", f"amount ({base})", "weighted"))])
    for line in f.lines:
        forecast.add_row(line.label, f"{line.probability:.0%}", f"{line.deals:,}", _money(line.amount, base),
                         _money(line.weighted, base))
    forecast.add_section()
    forecast.add_row("Total", "", f"{f.deals:,}", _money(f.amount, base), _money(f.weighted, base), style="bold")
    forecast.print(out)
    if f.undated_deals:
        out.print(f"{f.undated_deals:,} open deals ({_money(f.undated_amount, base)}) have no expected close date:"
                  " not in the forecast.", style="yellow")


def _funnel(args: argparse.Namespace) -> int:
    bench, start, end = _setup(args)
    report = bench.funnel(start, end)
    if args.json:
        print_json(report.to_json(by_source=args.by == "source"))
        return 0
    _print_funnel(report, args.by == "source")
    return 0


def _print_funnel(report: FunnelReport, by_source: bool) -> None:
    out = console()
    span = _span(report.start, report.end)
    funnels: list[Funnel] = [report.overall, *(report.by_source if by_source else [])]
    for funnel in funnels:
        title = f"Funnel of the {funnel.cohort:,} contacts created {span}"
        if funnel.key != report.overall.key:
            title = f"{funnel.key}: {funnel.cohort:,} contacts created {span}"
        table = CliTable(title, [name("step"), *(fact(header, right=True) for header in (
            "reached", "converted", "conversion", "median days", "timed"))])
        for step in funnel.steps:
            table.add_row(f"{step.from_stage} → {step.to_stage}", f"{step.reached:,}", f"{step.converted:,}",
                          _pct(step.conversion), _num(step.median_days), f"{step.timed:,}")
        table.print(out)
        out.print(f"ended disqualified: {funnel.disqualified:,} · in nurture: {funnel.nurture:,}", style="dim")
