"""`revdesk seed demo|bench` and `revdesk demo` (build a demo database and open it as an SDR).

`revdesk demo` rebuilds a demo seeded on an earlier day (yesterday's queue is stale), but never one in which
work has been done since its seed (see Workbench.work_since_seed): that it refuses, or with --fresh asks first
(and refuses without a terminal to ask on). It remembers the database it opened in config.toml, so the
commands that follow use it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from revdesk.core.common.errors import InvalidInput
from revdesk.db.workbench import NewDatabase, private_dir, remove_database
from revdesk.tui.cli.common import console, db_path


def register(sub: argparse._SubParsersAction) -> None:
    seed = sub.add_parser("seed", help="fill a new database with generated demo or bench data")
    seed.add_argument("kind", choices=["demo", "bench"])
    seed.add_argument("--seed", type=int, default=1, help="random seed (same seed and day: same data)")
    seed.set_defaults(handler=_seed)
    demo = sub.add_parser("demo", help="build a demo database and open revdesk on it as an SDR")
    demo.add_argument("--fresh", action="store_true",
                      help="rebuild the demo database even if today's exists (asks first if work was done in it)")
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(handler=_demo)


def seed_with_progress(path: Path, kind: str, seed: int) -> dict[str, int]:
    """Seed into a temporary file beside `path` and rename it at the end: a killed seed leaves no half
    database behind."""
    new = NewDatabase(path)
    counts = _seed_file(new.partial, kind, seed)
    remove_database(path)  # an old -wal must not be applied to the new file
    new.keep()
    return counts


def _seed_file(path: Path, kind: str, seed: int) -> dict[str, int]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from revdesk.db.workbench import seed_database

    with Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console(), transient=False) as progress:
        tasks: dict[str, int] = {}

        def report(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        return seed_database(path, kind, seed, datetime.now(UTC), report)  # type: ignore[arg-type]


def _seed(args: argparse.Namespace) -> int:
    path = db_path(args)
    try:
        if path.exists() and path.stat().st_size > 0:
            raise InvalidInput("--db", f"{path} already exists; seed a new file (nothing was changed)")
        private_dir(path.parent)
    except OSError as exc:
        raise InvalidInput("--db", f"cannot use {path} ({exc.strerror or exc}; nothing was changed)") from None
    counts = seed_with_progress(path, args.kind, args.seed)
    summary = ", ".join(f"{n:,} {t}" for t, n in counts.items())
    console().print(f"Seeded {args.kind} data into {path}: {summary}")
    return 0


def _needs_building(path: Path, fresh: bool) -> bool:
    """Whether `revdesk demo` builds the demo at `path` anew; refuses to replace anything but an untouched demo
    (or, with --fresh, one whose work the person at the terminal agrees to lose)."""
    from revdesk.core.common.when import from_stored
    from revdesk.db.workbench import Store, Workbench
    from revdesk.tui.common.config import demo_db_path

    if not path.exists() or path.stat().st_size == 0:
        return True
    store = Store(path, create=False)
    try:
        seeded = Workbench(store, None).work_since_seed()
    finally:
        store.close()
    if seeded is None or seeded[1].get("kind") != "demo":
        raise InvalidInput("--db", f"{path} is not a demo database; `revdesk demo` will not replace it")
    built, work = from_stored(seeded[0]).astimezone().date(), seeded[2]
    today = datetime.now().astimezone().date()
    if not work:
        if built != today and not fresh:
            console().print(f"The demo database is from {built:%a %d %b}; building a fresh one for today.")
        return fresh or built != today
    if not fresh and built == today:
        return False  # today's demo, worked in: open it as it is
    what = f"{path} has {work:,} changes made since its demo was built on {built:%a %d %b %Y}"
    elsewhere = "`revdesk demo --db NEW.db`" + (" or `revdesk demo`" if path.absolute() != demo_db_path().absolute()
                                                else "")
    if fresh and sys.stdin.isatty() and sys.stdout.isatty():
        from rich.prompt import Confirm

        if Confirm.ask(f"{what}. Delete it and build a fresh demo?", default=False, console=console()):
            return True
        raise InvalidInput("--fresh", f"kept {path} (nothing was changed); for a fresh demo elsewhere: {elsewhere}")
    raise InvalidInput("--db", f"{what}; `revdesk demo` will not replace it (nothing was changed): open it with"
                               f" `revdesk --db {path} --as HANDLE`, or build a fresh demo with {elsewhere}")


def _demo(args: argparse.Namespace) -> int:
    from revdesk.db.workbench import Store, Workbench
    from revdesk.tui.common.config import demo_db_path, remember_demo_db
    from revdesk.tui.run import run_app

    path = db_path(args) if args.db else demo_db_path()
    try:
        build = _needs_building(path, args.fresh)
        if build:
            private_dir(path.parent)
    except OSError as exc:
        raise InvalidInput("--db", f"cannot use {path} ({exc.strerror or exc}; nothing was changed)") from None
    if build:
        seed_with_progress(path, "demo", args.seed)
    store = Store(path, create=False)
    handle = args.as_user
    if handle is None:
        sdr = Workbench(store, None).first_user_with_role("sdr")
        if sdr is None:
            raise InvalidInput("--db", f"{path} has no SDR to open as")
        handle = sdr.handle
    unremembered = remember_demo_db(path)
    code = run_app(store, handle)
    if unremembered:
        print(f"revdesk: {unremembered}", file=sys.stderr)
    else:
        print(f"revdesk: the demo is {path.absolute()}; the commands you run next use it (try `revdesk users`)",
              file=sys.stderr)
    return code
