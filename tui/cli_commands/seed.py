"""`revdesk seed demo|bench` and `revdesk demo` (build a demo database and open it as an SDR)."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from core.errors import InvalidInput
from tui.cli_commands.common import console, db_path


def register(sub: argparse._SubParsersAction) -> None:
    seed = sub.add_parser("seed", help="fill a new database with generated demo or bench data")
    seed.add_argument("kind", choices=["demo", "bench"])
    seed.add_argument("--seed", type=int, default=1, help="random seed (same seed and day: same data)")
    seed.set_defaults(handler=_seed)
    demo = sub.add_parser("demo", help="build a demo database and open revdesk on it as an SDR")
    demo.add_argument("--fresh", action="store_true", help="rebuild the demo database even if today's exists")
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(handler=_demo)


def seed_with_progress(path: Path, kind: str, seed: int) -> dict[str, int]:
    """Seed into a temporary file beside `path` and rename it at the end: a killed seed leaves no half
    database behind."""
    partial = path.with_name(f".{path.name}.seeding")
    _remove(partial)
    try:
        counts = _seed_file(partial, kind, seed)
        _remove(path)
        os.replace(partial, path)
    finally:
        _remove(partial)
    return counts


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _seed_file(path: Path, kind: str, seed: int) -> dict[str, int]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from db.seed import seed_database

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
    if path.exists() and path.stat().st_size > 0:
        raise InvalidInput("--db", f"{path} already exists; seed a new file (nothing was changed)")
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = seed_with_progress(path, args.kind, args.seed)
    summary = ", ".join(f"{n:,} {t}" for t, n in counts.items())
    console().print(f"Seeded {args.kind} data into {path}: {summary}")
    return 0


def _seeded_before_today(path: Path) -> bool:
    """A demo built on an earlier day has yesterday's queue: rebuild it. Anything else is never replaced."""
    from core.when import from_stored
    from db.changes import latest_change
    from db.connection import Store

    store = Store(path, create=False)
    try:
        seeded = latest_change(store.conn, "seed")
    finally:
        store.close()
    if seeded is None or seeded[1].get("kind") != "demo":
        raise InvalidInput("--db", f"{path} is not a demo database; `revdesk demo` will not replace it")
    built = from_stored(seeded[0]).astimezone().date()
    if built == datetime.now().astimezone().date():
        return False
    console().print(f"The demo database is from {built:%a %d %b}; building a fresh one for today.")
    return True


def _demo(args: argparse.Namespace) -> int:
    from db.connection import Store
    from db.users import first_user_with_role
    from tui.config import demo_db_path
    from tui.run import run_app

    path = Path(args.db) if args.db else demo_db_path()
    if not path.exists() or _seeded_before_today(path) or args.fresh:
        path.parent.mkdir(parents=True, exist_ok=True)
        seed_with_progress(path, "demo", args.seed)
    store = Store(path)
    handle = args.as_user
    if handle is None:
        sdr = first_user_with_role(store.conn, "sdr")
        if sdr is None:
            raise InvalidInput("--db", f"{path} has no SDR to open as")
        handle = sdr.handle
    return run_app(store, handle)
