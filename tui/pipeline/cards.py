"""The text of the pipeline's lanes: a lane's header lines and each card's three lines, cut to the lane's width.
Names shorten with …; an amount, a count and a number of days are never cut."""

from __future__ import annotations

from rich.text import Text

from revdesk.core.pipeline import lanes as pl
from revdesk.core.pipeline.lanes import Card, Lane
from revdesk.tui.common.text import cut


def _with_owner(text: str, owner: str | None, width: int, show_owner: bool, whole: bool = False) -> Text:
    """`text · owner`; a `whole` text (an amount) is never cut: the owner shortens, then goes, first."""
    if not show_owner:
        return Text(text if whole else cut(text, width))
    tail = f" · {pl.short_name(owner)}"
    if whole and len(text) + len(tail) > width:
        room = width - len(text)
        return Text.assemble(text, (cut(tail, room), "dim")) if room >= 5 else Text(text)
    return Text.assemble(cut(text, max(width - len(tail), 8)), (tail, "dim"))


def deal_lines(card: Card, stale_after: int | None, width: int, show_owner: bool = True) -> list[Text]:
    """Name; amount · owner; days in stage, with a yellow (red past twice the limit) stale tag."""
    amount = pl.money(card.amount, card.currency) if card.amount else "no amount"
    if card.stale:
        style = "bold white on red" if stale_after and card.age_days >= 2 * stale_after else "bold black on yellow"
        age = Text.assemble((f" stale {card.age_days} d ", style), " in stage")
    else:
        age = Text(f"{card.age_days} d in stage", "dim")
    return [Text(cut(card.title, width), "bold"), _with_owner(amount, card.owner_name, width, show_owner, True), age]


def lead_lines(card: Card, width: int, show_owner: bool = True) -> list[Text]:
    """Name; account · owner; score and days in status."""
    status = f"score {card.score} · {card.age_days} d in status"
    return [Text(cut(card.title, width), "bold"), _with_owner(card.subtitle, card.owner_name, width, show_owner),
            Text(status if len(status) <= width else status.removesuffix(" in status"), "dim")]


def header_lines(lane: Lane | None) -> list[Text]:
    """Three lines: the count (and how many are stale), then the lane's amounts."""
    if lane is None:
        return [Text("loading…", "dim italic"), Text(), Text()]
    if lane.side == "sdr":
        return [Text(f"{lane.count:,} leads", "bold"), Text("best score first", "dim"), Text()]
    total = Text(pl.money_list(lane.total_amount))
    if lane.closed:
        return [Text(f"{lane.count:,} in {pl.CLOSED_WINDOW_DAYS} days", "bold"), total, Text()]
    head = Text(f"{lane.count:,} deal{'' if lane.count == 1 else 's'}", "bold")
    if lane.stale_count:
        head.append(f" · {lane.stale_count:,} stale", "yellow")
    return [head, total, Text(f"weighted {pl.money_list(lane.weighted_amount)}", "dim")]


def fit_line(text: Text, width: int) -> Text:
    text = text.copy()
    text.truncate(width, overflow="ellipsis", pad=True)
    return text
