"""The default playbook restated in another base currency: the same rates, against the new base."""

from __future__ import annotations

from revdesk.core.playbook.base_currency import with_base_currency
from revdesk.core.playbook.check import parse_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK


def test_rates_are_restated_against_the_new_base():
    usd = parse_playbook(with_base_currency(DEFAULT_PLAYBOOK.read_text(encoding="utf-8"), "USD"))
    assert usd.currency.base == "USD"
    assert usd.currency.rates["EUR"] == round(1 / 0.92, 6)
    assert usd.currency.rates["GBP"] == round(1.17 / 0.92, 6)  # a pound in dollars, through the euro


def test_a_base_it_has_no_rate_for_leaves_the_playbook_as_it_was():
    text = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
    assert with_base_currency(text, "JPY") == text
    assert with_base_currency(text, "EUR") == text
