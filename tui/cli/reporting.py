"""`revdesk report --month YYYY-MM --format md|html --out FILE`: the monthly closed-loop report for sales and
marketing together (db/reporting/monthly.py gathers it; core/reporting/markdown.py and core/reporting/html.py write
it)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import year_problem
from revdesk.tui.cli.arguments import file_path
from revdesk.tui.cli.common import console, open_bench


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="the monthly report for sales and marketing (Markdown or HTML)")
    report.add_argument("--month", metavar="YYYY-MM", help="which month (default: this one)")
    report.add_argument("--format", choices=["md", "html"], default="md")
    report.add_argument("--out", type=file_path, metavar="FILE", help="write it here (default: print it)")
    report.set_defaults(handler=_report)


def _month(text: str | None, today: date) -> date:
    if text is None:
        return today.replace(day=1)
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise InvalidInput("month", f"{text!r} is not a month like 2026-11")
    problem = year_problem(int(match[1]), text.strip())  # 0001-01 is a typo, and a month no report can reach
    if problem:
        raise InvalidInput("month", problem)
    return date(int(match[1]), int(match[2]), 1)


def _report(args: argparse.Namespace) -> int:
    from revdesk.core.reporting.html import render_html
    from revdesk.core.reporting.markdown import render_markdown
    bench = open_bench(args)  # read in the viewer's timezone: --as, else the configured user, else this computer's
    month = _month(args.month, bench.today())
    doc = bench.monthly_report(month, bench.user.name if bench.user else None)
    text = render_html(doc) if args.format == "html" else render_markdown(doc)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    if not args.out.name or args.out.is_dir():  # '.', '/' or a folder: nowhere to put a file of that name
        raise InvalidInput("out", f"{args.out} is a folder; give the report a file name, like report.{args.format}")
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        partial = args.out.with_name(args.out.name + ".part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(args.out)  # a reader never sees half a report
    except OSError as exc:
        raise InvalidInput("out", f"cannot write {args.out}: {exc.strerror}") from None
    console().print(f"Wrote {doc.title} to {args.out} ({len(doc.sections)} sections, {len(text.encode()):,} bytes)")
    return 0

