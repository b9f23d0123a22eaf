"""Import cell values: e-mail against the isemail vectors and email-validator, phones to E.164, per-file date
formats, amounts with currencies and separators, domains, and text that survives the naughty strings."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from revdesk.core.importing.amounts import parse_amount
from revdesk.core.importing.values import (
    AmbiguousDates,
    DateFormat,
    ValueProblem,
    clean_text,
    detect_date_format,
    domain_of_email,
    normalise_domain,
    parse_date,
    parse_datetime,
    parse_email,
    parse_phone,
)

REALDATA = Path(__file__).resolve().parents[3].parent / "shared" / "realdata"
needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent (a fresh clone)")
CONTROL_PICTURES = {0x2400 + code: code for code in range(32)}  # the isemail XML stores controls as U+2400+n


def _ours(address: str) -> str | None:
    try:
        return parse_email(address)
    except ValueProblem:
        return None


def _email_validator(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


@cache
def _isemail() -> list[tuple[str, str]]:
    with open(REALDATA / "isemail_email_test_vectors" / "tests_flat.csv", newline="", encoding="utf-8") as file:
        return [(row["address"].translate(CONTROL_PICTURES), row["category"]) for row in csv.DictReader(file)]


# ---------------------------------------------------------------- e-mail


@needs_realdata
def test_every_isemail_error_vector_is_refused():
    errors = [address for address, category in _isemail() if category == "ISEMAIL_ERR"]
    assert len(errors) == 66
    assert [address for address in errors if _ours(address) is not None] == []


@needs_realdata
def test_isemail_verdicts_are_email_validators_after_trimming_spaces():
    """The only difference from email-validator: surrounding spaces are trimmed (two ISEMAIL_CFWS vectors)."""
    differ = [(a, c) for a, c in _isemail() if _ours(a) != _email_validator(a.strip(" \t\u00a0") or "@")]
    assert differ == []
    loose = [(a, c) for a, c in _isemail() if (_ours(a) is None) != (_email_validator(a) is None)]
    assert loose == [(" test@iana.org", "ISEMAIL_CFWS"), ("test@iana.org ", "ISEMAIL_CFWS")]


@needs_realdata
def test_isemail_acceptance_figures():
    """Accepted of each category: VALID 13/14 (not "test@io", no dot in the domain), DNSWARN 8/8, RFC5321 0/16
    (quoted local parts, address literals), DEPREC 0/20, RFC5322 1/30, CFWS 2/10 (trimmed spaces), ERR 0/66."""
    accepted = Counter(category for address, category in _isemail() if _ours(address) is not None)
    totals = Counter(category for _, category in _isemail())
    figures = {category: (accepted[category], totals[category]) for category in sorted(totals)}
    print("isemail accepted/total:", figures)
    assert figures == {
        "ISEMAIL_CFWS": (2, 10), "ISEMAIL_DEPREC": (0, 20), "ISEMAIL_DNSWARN": (8, 8), "ISEMAIL_ERR": (0, 66),
        "ISEMAIL_RFC5321": (0, 16), "ISEMAIL_RFC5322": (1, 30), "ISEMAIL_VALID_CATEGORY": (13, 14),
    }


@pytest.mark.parametrize(("text", "expected"), [
    ("John.Smith@Example.COM", "John.Smith@example.com"), ("  ann@acme.io\t", "ann@acme.io"),
    ("Postmaster@ACME.org", "postmaster@acme.org"),  # RFC 2142 names are case-insensitive: email-validator's path
    ("a@xn--bcher-kva.de", "a@bücher.de"), ("", None), ("   ", None),
])
def test_email_normalised(text, expected):
    assert parse_email(text) == expected


@pytest.mark.parametrize("text", ["ann@", "ann.acme.io", "ann@acme", "ann@x.local", "ann@@acme.io", "a..b@acme.io"])
def test_email_refused_with_email_validators_reason(text):
    with pytest.raises(ValueProblem) as problem:
        parse_email(text)
    assert problem.value.reason


_LOCALS = (st.text(alphabet="aZ09._-+!'~\"", max_size=12) | st.sampled_from(["postmaster", "Info", "SALES", "x" * 65])
           | st.text(alphabet="aé.ëÅßİﬁ\u0301\u200b١漢ǅʰ_-", max_size=10))  # other scripts, marks, digits
_LABELS = st.text(alphabet="aZ09-", max_size=8) | st.text(alphabet="ab", min_size=60, max_size=66)
_TLDS = st.sampled_from(["com", "COM", "local", "Test", "invalid", "onion", "arpa", "c1", "1c", "xn--p1ai", "ab--c"])


@settings(max_examples=400, deadline=None)
@given(_LOCALS, st.lists(_LABELS, max_size=4), _TLDS | _LABELS, st.booleans())
def test_fast_path_agrees_with_email_validator(local, labels, tld, trailing_dot):
    address = f"{local}@{'.'.join([*labels, tld])}{'.' if trailing_dot else ''}"
    assert _ours(address) == _email_validator(address)


def test_domain_of_email():
    assert domain_of_email("Ann@Acme.COM") == "acme.com"
    assert domain_of_email("") is None


# ---------------------------------------------------------------- domains and text


@pytest.mark.parametrize(("text", "expected"), [
    ("https://www.Acme.com/about?x=1#top", "acme.com"),
    ("acme.com", "acme.com"), ("ACME.COM.", "acme.com"),
    ("http://user@shop.example.co.uk:8080/x", "shop.example.co.uk"), ("//cdn.acme.io", "cdn.acme.io"),
    ("ann@Acme.com", "acme.com"), ("mailto:ann@acme.com", "acme.com"), ("Bücher.de", "bücher.de"),
    ("xn--bcher-kva.de", "bücher.de"), ("www.com", "www.com"), ("", None),
])
def test_normalise_domain(text, expected):
    assert normalise_domain(text) == expected


@pytest.mark.parametrize("text", ["Acme Inc", "localhost", "http://", "acme"])
def test_not_a_domain(text):
    with pytest.raises(ValueProblem, match="not a domain name"):
        normalise_domain(text)


def test_clean_text():
    assert clean_text("  Ann \t  Smith\n") == "Ann Smith"
    assert clean_text("a\x00b\u202ec\ufeffd\u00a0e") == "abcd e"
    assert clean_text("Cafe\u0301") == "Café"  # NFC
    assert clean_text("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # joiners stay


@needs_realdata
def test_every_naughty_string_is_cleaned_or_refused_never_crashes():
    strings = json.loads((REALDATA / "big_list_of_naughty_strings" / "blns.json").read_text(encoding="utf-8"))
    assert len(strings) > 500
    parsers = [parse_email, normalise_domain, parse_amount, parse_datetime, lambda s: parse_phone(s, "US"),
               lambda s: parse_date(s, DateFormat("DMY")), lambda s: detect_date_format([s])]
    for text in strings:
        cleaned = clean_text(text)
        cleaned.encode("utf-8")
        assert clean_text(cleaned) == cleaned
        assert cleaned == cleaned.strip() and "  " not in cleaned
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in cleaned)
        for parse in parsers:
            try:
                parse(text)
            except ValueProblem:
                pass


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize(("text", "region", "expected"), [
    ("+33 1 25 54 45 69", None, "+33125544569"),
    ("+33 1 25 54 45 69", "XX", "+33125544569"),  # a + number needs no region
    ("(415) 555-2671", "us", "+14155552671"),
    ("415.555.2671", "US", "+14155552671"),
    ("020 7946 0958", "uk", "+442079460958"),  # "UK" is read as GB
    ("+44 (0)20 7946 0958", None, "+442079460958"),
    ("0033 1 25 54 45 69", "FR", "+33125544569"),
    ("415-555-2671 ext. 12", "US", "+14155552671"),  # extensions are not part of E.164
    ("888-482-7768", "US", "+18884827768"),
    ("", "US", None),
])
def test_phone_e164(text, region, expected):
    assert parse_phone(text, region) == expected


@pytest.mark.parametrize(("text", "region", "reason"), [
    ("415 555 2671", None, "no country code and no country to assume"),
    ("415 555 2671", "XX", "'XX' is no country to assume"),
    ("555-843-8116", "US", "not a number in use in US"),
    ("12", "US", "too short"),
    ("+11 55 21 5555 5555", "BR", "too long for US"),  # Odoo's malformed demo phone
    ("call me", "US", "not a phone number"),
    ("+999 1234567", None, "unknown country calling code"),
])
def test_phone_refused_with_reason(text, region, reason):
    with pytest.raises(ValueProblem, match=reason.replace("(", r"\(")):
        parse_phone(text, region)


def test_phone_not_strict_accepts_possible_numbers():
    assert parse_phone("555-843-8116", "US", strict=False) == "+15558438116"  # HubSpot's sample phones


@cache
def _example_numbers() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    pool = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None and phonenumbers.is_valid_number(number):
                pool.append((region, number))
    return pool


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_e164_number_formatted_with_punctuation_parses_back(data):
    region, number = data.draw(st.sampled_from(_example_numbers()))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(number)
    cuts = sorted(data.draw(st.sets(st.integers(1, len(national) - 1), max_size=4)))
    groups = [national[i:j] for i, j in zip([0, *cuts], [*cuts, len(national)], strict=True)]
    if len(groups) > 1 and data.draw(st.booleans()):
        groups[0] = f"({groups[0]})"
    seps = data.draw(st.lists(st.sampled_from([" ", "-", ".", " - ", "", "\u00a0"]), min_size=len(groups),
                              max_size=len(groups)))
    body = "".join(sep + group for sep, group in zip(seps, groups, strict=True))
    written = f"+{number.country_code}{body}"
    assert parse_phone(written, None) == e164
    assert parse_phone(f"  {written} ", data.draw(st.sampled_from([None, region, "US"]))) == e164
    national_form = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert parse_phone(national_form, region.lower()) == e164


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("samples", "order"), [
    (["2016-10-20", "2017-03-01 13:45:00", ""], "YMD"),
    (["2002/1/16"], "YMD"),  # HubSpot's sample close date
    (["10/20/2016", "3/1/2017"], "MDY"),
    (["20.10.2016", "01.03.2017"], "DMY"),
    (["20-10-16", "2016-10-21"], "DMY"),  # year-first dates fit any file
    (["1/2/2020", "not a date", "13/2/2020"], "DMY"),  # unreadable cells are parse_date's to report
    ([], "YMD"),
])
def test_detect_date_format(samples, order):
    assert detect_date_format(samples) == DateFormat(order)


def test_ambiguous_dates_need_a_mapping():
    with pytest.raises(AmbiguousDates, match="every date fits both D/M/Y and M/D/Y; name the format in a mapping"):
        detect_date_format(["01/02/2020", "03/04/2020", "2020-05-06"])
    assert detect_date_format(["01/02/2020"], "dd/mm/yyyy") == DateFormat("DMY", ambiguous=True)
    assert detect_date_format(["01/02/2020"], DateFormat("MDY")) == DateFormat("MDY", ambiguous=True)
    assert detect_date_format(["13/02/2020"], "D/M/Y") == DateFormat("DMY", ambiguous=False)


@pytest.mark.parametrize(("samples", "declared", "reason"), [
    (["13/01/2020", "01/13/2020"], None, "dates mix D/M/Y ('13/01/2020') and M/D/Y ('01/13/2020')"),
    (["01/13/2020"], "D/M/Y", "the mapping says D/M/Y but '01/13/2020' is not a D/M/Y date"),
    (["01/02/2020"], "ISO", "the mapping says Y-M-D but '01/02/2020' is not a Y-M-D date"),
])
def test_date_formats_that_cannot_be(samples, declared, reason):
    with pytest.raises(ValueProblem) as problem:
        detect_date_format(samples, declared)
    assert problem.value.reason.startswith(reason)


@pytest.mark.parametrize(("name", "order"), [("%d/%m/%Y", "DMY"), ("MM/DD/YY", "MDY"), ("iso", "YMD"), ("ymd", "YMD")])
def test_format_names(name, order):
    assert DateFormat.named(name).order == order


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("3/1/2017", "MDY", date(2017, 3, 1)), ("3/1/2017", "DMY", date(2017, 1, 3)),
    ("2002/1/16", "DMY", date(2002, 1, 16)), ("10/20/16 1:45 PM", "MDY", date(2016, 10, 20)),
    ("20.10.68", "DMY", date(2068, 10, 20)), ("20.10.69", "DMY", date(1969, 10, 20)),
    ("2017-03-01T10:00:00.000Z", "MDY", date(2017, 3, 1)), (" ", "MDY", None),
])
def test_parse_date(text, order, expected):
    assert parse_date(text, DateFormat(order)) == expected


@pytest.mark.parametrize(("text", "order", "reason"), [
    ("13/1/2017", "MDY", "no such date as '13/1/2017' read M/D/Y"),
    ("2/30/2020", "MDY", "no such date"),
    ("1/2/2020", "YMD", "day or month first in a file of Y-M-D dates"),
    ("1/2/202", "DMY", "a year needs 2 or 4 digits"),
    ("2020-01-05 soon", "YMD", "not a time after the date"),
    ("yesterday", "DMY", "not a date"),
])
def test_bad_dates(text, order, reason):
    with pytest.raises(ValueProblem, match=reason):
        parse_date(text, DateFormat(order))


def test_parse_datetime_to_aware_utc():
    assert parse_datetime("2020-01-05T10:00:00.000Z") == datetime(2020, 1, 5, 10, tzinfo=UTC)
    assert parse_datetime("2020-01-05T10:00:00+0200") == datetime(2020, 1, 5, 8, tzinfo=UTC)
    assert parse_datetime("2020-01-05 10:00") == datetime(2020, 1, 5, 10, tzinfo=UTC)
    paris_winter = timezone(timedelta(hours=1))
    assert parse_datetime("2020-01-05 10:00", assume=paris_winter) == datetime(2020, 1, 5, 9, tzinfo=UTC)
    assert parse_datetime("2020-01-05") == datetime(2020, 1, 5, tzinfo=UTC)
    assert parse_datetime("") is None
    with pytest.raises(ValueProblem, match="not an ISO date-time"):
        parse_datetime("05/01/2020 10:00")


_SEPARATORS = st.sampled_from("/.-")


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)), st.sampled_from(["YMD", "DMY", "MDY"]), _SEPARATORS,
       st.booleans(), st.booleans())
def test_any_date_round_trips_through_each_format(day, order, sep, pad, short_year):
    short_year = short_year and order != "YMD" and 1969 <= day.year <= 2068
    year = f"{day.year % 100:02d}" if short_year else f"{day.year:04d}"
    month, dom = (f"{day.month:02d}", f"{day.day:02d}") if pad else (str(day.month), str(day.day))
    parts = {"YMD": (year, month, dom), "DMY": (dom, month, year), "MDY": (month, dom, year)}[order]
    text = sep.join(parts)
    assert parse_date(text, DateFormat(order)) == day
    unambiguous = date(day.year, day.month, 28 if day.day <= 12 else day.day)
    assert detect_date_format([text, unambiguous.strftime({"YMD": "%Y-%m-%d", "DMY": "%d/%m/%Y",
                                                            "MDY": "%m/%d/%Y"}[order])]).order == order


@needs_realdata
def test_real_files_date_formats():
    maven = REALDATA / "maven_crm_sales_opportunities"
    for name, order in [("sales_pipeline.csv", "YMD"), ("variant_kisaraF_sales_pipeline_us_dates.csv", "MDY")]:
        with open(maven / name, newline="", encoding="utf-8") as file:
            cells = [row[column] for row in csv.DictReader(file) for column in ("engage_date", "close_date")]
        fmt = detect_date_format(cells)
        assert fmt.order == order
        assert all(parse_date(cell, fmt) or not cell.strip() for cell in cells)


# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize(("text", "expected"), [
    ("€1.234,56", (1234.56, "EUR")), ("$1,234.56", (1234.56, "USD")), ("1 234,56 EUR", (1234.56, "EUR")),
    ("1\u202f234,56\u00a0€", (1234.56, "EUR")), ("USD 1,000", (1000.0, "USD")), ("usd 5", (5.0, "USD")),
    ("(1,000)", (-1000.0, None)), ("-$5", (-5.0, "USD")), ("$-5", (-5.0, "USD")), ("5-", (-5.0, None)),
    ("+5", (5.0, None)),
    ("1,054", (1054.0, None)),  # one separator + three digits after 1-3 digits: thousands
    ("1.054", (1054.0, None)),
    ("0.125", (0.125, None)),  # ... but not after a lone 0
    ("1234.567", (1234.567, None)),  # ... nor after four digits
    ("1,5", (1.5, None)),  # otherwise a decimal mark
    ("12,50", (12.5, None)),
    ("1,234,567", (1234567.0, None)),  # repeated: thousands
    ("1.234.567,89", (1234567.89, None)),  # both: the last is the decimal mark
    ("1'234.50", (1234.5, None)), ("R$ 10,50", (10.5, "BRL")), ("CA$12", (12.0, "CAD")), ("1054", (1054.0, None)),
    ("", (None, None)),
])
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


def test_the_file_can_name_its_decimal_mark():
    assert parse_amount("1.054", decimal=".") == (1.054, None)
    assert parse_amount("1,054", decimal=",") == (1.054, None)
    assert parse_amount("1.234,5", decimal=",") == (1234.5, None)
    with pytest.raises(ValueProblem, match="misplaced decimal separator"):
        parse_amount("1,234,567", decimal=",")


@pytest.mark.parametrize(("text", "reason"), [
    ("12,34,567", "misplaced thousands separator"), ("1,2345,678", "misplaced thousands separator"),
    ("12 kg", "unknown currency 'kg'"), ("$100 EUR", "two currencies"), ("--5", "more than one sign"),
    ("(-5)", "more than one sign"), ("1e5", "not an amount"), ("abc", "not an amount"),
])
def test_bad_amounts(text, reason):
    with pytest.raises(ValueProblem, match=reason):
        parse_amount(text)


_STYLES = {"us": (",", "."), "eu": (".", ","), "fr": ("\u202f", ","), "ch": ("'", "."), "space": (" ", ",")}


@given(st.integers(0, 10**13), st.sampled_from(sorted(_STYLES)), st.booleans(), st.booleans(),
       st.sampled_from(["", "$", "€", "EUR ", " USD", "£"]))
def test_any_amount_with_thousands_separators_parses_back(cents, style, with_cents, negative, currency):
    thousands, decimal = _STYLES[style]
    whole = f"{cents // 100:,}".replace(",", thousands)
    text = whole + (f"{decimal}{cents % 100:02d}" if with_cents else "")
    text = (f"{currency}{text}" if not currency.startswith(" ") else f"{text}{currency}")
    text = f"({text})" if negative else text
    value = (cents / 100 if with_cents else float(cents // 100)) * (-1 if negative else 1)
    code = {"": None, "$": "USD", "€": "EUR", "EUR ": "EUR", " USD": "USD", "£": "GBP"}[currency]
    assert parse_amount(text) == (value, code)
