"""`revdesk import FILE [--format F] [--kind K] [--mapping MAPPING.toml] [--dry-run]`: a CRM export in, its layout
told by its columns or named (see fixtures/mappings/); rejected rows are listed with line, column and reason in a
CSV beside the file imported. `revdesk export --kind K`: revdesk's own columns out, which import reads back (CSV
cells that start like a spreadsheet formula get a quote before them, which import takes off). Every value from
the file or the database is printed as Text (a name like "Acme [/] Ltd" is not Rich markup)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.text import Text

from revdesk.core.common.errors import InvalidInput
from revdesk.tui.cli.common import console, open_bench, print_json
from revdesk.tui.common.config import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="write records out as CSV or JSON, one column per revdesk field")
    export.add_argument("--kind", choices=["users", "accounts", "contacts", "deals", "activities"],
                        required=True)
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--out", type=Path, metavar="FILE", help="default: print them")
    export.set_defaults(handler=_export)
    cmd = sub.add_parser("import", help="bring a CRM export (CSV or JSON) in, its layout told by its columns")
    cmd.add_argument("file", type=Path, metavar="FILE")
    cmd.add_argument("--mapping", type=Path, metavar="MAPPING.toml",
                     help="which column is which field (examples in fixtures/mappings/; without one, the layout is"
                          " told by the file's columns: a vendor's export, or revdesk's own field names)")
    cmd.add_argument("--kind", default="auto",
                     choices=["users", "accounts", "contacts", "deals", "activities", "deal_history", "auto"],
                     help="what the file holds, without a mapping (default: told by its columns)")
    cmd.add_argument("--format", default="auto",
                     choices=["hubspot", "pipedrive", "salesforce", "close", "odoo", "generic", "auto"],
                     help="whose export it is, without a mapping (default: told by its columns; generic: revdesk's"
                          " own column names)")
    cmd.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    cmd.add_argument("--owner-map", type=Path, metavar="FILE.csv",
                     help="who the file's owners are: a CSV of the file's value and a user's handle, per line")
    cmd.add_argument("--create-users-as", dest="new_user_role", choices=["sdr", "ae", "cs", "manager", "founder"],
                     help="people the file names who are not users yet are created with this role (default: their"
                          " rows are refused)")
    cmd.add_argument("--rejects", type=Path, metavar="FILE.csv",
                     help="where to list rejected rows (default: FILE.rejected.csv beside FILE)")
    cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(handler=_import)


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A bar on the terminal while a long file is checked and written (none for --json or a short file: the bar
    starts with the first phase of 5,000 rows or more, so a short import prints nothing but its report)."""
    if quiet:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console(), transient=True)
    tasks: dict[str, object] = {}

    def report(phase: str, done: int, total: int) -> None:
        if total < 5_000:
            return
        if not tasks:
            bar.start()
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase, total=total)
        bar.update(tasks[phase], completed=done, total=total)  # type: ignore[arg-type]

    try:
        yield report
    finally:
        if tasks:
            bar.stop()


def _import(args: argparse.Namespace) -> int:
    from revdesk.db.workbench import Workbench, choose_mapping, read_owner_map, rejects_path, write_rejects

    if not args.file.exists():
        raise InvalidInput("file", f"{args.file} does not exist")
    mapping, chosen = choose_mapping(args.file, args.mapping, kind=args.kind, vendor=args.format)
    bench = open_bench(args, need_user=False, create=True, dry_run=args.dry_run)  # a new file appears on keep()
    fresh = bench.playbook_source() is None
    if not fresh:
        playbook = bench.playbook
    else:  # a new database: the default playbook, to place stages
        from revdesk.core.playbook.base_currency import with_base_currency
        from revdesk.core.playbook.check import parse_playbook
        from revdesk.fixtures import DEFAULT_PLAYBOOK

        # counted in the currency of the team's data, when the file's mapping names one the playbook has a rate for
        text = with_base_currency(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"), mapping.currency)
        if args.dry_run:  # read, not applied: a dry run writes nothing
            playbook = parse_playbook(text, DEFAULT_PLAYBOOK.name)
        else:
            bench.apply_playbook(text, DEFAULT_PLAYBOOK.name)
            playbook = bench.playbook

    handle = args.as_user or load_settings().user
    if handle:  # looked up once the playbook is there (a new database has nobody yet)
        bench = Workbench.open(bench.store, handle)
    people = read_owner_map(args.owner_map) if args.owner_map else None
    with _progress_bar(quiet=args.json) as progress:
        result = bench.import_file(args.file, mapping, playbook=playbook, dry_run=args.dry_run,
                                   owner_role=args.new_user_role, owner_map=people, progress=progress)
    bench.store.keep()
    if fresh:
        result.notes.insert(0, f"a new database: the default playbook{' would be' if args.dry_run else ' was'} applied,"
                               f" counting revenue in {playbook.currency.base}")
    rejects = None
    if result.rejected:
        rejects = args.rejects or rejects_path(args.file)
        try:
            write_rejects(result.rejected, rejects)
        except InvalidInput as exc:  # the import itself is done: say so, and why the list is not
            result.notes.append(f"the rejected rows could not be listed in {rejects}: {exc.reason}")
            rejects = None
    if args.json:
        print_json({**result.to_json(), "layout": mapping.name, "vendor": mapping.vendor,
                    "rejects_file": str(rejects) if rejects else None})
        return 0
    verb = "Would import" if args.dry_run else "Imported"
    console().print(Text(f"{verb} {args.file.name} as {mapping.kind} ({chosen}): {result.rows:,} rows,"
                         f" {result.created:,} created, {result.updated:,} updated,"
                         + (f" {result.unchanged:,} unchanged," if result.unchanged else "")
                         + f" {result.rejected_rows:,} rejected"
                         + (" (nothing was written)" if args.dry_run else "")))
    for note in result.notes:
        console().print(Text(f"  {note}"))
    if result.candidates:
        console().print(f"  {len(result.candidates)} accounts look like others and were not merged; review them"
                        " (--json lists every pair):")
        for pair in result.candidates[:5]:
            console().print(Text(f"    line {pair['line']}: {pair['name']!r} ~ {pair['looks_like']!r}"
                                   f" ({pair['score']})"))
    if rejects:
        first = result.rejected[0]
        console().print(Text(f"  rejected rows are listed in {rejects}; the first: line {first.line},"
                               f" {first.column}: {first.reason}"))
    return 0


def _export(args: argparse.Namespace) -> int:
    import json
    import sys

    from revdesk.db.workbench import export_csv, open_private

    rows = list(open_bench(args, need_user=False).export_rows(args.kind))
    text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n" if args.format == "json" \
        else export_csv(args.kind, rows)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    with open_private(args.out, "out") as out:  # readable by its owner only: it is the team's CRM data
        out.write(text)
    console().print(Text(f"Exported {len(rows):,} {args.kind} to {args.out}"))
    return 0
