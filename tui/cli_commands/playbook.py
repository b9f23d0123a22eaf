"""`revdesk playbook check|apply|show`."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import InvalidInput, PlaybookError
from tui.cli_commands.common import console, open_store, print_json


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("playbook", help="check, apply or show the playbook")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate a playbook file; errors name the key and line")
    check.add_argument("file")
    check.set_defaults(handler=_check)
    apply = actions.add_parser("apply", help="make a playbook file the one in force")
    apply.add_argument("file")
    apply.set_defaults(handler=_apply)
    show = actions.add_parser("show", help="print the playbook in force")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)


def _read(file: str) -> str:
    path = Path(file)
    if not path.is_file():
        raise InvalidInput("FILE", f"{file} does not exist")
    return path.read_text(encoding="utf-8")


def _check(args: argparse.Namespace) -> int:
    from core.playbook import parse_playbook

    playbook = parse_playbook(_read(args.file), args.file)
    console().print(f"{args.file}: ok — {len(playbook.stages)} stages, {len(playbook.outcomes)} outcomes, "
                    f"{len(playbook.targets)} targets")
    return 0


def _apply(args: argparse.Namespace) -> int:
    from db.playbooks import apply_playbook
    from db.workbench import system_clock

    source = _read(args.file)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    store = open_store(args, create=True)  # applying a playbook is how a new team database starts
    out = console()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=out, transient=True) as bar:
        task = bar.add_task("Rescoring contacts (the qualification rules changed)", visible=False)

        def rescoring(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, visible=True)

        playbook = apply_playbook(store.conn, source, args.file, system_clock(), progress=rescoring)
        store.keep()  # a new database file appears only now, whole
        rescored = bar.tasks[0].visible
    out.print(f"Applied {playbook.name!r} from {args.file}"
              + ("; the qualification rules changed, so every contact was rescored" if rescored else ""))
    return 0


def _show(args: argparse.Namespace) -> int:
    from core.playbook import playbook_to_json
    from db.playbooks import current_playbook, current_playbook_source

    store = open_store(args)
    playbook = current_playbook(store.conn)
    if args.json:
        print_json(playbook_to_json(playbook))
        return 0
    stored = current_playbook_source(store.conn)
    if stored is None:
        raise PlaybookError(["no playbook applied"])
    from rich.syntax import Syntax

    console().print(f"[b]{playbook.name}[/b] (applied {stored[1]})")
    console().print(Syntax(stored[0], "toml", word_wrap=True))
    return 0
