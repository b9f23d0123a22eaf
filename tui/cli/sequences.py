"""`revdesk sequences check|apply|list|tick|pause|resume|remove` and `revdesk enroll`: cadences from the
command line. A broken file is refused with its key and line, and nothing is loaded."""

from __future__ import annotations

import argparse

from revdesk.tui.cli.arguments import file_path, record_id
from revdesk.tui.cli.common import console, open_bench, print_json
from revdesk.tui.cli.tables import CliTable, fact, name


def register(sub: argparse._SubParsersAction) -> None:
    seq = sub.add_parser("sequences", help="prospecting sequences (cadences)").add_subparsers(
        dest="sequences_command", metavar="ACTION", required=True)
    check = seq.add_parser("check", help="check sequence files without loading them")
    check.add_argument("files", nargs="+", type=file_path, metavar="FILE")
    check.set_defaults(handler=_check)
    apply = seq.add_parser("apply", help="load sequence files (a file with a problem loads nothing)")
    apply.add_argument("files", nargs="+", type=file_path, metavar="FILE")
    apply.set_defaults(handler=_apply)
    listing = seq.add_parser("list", help="sequences with their figures (enrolled, active, exits, replies...)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    tick = seq.add_parser("tick", help="move sequences forward: due steps become queue tasks (safe to repeat)")
    tick.add_argument("--json", action="store_true")
    tick.set_defaults(handler=_tick)
    for action in ("pause", "resume", "remove"):
        cmd = seq.add_parser(action, help=f"{action} a contact's enrollment")
        cmd.add_argument("--contact", type=record_id, required=True, metavar="ID")
        cmd.add_argument("--sequence", metavar="KEY", help="which sequence (needed when in more than one)")
        cmd.set_defaults(handler=_change, action=action)

    enroll = sub.add_parser("enroll", help="enroll contacts in a sequence")
    enroll.add_argument("--sequence", required=True, metavar="KEY")
    enroll.add_argument("--contact", type=record_id, action="append", required=True, metavar="ID",
                        help="a contact id (repeat for more)")
    enroll.add_argument("--for", dest="for_user", metavar="HANDLE",
                        help="whose queue the steps land in (default: --as)")
    enroll.add_argument("--json", action="store_true")
    enroll.set_defaults(handler=_enroll)


def _check(args: argparse.Namespace) -> int:
    from revdesk.sequences.definition import parse_sequence
    from revdesk.tui.cli.definition_files import read_definition, shown

    for path in args.files:  # names are printed as written, never as markup
        seq = parse_sequence(read_definition(path), shown(path))
        console().print(f"{shown(path)}: '{seq.name}' ({seq.key}) is valid: {len(seq.steps)} steps")
    return 0


def _apply(args: argparse.Namespace) -> int:
    from revdesk.sequences.definition import parse_sequence
    from revdesk.tui.cli.definition_files import read_definition, shown

    sources = [(shown(path), read_definition(path)) for path in args.files]
    for origin, source in sources:  # every file is checked before any is loaded, or the database opened
        parse_sequence(source, origin)
    bench = open_bench(args, need_user=False)
    for origin, source in sources:
        stored = bench.apply_sequence(source, origin)
        console().print(f"Applied '{stored.sequence.name}' ({stored.sequence.key}) from {origin}")
    return 0


def _list(args: argparse.Namespace) -> int:
    figures = open_bench(args, need_user=False).sequence_figures()
    if args.json:
        print_json([f.to_json() for f in figures])
        return 0
    figure_columns = ("Steps", "Enrolled", "Active", "Paused", "Finished", "Replied", "Meetings", "Bounced")
    table = CliTable(f"{len(figures):,} sequences", [
        name("Sequence"), fact("Key"), *(fact(header, right=True) for header in figure_columns)])
    for f in figures:
        data = f.to_json()
        table.add_row(f.name, f.key, *(f"{n:,}" for n in (len(f.steps), f.enrolled, f.active, f.paused, f.finished)),
                      _pct(data["replied_pct"]), _pct(data["meetings_pct"]), f"{data['bounced']:,}")
    table.print()
    return 0


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _tick(args: argparse.Namespace) -> int:
    result = open_bench(args, need_user=False).tick_sequences()
    if args.json:
        print_json(result)
    else:
        console().print(f"{result['steps_due']} steps came due; {result['exited_do_not_contact']} enrollments of"
                        " do-not-contact contacts ended")
    return 0


def _enroll(args: argparse.Namespace) -> int:
    bench = open_bench(args, need_user=True)
    owner = bench.user_named(args.for_user, "--for") if args.for_user else bench.me
    result = bench.enroll(args.sequence, args.contact, owner)
    if args.json:
        print_json({"enrollments": result.enrollments, "refused": {str(k): v for k, v in result.refused.items()}})
        return 0
    console().print(f"Enrolled {len(result.enrollments)} of {len(args.contact)} in {args.sequence}"
                    f" (steps land in {owner.name}'s queue)")
    for contact_id, why in result.refused.items():
        console().print(f"  contact {contact_id}: {why}")
    return 0


def _change(args: argparse.Namespace) -> int:
    bench = open_bench(args, need_user=True)
    enrollment_id = bench.live_enrollment(args.contact, args.sequence)
    bench.change_enrollment(enrollment_id, args.action)
    console().print(f"Enrollment {enrollment_id} of contact {args.contact}: {args.action}d")
    return 0
