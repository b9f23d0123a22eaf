"""The hostile-input harness: every option of every subcommand (read from build_parser(), so a new option is covered
without touching this file), a database with a little of everything, and one in-process run of `revdesk` that
reports a traceback, an exit code other than 0 or 2, or a refusal that changed the database."""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import shutil
import sqlite3
import traceback
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from revdesk.fixtures import DEFAULT_PLAYBOOK
from tests.naughty import naughty_strings
from tests.toml_strings import toml_string

# Commands that open the TUI, or build a whole database (seconds a run; tests/tui/cli/test_seed_cli.py has them).
SKIPPED = {("open",), ("demo",), ("seed",)}
SEQUENCE_FILE = DEFAULT_PLAYBOOK.parent / "sequences" / "cold-outbound.toml"
CONTEXT = {"pain": "Dispatch is planned by hand in spreadsheets", "impact": "Late deliveries cost them 3% of revenue",
           "trigger": "A competitor's failed rollout in Q3", "approver": "2",
           "budget": "80k EUR approved for the first quarter", "next_step": "Demo with Lea on 1 December at 10:00"}

# What each failure the issue names looks like, tried on every option besides the sampled naughty strings.
SPECIAL = (
    "--", "-", "\udcff\udcfeabc",  # a non-UTF-8 argument as Python hands it over (surrogateescape)
    "1" + "0" * 39, "-1" + "0" * 39, "9223372036854775808", "⁰⁴⁵", "٣", "1e3", "10k", "2 Mio", "nan", "inf", "-1", "0",
    "0001-01-01", "9999-12-31", "2026-02-30", "2026-11", "0202-03-15", "Acme [/] Ltd", "[bold]x[/bold", "\x00",
    "a" * 5000, "x/" * 2100, "approver=⁰⁴⁵", "amount=1e3", "amount=10k", "amount=2 Mio", "=", "key=", "=value",
)


@dataclass(frozen=True)
class Slot:
    """One option (or positional) of one subcommand."""

    command: tuple[str, ...]
    dest: str
    flag: str | None  # None: a positional
    takes_path: bool
    group: tuple[str, ...] = ()  # the dests it is mutually exclusive with

    @property
    def name(self) -> str:
        return " ".join(self.command) + " " + (self.flag or self.dest.upper())


@dataclass
class Outcome:
    argv: list[str]
    code: int | None
    out: str
    err: str
    crash: str | None = None
    changed: bool = False

    def problem(self) -> str | None:
        """What is wrong with this run, or None."""
        if self.crash:
            return "traceback: " + " | ".join(self.crash.strip().splitlines()[-3:])[-600:]
        if self.code not in (0, 2):
            return f"exit code {self.code}; stderr: {self.err[-500:]}"
        if "Traceback" in self.err:
            return f"a traceback on stderr: {self.err[-1500:]}"
        if self.code == 2 and self.changed:
            return "refused, yet the database changed"
        if self.code == 2 and not self.err.startswith("revdesk"):
            return f"refused without saying why: {self.err[:300]!r}"
        return None


def _leaf_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
                  ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if path:
        yield path, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from _leaf_parsers(child, (*path, name))


@cache
def _parsers() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    from revdesk.tui.cli.main import build_parser

    return dict(_leaf_parsers(build_parser()))


def slots() -> list[Slot]:
    """Every option that takes a value, of every subcommand but the skipped ones, --db and --as included."""
    found = []
    for path, parser in _parsers().items():
        if path in SKIPPED or any(path[:n] in SKIPPED for n in range(1, len(path))):
            continue
        exclusive = {a.dest: tuple(o.dest for o in g._group_actions if o is not a)
                     for g in parser._mutually_exclusive_groups for a in g._group_actions}
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction | argparse._HelpAction) or action.nargs == 0:
                continue
            flag = max(action.option_strings, key=len) if action.option_strings else None
            found.append(Slot(path, action.dest, flag, action.type is Path or action.dest == "db",
                              exclusive.get(action.dest, ())))
    return found


def commands() -> list[tuple[str, ...]]:
    return sorted({s.command for s in slots()})


class Workspace:
    """A directory with a revdesk database holding a little of everything, and the files commands read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"
        self.files = root / "files"
        self.files.mkdir(parents=True, exist_ok=True)
        self._count = 0
        _build_template(self.template)
        self.template_sum = checksum(self.template)
        self._template_bytes = self.template.read_bytes()
        (self.files / "context.toml").write_text("".join(f'{k} = "{v}"\n' for k, v in CONTEXT.items()),
                                                 encoding="utf-8")
        (self.files / "contacts.csv").write_text(
            "first_name,last_name,email,account\nAda,Lovelace,ada@engines.example,Engines Ltd\n", encoding="utf-8")
        (self.files / "owners.csv").write_text("Maya K,maya\n", encoding="utf-8")
        self.db = self.fresh_db()

    def fresh_db(self) -> Path:
        """A new copy of the template under a name never used before (a connection left open by an earlier run
        can never write into it)."""
        self._count += 1
        path = self.root / f"run{self._count}.db"
        shutil.copyfile(self.template, path)
        self.db = path
        return path

    def untouched(self) -> bool:
        """Whether the database in use holds what the template does: the same bytes and no pending WAL (quick), or
        else the same logical dump."""
        wal = Path(f"{self.db}-wal")
        if (not wal.exists() or wal.stat().st_size == 0) and self.db.read_bytes() == self._template_bytes:
            return True
        return checksum(self.db) == self.template_sum

    def valid(self, slot_command: tuple[str, ...], dest: str) -> str:
        """A value the option accepts in the template database."""
        paths = {"out": str(self.root / "out.txt"), "context": str(self.files / "context.toml"),
                 "owner_map": str(self.files / "owners.csv"), "rejects": str(self.root / "rejects.csv"),
                 "mapping": str(DEFAULT_PLAYBOOK.parent / "mappings" / "hubspot-contacts.toml")}
        if dest in paths:
            return paths[dest]
        if dest in ("file", "files"):
            return {("playbook",): str(DEFAULT_PLAYBOOK), ("sequences",): str(SEQUENCE_FILE)}.get(
                slot_command[:1], str(self.files / "contacts.csv"))
        by_command = {("deal", "move", "field"): "amount=12500", ("handoff", "send", "field"): "pain=Dispatch by hand",
                      ("handoff", "send", "contact"): "2", ("enroll", "contact"): "3",
                      ("handoff", "accept", "handoff_id"): "2", ("handoff", "reject", "handoff_id"): "2",
                      ("handoff", "reject", "reason"): "bad_fit", ("accounts", "merge", "other"): "2"}
        if (*slot_command, dest) in by_command:
            return by_command[(*slot_command, dest)]
        return {"date": "2026-11-23", "first": "2026-11-01", "last": "2026-11-23", "at": "2026-11-23T10:00",
                "month": "2026-11", "stage": "demo", "to": "tom", "rep": "tom", "for_user": "maya",
                "outcome": "connected", "type": "call", "note": "Talked about the pilot", "reason": "Renewal in May",
                "sequence": "cold_outbound", "days": "7", "limit": "5", "records": "2", "months": "3",
                "threshold": "80", "kind": "contacts", "as_user": "tom" if slot_command[:1] in (("deal",), (
                    "handoff",)) and slot_command[-1] in ("move", "accept", "reject") else "maya"}.get(dest, "1")

    def argv(self, slot: Slot, value: str) -> list[str]:
        """The command with its required options valid and `value` given to `slot`."""
        parser = _parsers()[slot.command]
        argv = [*slot.command]
        positionals: list[str] = []
        given = {slot.dest}
        wanted = [a for a in parser._actions if a.required or a.dest in ("as_user", "db") or a.dest == slot.dest]
        if slot.command == ("handoff", "send") and slot.dest not in ("contact", "deal"):
            wanted.append(next(a for a in parser._actions if a.dest == "contact"))
        for action in wanted:
            if action.dest in slot.group or (action.dest != slot.dest and action.dest in given - {slot.dest}):
                continue
            text = value if action.dest == slot.dest else (
                str(self.db) if action.dest == "db" else self.valid(slot.command, action.dest))
            given.add(action.dest)
            if action.option_strings:
                argv.append(f"{max(action.option_strings, key=len)}={text}")
            else:
                positionals.append(text)
        if slot.command == ("handoff", "send") and slot.dest != "field":
            argv += [f"--field={k}={v}" for k, v in CONTEXT.items()]
        # after "--" a positional may start with "-" ("-1", "--"): it reaches the command, not the option parser
        return argv + (["--"] if any(p.startswith("-") for p in positionals) else []) + positionals


def hostile_value(slot: Slot, text: str) -> str:
    """`text` as the option's value; a path that could leave the test's folder is kept inside it."""
    if slot.takes_path and (text.startswith(("/", "~")) or ".." in text):
        return "inside/" + text.lstrip("/~").replace("..", "__")
    return text


def sample(slot: Slot, count: int | None) -> list[str]:
    """The naughty strings for one option: all of them, or `count` of them chosen the same way every run."""
    strings = list(naughty_strings())
    if count is not None:
        strings = random.Random(slot.name).sample(strings, min(count, len(strings)))
    return [*SPECIAL, *strings]


def checksum(path: Path) -> str:
    """The database's logical content (its SQL dump), whatever pages and WAL hold it."""
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for line in conn.iterdump():
            digest.update(line.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()
    finally:
        conn.close()


def run(ws: Workspace, argv: list[str]) -> Outcome:
    """`revdesk ARGV` in-process, printing into UTF-8 streams that refuse what a terminal would."""
    from revdesk.tui.cli.main import main

    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="strict", write_through=True)
    crash, code = None, None
    with redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except BaseException:  # noqa: BLE001 - this is what the harness looks for
            crash = traceback.format_exc()
    outcome = Outcome(argv, code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"),
                      crash)
    if ws.db.exists():
        outcome.changed = not ws.untouched()
        if outcome.changed:
            ws.fresh_db()
    return outcome


@dataclass
class Findings:
    """Every run that went wrong, grouped by option, shown a few per option."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    runs: int = 0

    def add(self, slot: Slot, outcome: Outcome) -> None:
        self.runs += 1
        problem = outcome.problem()
        if problem:
            argv = [a if len(a) < 80 else a[:60] + f"…({len(a)} chars)" for a in outcome.argv]
            self.problems.setdefault(slot.name, []).append(f"{argv!r}: {problem}")

    def report(self) -> str:
        lines = [f"{sum(map(len, self.problems.values()))} of {self.runs} runs went wrong:"]
        for name, found in self.problems.items():
            lines += [f"== {name} ({len(found)})", *found[:2]]
        return "\n".join(lines)


def drive(ws: Workspace, chosen: list[Slot], count: int | None) -> Findings:
    """Each option of `chosen` with its sample of hostile strings (`count` of the list; None: all of it)."""
    findings = Findings()
    for slot in chosen:
        for text in sample(slot, count):
            findings.add(slot, run(ws, ws.argv(slot, hostile_value(slot, text))))
    return findings


def drive_spread(ws: Workspace, chosen: list[Slot], indexes: list[int], spread: int) -> Findings:
    """Option number i of `chosen` (its index among all options) with every naughty string whose index is i modulo
    `spread`: each string goes through about one option in `spread`, every option takes a different share."""
    findings = Findings()
    strings = naughty_strings()
    for slot, index in zip(chosen, indexes, strict=True):
        for text in strings[index % spread::spread]:
            findings.add(slot, run(ws, ws.argv(slot, hostile_value(slot, text))))
    return findings


READ_FILES = ("context", "mapping", "owner_map", "file", "files")  # the options naming a file revdesk reads


def file_contents(slot: Slot, text: str) -> list[bytes]:
    """What a hostile file holds for a reading option: the string itself, the string in a TOML value of a key the
    file has, and the string's bytes in Latin-1 where UTF-8 is expected."""
    key = {"context": "pain", "mapping": "name", "owner_map": None}.get(slot.dest, "name")
    raw = text.encode("utf-8", "surrogateescape")
    variants = [raw, text.encode("latin-1", "replace")]
    if key:
        variants.append(f"{key} = {toml_string(text.encode('utf-8', 'replace').decode())}\n".encode())
    return variants


def drive_files(ws: Workspace, chosen: list[Slot], count: int | None) -> Findings:
    """Each reading option of `chosen` given a file that holds hostile strings."""
    findings = Findings()
    target = ws.root / "hostile-input"
    for slot in [s for s in chosen if s.dest in READ_FILES]:
        for text in sample(slot, count):
            for content in file_contents(slot, text):
                path = target.with_suffix({"context": ".toml", "mapping": ".toml", "owner_map": ".csv"}.get(
                    slot.dest, ".csv" if slot.command == ("import",) else ".toml"))
                path.write_bytes(content)
                findings.add(slot, run(ws, ws.argv(slot, str(path))))
    return findings


def _build_template(path: Path) -> None:
    """make_store's team with a sequence loaded, deal 1 (from accepted handoff 1) and pending handoff 2."""
    from revdesk.db.sequences.definitions import apply_sequence
    from revdesk.tui.cli.main import main
    from tests.factories import fixed_clock, make_store

    store = make_store(path)
    apply_sequence(store.conn, SEQUENCE_FILE.read_text(encoding="utf-8"), SEQUENCE_FILE.name, fixed_clock())
    store.close()
    context = [f"--field={k}={v}" for k, v in CONTEXT.items()]
    steps = [["--as", "maya", "log", "--contact", "1", "--type", "call", "--outcome", "connected"],
             ["--as", "maya", "handoff", "send", "--contact", "1", "--to", "tom", *context],
             ["--as", "tom", "handoff", "accept", "1"],
             ["--as", "maya", "log", "--contact", "2", "--type", "call", "--outcome", "connected"],
             ["--as", "maya", "handoff", "send", "--contact", "2", "--to", "tom", *context]]
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()) as err:
        for argv in steps:
            if main(["--db", str(path), *argv]) != 0:
                raise AssertionError(f"{argv}: {err.getvalue()}")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
