"""`revdesk sequences check|apply|list|tick|pause|resume|remove` and `revdesk enroll`: cadences from the
command line. A broken file is refused with its key and line, and nothing is loaded."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import InvalidInput, NotFound
from tui.cli_commands.common import console, open_store, print_json, resolve_handle


def register(sub: argparse._SubParsersAction) -> None:
    seq = sub.add_parser("sequences", help="prospecting sequences (cadences)").add_subparsers(
        dest="sequences_command", metavar="ACTION", required=True)
    check = seq.add_parser("check", help="check sequence files without loading them")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.set_defaults(handler=_check)
    apply = seq.add_parser("apply", help="load sequence files (a file with a problem loads nothing)")
    apply.add_argument("files", nargs="+", type=Path, metavar="FILE")
    apply.set_defaults(handler=_apply)
    listing = seq.add_parser("list", help="sequences with their figures (enrolled, active, exits, replies...)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    tick = seq.add_parser("tick", help="move sequences forward: due steps become queue tasks (safe to repeat)")
    tick.add_argument("--json", action="store_true")
    tick.set_defaults(handler=_tick)
    for action in ("pause", "resume", "remove"):
        cmd = seq.add_parser(action, help=f"{action} a contact's enrollment")
        cmd.add_argument("--contact", type=int, required=True, metavar="ID")
        cmd.add_argument("--sequence", metavar="KEY", help="which sequence (needed when in more than one)")
        cmd.set_defaults(handler=_change, action=action)

    enroll = sub.add_parser("enroll", help="enroll contacts in a sequence")
    enroll.add_argument("--sequence", required=True, metavar="KEY")
    enroll.add_argument("--contact", type=int, action="append", required=True, metavar="ID",
                        help="a contact id (repeat for more)")
    enroll.add_argument("--for", dest="for_user", metavar="HANDLE",
                        help="whose queue the steps land in (default: --as)")
    enroll.add_argument("--json", action="store_true")
    enroll.set_defaults(handler=_enroll)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(str(path), f"cannot read it: {exc.strerror}") from None


def _check(args: argparse.Namespace) -> int:
    from sequences.definition import parse_sequence

    for path in args.files:
        seq = parse_sequence(_read(path), str(path))
        console().print(f"{path}: '{seq.name}' ({seq.key}) is valid: {len(seq.steps)} steps")
    return 0


def _apply(args: argparse.Namespace) -> int:
    from db.sequences import apply_sequence
    from db.workbench import system_clock
    from sequences.definition import parse_sequence

    sources = [(path, _read(path)) for path in args.files]
    for path, source in sources:  # every file is checked before any is loaded
        parse_sequence(source, str(path))
    store = open_store(args)
    for path, source in sources:
        stored = apply_sequence(store.conn, source, str(path), system_clock())
        console().print(f"Applied '{stored.sequence.name}' ({stored.sequence.key}) from {path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from db.sequences import sequence_figures

    figures = sequence_figures(open_store(args).conn)
    if args.json:
        print_json([f.to_json() for f in figures])
        return 0
    from rich.table import Table

    table = Table(title=f"{len(figures)} sequences", title_justify="left")
    for name in ("Sequence", "Steps", "Enrolled", "Active", "Paused", "Finished", "Replied", "Meetings", "Bounced"):
        table.add_column(name, justify="left" if name == "Sequence" else "right")
    for f in figures:
        data = f.to_json()
        table.add_row(f"{f.name} ({f.key})", str(len(f.steps)), str(f.enrolled), str(f.active), str(f.paused),
                      str(f.finished), _pct(data["replied_pct"]), _pct(data["meetings_pct"]), str(data["bounced"]))
    console().print(table)
    return 0


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _tick(args: argparse.Namespace) -> int:
    from db.enrollments import tick
    from db.workbench import system_clock

    result = tick(open_store(args).conn, system_clock())
    if args.json:
        print_json(result)
    else:
        console().print(f"{result['steps_due']} steps came due; {result['exited_do_not_contact']} enrollments of"
                        " do-not-contact contacts ended")
    return 0


def _enroll(args: argparse.Namespace) -> int:
    from db.enrollments import enroll
    from db.users import user_by_handle
    from db.workbench import system_clock

    store = open_store(args)
    me = user_by_handle(store.conn, resolve_handle(args, store))
    owner = me
    if args.for_user:
        try:
            owner = user_by_handle(store.conn, args.for_user)
        except NotFound:
            raise InvalidInput("--for", f"no user {args.for_user!r} (see `revdesk users`)") from None
    result = enroll(store.conn, me, args.sequence, args.contact, system_clock(), owner)
    if args.json:
        print_json({"enrollments": result.enrollments, "refused": {str(k): v for k, v in result.refused.items()}})
        return 0
    console().print(f"Enrolled {len(result.enrollments)} of {len(args.contact)} in {args.sequence}"
                    f" (steps land in {owner.name}'s queue)")
    for contact_id, why in result.refused.items():
        console().print(f"  contact {contact_id}: {why}", highlight=False)
    return 0


def _change(args: argparse.Namespace) -> int:
    from db.enrollments import change_status, live_enrollment
    from db.users import user_by_handle
    from db.workbench import system_clock

    store = open_store(args)
    me = user_by_handle(store.conn, resolve_handle(args, store))
    enrollment_id = live_enrollment(store.conn, args.contact, args.sequence)
    change_status(store.conn, me, enrollment_id, args.action, system_clock())
    console().print(f"Enrollment {enrollment_id} of contact {args.contact}: {args.action}d")
    return 0
