"""Importing contacts from CSV, against loading the same file with no checks at all, in the same run.

    python tests/bench/import_bench.py [--rows N] [--runs N]

A file of N contacts (default 100,000: names, e-mails, phones written as people write them, with and without
country codes, countries, titles, companies) is imported into a new database with `revdesk import` and full
validation (e-mail syntax, E.164 phones, accounts placed or created, lifecycle history), and loaded with
`sqlite-utils insert --csv` with none. Targets: at least 20,000 rows/s, and at least half sqlite-utils' speed.

The cost of recording every row the import writes (the change record's effects, db.common.effects) is measured
too: the same import into an empty revdesk database, with its capture triggers and with them dropped. Target:
at most 15% slower with them.
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST = ("Anna", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemal", "Lea", "Marta",
         "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tomás", "Uma", "Viktor", "Wen", "Yusuf", "Zoë")
LAST = ("Müller", "Smith", "García", "Rossi", "Nowak", "Dubois", "Jansen", "Kowalski", "Sato", "O'Brien", "Silva",
        "Berg", "Costa", "Novak", "Lindqvist", "Petrov", "Haddad", "Kim", "Fischer", "Moreau")
TITLES = ("Head of Operations", "CFO", "IT Manager", "VP Sales", "Office Manager", "COO", "Procurement Lead")
PHONES = {"DE": ("+49 30 {:04d} {:04d}", "030 {:04d}{:04d}"), "US": ("+1 (415) 55{:d}-{:04d}", "415-55{:d}-{:04d}"),
          "GB": ("+44 20 7{:03d} {:04d}", "020 7{:03d} {:04d}"),
          "FR": ("+33 1 {:02d} {:02d} 45 69", "01 {:02d} {:02d} 45 69")}
MAPPING = """kind = "contacts"
name = "Bench contacts"
[columns]
external_id = "id"
first_name = "first_name"
last_name = "last_name"
email = "email"
phone = "phone"
title = "title"
account = "company"
country = "country"
lead_source = "source"
"""


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "first_name", "last_name", "email", "phone", "title", "company", "country", "source"])
        for i in range(rows):
            country = rng.choice(tuple(PHONES))
            shape = rng.choice(PHONES[country])
            a, b = rng.randrange(0, 10 if country == "US" else 100), rng.randrange(0, 10000)
            if country in ("DE", "GB"):
                a = rng.randrange(100, 1000)
            phone = shape.format(a, b % (100 if country == "FR" else 10000))
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = f"Company {rng.randrange(5000)}"
            email = f"{first.lower()}.{i}@company{company.split()[1]}.example.com"
            writer.writerow([i + 1, first, last, email, phone, rng.choice(TITLES), company, country,
                             rng.choice(("Webinar", "Website demo request", "Outbound list"))])


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def _empty_databases(base: Path) -> tuple[Path, Path]:
    """An empty revdesk database, and a copy of it whose writes are not captured (its triggers dropped)."""
    from capture_floor import copy_without_capture

    from revdesk.db.common.connection import Store

    captured = base / "empty.db"
    store = Store(captured)
    store.conn.execute("SELECT 1")
    store.close()
    return captured, copy_without_capture(captured, base / "empty-uncaptured.db")


def _import_into(template: Path, target: Path, data: Path, mapping: Path) -> float:
    import shutil

    shutil.copy(template, target)
    return _timed([sys.executable, "-m", "revdesk.tui.cli", "--db", str(target), "import", str(data),
                   "--mapping", str(mapping)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        data, mapping = base / "contacts.csv", base / "bench-contacts.toml"
        write_file(data, args.rows)
        mapping.write_text(MAPPING, encoding="utf-8")
        ours, theirs, with_effects, without = [], [], [], []
        captured, bare = _empty_databases(base)
        for run in range(args.runs):
            pair = [(with_effects, captured, "captured"), (without, bare, "bare")]
            for into, template, name in pair if run % 2 == 0 else pair[::-1]:  # neither always goes first
                into.append(_import_into(template, base / f"{name}{run}.db", data, mapping))
            ours.append(_timed([sys.executable, "-m", "revdesk.tui.cli", "--db", str(base / f"ours{run}.db"), "import",
                                str(data), "--mapping", str(mapping), "--rejects", str(base / "rejected.csv")]))
            theirs.append(_timed([sys.executable, "-m", "sqlite_utils", "insert", str(base / f"theirs{run}.db"),
                                  "contacts", str(data), "--csv"]))
        conn = sqlite3.connect(base / "ours0.db")
        imported = conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0]
        accounts = conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]
        conn.close()
        rejected = max(0, len((base / "rejected.csv").read_text().splitlines()) - 1) if (
            base / "rejected.csv").exists() else 0
    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    rate = args.rows / ours_s
    print(f"revdesk import, {args.rows:,} contacts with full validation: {ours_s:.2f} s median of {args.runs}"
          f" ({rate:,.0f} rows/s; must be ≥ 20,000: {'ok' if rate >= 20_000 else 'UNDER'});"
          f" {imported:,} contacts and {accounts:,} accounts written, {rejected:,} rows rejected")
    print(f"sqlite-utils insert --csv, no validation: {theirs_s:.2f} s ({args.rows / theirs_s:,.0f} rows/s);"
          f" revdesk's speed is {theirs_s / ours_s:.2f} of it (must be ≥ 0.5:"
          f" {'ok' if theirs_s / ours_s >= 0.5 else 'UNDER'})")
    kept, bare_s = statistics.median(with_effects), statistics.median(without)
    print(f"recording every row's effects: {kept:.2f} s with, {bare_s:.2f} s without (the floor), ratio"
          f" {kept / bare_s:.2f} (must be ≤ 1.15: {'ok' if kept / bare_s <= 1.15 else 'OVER'})")


if __name__ == "__main__":
    main()
