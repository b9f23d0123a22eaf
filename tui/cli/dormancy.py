"""`revdesk dormant`: customer accounts nobody has touched for the dormancy period, most valuable first; and
`dormant assign`, `dormant snooze`, `dormant enroll` and `dormant revival`."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from revdesk.core.dormancy.definition import DormantAccount
from revdesk.tui.cli.arguments import count, record_id
from revdesk.tui.cli.common import console, open_bench, print_json
from revdesk.tui.cli.tables import CliTable, fact, name

if TYPE_CHECKING:
    from revdesk.db.workbench import Workbench


def register(sub: argparse._SubParsersAction) -> None:
    dormant = sub.add_parser("dormant", help="dormant customer accounts, most value at risk first")
    scope = dormant.add_mutually_exclusive_group()
    scope.add_argument("--unowned", action="store_true", help="accounts nobody owns")
    scope.add_argument("--all", action="store_true", help="everyone's (default: mine, per --as)")
    dormant.add_argument("--snoozed", action="store_true", help="include snoozed accounts")
    dormant.add_argument("--json", action="store_true")
    dormant.set_defaults(handler=_list)
    actions = dormant.add_subparsers(dest="dormant_command", metavar="ACTION")
    assign = actions.add_parser("assign", help="give dormant accounts owners, round-robin over the reps named")
    assign.add_argument("--to", action="append", required=True, metavar="HANDLE", help="a rep (repeat for more)")
    assign.add_argument("--limit", type=count(1, 100_000), metavar="N", help="at most N accounts (the most valuable)")
    assign.add_argument("--account", type=record_id, action="append", metavar="ID",
                        help="these accounts (default: the unowned dormant ones)")
    assign.add_argument("--json", action="store_true")
    assign.set_defaults(handler=_assign)
    snooze = actions.add_parser("snooze", help="keep a dormant account out of Today for N days")
    snooze.add_argument("account", type=record_id, metavar="ACCOUNT")
    snooze.add_argument("--days", type=count(1, 3650), required=True, metavar="N")
    snooze.add_argument("--reason", required=True, metavar="TEXT")
    snooze.set_defaults(handler=_snooze)
    enroll = actions.add_parser("enroll", help="enroll a dormant account's contact in the re-engagement sequence")
    enroll.add_argument("account", type=record_id, metavar="ACCOUNT")
    enroll.add_argument("--contact", type=record_id, metavar="ID", help="who (default: the best contact to call)")
    enroll.set_defaults(handler=_enroll)
    revival = actions.add_parser("revival", help="revived accounts, deals and revenue per owner and month")
    revival.add_argument("--months", type=count(1, 120), default=6, metavar="N",
                         help="how many months back (default 6)")
    revival.add_argument("--json", action="store_true")
    revival.set_defaults(handler=_revival)


def _desk(args: argparse.Namespace, need_user: bool) -> Workbench:
    """The workbench of --as, or (for everyone's lists, with nobody named) of nobody in particular."""
    return open_bench(args, need_user=True if need_user else None)


def _list(args: argparse.Namespace) -> int:
    scope = "unowned" if args.unowned else "all" if args.all else "mine"
    desk = _desk(args, need_user=scope == "mine")
    accounts = desk.dormant(scope, snoozed=args.snoozed)
    warning = desk.currency_warning()
    if warning:
        print(f"revdesk: warning: {warning}", file=sys.stderr)
    if args.json:
        print_json([a.to_json() for a in accounts])
        return 0
    _print(accounts, desk, scope)
    return 0


def _print(accounts: list[DormantAccount], desk: Workbench, scope: str) -> None:
    base = desk.playbook.currency.base
    whose = {"mine": f"{desk.user.handle}'s" if desk.user else "", "unowned": "unowned", "all": "all"}[scope]
    snoozed = any(a.snoozed_until for a in accounts)  # the column is there only when it says something
    table = CliTable(f"Dormant accounts, {whose}: {len(accounts):,}", [
        fact("id", right=True), name("account"), name("owner"), fact(f"lifetime ({base})", right=True),
        fact("last won"), fact("last touch"), fact("quiet", right=True), fact("value at risk", right=True),
        *([fact("snoozed until")] if snoozed else [])])
    for a in accounts:
        table.add_row(str(a.account_id), a.name, a.owner_name or "—", f"{a.lifetime_revenue:,.0f}",
                      _day(a.last_won_at, desk.tz, "—"), _day(a.last_touch_at, desk.tz, "never"),
                      f"{a.days_dormant:,} d", f"{a.value_at_risk:,.0f}",
                      *([_day(a.snoozed_until, desk.tz, "")] if snoozed else []))
    table.print()


def _day(moment: datetime | None, tz: ZoneInfo, missing: str) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d}" if moment else missing


def _assign(args: argparse.Namespace) -> int:
    desk = _desk(args, need_user=True)
    assigned = desk.assign_dormant(args.to, account_ids=args.account, limit=args.limit)
    names = desk.user_names()
    if args.json:
        print_json({"change_id": assigned.change_id,
                    "assigned": [{"account_id": a, "owner": names[o]} for a, o in assigned.pairs]})
        return 0
    if not assigned.pairs:
        console().print("No unowned dormant accounts to assign.")
        return 0
    counts: dict[str, int] = {}
    for _, owner in assigned.pairs:
        counts[names[owner]] = counts.get(names[owner], 0) + 1
    spread = ", ".join(f"{n} to {handle}" for handle, n in counts.items())
    console().print(f"Assigned {len(assigned.pairs)} dormant accounts: {spread}")
    return 0


def _snooze(args: argparse.Namespace) -> int:
    desk = _desk(args, need_user=True)
    until = desk.snooze_dormant(args.account, args.days, args.reason)
    console().print(f"Account {args.account} is snoozed until {until.astimezone(desk.tz):%Y-%m-%d %H:%M}")
    return 0


def _enroll(args: argparse.Namespace) -> int:
    desk = _desk(args, need_user=True)
    enrolled, sequence = desk.enroll_dormant(args.account, args.contact)
    console().print(f"Enrolled in '{sequence}' (enrollment {', '.join(map(str, enrolled.enrollments))})")
    return 0


def _revival(args: argparse.Namespace) -> int:
    desk = _desk(args, need_user=False)
    rows = desk.revival(_months(max(args.months, 1), desk.tz, desk.now().date()))
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        console().print("No dormant account has been revived in these months.")
        return 0
    table = CliTable("Revival of dormant accounts", [
        fact("month"), fact("owner"), *(fact(header, right=True) for header in (
            "revived", "deals reopened", "deals won", f"revived revenue ({desk.playbook.currency.base})"))])
    for r in rows:
        table.add_row(r.month, r.handle, f"{r.revived:,}", f"{r.deals_reopened:,}", f"{r.deals_won:,}",
                      f"{r.revived_revenue:,.0f}")
    table.print()
    return 0


def _months(count: int, tz: ZoneInfo, today: date) -> list[tuple[str, datetime, datetime]]:
    from revdesk.core.analytics.metrics import period_bounds

    months, day = [], today
    for _ in range(count):
        start, end = period_bounds("month", day, tz)
        months.append((f"{start:%Y-%m}", start, end))
        day = start.date() - timedelta(days=1)
    return months
