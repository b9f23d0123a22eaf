"""Cell values from imported CRM files (e-mail, phone, dates, amounts, domains, free text): each parser returns
the stored form, None for a blank cell, or raises `ValueProblem` with a reason a person can act on.

It runs once per cell on files of 100k rows, so the common shapes take a precompiled fast path and repeated
values hit a cache; the maintained libraries (email-validator, phonenumbers) decide everything else.

Rules the importer relies on:
- Blank (empty or whitespace only) is None, never a problem.
- E-mail: surrounding spaces, tabs and no-break spaces are trimmed (spreadsheets leave them); then the verdict is
  email-validator's (syntax only): the result is its normalised form (local part as written, domain lower-case).
- Phone: E.164. `+` numbers need no region; otherwise the region (ISO 3166 alpha-2, "UK" read as "GB") is
  assumed. `strict` (default) also requires a number in use (phonenumbers' is_valid_number), not only of a
  possible length; an extension ("ext. 12") is not part of E.164 and is dropped.
- Dates: a day-first or month-first file is decided per file by `detect_date_format`; a date with a four-digit
  year first (ISO "2020-01-31", HubSpot "2002/1/16") is unambiguous and read as Y-M-D in any file. Separators
  "/", "." and "-"; two-digit years pivot like strptime's %y (00-68 -> 20xx, 69-99 -> 19xx). A time after the
  date is allowed and ignored by `parse_date`. Amounts: core.importing.amounts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES


class ValueProblem(Exception):
    """A cell's value cannot be imported; `reason` says why, without naming the row or the column."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AmbiguousDates(ValueProblem):
    """Every date in the file fits both D/M/Y and M/D/Y: a mapping must name the format."""


# ---------------------------------------------------------------- e-mail and domains

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Plain ASCII domains, last label letters at both ends: what email-validator accepts as is, but "--" and special use.
_FAST_DOMAIN = rf"(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z])?"
_FAST_EMAIL = re.compile(rf"({_ATEXT}+(?:\.{_ATEXT}+)*)@({_FAST_DOMAIN})")
# The same with letters of any script in the local part ("chloé.martin@..."), when already in NFC.
_INTL = rf"(?:{_ATEXT}|[^\W\d_])"
_FAST_INTL_EMAIL = re.compile(rf"({_INTL}+(?:\.{_INTL}+)*)@({_FAST_DOMAIN})")
_FAST_DOMAIN_RE = re.compile(_FAST_DOMAIN)
_SPECIAL_SUFFIXES = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)
_CASELESS_MAILBOXES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)
_EMAIL_TRIM = " \t\u00a0"


def _plain_domain(domain: str) -> bool:
    """True when email-validator would take this domain as it is, lower-cased (checked by a property test)."""
    return "--" not in domain and not ("." + domain.lower()).endswith(_SPECIAL_SUFFIXES)


def parse_email(text: str) -> str | None:
    """The normalised address (domain lower-case), None when blank; ValueProblem when email-validator refuses it."""
    text = text.strip(_EMAIL_TRIM)
    if not text:
        return None
    match = _FAST_EMAIL.fullmatch(text) if text.isascii() else (
        _FAST_INTL_EMAIL.fullmatch(text) if unicodedata.is_normalized("NFC", text) else None)
    if match and len(text.encode()) <= 254:  # the limit is in UTF-8 bytes
        local, domain = match.groups()
        if _plain_domain(domain) and local.lower() not in _CASELESS_MAILBOXES:
            return f"{local}@{domain.lower()}"
    verdict, value = _validate_email(text)
    if not verdict:
        raise ValueProblem(value)
    return value


@lru_cache(maxsize=4096)
def _validate_email(text: str) -> tuple[bool, str]:
    try:
        return True, validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        return False, str(error)


def domain_of_email(text: str) -> str | None:
    """The normalised domain of an e-mail address (None when blank; ValueProblem when not an address)."""
    address = parse_email(text)
    return None if address is None else address.rpartition("@")[2]


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_PATH = re.compile(r"[/?#]")


def normalise_domain(text: str) -> str | None:
    """A website or e-mail as a bare lower-case domain: "https://www.Acme.com/about" -> "acme.com",
    "ann@Acme.com" -> "acme.com". Scheme, user, port, path, query and a leading "www." go; internationalised
    names come back in Unicode (email-validator's form), so "xn--bcher-kva.de" and "Bücher.de" agree."""
    text = text.strip().removeprefix("mailto:")
    if not text:
        return None
    scheme = _SCHEME.match(text)
    if scheme is None and "@" in text and "/" not in text:
        return domain_of_email(text)
    host = text[scheme.end() :] if scheme else text.removeprefix("//")
    host = _PATH.split(host, maxsplit=1)[0].rpartition("@")[2]
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    host = host.rstrip(".").lower()
    if host.startswith("www.") and "." in host[4:]:
        host = host[4:]
    if _FAST_DOMAIN_RE.fullmatch(host) and _plain_domain(host) and len(host) <= 253:
        return host
    verdict, value = _validate_email("x@" + host)
    if not verdict:
        raise ValueProblem(f"not a domain name: {host[:60]!r}")
    return value.rpartition("@")[2]


# ---------------------------------------------------------------- text

# C0/C1 controls other than whitespace, bidirectional overrides and isolates, zero-width space, byte-order mark and
# lone surrogates (which no UTF-8 store can hold). Joiners (U+200C/D) stay: scripts and emoji need them.
_DROP = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Trimmed, every run of whitespace one space, controls and invisible direction marks dropped, Unicode NFC."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    return unicodedata.normalize("NFC", " ".join(_DROP.sub("", text).split()))


# Cells a spreadsheet would run as a formula (OWASP's CSV injection rule), and a cell that starts with the quote
# that neutralises them: revdesk's CSV export prefixes both with a quote, and its import takes exactly that off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_STARTS = (*FORMULA_STARTS, "'")


def neutralise_formula(text: str) -> str:
    """A text cell safe to open in a spreadsheet: one that starts like a formula (or with a quote) gets a quote."""
    return "'" + text if text.startswith(_QUOTED_STARTS) else text


def restore_formula(text: str) -> str:
    """What `neutralise_formula` was given: a quote before a formula start or another quote is taken off."""
    return text[1:] if text[:1] == "'" and text[1:].startswith(_QUOTED_STARTS) else text


# ---------------------------------------------------------------- phone numbers

_PHONE_SHAPE = re.compile(r"\+?[\d\s().\-/\u00a0]+")
_PHONE_PUNCT = str.maketrans("", "", " \t().-/\u00a0")
_REGION_ALIASES = {"UK": "GB"}
_NO_REGION = "no country code and no country to assume"
_E, _V = phonenumbers.NumberParseException, phonenumbers.ValidationResult
_PARSE_REASONS = {_E.INVALID_COUNTRY_CODE: "unknown country calling code", _E.NOT_A_NUMBER: "not a phone number",
                  _E.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
                  _E.TOO_SHORT_NSN: "too short to be a phone number", _E.TOO_LONG: "too long to be a phone number"}
_LENGTH_REASONS = {_V.INVALID_COUNTRY_CODE: "unknown country calling code", _V.TOO_SHORT: "too short for {region}",
                   _V.TOO_LONG: "too long for {region}", _V.INVALID_LENGTH: "wrong number of digits for {region}",
                   _V.IS_POSSIBLE_LOCAL_ONLY: "a local number: it needs its area code"}


def parse_phone(text: str, region: str | None, *, strict: bool = True) -> str | None:
    """The number in E.164 ("+14155552671"), None when blank. `region` is the country to assume for numbers
    written without "+" (ISO alpha-2, any case). With `strict`, the number must be one in use, not only one of
    a possible length (fictional 555-01xx numbers fail)."""
    text = text.strip()
    if not text:
        return None
    region = _REGION_ALIASES.get(code := region.strip().upper(), code) if region else None
    key = text.translate(_PHONE_PUNCT) if _PHONE_SHAPE.fullmatch(text) else text
    verdict, value = _phone(key, region or None, strict)
    if not verdict:
        raise ValueProblem(value)
    return value


@lru_cache(maxsize=65536)
def _phone(key: str, region: str | None, strict: bool) -> tuple[bool, str]:
    international = key.startswith("+")
    if region not in phonenumbers.SUPPORTED_REGIONS:
        if not international:
            return False, f"no country code, and {region!r} is no country to assume" if region else _NO_REGION
        region = None
    try:
        number = phonenumbers.parse(key, region)
    except phonenumbers.NumberParseException as error:
        return False, _PARSE_REASONS.get(error.error_type, str(error))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if strict and _in_use(number, region):
        return True, e164
    where = phonenumbers.region_code_for_country_code(number.country_code)
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != _V.IS_POSSIBLE:
        return False, _LENGTH_REASONS.get(possible, "not a possible number").format(region=where)
    if strict:
        return False, f"not a number in use in {where} (no such area code or range)"
    return True, e164


def _in_use(number: phonenumbers.PhoneNumber, region: str | None) -> bool:
    """Valid in the assumed region is the quick check (one region's patterns); else any region of its code."""
    if region and number.country_code == phonenumbers.country_code_for_region(region):
        return phonenumbers.is_valid_number_for_region(number, region) or phonenumbers.is_valid_number(number)
    return phonenumbers.is_valid_number(number)


# ---------------------------------------------------------------- dates

_ORDER_LABELS = {"YMD": "Y-M-D", "DMY": "D/M/Y", "MDY": "M/D/Y"}
_DATE = re.compile(r"(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})(?:[T ]\s*(.*))?")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?")


@dataclass(frozen=True)
class DateFormat:
    """How a file writes dates: `order` is "YMD" (ISO), "DMY" or "MDY". `ambiguous` says the samples fitted more
    than one order and the choice came from a mapping."""

    order: str
    ambiguous: bool = False

    def __post_init__(self) -> None:
        if self.order not in _ORDER_LABELS:
            raise ValueError(f"date order must be one of {sorted(_ORDER_LABELS)}, not {self.order!r}")
    @property
    def label(self) -> str:
        return _ORDER_LABELS[self.order]

    @classmethod
    def named(cls, name: str) -> DateFormat:
        """A mapping's format name: "D/M/Y", "dd.mm.yyyy", "%m/%d/%Y", "MDY", "iso" ..."""
        letters = re.sub(r"(.)\1+", r"\1", re.sub(r"[^A-Z]", "", name.upper()))
        order = "YMD" if letters in ("ISO", "YMD") else letters
        if order not in _ORDER_LABELS:
            raise ValueProblem(f"unknown date format {name!r}: name D/M/Y, M/D/Y or ISO")
        return cls(order)


def _year(digits: str) -> int:
    if len(digits) not in (2, 4):
        raise ValueProblem("a year needs 2 or 4 digits")
    year = int(digits)
    return year + (2000 if year < 69 else 1900) if len(digits) == 2 else year


def _fits(y: str, m: str, d: str) -> bool:
    try:
        return bool(date(_year(y), int(m), int(d)))
    except (ValueError, ValueProblem):
        return False


@lru_cache(maxsize=65536)
def _orders_of(text: str) -> frozenset[str]:
    """Every order this one date fits (empty when it is no date at all)."""
    if (match := _DATE.fullmatch(text)) is None:
        return frozenset()
    a, _, b, c, _ = match.groups()
    if len(a) == 4:
        return frozenset({"YMD"}) if len(c) <= 2 and _fits(a, b, c) else frozenset()
    if len(a) > 2:
        return frozenset()
    return frozenset(o for o, ok in (("DMY", _fits(c, b, a)), ("MDY", _fits(c, a, b))) if ok)


def detect_date_format(samples: Iterable[str], declared: DateFormat | str | None = None) -> DateFormat:
    """The file's date order, from its date cells (blank and unreadable ones are skipped; `parse_date` reports the
    latter). Year-first dates fit any file. With `declared` (the mapping's date_format) the samples are checked
    against it; without, day-first vs month-first must follow from some day above 12 (else `AmbiguousDates`)."""
    if isinstance(declared, str):
        declared = DateFormat.named(declared)
    day_month: str | None = None
    not_dmy: str | None = None
    not_mdy: str | None = None
    for sample in samples:
        orders = _orders_of(sample := sample.strip())
        if not orders or orders == {"YMD"}:
            continue
        day_month = day_month or sample
        not_dmy = not_dmy or (None if "DMY" in orders else sample)
        not_mdy = not_mdy or (None if "MDY" in orders else sample)
        if not_dmy and not_mdy:
            break
    if declared is not None:
        misfit = {"YMD": day_month, "DMY": not_dmy, "MDY": not_mdy}[declared.order]
        if misfit:
            raise ValueProblem(f"the mapping says {declared.label} but {misfit!r} is not a {declared.label} date")
        return DateFormat(declared.order, ambiguous=bool(day_month) and not not_dmy and not not_mdy)
    if not day_month:
        return DateFormat("YMD")
    if not_dmy and not_mdy:
        raise ValueProblem(f"dates mix D/M/Y ({not_mdy!r}) and M/D/Y ({not_dmy!r}); name the format in a mapping")
    if not not_dmy and not not_mdy:
        raise AmbiguousDates("ambiguous: every date fits both D/M/Y and M/D/Y; name the format in a mapping")
    return DateFormat("MDY" if not_dmy else "DMY")


def parse_date(text: str, fmt: DateFormat) -> date | None:
    """The calendar date in `text` read in the file's format (None when blank). A time after it is ignored."""
    text = text.strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == text[7] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    value = _parse_date(text, fmt.order)
    if isinstance(value, str):
        raise ValueProblem(value)
    return value


@lru_cache(maxsize=65536)
def _parse_date(text: str, order: str) -> date | str:
    """The date, or the reason it is none (cached: a file repeats its dates)."""
    if (match := _DATE.fullmatch(text)) is None:
        return f"not a date: {text[:40]!r}"
    a, _, b, c, rest = match.groups()
    if rest and not _TIME.fullmatch(rest):
        return f"not a time after the date: {rest[:40]!r}"
    if len(a) == 4:
        year, month, day = a, b, c
    elif order == "YMD":
        return f"{text!r} is day or month first in a file of Y-M-D dates"
    else:
        year, month, day = (c, b, a) if order == "DMY" else (c, a, b)
    try:
        return date(_year(year), int(month), int(day))
    except ValueProblem as problem:
        return problem.reason
    except ValueError:
        return f"no such date as {text!r} read {_ORDER_LABELS[order]}"


def parse_datetime(text: str, *, assume: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 date-time as an aware UTC moment (None when blank): "2020-01-31T09:30:00.000Z", "+02:00" or
    "+0200" offsets, a bare date as midnight. Without an offset the time is read in `assume` (UTC by default)."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
        return (moment.replace(tzinfo=assume) if moment.tzinfo is None else moment).astimezone(UTC)
    except ValueError:
        raise ValueProblem(f"not an ISO date-time: {text[:40]!r}") from None
    except OverflowError:  # the first or last day of the calendar, moved to UTC
        raise ValueProblem(f"{text[:40]!r} is outside the calendar in UTC") from None
