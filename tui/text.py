"""Small text helpers every screen shares: cutting to a width, and amounts with their currency."""

from __future__ import annotations


def cut(text: str | None, width: int) -> str:
    """One line of at most `width` characters, ending in … when cut."""
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def money(amount: float | None, currency: str | None = "EUR") -> str:
    """12,500 EUR; — when unknown; a total over several currencies says so."""
    if amount is None:
        return "—"
    return f"{amount:,.0f} {currency}" if currency else f"{amount:,.0f} (mixed currencies)"
