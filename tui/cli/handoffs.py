"""`revdesk score`, `deal move` and `handoff send|list|accept|reject`: qualification, the pipeline and
handoffs from the command line. Refusals name every field at once and exit with code 2."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import to_stored
from revdesk.tui.cli.arguments import file_path, record_id
from revdesk.tui.cli.common import console, open_bench, print_json
from revdesk.tui.cli.tables import CliTable, fact, name
from revdesk.tui.common.text import when

if TYPE_CHECKING:
    from revdesk.core.common.models import HandoffSummary
    from revdesk.db.workbench import Workbench


def register(sub: argparse._SubParsersAction) -> None:
    score = sub.add_parser("score", help="a contact's qualification score and why")
    score.add_argument("--contact", type=record_id, required=True, metavar="ID")
    score.add_argument("--json", action="store_true")
    score.set_defaults(handler=_score)

    deal = sub.add_parser("deal", help="work a deal").add_subparsers(dest="deal_command", metavar="ACTION",
                                                                      required=True)
    move = deal.add_parser("move", help="move a deal to a stage, giving the fields the stage requires")
    move.add_argument("deal_id", type=record_id, metavar="ID")
    move.add_argument("--stage", required=True, metavar="STAGE", help="a stage key from the playbook")
    move.add_argument("--field", action="append", default=[], metavar="KEY=VALUE", help="e.g. amount=12500")
    move.add_argument("--json", action="store_true")
    move.set_defaults(handler=_deal_move)

    handoff = sub.add_parser("handoff", help="hand work to the next person, with its context").add_subparsers(
        dest="handoff_command", metavar="ACTION", required=True)
    send = handoff.add_parser("send", help="send a handoff (SDR to AE about a contact, AE to CS about a won deal)")
    about = send.add_mutually_exclusive_group(required=True)
    about.add_argument("--contact", type=record_id, metavar="ID", help="the lead an AE should take (SDR to AE)")
    about.add_argument("--deal", type=record_id, metavar="ID", help="the won deal customer success takes over")
    send.add_argument("--to", metavar="HANDLE", help="who receives it (default: the suggested AE or CS)")
    send.add_argument("--field", action="append", default=[], metavar="KEY=VALUE", help="a context field")
    send.add_argument("--context", type=file_path, metavar="FILE.toml", help="context fields as TOML key = value")
    send.add_argument("--json", action="store_true")
    send.set_defaults(handler=_send)

    listing = handoff.add_parser("list", help="handoffs to and from you (everyone's without --as)")
    listing.add_argument("--status", choices=["pending", "accepted", "rejected"])
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    accept = handoff.add_parser("accept", help="accept a handoff addressed to you")
    accept.add_argument("handoff_id", type=record_id, metavar="ID")
    accept.add_argument("--json", action="store_true")
    accept.set_defaults(handler=_accept)

    reject = handoff.add_parser("reject", help="reject a handoff with a reason category and a note")
    reject.add_argument("handoff_id", type=record_id, metavar="ID")
    reject.add_argument("--reason", required=True, metavar="CATEGORY", help="a reject reason from the playbook")
    reject.add_argument("--note", required=True, metavar="TEXT")
    reject.add_argument("--json", action="store_true")
    reject.set_defaults(handler=_reject)


def _bench(args: argparse.Namespace) -> Workbench:
    return open_bench(args, need_user=True)


def _pairs(items: list[str], option: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(option, f"{item!r} is not KEY=VALUE")
        values[key.strip()] = value
    return values


def _score(args: argparse.Namespace) -> int:
    score = open_bench(args, need_user=False).score(args.contact)  # a read anyone may run: no --as needed
    if args.json:
        print_json({"contact_id": args.contact, **score.to_json()})
        return 0
    from rich.text import Text

    out = console()
    out.print(Text.assemble((f"Contact {args.contact}", "bold"), ": score ", (str(score.total), "bold"),
                            f" ({score.level})"))
    for line in score.explain():
        out.print("  " + line)
    return 0


def _deal_move(args: argparse.Namespace) -> int:
    bench = _bench(args)
    moved = bench.move_deal(args.deal_id, args.stage, _pairs(args.field, "--field"))
    label = bench.playbook.stage(moved.to_stage).label
    if args.json:
        print_json({"deal_id": moved.deal_id, "from": moved.from_stage, "to": moved.to_stage, "won": moved.won,
                    "change_id": moved.change_id})
        return 0
    console().print(f"Deal {moved.deal_id} moved from {bench.playbook.stage(moved.from_stage).label} to {label}.")
    if moved.won:
        console().print(f"Hand it to customer success: revdesk handoff send --deal {moved.deal_id} --to HANDLE"
                        " --field success_criteria=... (see `revdesk playbook show`)")
    return 0


def _context(args: argparse.Namespace) -> dict[str, object]:
    import tomllib

    context: dict[str, object] = {}
    if args.context is not None:
        try:
            data = tomllib.loads(args.context.read_bytes().decode("utf-8-sig"))
        except OSError as exc:
            raise InvalidInput("--context", f"cannot read {args.context}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise InvalidInput("--context", f"{args.context} is not UTF-8 text (byte {exc.start + 1}): save it as"
                               " UTF-8") from None
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput("--context", f"{args.context} is not valid TOML: {exc}") from None
        context.update({k: str(v) for k, v in data.items()})
    context.update(_pairs(args.field, "--field"))
    return context


def _send(args: argparse.Namespace) -> int:
    bench = _bench(args)
    kind = "sdr_ae" if args.contact is not None else "ae_cs"
    if args.to:
        to = bench.user_named(args.to, "--to")
        why = "chosen"
    else:
        draft = bench.handoff_draft(kind, contact_id=args.contact, deal_id=args.deal)
        if draft.suggested is None:
            raise InvalidInput("--to", "nobody can receive this handoff: add a user with the right role")
        to, why = draft.suggested
    result = bench.send_handoff(kind, to.id, _context(args), contact_id=args.contact, deal_id=args.deal)
    if args.json:
        print_json({"handoff_id": result.handoff_id, "kind": kind, "to": to.handle,
                    "sla_due_at": to_stored(result.sla_due_at) if result.sla_due_at else None})
        return 0
    due = when(result.sla_due_at, bench.now(), bench.tz, weekday=True) if result.sla_due_at else "-"
    console().print(f"Handoff {result.handoff_id} sent to {to.name} ({why}); they accept or reject by {due}.")
    return 0


def _list(args: argparse.Namespace) -> int:
    bench = open_bench(args)  # mine (to or from me) with --as, else everyone's, in UTC
    user_id, tz = (bench.user.id, bench.tz) if bench.user else (None, ZoneInfo("UTC"))
    rows = bench.handoffs(to_user_id=user_id, from_user_id=user_id, status=args.status)
    now = bench.now()
    if args.json:
        print_json([_row_json(h, now) for h in rows])
        return 0
    _table(rows, now, tz)
    return 0


def _row_json(h: HandoffSummary, now: datetime) -> dict:
    return {
        "id": h.id, "kind": h.kind, "status": h.status, "from": h.from_name, "to": h.to_name,
        "contact_id": h.contact_id, "contact": h.contact_name, "account_id": h.account_id, "account": h.account_name,
        "deal_id": h.deal_id, "context": h.context, "created_at": to_stored(h.created_at),
        "sla_due_at": to_stored(h.sla_due_at) if h.sla_due_at else None, "past_sla": h.past_sla(now),
        "decided_at": to_stored(h.decided_at) if h.decided_at else None,
        "reject_reason": h.reject_reason, "reject_note": h.reject_note,
    }


def _table(rows: list[HandoffSummary], now: datetime, tz: ZoneInfo) -> None:
    from rich.text import Text

    table = CliTable(f"{len(rows):,} handoffs (times in {tz.key})", [
        fact("ID", right=True), fact("Status"), name("From"), name("To"), name("Contact"), name("Account"),
        fact("Sent"), name("Note")])
    for h in rows:
        status = Text("past SLA", style="bold red") if h.past_sla(now) else Text(h.status)
        if h.kind == "ae_cs":
            status.append(" (CS)")
        note = f"{h.reject_reason}: {h.reject_note}" if h.status == "rejected" else ""
        table.add_row(str(h.id), status, h.from_name, h.to_name, h.contact_name or "", h.account_name,
                      when(h.created_at, now, tz), note)
    table.print()


def _accept(args: argparse.Namespace) -> int:
    bench = _bench(args)
    result = bench.accept_handoff(args.handoff_id)
    if args.json:
        print_json({"handoff_id": result.handoff_id, "deal_id": result.deal_id, "status": "accepted"})
        return 0
    if result.deal_id is not None:
        first = next(s for s in bench.playbook.stages if not s.closed)
        console().print(f"Handoff {result.handoff_id} accepted: deal {result.deal_id} is yours, in {first.label}.")
    else:
        console().print(f"Handoff {result.handoff_id} accepted: the account is yours.")
    return 0


def _reject(args: argparse.Namespace) -> int:
    bench = _bench(args)
    result = bench.reject_handoff(args.handoff_id, args.reason, args.note)
    rule = bench.playbook.handoff.reason(args.reason)
    then = {"return": "the lead is back in the sender's queue with your reason",
            "nurture": "the lead goes to nurture", "disqualify": "the lead is disqualified"}[rule.then]
    if args.json:
        print_json({"handoff_id": result.handoff_id, "status": "rejected", "reason": rule.key, "then": rule.then})
        return 0
    console().print(f"Handoff {result.handoff_id} rejected ({rule.label}): {then}.")
    return 0
