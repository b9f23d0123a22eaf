"""Derived account facts: status from won revenue."""

from __future__ import annotations

from datetime import datetime, timedelta

CUSTOMER_WITHIN = timedelta(days=730)


def account_status(lifetime_revenue: float, last_won_at: datetime | None, now: datetime) -> str:
    """customer: won revenue within two years; former customer: won revenue only before; else prospect."""
    if lifetime_revenue <= 0 or last_won_at is None:
        return "prospect"
    return "customer" if now - last_won_at <= CUSTOMER_WITHIN else "former customer"
