"""Choosing the mapping for a file: the one named, else the shipped layout (fixtures/mappings/) its header is
(core.importing.layouts), else revdesk's own column names. Reads the mapping files and the file's header."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from revdesk.core.common.errors import InvalidInput
from revdesk.core.importing.layouts import VENDORS, detect_layout
from revdesk.core.importing.mapping import ImportMapping, parse_mapping
from revdesk.db.importing.importer import read_table
from revdesk.fixtures import FIXTURES_DIR

MAPPINGS_DIR = FIXTURES_DIR / "mappings"


def read_mapping(path: Path) -> ImportMapping:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput("mapping", f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput("mapping", f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    return parse_mapping(text, str(path))


@lru_cache(maxsize=4)
def shipped_layouts(folder: Path = MAPPINGS_DIR) -> tuple[ImportMapping, ...]:
    """Every mapping shipped with revdesk, each one vendor's export of one kind."""
    return tuple(read_mapping(p) for p in sorted(folder.glob("*.toml")))


def choose_mapping(file: Path, mapping: Path | None = None, *, kind: str = "auto",
                   vendor: str = "auto") -> tuple[ImportMapping, str]:
    """The mapping to import `file` with, and how it was chosen (for the report)."""
    if mapping is not None:
        chosen = read_mapping(mapping)
        if kind not in ("auto", chosen.kind):
            raise InvalidInput("kind", f"{mapping.name} maps {chosen.kind}, not {kind}")
        return chosen, chosen.name
    header = read_table(file)[0]
    found = detect_layout(header, list(shipped_layouts()), kind=kind, vendor=vendor)
    if found is None:
        asked = " ".join(x for x in (vendor if vendor != "auto" else "", kind if kind != "auto" else "") if x)
        raise InvalidInput("format", f"{file.name} is not {'a ' + asked + ' export' if asked else 'a layout revdesk'}"
                           f" knows ({', '.join(VENDORS)}) and its columns are not revdesk's own; give a --mapping"
                           f" (examples in {MAPPINGS_DIR})")
    how = "revdesk's own columns" if found.mapping.vendor == "generic" and found.mapping.name.startswith("revdesk") \
        else f"{found.mapping.name}, told by its columns"
    return found.mapping, f"{how}: {found.matched} of its {found.of} columns read"


def read_owner_map(path: Path) -> dict[str, str]:
    """The file's owner values to user handles: two columns per line (a header line is fine)."""
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    except OSError as exc:
        raise InvalidInput("owner-map", f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput("owner-map", f"cannot read {path} as UTF-8 CSV: {exc}") from None
    if rows and len(rows[0]) >= 2 and rows[0][1].strip().casefold() == "handle":
        rows = rows[1:]  # a header line
    pairs = {row[0].strip(): row[1].strip() for row in rows if len(row) >= 2 and row[0].strip() and row[1].strip()}
    if not pairs:
        raise InvalidInput("owner-map", f"{path} has no lines of the form: value in the file,handle")
    return pairs
