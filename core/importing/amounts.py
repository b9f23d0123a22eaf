"""Amounts as CRM exports write them: with a currency symbol or code on either side, thousands grouped by a comma,
dot, space or apostrophe, and either decimal mark (decided from the digits, or named by the file). Pure; part of
the cell parsers of core.importing.values."""

from __future__ import annotations

import re
from functools import cache

from revdesk.core.importing.values import ValueProblem

_SYMBOLS = {
    "$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY",
    "₪": "ILS", "₫": "VND", "฿": "THB", "₱": "PHP", "₴": "UAH", "₦": "NGN", "zł": "PLN", "R$": "BRL", "C$": "CAD",
    "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD", "S$": "SGD", "MX$": "MXN",
}
_MINUS = ("-", "\u2212")
_MOST_DIGITS = 13
_PLAIN_AMOUNT = re.compile(r"-?\d+(?:\.\d{1,2})?")
_AMOUNT = re.compile(
    r"([-+\u2212]?)\s*([^\d\s.,'+\-\u2212()]*)\s*([-+\u2212]?)\s*"
    r"(\d(?:[\d.,'\s]*\d)?)\s*(-?)\s*([^\d\s.,'+\-\u2212()]*)")
_GROUPED = re.compile(r"\d{1,3}(?:(?P<sep>[ '\u00a0\u202f.,])\d{3})(?:(?P=sep)\d{3})*")


@cache
def _iso_codes() -> frozenset[str]:
    import pycountry

    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def _currency(marker: str) -> str | None:
    if not marker or marker in _SYMBOLS:
        return _SYMBOLS.get(marker)
    if len(marker) == 3 and marker.isascii() and marker.isalpha() and marker.upper() in _iso_codes():
        return marker.upper()  # ISO 4217 only: "2 Mio" is no amount in MIO
    raise ValueProblem(f"unknown currency {marker!r}: write a three-letter code like EUR and the amount in digits")


def _number(digits: str, decimal: str | None) -> float:
    """The separators rule: see parse_amount."""
    digits = re.sub(r"[\s\u00a0\u202f]", " ", digits)
    marks = [c for c in digits if c in ".,"] if decimal is None else []
    if decimal is None and len(set(marks)) != 1:
        decimal = marks[-1] if marks else "."  # both: the last one; none: no fraction
    elif decimal is None:
        whole, _, fraction = digits.partition(marks[0])
        thousands = len(marks) > 1 or (len(fraction) == 3 and whole.isdigit() and len(whole) <= 3 and whole != "0")
        decimal = ("," if marks[0] == "." else ".") if thousands else marks[0]
    whole, _, fraction = digits.partition(decimal)
    if decimal in fraction or (fraction and not fraction.isdigit()):
        raise ValueProblem(f"misplaced decimal separator in {digits!r}")
    if not whole.isdigit():
        if not _GROUPED.fullmatch(whole):
            raise ValueProblem(f"misplaced thousands separator in {digits!r}")
        whole = re.sub(r"\D", "", whole)
    if len(whole.lstrip("0")) > _MOST_DIGITS:  # beyond this a float no longer holds every cent
        raise ValueProblem(f"{digits[:40]!r} is larger than any amount (at most {_MOST_DIGITS} digits before the"
                           " decimal mark)")
    return float(f"{whole}.{fraction or 0}")


def parse_amount(text: str, *, decimal: str | None = None) -> tuple[float | None, str | None]:
    """(amount, currency code or None); (None, None) when blank.

    Currency: a symbol ("€", "£", "$" read as USD, "R$", "CA$" ...) or any three-letter code ("EUR", "usd"),
    before or after the number; two markers that disagree are a problem. Negative: a leading or trailing minus
    or accounting parentheses "(1,000)"; more than one of them is a problem.
    Separators, unless `decimal` ("." or ",") names the decimal mark for the file: with both "." and "," the last
    one is the decimal mark; one of them repeated is the thousands separator ("1.234.567"); one alone followed by
    exactly three digits after a 1-3 digit whole part other than 0 is a thousands separator ("1,054" and "1.054" are
    1054, "0.125" and "1234.567" are decimals); otherwise it is the decimal mark ("1,5" is 1.5). Spaces,
    no-break spaces and apostrophes are thousands separators. Thousands groups must be of three digits."""
    text = text.strip()
    if not text:
        return None, None
    if _PLAIN_AMOUNT.fullmatch(text) and len(text) <= _MOST_DIGITS:
        return float(text), None
    negative = 0
    if text.startswith("(") and text.endswith(")"):
        negative, text = 1, text[1:-1].strip()
    if (match := _AMOUNT.fullmatch(text)) is None:
        raise ValueProblem(f"not an amount: {text[:40]!r}")
    sign, before, sign2, digits, trailing, after = match.groups()
    negative += (sign in _MINUS) + (sign2 in _MINUS) + (trailing == "-")
    if negative > 1 or (sign and sign2):
        raise ValueProblem(f"more than one sign in {text[:40]!r}")
    codes = {code for code in (_currency(before), _currency(after)) if code}
    if len(codes) > 1:
        raise ValueProblem(f"two currencies in {text[:40]!r}")
    if decimal not in (None, ".", ","):
        raise ValueError("decimal must be '.' or ','")
    value = _number(digits, decimal)
    return (-value if negative else value), (codes.pop() if codes else None)
