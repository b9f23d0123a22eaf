"""`revdesk accounts duplicates` lists accounts on file that look like one company; `revdesk accounts merge KEEP
OTHER` merges OTHER into KEEP (db.accounts.merge does the work; this module only asks and prints). Names and
values are printed as Text: "Acme [/] Ltd" is a name, not Rich markup."""

from __future__ import annotations

import argparse

from rich.text import Text

from revdesk.tui.cli.arguments import record_id
from revdesk.tui.cli.common import console, open_bench, print_json

SHOWN = 50  # pairs the table shows unless --limit says otherwise


def register(sub: argparse._SubParsersAction) -> None:
    accounts = sub.add_parser("accounts", help="duplicate accounts: find them, merge them")
    actions = accounts.add_subparsers(dest="accounts_command", metavar="ACTION")
    accounts.set_defaults(handler=lambda args: _help(accounts))

    merge = actions.add_parser("merge", help="merge account OTHER into account KEEP (everything of OTHER moves)")
    merge.add_argument("keep", type=record_id, metavar="KEEP", help="the account that stays")
    merge.add_argument("other", type=record_id, metavar="OTHER", help="the account merged into KEEP")
    merge.add_argument("--dry-run", action="store_true", help="say what would move and be filled; write nothing")
    merge.add_argument("--json", action="store_true")
    merge.set_defaults(handler=_merge)

    dupes = actions.add_parser("duplicates", help="accounts that look like the same company, for review")
    dupes.add_argument("--threshold", type=float, metavar="SCORE", help="fuzzy score from which names look alike"
                       " (0-100, default 90)")
    dupes.add_argument("--limit", type=int, metavar="N", help=f"at most N pairs (table default {SHOWN})")
    dupes.add_argument("--json", action="store_true")
    dupes.set_defaults(handler=_duplicates)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def _merge(args: argparse.Namespace) -> int:
    bench = open_bench(args, need_user=True)
    result = bench.merge_accounts(args.keep, args.other, dry_run=args.dry_run)
    if args.json:
        print_json(result.to_json())
        return 0
    out = console()
    moved = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in result.moved.items() if n) or "nothing"
    verb = "Would merge" if result.dry_run else "Merged"
    out.print(Text(f"{verb} account {result.other_id} ({result.other_name}) into {result.keep_id}"
                     f" ({result.keep_name}): {moved} {'would move' if result.dry_run else 'moved'}."))
    for name, value in result.filled.items():
        out.print(Text(f"  filled {name}: {value}"))
    for note in result.notes:
        out.print(Text(f"  {note}"))
    facts = result.facts
    out.print(Text(f"  {result.keep_name}: won revenue {facts['won_revenue']:,.0f}, open deals"
                     f" {facts['open_deals']}, last touch {(facts['last_touch_at'] or 'never')[:10]}"))
    if result.dry_run:
        out.print("  (dry run: nothing was written)")
    return 0


def _duplicates(args: argparse.Namespace) -> int:
    from revdesk.core.common.errors import InvalidInput
    if args.threshold is not None and not 0 < args.threshold <= 100:
        raise InvalidInput("--threshold", "must be more than 0 and at most 100")
    if args.limit is not None and args.limit < 1:
        raise InvalidInput("limit", "must be 1 or more")
    pairs = open_bench(args, need_user=False).duplicate_accounts(args.threshold)
    if args.json:
        print_json([p.to_json() for p in pairs[:args.limit]])
        return 0
    from rich.table import Table

    from revdesk.tui.common.text import cut

    limit = args.limit or SHOWN
    table = Table("id", "account", "id", "looks like", "score", "why",
                  title=f"Accounts that may be one company: {len(pairs):,}")
    for p in pairs[:limit]:
        table.add_row(str(p.account_id), Text(cut(p.name, 34)), str(p.other_id), Text(cut(p.other_name, 34)),
                      f"{p.score:g}", Text(p.why))
    out = console()
    out.print(table)
    if len(pairs) > limit:
        out.print(f"  and {len(pairs) - limit:,} more (--limit N, or --json for all)")
    if pairs:
        out.print("  merge a pair with `revdesk accounts merge KEEP OTHER` (try --dry-run first)")
    return 0
