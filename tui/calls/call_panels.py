"""What call mode shows about a conversation: the person, their company, the open deal, the last touches."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.table import Table
from rich.text import Text

from revdesk.core.accounts.view import ago
from revdesk.core.common.models import CallContext, QueueItem
from revdesk.tui.common.literal import LiteralTable, label_grid
from revdesk.tui.common.text import money, when

ROLE_LABELS = {
    "decision_maker": "Decision maker", "approver": "Approver", "champion": "Champion",
    "influencer": "Influencer", "user": "User", "blocker": "Blocker",
}


def _grid() -> Table:
    return label_grid(fold=True)  # an address or a phone number folds onto the next line, never cut with …


def local_time(tz_name: str | None, now: datetime, hours: tuple[time, time]) -> Text:
    if not tz_name:
        return Text("unknown timezone", style="dim")
    local = now.astimezone(ZoneInfo(tz_name))
    text = Text(local.strftime("%H:%M %a"), style="bold")
    text.append(f"  {tz_name}", style="dim")
    if local.weekday() >= 5 or not hours[0] <= local.time() < hours[1]:
        text.append("  outside office hours", style="yellow")
    return text


def contact_panel(ctx: CallContext, now: datetime, hours: tuple[time, time]) -> Group:
    c = ctx.contact
    head = Text(c.name, style="bold")
    if c.do_not_contact:
        head.append("  DO NOT CONTACT", style="bold red")
    grid = _grid()
    grid.add_row("Title", c.title or "—")
    grid.add_row("Role", ROLE_LABELS.get(c.buying_role or "", c.buying_role or "—"))
    grid.add_row("Phone", Text(c.phone or "no phone", style="bold green" if c.phone else "red"))
    grid.add_row("Local", local_time(c.timezone, now, hours))
    grid.add_row("Email", c.email or "—")
    grid.add_row("Status", f"{c.lead_status} · lifecycle {c.lifecycle_stage}")
    grid.add_row("Score", score_line(ctx))
    grid.add_row("Source", (c.lead_source or "—") + ("  (inbound)" if c.inbound else ""))
    grid.add_row("Owner", ctx.owner_name or "unowned")
    grid.add_row("Touched", f"first {ago(c.first_touch_at, now)}, last {ago(c.last_touch_at, now)}")
    return Group(head, grid)


def score_line(ctx: CallContext) -> Text:
    """The score with its reasons: which rules gave how many points, and where it stands."""
    score = ctx.score
    if score is None:
        return Text(str(ctx.contact.score))
    level = {"sql": "SQL-ready", "mql": "MQL", "below mql": "below MQL"}[score.level]
    text = Text(f"{score.total} ", style="bold")
    text.append(level, style="green" if score.level == "sql" else "yellow" if score.level == "mql" else "dim")
    if score.reasons():
        text.append("  " + score.reasons(), style="dim")
    return text


def account_panel(ctx: CallContext, now: datetime) -> Group:
    a = ctx.account
    if a is None:
        return Group(Text("No account", style="dim"))
    head = Text(a.name, style="bold")
    head.append(f"  {a.status}", style="cyan")
    grid = _grid()
    grid.add_row("Domain", a.domain or "—")
    size = f"{a.employees:,} employees" if a.employees else "size unknown"
    grid.add_row("Industry", f"{a.industry or '—'} · {size} · {a.country or '?'}")
    grid.add_row("ICP fit", f"tier {a.icp_tier or '?'} · {a.growth_stage or 'stage ?'} · "
                            f"{a.committee_complexity or '?'} committee complexity")
    grid.add_row("Revenue", f"{money(a.lifetime_revenue, a.revenue_currency)} lifetime")
    grid.add_row("Owner", a.owner_name or "unowned")
    grid.add_row("Touched", ago(a.last_touch_at, now))
    d = ctx.open_deal
    if d is None:
        grid.add_row("Deal", Text("no open deal", style="dim"))
    else:
        grid.add_row("Deal", Text(f"{d.name}", style="bold"))
        grid.add_row("", f"{d.stage} · {money(d.amount, d.currency)} · close {d.expected_close_date or '?'}"
                         f" · {d.owner_name or 'unowned'}")
    return Group(head, grid)


def recent_panel(ctx: CallContext, tz: ZoneInfo, now: datetime) -> Table:
    table = LiteralTable(box=None, show_header=True, header_style="dim", expand=True, padding=(0, 1))
    table.add_column("When", no_wrap=True)
    table.add_column("What", no_wrap=True)
    table.add_column("Who", no_wrap=True)
    table.add_column("Note", ratio=1)
    if not ctx.recent:
        table.add_row("—", "no activity yet", "", "")
    for act in ctx.recent:
        what = act.kind + (f" · {act.outcome.replace('_', ' ')}" if act.outcome else "")
        table.add_row(when(act.occurred_at, now, tz), what, act.user_handle or "", act.note or "")
    return table


def item_banner(item: QueueItem, position: int, total: int) -> Text:
    text = Text(f" {position} of {total} ", style="reverse")
    text.append(f"  {item.reason}", style="bold")
    return text
