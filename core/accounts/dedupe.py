"""Finding duplicate accounts and contacts in an import, and merging a duplicate into what is already there.

Pure: no I/O, no database. The importer hands in keys (a reference, a name, a domain or an e-mail) and gets back
clusters (records that are certainly one account or contact, possibly tied to an existing one) and, for accounts,
candidate pairs that only look alike and are listed for a person to review; nothing is merged on a guess.

Account rules, in order:
1. The same normalised domain (``https://www.Acme.com/x`` = ``acme.com``; free-mail domains such as gmail.com
   are ignored) is the same account.
2. Otherwise the same normalised name (`normalise_name`) is the same account, unless both records carry domains
   and those differ (``Acme`` at acme.com vs ``Acme`` at acme.de): that pair is a candidate scored 100.
3. Otherwise names whose fuzzy score (rapidfuzz WRatio by default, on normalised names) reaches the threshold
   (90 by default) are a candidate pair with that score. WRatio takes the best of plain, token-order-free and
   partial ratios; at 90 it admits one name contained in another up to eight times its length ("philips" in
   "konink philips electronics"), typos ("unilver") and run-together words ("gtxpro"). Names are compared only
   within blocks sharing a key (the first or last four letters of a word, the first four of the name run
   together, the first three of each of its first two words); a key whose block would cost more than
   `MAX_BLOCK_PAIRS` comparisons is skipped as too common to say anything.
Two different existing accounts are never joined into one cluster; when a rule would, the pair becomes a candidate.

Contacts are the same contact when their e-mails, trimmed and lower-cased, are equal.

`merge_fill_blanks` then merges a matched record into the one on file; see its docstring for the rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sized
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from rapidfuzz import fuzz, process

Ref = Hashable
Scorer = Callable[..., float]

DEFAULT_THRESHOLD = 90
MAX_BLOCK_PAIRS = 40_000  # a blocking key costing more comparisons than this is too common to say anything

_LEGAL_ANYWHERE = frozenset(
    "inc incorporated llc llp ltd limited gmbh mbh plc corp corporation bv nv srl sarl sas spa pty pvt ag the".split()
)
_LEGAL_TRAILING = frozenset("co company sa as ab oy kg lp kk bhd and".split())
FREE_MAIL = _FREE_MAIL = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr ymail.com hotmail.com hotmail.co.uk hotmail.fr
    outlook.com live.com msn.com aol.com icloud.com me.com mac.com proton.me protonmail.com gmx.de gmx.net gmx.com
    web.de t-online.de orange.fr free.fr laposte.net libero.it yandex.ru mail.ru qq.com 163.com 126.com zoho.com
    fastmail.com hey.com""".split()
)
_ABBREVIATION = re.compile(r"\b(?:\w\.\s?){2,}")  # n.v.  s. a.  a.c.m.e.
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


@dataclass(frozen=True, slots=True)
class AccountKey:
    """What matching needs of an account: the caller's reference for it, its name and its domain (may be blank)."""

    ref: Ref
    name: str
    domain: str = ""


@dataclass(frozen=True, slots=True)
class ContactKey:
    """What matching needs of a contact: the caller's reference and its e-mail (may be blank)."""

    ref: Ref
    email: str = ""


@dataclass(frozen=True, slots=True)
class Cluster:
    """Incoming records that are one account (or contact), in input order, and the existing one they are, if any.

    `via` says what tied the cluster to `existing`: "domain", "name", "email" or "review" (an accepted candidate);
    blank when the cluster is new.
    """

    refs: tuple[Ref, ...]
    existing: Ref | None = None
    via: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """Two clusters whose names look alike (`score` 0-100) but which no rule made one: for a person to review.

    `incoming` is the first record of an incoming cluster; `other` is the existing account the other cluster is
    (`other_is_existing`) or else the first record of the other incoming cluster.
    """

    incoming: Ref
    other: Ref
    score: float
    other_is_existing: bool
    incoming_name: str = ""
    other_name: str = ""


@dataclass
class Matches:
    """The outcome of `match_accounts`: certain clusters (every incoming record in exactly one) and candidates."""

    clusters: list[Cluster]
    candidates: list[Candidate]
    _cluster_of: dict[Ref, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._cluster_of = {ref: i for i, c in enumerate(self.clusters) for ref in c.refs}

    def cluster_of(self, ref: Ref) -> Cluster:
        """The cluster holding incoming record `ref`."""
        return self.clusters[self._cluster_of[ref]]

    def existing_for(self, ref: Ref) -> Ref | None:
        """The existing account incoming record `ref` certainly is, or None for a new account."""
        return self.cluster_of(ref).existing

    def resolve(self, accepted: Iterable[Candidate] = ()) -> list[Cluster]:
        """The clusters once the `accepted` candidates are joined; two existing accounts still never share one.

        A joined cluster lists its records cluster by cluster; one tied to an existing account only by an accepted
        candidate says via "review".
        """
        heads = list(range(len(self.clusters)))
        tie = [(c.existing, c.via) for c in self.clusters]
        at_existing = {c.existing: i for i, c in enumerate(self.clusters) if c.existing is not None}

        def find(i: int) -> int:
            while heads[i] != i:
                heads[i] = heads[heads[i]]
                i = heads[i]
            return i

        for cand in accepted:
            a = find(self._cluster_of[cand.incoming])
            if cand.other_is_existing and cand.other not in at_existing:
                if tie[a][0] is None:
                    tie[a], at_existing[cand.other] = (cand.other, "review"), a
                continue
            b = find(at_existing[cand.other] if cand.other_is_existing else self._cluster_of[cand.other])
            if a == b or (tie[a][0] is not None and tie[b][0] is not None):
                continue
            if tie[b][0] is not None or (tie[a][0] is None and b < a):
                a, b = b, a
            heads[b] = a
        groups: dict[int, list[Ref]] = defaultdict(list)
        for i, cluster in enumerate(self.clusters):
            groups[find(i)].extend(cluster.refs)
        return [Cluster(tuple(refs), *tie[root]) for root, refs in groups.items()]


def normalise_name(name: str) -> str:
    """A company name reduced for comparison: "The ACME Corp., Inc." -> "acme".

    Casefolded, accents stripped, abbreviations joined ("N.V." -> "nv"), apostrophes dropped, "&" read as "and",
    other punctuation turned into spaces, legal forms dropped (inc, llc, ltd, gmbh, bv, corp, the... anywhere;
    co, company, sa, ab... only at the end), spaces collapsed. A name made only of such words is kept whole.
    """
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ABBREVIATION.sub(lambda m: m.group().replace(".", "").replace(" ", "") + " ", text)
    text = text.replace("&", " and ")
    kept = []
    for ch in text:
        kind = unicodedata.category(ch)[0]
        if kind in "LN":
            kept.append(ch)
        elif ch not in "'’`":
            kept.append(" ")
    words = "".join(kept).split()
    core = [w for w in words if w not in _LEGAL_ANYWHERE]
    while core and core[-1] in _LEGAL_TRAILING:
        core.pop()
    return " ".join(core or words)


def _domain(text: str) -> str:
    """A website, e-mail or domain reduced to a bare host ("https://www.Acme.com:443/x" -> "acme.com"); blank
    for free-mail domains and anything that is not a host name."""
    host = text.strip().casefold()
    host = _SCHEME.sub("", host)
    host = re.split(r"[/?#]", host, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if host.startswith("www."):
        host = host[4:]
    if "." not in host or any(ch.isspace() for ch in host) or host in _FREE_MAIL:
        return ""
    return host


def _block_keys(name: str) -> set[str]:
    """Keys a name is compared under: the first four letters of the name run together, of each word and of its
    first two words' first three letters each, and the last four letters of each word."""
    words = name.split()
    keys = {"^" + "".join(words)[:4]}
    if len(words) > 1:
        keys.add("&" + words[0][:3] + words[1][:3])
    for w in words:
        if len(w) >= 3:
            keys.add("<" + w[:4])
            keys.add(">" + w[-4:])
    return keys


def _similar_names(
    names: list[str], rows: set[int], scorer: Scorer, threshold: float, max_block_pairs: int
) -> dict[tuple[int, int], float]:
    """Pairs (i < j) of `names` scoring at least `threshold`, at least one of them in `rows`, found by blocking."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        for key in _block_keys(name):
            blocks[key].append(i)
    found: dict[tuple[int, int], float] = {}

    def keep(i: int, j: int, score: float) -> None:
        pair = (i, j) if i < j else (j, i)
        if score > found.get(pair, -1.0):
            found[pair] = score

    for members in blocks.values():
        mine = [pos for pos, m in enumerate(members) if m in rows]
        if len(members) < 2 or not mine or len(mine) * len(members) > max_block_pairs:
            continue
        choices = [names[m] for m in members]
        whole = len(mine) == len(members)  # all compared with all: each pair once, against the later names
        for pos in mine:
            i = members[pos]
            start = pos + 1 if whole else 0
            hits = process.extract(names[i], choices[start:], scorer=scorer, score_cutoff=threshold, limit=None)
            for _, score, at in hits:
                if start + at != pos:
                    keep(i, members[start + at], score)
    return found


class _Union:
    """Union-find over nodes (incoming first, then existing) that refuses to join two existing accounts or, for
    name matches, two clusters whose domains differ."""

    def __init__(self, n_incoming: int, domains: list[str], n_nodes: int) -> None:
        self.parent = list(range(n_nodes))
        self.existing = [i if i >= n_incoming else -1 for i in range(n_nodes)]
        self.domain = list(domains)
        self.via = [""] * n_nodes

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, a: int, b: int, rule: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.existing[ra] >= 0 and self.existing[rb] >= 0:
            return False
        if self.domain[ra] and self.domain[rb] and self.domain[ra] != self.domain[rb]:
            return False
        if self.existing[rb] >= 0 or (self.existing[ra] < 0 and rb < ra):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.domain[ra] = self.domain[ra] or self.domain[rb]
        if self.existing[ra] >= 0 and not self.via[ra]:
            self.via[ra] = rule
        return True


def match_accounts(
    incoming: list[AccountKey],
    existing: list[AccountKey],
    threshold: float = DEFAULT_THRESHOLD,
    scorer: Scorer = fuzz.WRatio,
    max_block_pairs: int = MAX_BLOCK_PAIRS,
) -> Matches:
    """Cluster `incoming` accounts among themselves and against `existing` ones (see the module docstring).

    Incoming references must be unique among incoming, existing among existing. `threshold` (0-100) is the
    fuzzy score from which two names become a candidate pair; `scorer` is any rapidfuzz scorer.
    """
    keys = [*incoming, *existing]
    n = len(incoming)
    norm = [normalise_name(k.name or "") for k in keys]
    doms = [_domain(k.domain or "") for k in keys]
    union = _Union(n, doms, len(keys))
    conflicts: list[tuple[int, int, float]] = []

    for rule, values in (("domain", doms), ("name", norm)):
        groups: dict[str, list[int]] = defaultdict(list)
        for node, value in enumerate(values):
            if value:
                groups[value].append(node)
        for nodes in groups.values():
            if not any(node < n for node in nodes):
                continue
            first = nodes[0]
            for node in nodes[1:]:
                if not union.join(first, node, rule):
                    conflicts.append((first, node, 100.0))

    # Fuzzy stage: distinct normalised names compared within blocks, each hit spread over the clusters holding them.
    nodes_of: dict[str, list[int]] = defaultdict(list)
    for node, value in enumerate(norm):
        if value:
            nodes_of[value].append(node)
    names = list(nodes_of)
    firsts = [{union.find(x): x for x in nodes_of[name]}.values() for name in names]  # one node per cluster
    rows = {at for at, name in enumerate(names) if nodes_of[name][0] < n}
    pairs = conflicts
    for (i, j), score in _similar_names(names, rows, scorer, threshold, max_block_pairs).items():
        pairs.extend((x, y, score) for x in firsts[i] for y in firsts[j])
    return _assemble(incoming, existing, union, pairs)


def _assemble(
    incoming: list[AccountKey], existing: list[AccountKey], union: _Union, pairs: list[tuple[int, int, float]]
) -> Matches:
    n = len(incoming)
    members: dict[int, list[int]] = defaultdict(list)
    for node in range(n):
        members[union.find(node)].append(node)
    ties = {
        root: (existing[ex - n].ref, union.via[root]) if (ex := union.existing[root]) >= 0 else (None, "")
        for root in members
    }
    clusters = [Cluster(tuple(incoming[i].ref for i in nodes), *ties[root]) for root, nodes in members.items()]
    best: dict[tuple[int, int], float] = {}
    for a, b, score in pairs:
        ra, rb = union.find(a), union.find(b)
        if ra == rb or (ra not in members and rb not in members):
            continue
        # `incoming` is a cluster with incoming records, preferably one not tied to an existing account
        side = {r: (r not in members, union.existing[r] >= 0, members[r][0] if r in members else r) for r in (ra, rb)}
        if side[rb] < side[ra]:
            ra, rb = rb, ra
        best[ra, rb] = max(score, best.get((ra, rb), 0.0))
    candidates = []
    for (ra, rb), score in best.items():
        first, ex = incoming[members[ra][0]], union.existing[rb]
        other = existing[ex - n] if ex >= 0 else incoming[members[rb][0]]
        candidates.append(Candidate(first.ref, other.ref, round(score, 1), ex >= 0, first.name, other.name))
    candidates.sort(key=lambda c: -c.score)
    return Matches(clusters, candidates)


def match_contacts(incoming: list[ContactKey], existing: list[ContactKey]) -> list[Cluster]:
    """Cluster incoming contacts by e-mail (trimmed, lower-cased, exact), tied to the first existing one with it.

    A contact without an e-mail is a cluster of its own.
    """
    on_file: dict[str, Ref] = {}
    for key in reversed(existing):  # the first existing contact with an e-mail wins
        if "@" in key.email:
            on_file[key.email.strip().lower()] = key.ref
    groups: dict[str, list[Ref]] = defaultdict(list)
    for number, key in enumerate(incoming):
        email = key.email.strip().lower()
        groups[email if "@" in email else f"#{number}"].append(key.ref)  # no e-mail: a cluster of its own
    return [
        Cluster(tuple(refs), (ex := on_file.get(email)), "email" if ex is not None else "")
        for email, refs in groups.items()
    ]


def _blank(value: object) -> bool:
    """None, white-space text or an empty collection; 0 and False are values."""
    return value is None or (not value.strip() if isinstance(value, str) else isinstance(value, Sized) and not value)


def _moment(value: object) -> datetime | None:
    """A timestamp as an aware datetime (naive ones read as UTC), or None when unknown or unreadable."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def merge_fill_blanks(
    old: Mapping[str, Any], new: Mapping[str, Any], old_updated_at: object = None, new_updated_at: object = None
) -> dict[str, Any]:
    """Merge incoming record `new` into the record on file `old`; a new dict, the inputs untouched.

    - A field blank in `old` (None, empty or white-space text, empty collection; 0 and False are not blank) takes
      `new`'s value; a field only `new` has is added.
    - A field set in `old` is replaced only when `new` is strictly newer by its own updated/modified date
      (`new_updated_at` > `old_updated_at`: datetimes, dates or ISO text; naive times read as UTC, a date as its
      midnight). Equal, missing or unreadable dates never overwrite.
    - A blank in `new` never erases anything, however new.
    """
    merged = dict(old)
    old_at, new_at = _moment(old_updated_at), _moment(new_updated_at)
    newer = old_at is not None and new_at is not None and new_at > old_at
    for name, value in new.items():
        if _blank(value):
            merged.setdefault(name, value)
        elif name not in merged or _blank(merged[name]) or newer:
            merged[name] = value
    return merged
