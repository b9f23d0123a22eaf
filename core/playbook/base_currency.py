"""A playbook counted in another base currency: the same exchange rates, restated against the new base. A new
database whose first import is a team's USD export counts its revenue in USD, not in the default playbook's EUR.
Pure: works on the playbook's TOML text."""

from __future__ import annotations

import re
import tomllib

_BASE = re.compile(r'(?m)^base = "[A-Z]{3}"$')
_RATES = re.compile(r"(?m)^rates = \{[^}\n]*\}$")


def with_base_currency(text: str, base: str) -> str:
    """`text` with [currency] base = `base` and its rates per unit of the new base; unchanged when it already
    counts in `base` or has no rate for it (then nothing could be restated)."""
    currency = tomllib.loads(text).get("currency", {})
    old = currency.get("base", "EUR")
    rates = {old: 1.0, **{code: float(rate) for code, rate in currency.get("rates", {}).items()}}
    if base == old or base not in rates:
        return text
    per_new = {code: round(rate / rates[base], 6) for code, rate in rates.items() if code != base}
    listed = ", ".join(f"{code} = {rate}" for code, rate in sorted(per_new.items()))
    return _RATES.sub(f"rates = {{ {listed} }}", _BASE.sub(f'base = "{base}"', text, count=1), count=1)
