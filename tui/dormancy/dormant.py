"""Dormant accounts: customers who paid once and nobody has touched for the playbook's dormancy period, most value
at risk first. The header says whose (s: mine, unowned, everyone's), how many and how much revenue they carry,
and what was revived this month; o re-sorts. Enter opens the account, z snoozes it, E enrolls its best contact in
the re-engagement sequence, a assigns it and ctrl+a deals out the unowned ones (managers and founders).

Rows load in a thread worker; the services (the workbench's dormancy desk) run in the dialogs' workers
(tui/dormancy/dialogs.py) or, for E, in this screen's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from revdesk.core.common.errors import EnrollmentRefused, InvalidInput, RevdeskError
from revdesk.core.common.models import User
from revdesk.core.dormancy.definition import DormantAccount, RevivalRow, quiet_for
from revdesk.db.workbench import ASSIGNERS, ListScope
from revdesk.tui.commands import DORMANT_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill, shorten
from revdesk.tui.common.returning import ReloadsOnReturn
from revdesk.tui.common.text import when
from revdesk.tui.common.workers import ShowsWorkerFailures

Sort = Literal["value", "lifetime", "quiet"]
SCOPES: tuple[ListScope, ...] = ("mine", "unowned", "all")
SCOPE_LABELS = {"mine": "Mine", "unowned": "Unowned", "all": "Everyone's"}
SORTS: tuple[Sort, ...] = ("value", "lifetime", "quiet")
SORT_LABELS = {"value": "value at risk", "lifetime": "lifetime revenue", "quiet": "longest quiet"}
# Fixed column widths; the account's name takes what is left.
MIN_ACCOUNT = 24
ROWS_SHOWN = 300  # the first 300 in the chosen order are drawn; the header counts them all


def default_scope(role: str) -> ListScope:
    """Managers and founders watch everyone's accounts; reps start with their own."""
    return "all" if role in ASSIGNERS else "mine"


def next_scope(scope: ListScope) -> ListScope:
    return SCOPES[(SCOPES.index(scope) + 1) % len(SCOPES)]


def sort_accounts(accounts: list[DormantAccount], sort: Sort) -> list[DormantAccount]:
    """Value at risk keeps the desk's order; the others sort on their figure, then on the account id."""
    if sort == "lifetime":
        return sorted(accounts, key=lambda a: (-a.lifetime_revenue, a.account_id))
    if sort == "quiet":
        return sorted(accounts, key=lambda a: (a.quiet_since, a.account_id))
    return list(accounts)


def plural(n: int, noun: str, many: str | None = None) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {many or noun + 's'}"


def revival_text(rows: list[RevivalRow], user_id: int | None, base: str) -> str:
    """'Revived this month: 2 accounts · 1 deal reopened · 12,000 EUR won', for one person or for all rows."""
    mine = [r for r in rows if user_id is None or r.user_id == user_id]
    revived = sum(r.revived for r in mine)
    reopened = sum(r.deals_reopened for r in mine)
    revenue = sum(r.revived_revenue for r in mine)
    if not (revived or reopened or revenue):
        return "Revived this month: nothing yet"
    return (f"Revived this month: {plural(revived, 'account')} · {plural(reopened, 'deal')} reopened · "
            f"{revenue:,.0f} {base} won")


def day(moment: datetime | None, tz: ZoneInfo, missing: str, now: datetime | None = None) -> str:
    """`04 Aug 2025`; this year's days go without the year when `now` is given."""
    if moment is None:
        return missing
    return when(moment, now, tz, clock=False) if now is not None else f"{moment.astimezone(tz):%d %b %Y}"


def amount_cell(value: float, style: str = "") -> Text:
    return Text(f"{value:,.0f}", style=style, justify="right")


def enroll_refusal(exc: Exception) -> str:
    """Why E enrolled nobody, about the account's best contact rather than record ids."""
    if isinstance(exc, EnrollmentRefused):
        return f"its best contact {exc.why}"
    if isinstance(exc, InvalidInput):
        return exc.reason
    return str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Loaded:
    scope: ListScope
    accounts: list[DormantAccount]  # listed (not snoozed), most value at risk first
    count: int  # dormant in the scope, snoozed ones included (snoozing hides an account, it does not wake it)
    lifetime: float  # their lifetime revenue, base currency
    revival: list[RevivalRow]  # this month's, per owner
    users: list[User]
    warning: str | None = None  # won revenue in a currency the playbook has no rate for


class DormantScreen(ShowsWorkerFailures, ReloadsOnReturn, Screen):
    AUTO_FOCUS = "#dormant"
    COMMANDS_LIST = DORMANT_COMMANDS
    BINDINGS = bindings(DORMANT_COMMANDS)
    DEFAULT_CSS = """
    DormantScreen #dormant-title {
        height: auto;
        padding: 0 1;
    }
    DormantScreen #dormant-empty {
        height: auto;
        padding: 1 2;
        color: $text-muted;
    }
    DormantScreen #dormant {
        height: 1fr;
    }
    """

    def __init__(self, scope: ListScope | None = None) -> None:
        super().__init__()
        self.scope: ListScope | None = scope  # decided on mount from my role when not given
        self.sort: Sort = "value"
        self.loaded: Loaded | None = None
        self.rows: list[DormantAccount] = []  # as shown, in the current sort
        self._filled_width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading dormant accounts…", id="dormant-title")
        yield Static("", id="dormant-empty")
        yield DataTable(id="dormant", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        bench = self.app.workbench
        self.desk = bench
        self.scope = self.scope or default_scope(bench.user.role)
        self.title = "Dormant accounts"
        self.query_one("#dormant-empty").display = False
        self.reload()

    # -- loading ----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self._title(loading=True)
        self.load(self.scope or "mine")

    @work(thread=True, exclusive=True, group="dormant", exit_on_error=False)
    def load(self, scope: ListScope) -> None:
        from revdesk.core.analytics.metrics import period_bounds

        desk = self.desk
        try:
            everything = desk.dormant(scope, snoozed=True)
            now = desk.now()
            accounts = [a for a in everything if a.snoozed_until is None or a.snoozed_until <= now]
            start, end = period_bounds("month", desk.now().date(), desk.tz)
            revival = desk.revival([(f"{start:%Y-%m}", start, end)])
            users = desk.users()
            warning = desk.currency_warning()
        except Exception as exc:  # noqa: BLE001 - shown to the user; the screen stays usable
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._failed, reason)
            return
        loaded = Loaded(scope, accounts, len(everything), sum(a.lifetime_revenue for a in everything), revival,
                        users, warning)
        self.app.call_from_thread(self.show, loaded)

    def _failed(self, reason: str) -> None:
        self.query_one("#dormant-title", Static).update(Text(f"Could not load the dormant accounts: {reason}", "red"))

    def show(self, loaded: Loaded) -> None:
        if not self.is_attached or loaded.scope != self.scope:  # closed, or the scope changed again meanwhile
            return
        self.loaded = loaded
        self._fill()
        self._title(loading=False)

    def _fill(self) -> None:
        """The rows in the current sort, the cursor kept on the account it was on (or at the same place)."""
        if self.loaded is None:
            return
        table = self.query_one("#dormant", DataTable)
        before, row = self.selected(), table.cursor_row
        ranked = sort_accounts(self.loaded.accounts, self.sort)
        self.rows = ranked[:ROWS_SHOWN]  # the top of the order; `revdesk dormant --json` gives them all
        base, tz = self.desk.playbook.currency.base, self.desk.tz
        self._filled_width = self.app.size.width
        columns = [Column("Account", "name", MIN_ACCOUNT), Column("Owner", "name", 10, drop=1),
                   Column(f"Lifetime ({base})", right=True), Column("Last won", drop=2), Column("Last touch"),
                   Column("Quiet", right=True), Column("Value at risk", right=True)]
        now = self.desk.now()
        widths = fill(table, columns, [[
            Text(a.name, style="bold"), Text(a.owner_name) if a.owner_name else Text("—", style="yellow"),
            amount_cell(a.lifetime_revenue), day(a.last_won_at, tz, "—", now),
            Text(day(a.last_touch_at, tz, "never", now), style="" if a.last_touch_at else "dim"),
            Text(quiet_for(a.days_dormant), justify="right"), amount_cell(a.value_at_risk, "bold")]
            for a in self.rows], keys=[str(a.account_id) for a in self.rows], available=self.size.width or None)
        ids = [a.account_id for a in self.rows]
        if before is not None and before.account_id in ids:
            table.move_cursor(row=ids.index(before.account_id))
        elif ids:
            table.move_cursor(row=min(row, len(ids) - 1))
        empty = self.query_one("#dormant-empty", Static)
        if len(ranked) > len(self.rows):
            more = Text(f"… {len(ranked) - len(self.rows):,} more in this order: narrow the scope, or"
                        " `revdesk dormant --json` lists them all", style="dim italic")
            shown = [w for w in widths if w is not None]
            table.add_row(shorten(more, shown[0]), *([""] * (len(shown) - 1)), key="more")
        empty.display = not self.rows
        table.display = bool(self.rows)
        if self.rows and self.focused is None:
            table.focus()
        if not self.rows:
            days = self.desk.playbook.dormancy.days
            empty.update(f"No dormant accounts in this scope. Customers go dormant after {days} days without a "
                         "touch.")

    def _title(self, loading: bool) -> None:
        scope = self.scope or "mine"
        chips = Text("Scope ", style="dim")
        for s in SCOPES:
            chips.append(f" {SCOPE_LABELS[s]} ", style="reverse bold" if s == scope else "dim")
        chips.append(f"   Sorted by {SORT_LABELS[self.sort]}", style="bold")
        chips.append("  ·  s scope · o sort · enter opens", style="dim")
        loaded = self.loaded if self.loaded is not None and self.loaded.scope == scope else None
        if loading or loaded is None:
            chips.append("\nloading…", style="dim italic")
            self.query_one("#dormant-title", Static).update(chips)
            return
        base = self.desk.playbook.currency.base
        figures = Text(plural(loaded.count, "dormant account"), style="bold")
        figures.append(f" · {loaded.lifetime:,.0f} {base} lifetime revenue")
        snoozed = loaded.count - len(loaded.accounts)
        if snoozed:
            figures.append(f" · {snoozed:,} snoozed, not listed", style="dim")
        figures.append("\n")
        me = self.desk.user.id if scope == "mine" else None
        figures.append(revival_text(loaded.revival, me, base), style="green")
        if loaded.warning:
            figures.append(f"\n{loaded.warning}", style="yellow")
        self.query_one("#dormant-title", Static).update(Text.assemble(chips, "\n", figures))

    def selected(self) -> DormantAccount | None:
        tables = list(self.query("#dormant").results(DataTable))
        if not tables or not self.rows or not 0 <= tables[0].cursor_row < len(self.rows):
            return None
        return self.rows[tables[0].cursor_row]

    def _chosen(self) -> DormantAccount | None:
        account = self.selected()
        if account is None:
            self.notify("No account selected." if self.loaded is not None else "Still loading…")
        return account

    def on_resize(self) -> None:
        if self.app.size.width != self._filled_width:
            self._fill()  # the account column takes the width left

    # -- keys -------------------------------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        account = self._chosen()
        if account is not None:
            from revdesk.tui.navigation import OpenAccount

            self.app.post_message(OpenAccount(account.account_id))

    def action_scope(self) -> None:
        self.scope = next_scope(self.scope or "mine")
        self.reload()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._fill()
        self._title(loading=self.loaded is None)

    def action_snooze(self) -> None:
        account = self._chosen()
        if account is not None:
            from revdesk.tui.dormancy.dialogs import SnoozeModal

            self.app.push_screen(SnoozeModal(self.desk, account), self._told)

    def refusal(self) -> str | None:
        """The service's own words when I may not assign dormant accounts."""
        from revdesk.db.workbench import assign_refusal

        return assign_refusal(self.desk.user)

    def _may_assign(self) -> bool:
        refused = self.refusal()
        if refused:
            self.notify(refused[:1].upper() + refused[1:], severity="warning")
        return refused is None

    def action_assign(self) -> None:
        account = self._chosen()
        if account is not None and self.loaded is not None and self._may_assign():
            from revdesk.tui.dormancy.dialogs import AssignModal

            self.app.push_screen(AssignModal(self.desk, account, self.loaded.users), self._told)

    def action_assign_bulk(self) -> None:
        if self.loaded is None:
            self.notify("Still loading…")
        elif self._may_assign():
            from revdesk.tui.dormancy.dialogs import BulkAssignModal

            self.app.push_screen(BulkAssignModal(self.desk, self.loaded.users), self._told)

    def _told(self, message: str | None) -> None:
        """A dialog's outcome (the list reloads as this screen comes back)."""
        if message:
            self.notify(message, timeout=5)

    def action_enroll(self) -> None:
        account = self._chosen()
        if account is not None:
            self._enroll(account)

    @work(thread=True, exclusive=True, group="dormant-enroll", exit_on_error=False)
    def _enroll(self, account: DormantAccount) -> None:
        try:
            enrolled, sequence = self.desk.enroll_dormant(account.account_id)
        except Exception as exc:  # noqa: BLE001 - shown to the user; nothing was written
            self.app.call_from_thread(self.notify, f"Could not enroll {account.name}: {enroll_refusal(exc)}",
                                      severity="error")
            return
        if not enrolled.enrollments:
            why = "; ".join(enrolled.refused.values()) or "refused"
            self.app.call_from_thread(self.notify, f"Could not enroll {account.name}: {why}", severity="error")
            return
        mine = account.owner_id in (None, self.desk.user.id)  # an unowned account's steps come to me
        whose = "your" if mine else f"{account.owner_name}'s"
        self.app.call_from_thread(
            self.notify, f"{account.name}: best contact enrolled in '{sequence}'; its steps land in {whose} Today",
            timeout=5)

    def action_cursor_down(self) -> None:
        for table in self.query("#dormant").results(DataTable):  # keys may come before the table is mounted
            table.action_cursor_down()

    def action_cursor_up(self) -> None:
        for table in self.query("#dormant").results(DataTable):
            table.action_cursor_up()

    def action_refresh(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
