"""`revdesk users`, `queue`, `log` and `kpi`: the SDR's day from the command line."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from revdesk.core.analytics.kpi import KpiReport
from revdesk.core.calls.activities import ACTIVITY_KINDS
from revdesk.core.common.when import parse_day, parse_moment, to_stored
from revdesk.tui.cli.arguments import record_id
from revdesk.tui.cli.common import console, open_bench, print_json
from revdesk.tui.cli.tables import CliTable, fact, name
from revdesk.tui.common.config import load_settings
from revdesk.tui.common.text import when

if TYPE_CHECKING:
    from revdesk.db.workbench import Workbench


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="list users (handle, name, role)")
    users.add_argument("--json", action="store_true")
    users.set_defaults(handler=_users)

    queue = sub.add_parser("queue", help="print a user's Today queue")
    queue.add_argument("--date", metavar="YYYY-MM-DD", help="the day to compute the queue for (default today)")
    queue.add_argument("--json", action="store_true")
    queue.set_defaults(handler=_queue)

    log = sub.add_parser("log", help="log an activity on a contact")
    log.add_argument("--contact", type=record_id, required=True, metavar="ID")
    log.add_argument("--type", required=True, choices=ACTIVITY_KINDS)
    log.add_argument("--outcome", metavar="OUTCOME", help="a playbook outcome key (required for calls)")
    log.add_argument("--note", metavar="TEXT")
    log.add_argument("--at", metavar="ISO", help="when it happened (default now; naive times are yours)")
    log.add_argument("--json", action="store_true")
    log.set_defaults(handler=_log)

    kpi = sub.add_parser("kpi", help="activity metrics against targets")
    scope = kpi.add_mutually_exclusive_group()
    scope.add_argument("--team", action="store_true", help="the team of --as (without --as: everyone)")
    scope.add_argument("--everyone", action="store_true", help="everyone's")
    scope.add_argument("--rep", metavar="HANDLE", help="one person's (seen from --as)")
    kpi.add_argument("--period", choices=["day", "week", "month", "quarter"], default="day")
    kpi.add_argument("--date", metavar="YYYY-MM-DD")
    kpi.add_argument("--trend", action="store_true", help="also the trend over recent periods and the activity per"
                     " lead stage")
    kpi.add_argument("--json", action="store_true")
    kpi.set_defaults(handler=_kpi)


def _bench(args: argparse.Namespace) -> Workbench:
    return open_bench(args, need_user=True)


def _users(args: argparse.Namespace) -> int:
    people = open_bench(args, need_user=False).users()
    if args.json:
        print_json([{"handle": u.handle, "name": u.name, "role": u.role, "team": u.team} for u in people])
        return 0
    table = CliTable("Users", [fact("handle"), name("name"), fact("role"), name("team")])
    for u in people:
        table.add_row(u.handle, u.name, u.role, u.team)
    table.print()
    return 0


def _queue(args: argparse.Namespace) -> int:
    bench = _bench(args)
    day = parse_day(args.date, "--date") if args.date else None
    items = bench.queue(day)
    if args.json:
        print_json([
            {"kind": i.kind, "reason": i.reason, "due_at": to_stored(i.due_at), "contact_id": i.contact_id,
             "contact": i.contact_name, "account_id": i.account_id, "account": i.account_name, "task_id": i.task_id}
            for i in items
        ])
        return 0
    table = CliTable(f"Today for {bench.user.name} — {len(items):,} items",
                     [fact("#", right=True), fact("kind"), fact("due"), name("contact"), name("account"),
                      name("reason")])
    now = bench.now()
    for n, item in enumerate(items, 1):
        local = item.due_at.astimezone(bench.tz)
        due = f"{local:%H:%M}" if local.date() == bench.today() else when(item.due_at, now, bench.tz, weekday=True)
        table.add_row(str(n), item.kind.replace("_", " "), due, item.contact_name, item.account_name or "",
                      item.reason)
    table.print()
    return 0


def _log(args: argparse.Namespace) -> int:
    bench = _bench(args)
    at = parse_moment(args.at, "--at", bench.tz) if args.at else None
    logged = bench.log_activity(args.contact, args.type, args.outcome, at=at, note=args.note)
    result = {"activity_id": logged.activity_id, "change_id": logged.change_id,
              "follow_up_task_id": logged.follow_up_task_id,
              "follow_up_due_at": to_stored(logged.follow_up_due_at) if logged.follow_up_due_at else None}
    if args.json:
        print_json(result)
    else:
        extra = ""
        if logged.follow_up_due_at:
            extra = f"; follow-up due {when(logged.follow_up_due_at, bench.now(), bench.tz, weekday=True)}"
        console().print(f"Logged {args.type} #{logged.activity_id} on contact {args.contact}{extra}")
    return 0


def _kpi(args: argparse.Namespace) -> int:
    day = parse_day(args.date, "--date") if args.date else None
    if (args.team or args.everyone) and not (args.as_user or load_settings().user):
        if args.trend:
            board = _everyone_board(args, day)
            print_json(board.to_json()) if args.json else (_print_kpi(board.report), _print_trend(board))
            return 0
        report = _everyone_kpi(args, day)
    elif args.trend or args.rep or args.everyone:
        scope = args.rep or ("everyone" if args.everyone else "team" if args.team else "me")
        bench = _bench(args)
        if args.rep:
            bench.user_named(args.rep, "rep")
        board = bench.dashboard(scope, args.period, day)
        if args.json:
            print_json(board.to_json() if args.trend else board.report.to_json())
            return 0
        _print_kpi(board.report)
        if args.trend:
            _print_trend(board)
        return 0
    else:
        report = _bench(args).kpi(args.period, day, team=args.team)
    if args.json:
        print_json(report.to_json())
        return 0
    _print_kpi(report)
    return 0


def _print_trend(board) -> None:  # noqa: ANN001 - a core.analytics.dashboard.Dashboard
    from revdesk.core.analytics.dashboard import TREND_METRICS

    trend = CliTable("Trend", [name("metric"), *(fact(p.label, right=True) for p in board.trend)])
    for metric in TREND_METRICS:
        trend.add_row(metric.replace("_", " "), *(_number(p.values.get(metric, 0)) for p in board.trend))
    stages = CliTable("Activity per lead stage", [name("lead stage when worked"), *(
        fact(header, right=True) for header in ("calls", "connects", "e-mails", "meetings booked"))])
    for row in board.stages:
        stages.add_row(row.stage, *(f"{n:,}" for n in (row.calls, row.connects, row.emails, row.meetings_booked)))
    trend.print()
    stages.print()


def _print_kpi(report: KpiReport) -> None:
    table = CliTable(f"{report.scope} — {report.period} from {report.start:%Y-%m-%d}",
                     [name("metric"), fact("actual", right=True), fact("target", right=True),
                      fact("progress", right=True)])
    for metric, value in report.metrics.items():
        pct = f"{value.ratio:.0%}" if value.ratio is not None else "—"
        target = "—" if value.target is None else _number(value.target)
        table.add_row(metric.replace("_", " "), _number(value.actual), target, pct)
    table.print()


def _number(value: float) -> str:
    """A metric with thousands separators and no needless decimals: 1,250, 2.5, 1,251,000 (`:g` gave 1.251e+06)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _everyone_board(args: argparse.Namespace, day: date | None):  # noqa: ANN201 - a core.analytics.dashboard.Dashboard
    """Everyone's dashboard (the KPIs, the trend, activity per lead stage) in this computer's timezone."""
    return open_bench(args, need_user=False).dashboard("everyone", args.period, day)


def _everyone_kpi(args: argparse.Namespace, day: date | None) -> KpiReport:
    """Everyone's numbers, in this computer's timezone (no --as: no person's timezone to use)."""
    return open_bench(args, need_user=False).scope_kpi("everyone", args.period, day)
