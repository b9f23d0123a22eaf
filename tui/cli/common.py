"""Helpers every subcommand shares: the store, who I am, and printing tables or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from revdesk.core.common.errors import InvalidInput
from revdesk.db.workbench import Store, opened
from revdesk.tui.common.config import default_db_path, load_settings

if TYPE_CHECKING:
    from rich.console import Console

    from revdesk.db.workbench import Waiting, Workbench


def db_path(args: argparse.Namespace) -> Path:
    """The database file: --db, else config.toml's `db`, else revdesk.db in the data dir; never a folder."""
    path = Path(args.db) if args.db else default_db_path(load_settings())
    if (args.db and args.db.endswith("/")) or path.is_dir():
        raise InvalidInput("--db", f"{args.db or path} names a folder; name a database file in it, like"
                                   f" {path / 'revdesk.db'}")
    return path


def open_store(args: argparse.Namespace, create: bool = False, dry_run: bool = False) -> Store:
    """The database of --db; only commands that create one (`playbook apply`, `import`) may start a new file,
    and that file appears only once `store.keep()` is called. A dry run writes nothing, not even a schema."""
    from revdesk.db.workbench import private_dir

    path = db_path(args)
    settings = load_settings()
    if args.db is None and settings.db_from_demo:
        print(f"revdesk: using the demo database {path} (`revdesk demo` opened it last; --db to choose)",
              file=sys.stderr)
    try:
        exists = path.exists()
        if not exists and not create:
            raise InvalidInput("--db", f"{path} does not exist; create one with `revdesk --db {path} seed demo`"
                               " or try `revdesk demo`")
        if not exists and not dry_run:
            private_dir(path.parent)
    except OSError as exc:  # a name too long, a folder that cannot be made
        raise InvalidInput("--db", f"cannot use {path} ({exc.strerror or exc}; nothing was changed)") from None
    if dry_run:
        store = Store(path, create=True, scratch=True)
    elif not exists:
        store = Store.new_file(path)
    else:
        store = Store(path, create=create)
    wait_for_writers(args, store)
    return opened(store)  # opened and migrated now, so a too-new or another program's database is refused up front


def wait_for_writers(args: argparse.Namespace, store: Store) -> None:
    """A write waits for another process's lock up to REVDESK_LOCK_WAIT seconds (not at all with --no-wait),
    saying once on stderr what it waits for; past that the command exits 2 naming the holder (LockWaitExpired)."""
    if getattr(args, "no_wait", False):
        store.patience = 0.0
    said: list[str] = []
    patience, path = store.patience or 0.0, db_path(args)  # not the store itself: a listener must not keep it

    def say(waiting: Waiting | None) -> None:
        if waiting is not None and waiting.reason not in said:
            said.append(waiting.reason)
            print(f"revdesk: waiting up to {patience:.0f} s to write to {path}: {waiting.reason}"
                  " (--no-wait not to wait)", file=sys.stderr, flush=True)

    store.on_waiting(say)


def resolve_handle(args: argparse.Namespace, store: Store) -> str:
    from revdesk.db.workbench import Workbench

    handle = args.as_user or load_settings().user
    if not handle:
        raise InvalidInput("--as", "say who you are, e.g. --as HANDLE (see `revdesk users`)")
    Workbench(store, None).user_named(handle, "--as")
    return handle


def open_bench(args: argparse.Namespace, need_user: bool | None = None, *, create: bool = False,
               dry_run: bool = False) -> Workbench:
    """The workbench of --db (see open_store) for --as or the configured user: required when `need_user`, never
    when False, and when None whoever is named (nobody in particular if no one is: everyone's lists, this
    computer's timezone)."""
    from revdesk.db.workbench import Workbench

    store = open_store(args, create=create, dry_run=dry_run)
    named = need_user or (need_user is None and bool(args.as_user or load_settings().user))
    return Workbench.open(store, resolve_handle(args, store) if named else None)


def acting_zone(args: argparse.Namespace, store: Store) -> ZoneInfo:
    """The acting person's timezone (--as, or the configured user), else this computer's: the one every command
    reads dates and periods in."""
    if args.as_user or load_settings().user:
        from revdesk.db.workbench import Workbench

        return Workbench.open(store, resolve_handle(args, store)).tz
    from revdesk.db.workbench import local_zone

    return local_zone()


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def console() -> Console:
    """The console every command prints through: user text is shown literally, never as Rich markup (see
    tui.cli.output); style with Text objects or style=."""
    from revdesk.tui.cli.output import LiteralConsole

    return LiteralConsole()
