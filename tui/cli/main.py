"""The `revdesk` command: global options, subcommands, and one-line errors with exit code 2.

Whatever is typed, the command ends with exit code 0, or 2 and a line naming the option: an argument that is not
text (bytes no encoding reads, a NUL), a path the system cannot take, a number no record can have, a database
another process is writing to or that is damaged."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from revdesk.core.common.errors import InvalidFields, InvalidInput, RevdeskError
from revdesk.tui import __version__
from revdesk.tui.cli.arguments import path_problem

_FLAG_FIELDS = {"outcome", "at", "type", "contact", "date", "note", "to", "stage", "reason", "as", "deal", "sequence",
                "days", "limit", "rep", "month", "out", "mapping", "file", "owner-map"}


class Parser(argparse.ArgumentParser):
    """Usage errors as one line naming what is wrong, exit code 2 (like every other bad input)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # Python 3.11 drops a "--" given as an option's own value (`--note=--`, or a positional's after the "--"
        # that ends the options) and hands the command an empty list; it is the text "--" (as Python 3.12 reads it).
        if action.nargs is None and arg_strings == ["--"]:
            value = self._get_value(action, "--")
            self._check_value(action, value)
            return value
        return super()._get_values(action, arg_strings)


def build_parser() -> argparse.ArgumentParser:
    from revdesk.tui.cli import accounts as merging
    from revdesk.tui.cli import analytics, handoffs, importing, leaks, playbook, records, sequences
    from revdesk.tui.cli import dormancy as dormant
    from revdesk.tui.cli import reporting as report
    from revdesk.tui.cli import seeding as seed

    parser = Parser(prog="revdesk", description="A keyboard-first workbench for selling teams.")
    parser.add_argument("--version", action="version", version=f"revdesk {__version__}")
    parser.add_argument("--db", metavar="PATH", help="database file (default: revdesk.db in the user data dir)")
    parser.add_argument("--as", dest="as_user", metavar="HANDLE", help="who you are (a user handle)")
    parser.add_argument("--no-wait", dest="no_wait", action="store_true",
                        help="if another process is writing to the database, give up at once (exit 2) instead of"
                             " waiting up to REVDESK_LOCK_WAIT seconds (default 10)")
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


@cache
def _full_parser() -> argparse.ArgumentParser:
    """Built once per process (some 40 parsers: a few tens of milliseconds), however often main() runs."""
    return build_parser()


def _accept_global_options(parser: argparse.ArgumentParser) -> None:
    """Let --db, --as and --no-wait also follow the subcommand (`revdesk queue --as maya`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="database file")
                child.add_argument("--as", dest="as_user", metavar="HANDLE", default=argparse.SUPPRESS,
                                   help="who you are (a user handle)")
                child.add_argument("--no-wait", dest="no_wait", action="store_true", default=argparse.SUPPRESS,
                                   help="give up at once if another process is writing to the database")
                _accept_global_options(child)


def _open(args: argparse.Namespace) -> int:
    from revdesk.tui.cli.common import open_store, resolve_handle
    from revdesk.tui.run import run_app

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
        elif option != "--no-wait" and not option.startswith(("--db=", "--as=")):
            return False
    return True


def _app_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="revdesk")
    parser.add_argument("--db", metavar="PATH")
    parser.add_argument("--as", dest="as_user", metavar="HANDLE")
    parser.add_argument("--no-wait", dest="no_wait", action="store_true")
    parser.set_defaults(handler=_open)
    return parser


def _unreadable(argv: Sequence[str]) -> str | None:
    """The first argument that is not text, as a refusal naming its option: the shell passes bytes, and Python keeps
    those no encoding reads as lone surrogates, which neither the database nor the terminal can take."""
    for n, arg in enumerate(argv):
        if "\x00" in arg:
            problem = "holds a NUL character"
        else:
            try:
                arg.encode("utf-8")
                continue
            except UnicodeEncodeError:
                problem = "is not text in UTF-8 (bytes no encoding reads); nothing was done"
        option, _, _ = arg.partition("=") if arg.startswith("--") and "=" in arg else ("", "", "")
        if not option and n and argv[n - 1].startswith("-") and not arg.startswith("-"):
            option = argv[n - 1]
        shown = (option or f"argument {n + 1}").encode("utf-8", "backslashreplace").decode("utf-8")
        return f"{shown}: {problem}"
    return None


def _option_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each destination of any subcommand, with the name a person types for it ("--owner-map", "FILE")."""
    names: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                names.update(_option_names(child))
        elif action.option_strings:
            names.setdefault(action.dest, max(action.option_strings, key=len))
        else:
            names.setdefault(action.dest, str(action.metavar or action.dest.upper()))
    return names


def _paths(args: argparse.Namespace) -> Iterator[tuple[str, str | Path]]:
    for dest, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Path) or (dest == "db" and isinstance(item, str)):
                yield dest, item


def _check_paths(args: argparse.Namespace, names: dict[str, str]) -> None:
    """Refuse a path the system cannot take (a NUL, a name over its length limit) before any command uses it."""
    for dest, path in _paths(args):
        if problem := path_problem(path):
            raise InvalidInput(names.get(dest, dest), problem)


def _file_option(args: argparse.Namespace, names: dict[str, str], filename: object) -> str:
    """The option that named the file an OSError is about ("a file" when none did)."""
    named = os.fsdecode(filename)
    for dest, path in _paths(args):  # the file itself, a folder made for it, or its ".part" beside it
        if named.startswith(os.fspath(path)) or os.fspath(path).startswith(named):
            return names.get(dest, dest)
    return "a file"


def _database(args: argparse.Namespace) -> str:
    """The database the command used, for a message (never itself a reason to fail)."""
    from revdesk.tui.cli.common import db_path

    try:
        return str(db_path(args))
    except Exception:  # noqa: BLE001 - the settings can't be read: the message still goes out
        return str(args.db or "the database")


def _say(option: str, reason: str) -> int:
    print(f"revdesk: error: {_flag(option)}: {reason}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if (unreadable := _unreadable(argv)) is not None:
        print(f"revdesk: error: {unreadable}", file=sys.stderr)
        return 2
    parser = _app_parser() if _opens_the_app(argv) else _full_parser()
    args = parser.parse_args(argv)
    names = _option_names(parser)
    try:
        _check_paths(args, names)
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
    except OSError as exc:
        if exc.filename is None:
            raise
        return _say(_file_option(args, names, exc.filename), f"cannot use {exc.filename}: {exc.strerror}")
    except Exception as exc:
        from revdesk.db.workbench import database_failure

        if (reason := database_failure(exc, _database(args))) is None:
            raise
        return _say("--db", reason)


if __name__ == "__main__":
    sys.exit(main())
