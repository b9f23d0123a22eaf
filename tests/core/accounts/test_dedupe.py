"""Dedupe on import: name normalisation, the account and contact rules, merging, and precision/recall on the
labelled DataMade data in ../shared/realdata (skipped where it is absent; run with -s to see the figures)."""

from __future__ import annotations

import csv
import time
from collections import Counter
from datetime import UTC, date, datetime
from math import comb
from pathlib import Path

import pytest

from revdesk.core.accounts.dedupe import (
    AccountKey,
    ContactKey,
    Matches,
    match_accounts,
    match_contacts,
    merge_fill_blanks,
    normalise_name,
)

REALDATA = Path(__file__).resolve().parents[3].parent / "shared" / "realdata"
DATAMADE = REALDATA / "dedupe_examples_messy_orgs"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The ACME Corp., Inc.", "acme"),
        ("ACME Corporation", "acme"),
        ("Société Générale S.A.", "societe generale"),
        ("bioMérieux BV", "biomerieux"),
        ("AKZO NOBEL N.V.", "akzo nobel"),
        ("Akzo Nobel N. V.", "akzo nobel"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Smith & Jones LLC", "smith and jones"),
        ("O'Brien’s Bakery Ltd", "obriens bakery"),
        ("  GTX-Pro   Limited ", "gtx pro"),
        ("The Company", "the company"),  # nothing but legal words: kept whole
        ("Coca-Cola Co", "coca cola"),
        ("", ""),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_same_domain_is_the_same_account_whatever_the_name() -> None:
    existing = [AccountKey("x1", "Totally Different Name", "acme.com")]
    incoming = [
        AccountKey(1, "Acme", "https://www.ACME.com/about"),
        AccountKey(2, "Acme Europe", "sales@acme.com"),
        AccountKey(3, "Someone", "gmail.com"),  # free mail says nothing about the company
    ]
    m = match_accounts(incoming, existing)
    assert m.cluster_of(1).refs == (1, 2)
    assert m.existing_for(1) == "x1" and m.cluster_of(1).via == "domain"
    assert m.existing_for(3) is None


def test_exact_normalised_name_is_the_same_account() -> None:
    existing = [AccountKey(0, "ACME Corporation")]
    incoming = [AccountKey("a", "Acme Corp."), AccountKey("b", "acme, inc"), AccountKey("c", "Beta GmbH")]
    m = match_accounts(incoming, existing)
    assert m.existing_for("a") == 0 and m.cluster_of("a").via == "name"
    assert m.cluster_of("b").refs == ("a", "b")
    assert m.existing_for("c") is None and m.candidates == []


def test_same_name_with_different_domains_is_only_a_candidate() -> None:
    m = match_accounts([AccountKey(1, "Acme", "acme.de")], [AccountKey(9, "Acme Ltd", "acme.com")])
    assert m.existing_for(1) is None
    (cand,) = m.candidates
    assert (cand.incoming, cand.other, cand.score, cand.other_is_existing) == (1, 9, 100.0, True)


def test_two_existing_accounts_are_never_joined() -> None:
    existing = [AccountKey("x", "Xylo", "xylo.com"), AccountKey("y", "Acme")]
    m = match_accounts([AccountKey(1, "Acme", "xylo.com")], existing)
    assert m.existing_for(1) == "x"  # the domain comes first
    assert [(c.other, c.score) for c in m.candidates] == [("y", 100.0)]


@pytest.mark.parametrize(
    ("left", "right"),
    [("GTX Pro", "GTXPro Ltd"), ("Unilever", "Unilver N.V."), ("Koninklijke Philips", "Koninklijke Phillips")],
)
def test_fuzzy_lookalikes_are_candidates_not_merges(left: str, right: str) -> None:
    m = match_accounts([AccountKey(1, left)], [AccountKey(2, right)])
    assert m.existing_for(1) is None
    (cand,) = m.candidates
    assert cand.other == 2 and cand.other_is_existing and 90 <= cand.score < 100
    assert (cand.incoming_name, cand.other_name) == (left, right)


def test_unrelated_names_are_no_candidates() -> None:
    m = match_accounts([AccountKey(1, "Zenith Logistics"), AccountKey(2, "Acme Robotics")], [])
    assert m.candidates == [] and len(m.clusters) == 2


def test_incoming_records_cluster_among_themselves_and_candidates_resolve() -> None:
    incoming = [
        AccountKey(1, "Globex Corporation"),
        AccountKey(2, "GLOBEX corp"),
        AccountKey(3, "Globex Corporatoin Ltd"),
        AccountKey(4, "Initech"),
        AccountKey(5, "Globex", "globex.com"),
    ]
    m = match_accounts(incoming, [AccountKey("g", "Globex Inc", "globex.com")])
    assert isinstance(m, Matches)
    # 1, 2 and 5 share a name ("globex"), 5 shares the existing account's domain
    assert m.cluster_of(1).refs == (1, 2, 5) and m.existing_for(2) == "g"
    assert m.existing_for(3) is None and m.existing_for(4) is None
    (cand,) = m.candidates
    assert cand.incoming == 3 and cand.other == "g" and cand.other_is_existing
    assert sorted(len(c.refs) for c in m.resolve()) == [1, 1, 3]
    joined = {c.refs: (c.existing, c.via) for c in m.resolve(m.candidates)}
    assert joined == {(1, 2, 5, 3): ("g", "domain"), (4,): (None, "")}


def test_contacts_match_by_lower_cased_email() -> None:
    existing = [ContactKey(0, "Jo@Acme.com"), ContactKey(1, "jo@acme.com"), ContactKey(2, "")]
    incoming = [
        ContactKey("a", " JO@acme.COM "),
        ContactKey("b", "jo@acme.com"),
        ContactKey("c", ""),
        ContactKey("d", ""),
        ContactKey("e", "new@acme.com"),
    ]
    clusters = {c.refs: (c.existing, c.via) for c in match_contacts(incoming, existing)}
    assert clusters == {("a", "b"): (0, "email"), ("c",): (None, ""), ("d",): (None, ""), ("e",): (None, "")}


OLD = {"name": "Acme", "phone": "", "city": "Paris", "employees": 0, "notes": None}
NEW = {"name": "ACME SA", "phone": "+33 1 23", "city": "", "employees": 250, "notes": "big", "industry": "Tools"}


def test_merge_fills_blanks_and_keeps_older_values_without_a_newer_date() -> None:
    for old_at, new_at in [
        (None, None),
        ("2024-05-01", None),
        ("2024-05-01", "2024-05-01"),
        ("2024-05-02", "2024-05-01"),
        ("2024-05-01", "not a date"),
    ]:
        merged = merge_fill_blanks(OLD, NEW, old_at, new_at)
        assert merged == {
            "name": "Acme",
            "phone": "+33 1 23",
            "city": "Paris",
            "employees": 0,
            "notes": "big",
            "industry": "Tools",
        }, (old_at, new_at)
    assert OLD["phone"] == "" and "industry" not in OLD  # inputs untouched


def test_merge_lets_a_newer_record_overwrite_but_never_with_a_blank() -> None:
    merged = merge_fill_blanks(OLD, NEW, datetime(2024, 5, 1, 9), "2024-05-01T10:00:00Z")
    assert merged == {
        "name": "ACME SA",
        "phone": "+33 1 23",
        "city": "Paris",
        "employees": 250,
        "notes": "big",
        "industry": "Tools",
    }
    assert (
        merge_fill_blanks({"a": "x"}, {"a": "y"}, date(2024, 1, 1), datetime(2024, 1, 1, 0, 1, tzinfo=UTC))["a"] == "y"
    )
    assert merge_fill_blanks({"a": "x"}, {"a": "y"}, "2024-01-01T12:00+02:00", "2024-01-01T10:30Z")["a"] == "y"
    assert merge_fill_blanks({"a": "x"}, {"a": "y"}, "2024-01-01T12:00+02:00", "2024-01-01T09:30Z")["a"] == "x"
    assert merge_fill_blanks({}, {"a": "", "b": []}) == {"a": "", "b": []}


# Evaluation on labelled data ------------------------------------------------------------------------------------


def _pairwise(clusters: list[tuple], truth: dict) -> tuple[float, float]:
    """Pairwise precision and recall of `clusters` against the true entity of each record."""
    predicted = sum(comb(len(c), 2) for c in clusters)
    right = sum(comb(k, 2) for c in clusters for k in Counter(truth[r] for r in c).values())
    actual = sum(comb(k, 2) for k in Counter(truth.values()).values())
    return right / predicted, right / actual


def _evaluate(label: str, keys: list[AccountKey], truth: dict) -> dict[str, float]:
    started = time.perf_counter()
    m = match_accounts(keys, [])
    seconds = time.perf_counter() - started
    p1, r1 = _pairwise([c.refs for c in m.clusters], truth)
    p2, r2 = _pairwise([c.refs for c in m.resolve(m.candidates)], truth)
    print(
        f"\n{label}: {len(keys)} records, {len(set(truth.values()))} true entities, matched in {seconds:.2f}s;"
        f" certain only P={p1:.3f} R={r1:.3f}; with all {len(m.candidates)} candidates accepted P={p2:.3f} R={r2:.3f}"
    )
    return {"p_certain": p1, "r_certain": r1, "p": p2, "r": r2}


def _read(name: str) -> list[dict[str, str]]:
    path = DATAMADE / name
    if not path.exists():
        pytest.skip(f"{path} absent")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_precision_and_recall_on_the_datamade_chicago_sites() -> None:
    rows = _read("csv_example_input_with_true_ids.csv")
    keys = [AccountKey(r["Id"], f"{r['Site name']} {r['Address']}") for r in rows]
    got = _evaluate("DataMade csv_example (site name + address)", keys, {r["Id"]: r["True Id"] for r in rows})
    assert len(keys) == 3337
    assert got["p_certain"] >= 0.98 and got["r_certain"] >= 0.25
    assert got["p"] >= 0.93 and got["r"] >= 0.58


def test_precision_and_recall_on_the_datamade_patstat_names() -> None:
    rows = _read("patstat_input.csv")
    leuven = {r["person_id"]: r["leuven_id"] for r in _read("patstat_reference.csv")}
    keys = [AccountKey(n, r["Name"]) for n, r in enumerate(rows)]
    got = _evaluate("DataMade patstat (Name)", keys, {n: leuven[r["person_id"]] for n, r in enumerate(rows)})
    assert got["p_certain"] >= 0.99 and got["r_certain"] >= 0.28
    assert got["p"] >= 0.95 and got["r"] >= 0.93
