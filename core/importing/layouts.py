"""Telling a CRM export's layout from its header: each shipped mapping (fixtures/mappings/) describes one vendor's
file of one kind, and the file is the layout whose needed columns it all has and whose columns cover most of the
header. Pure: the caller reads the mapping files and the header."""

from __future__ import annotations

from dataclasses import dataclass

from revdesk.core.importing.mapping import FIELDS, ImportMapping, unmet_groups

VENDORS = ("hubspot", "pipedrive", "salesforce", "close", "odoo", "generic")
# When two layouts cover a header equally, the kind that brings the most along wins (contacts bring their account).
_KIND_ORDER = ("deal_history", "activities", "deals", "contacts", "accounts", "users")


@dataclass(frozen=True)
class Detected:
    mapping: ImportMapping
    matched: int  # header columns the layout reads
    of: int  # columns in the header


def _fold(name: str) -> str:
    return " ".join(name.strip().casefold().split())


def _fits(kind: str, columns: dict[str, str], defaults: dict[str, str], header: set[str]) -> int | None:
    """How many of the header's columns a layout reads, or None when a column it needs is missing."""
    present = {t for t, column in columns.items() if _fold(column) in header}
    return None if unmet_groups(kind, {*present, *defaults}) else len(present)


def detect_layout(header: list[str], layouts: list[ImportMapping], *, kind: str = "auto",
                  vendor: str = "auto") -> Detected | None:
    """The layout this header is, among `layouts` of the kind and vendor asked (either may be "auto"); revdesk's
    own column names (what `revdesk export` writes) are the "generic" layout of the kind they fill most."""
    folded = {_fold(h) for h in header if h.strip()}
    best: tuple[int, int, Detected] | None = None
    if vendor in ("auto", "generic"):  # revdesk's own names win a tie: they are exact
        own = own_columns(header, kind)
        if own is not None:
            best = (own.matched, 1, own)
    for mapping in layouts:
        if kind not in ("auto", mapping.kind) or vendor not in ("auto", mapping.vendor):
            continue
        matched = _fits(mapping.kind, mapping.columns, mapping.defaults, folded)
        if not matched or matched * 2 < min(len(mapping.columns), len(folded)):
            continue  # a layout must read at least half of the file's columns, or half of its own
        rank = (matched, -_KIND_ORDER.index(mapping.kind))
        if best is None or rank > best[:2]:
            best = (*rank, Detected(mapping, matched, len(folded)))
    return best[2] if best is not None else None


def own_columns(header: list[str], kind: str = "auto") -> Detected | None:
    """A layout for a file whose columns are revdesk's field names, of the kind named or the one they fill most."""
    names = [h.strip() for h in header if h.strip()]
    kinds = [kind] if kind != "auto" else sorted(FIELDS, key=lambda k: (-len(set(names) & set(FIELDS[k])),
                                                                        _KIND_ORDER.index(k)))
    chosen = kinds[0]
    columns = {n: n for n in names if n in FIELDS[chosen]}
    if not columns or _fits(chosen, columns, {}, {_fold(n) for n in names}) is None:
        return None
    return Detected(ImportMapping(kind=chosen, columns=columns, name=f"revdesk {chosen}",  # type: ignore[arg-type]
                                  revdesk_export=True),
                    len(columns), len(names))

