"""`revdesk leaks`: the revenue-leak report, section by section, each figure with the first records behind it
(`--json` lists every record of every figure, so every number drills down)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from zoneinfo import ZoneInfo

from revdesk.core.analytics.leaks import LeakReport
from revdesk.core.common.when import parse_day
from revdesk.tui.cli.arguments import count
from revdesk.tui.cli.common import console, open_bench, print_json
from revdesk.tui.cli.tables import CliTable, fact, name
from revdesk.tui.common.text import cut, day_span


def register(sub: argparse._SubParsersAction) -> None:
    leaks = sub.add_parser("leaks", help="the revenue-leak report: the four diagnostic questions and limbo leads")
    leaks.add_argument("--period", choices=["month", "quarter"], default="quarter",
                       help="the period of the alignment and handoff figures (default quarter); deals that stalled"
                            " are counted over the period before it")
    leaks.add_argument("--date", metavar="YYYY-MM-DD", help="a day in the period (default today)")
    leaks.add_argument("--records", type=count(0, 10_000), default=3, metavar="N",
                       help="records listed under each figure (default 3; --json lists them all)")
    leaks.add_argument("--json", action="store_true")
    leaks.set_defaults(handler=_leaks)


def _leaks(args: argparse.Namespace) -> int:
    bench = open_bench(args)
    tz = bench.tz
    day = parse_day(args.date, "--date") if args.date else bench.today()
    report = bench.leak_report(args.period, day)
    if args.json:
        print_json(report.to_json())
    else:
        print_report(report, tz, max(args.records, 0))
    return 0


def print_report(report: LeakReport, tz: ZoneInfo, shown: int) -> None:
    from rich.text import Text

    out = console()
    today = report.as_of.astimezone(tz).date()
    last = (report.end - timedelta(seconds=1)).astimezone(tz).date()  # the last day of the period
    stall_last = (report.stall_end - timedelta(seconds=1)).astimezone(tz).date()
    out.print(Text.assemble(
        ("Revenue leaks", "bold"), f" · {report.period} {report.start.astimezone(tz):%d %b %Y} – {last:%d %b %Y}"))
    out.print(f"stalled deals: {day_span(report.stall_start.astimezone(tz).date(), stall_last, today)}", style="dim")
    out.print(f"point-in-time figures as of {report.as_of.astimezone(tz):%d %b %Y %H:%M}", style="dim")
    # the figure column is never so narrow that a record's kind and id ("    handoff 1234 ·") break apart
    widest_id = max((len(f"    {r.kind} {r.id} ·") for s in report.sections for f in s.figures
                     for r in f.records[:shown]), default=0)
    for section in report.sections:
        table = CliTable(section.title, [name("figure", floor=widest_id), fact("count", right=True),
                                         fact(f"revenue ({report.currency})", right=True)], caption=section.question)
        for figure in section.figures:
            revenue = "" if figure.revenue is None else f"{figure.revenue:,.0f}"
            table.add_row(Text(figure.label, style="bold" if not figure.label.startswith(" ") else ""),
                          Text(f"{figure.count:,}", style="bold" if figure.count else "dim"), revenue)
            for record in figure.records[:shown]:
                table.add_row(Text(f"    {record.kind} {record.id} · {cut(record.label, 40)} — {record.detail}",
                                   style="dim"), "", "")
            if shown and figure.count > shown:
                table.add_row(Text(f"    … and {figure.count - shown:,} more (--json lists them all)",
                                   style="dim italic"), "", "")
        table.print(out)
