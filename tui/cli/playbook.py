"""`revdesk playbook check|apply|show`. A check never opens a database; an apply checks the file before it opens
(or creates) one, so a refused file leaves no trace. Every name from the file is printed as written (no markup)."""

from __future__ import annotations

import argparse

from revdesk.core.common.errors import PlaybookError
from revdesk.tui.cli.common import console, open_bench, print_json
from revdesk.tui.cli.definition_files import read_definition, shown


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


def _check(args: argparse.Namespace) -> int:
    from revdesk.core.playbook.check import parse_playbook

    playbook = parse_playbook(read_definition(args.file), shown(args.file))
    console().print(f"{shown(args.file)}: ok — {len(playbook.stages)} stages, {len(playbook.outcomes)} outcomes,"
                    f" {len(playbook.targets)} targets")
    return 0


def _apply(args: argparse.Namespace) -> int:
    from revdesk.core.playbook.check import parse_playbook
    source = read_definition(args.file)
    origin = shown(args.file)
    parse_playbook(source, origin)  # a refused file opens no database, and creates none
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bench = open_bench(args, need_user=False, create=True)  # applying a playbook is how a new database starts
    out = console()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=out, transient=True, disable=not out.is_terminal) as bar:  # no bar (or blank line) in a pipe
        task = bar.add_task("Rescoring contacts (the qualification rules changed)", visible=False)

        def rescoring(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, visible=True)

        playbook = bench.apply_playbook(source, origin, progress=rescoring)
        bench.store.keep()  # a new database file appears only now, whole
        rescored = bar.tasks[0].visible
    out.print(f"Applied {playbook.name!r} from {origin}"
              + ("; the qualification rules changed, so every contact was rescored" if rescored else ""))
    return 0


def _show(args: argparse.Namespace) -> int:
    from revdesk.core.playbook.model import playbook_to_json

    bench = open_bench(args, need_user=False)
    if args.json:
        print_json(playbook_to_json(bench.playbook))
        return 0
    stored = bench.playbook_source()
    if stored is None:
        raise PlaybookError(["no playbook applied"])
    from rich.syntax import Syntax
    from rich.text import Text

    try:
        title = Text(bench.playbook.name, style="bold")
    except PlaybookError:  # applied by an older revdesk, refused by a check added since: show it to be fixed
        title = Text("The playbook in force (it no longer passes `revdesk playbook check`)", style="bold red")
    console().print(title + Text(f" (applied {stored[1]})"))
    console().print(Syntax(stored[0], "toml", word_wrap=True))
    return 0
