"""The `revdesk` command: global options, subcommands, and one-line errors with exit code 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from core.errors import InvalidFields, InvalidInput, RevdeskError
from tui import __version__

_FLAG_FIELDS = {"outcome", "at", "type", "contact", "date", "note", "to", "stage", "reason", "as", "deal", "sequence",
                "days", "limit", "rep", "month", "out", "mapping", "file", "owner-map"}


class Parser(argparse.ArgumentParser):
    """Usage errors as one line naming what is wrong, exit code 2 (like every other bad input)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from tui.cli_commands import (
        analytics,
        dormant,
        handoffs,
        importing,
        leaks,
        merging,
        playbook,
        records,
        report,
        seed,
        sequences,
    )

    parser = Parser(prog="revdesk", description="A keyboard-first workbench for selling teams.")
    parser.add_argument("--version", action="version", version=f"revdesk {__version__}")
    parser.add_argument("--db", metavar="PATH", help="database file (default: revdesk.db in the user data dir)")
    parser.add_argument("--as", dest="as_user", metavar="HANDLE", help="who you are (a user handle)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    seed.register(sub)
    playbook.register(sub)
    records.register(sub)
    handoffs.register(sub)
    sequences.register(sub)
    dormant.register(sub)
    leaks.register(sub)
    analytics.register(sub)
    report.register(sub)
    importing.register(sub)
    merging.register(sub)
    sub.add_parser("open", help="open the workbench (the default)").set_defaults(handler=_open)
    parser.set_defaults(handler=_open)
    _accept_global_options(parser)
    return parser


def _accept_global_options(parser: argparse.ArgumentParser) -> None:
    """Let --db and --as also follow the subcommand (`revdesk queue --as maya`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="database file")
                child.add_argument("--as", dest="as_user", metavar="HANDLE", default=argparse.SUPPRESS,
                                   help="who you are (a user handle)")
                _accept_global_options(child)


def _open(args: argparse.Namespace) -> int:
    from tui.cli_commands.common import open_store, resolve_handle
    from tui.run import run_app

    store = open_store(args)
    handle = resolve_handle(args, store)
    return run_app(store, handle)


def _flag(field: str) -> str:
    return f"--{field}" if field in _FLAG_FIELDS else field


def _opens_the_app(argv: Sequence[str]) -> bool:
    """Only --db/--as (the common way in): no subcommand parsers need building, which keeps start-up lean."""
    values = list(argv)
    while values:
        option = values.pop(0)
        if option in ("--db", "--as") and values and not values[0].startswith("-"):
            values.pop(0)
        elif not option.startswith(("--db=", "--as=")):
            return False
    return True


def _app_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="revdesk")
    parser.add_argument("--db", metavar="PATH")
    parser.add_argument("--as", dest="as_user", metavar="HANDLE")
    parser.set_defaults(handler=_open)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _app_parser() if _opens_the_app(argv) else build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InvalidFields as exc:
        print(f"revdesk: error: refused, nothing was written; {len(exc.problems)} to fix:", file=sys.stderr)
        for field, reason in exc.problems:
            print(f"  {_flag(field)}: {reason}", file=sys.stderr)
        return 2
    except InvalidInput as exc:
        # Name the option the person typed: the service's field "at" is the CLI's --at.
        print(f"revdesk: error: {_flag(exc.field)}: {exc.reason}", file=sys.stderr)
        return 2
    except RevdeskError as exc:
        print(f"revdesk: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `revdesk ... --json | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
