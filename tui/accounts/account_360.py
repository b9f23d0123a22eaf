"""Account 360: one company at a glance. A header with its facts, revenue and company intelligence; its
contacts by buying role; its deals; and tabs with the activity timeline, handoffs and owner history.
Enter on a contact opens call mode on them; Esc goes back."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from revdesk.core.accounts.view import AccountDealRow, AccountView, ago, intelligence_line, role_label
from revdesk.core.common.errors import RevdeskError
from revdesk.tui.commands import ACCOUNT_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill
from revdesk.tui.common.literal import LiteralTable
from revdesk.tui.common.returning import ReloadsOnReturn
from revdesk.tui.common.text import money, when
from revdesk.tui.common.workers import ShowsWorkerFailures

ROLE_STYLES = {
    "decision_maker": "bold magenta", "approver": "bold yellow", "champion": "bold green",
    "influencer": "cyan", "user": "", "blocker": "bold red",
}
STATUS_STYLES = {"customer": "bold green", "former customer": "yellow", "prospect": "cyan"}
HANDOFF_STYLES = {"pending": "yellow", "accepted": "green", "rejected": "red"}
TABS = ["tab-timeline", "tab-handoffs", "tab-owners"]
TIMELINE_LIMIT = 60
# Facts (stages, scores, amounts, dates, "138 days ago") keep their width; names and notes shorten first.
CONTACT_COLUMNS = [Column("Buying role"), Column("Name", "name", 14), Column("Title", "name", 12, drop=2),
                   Column("Lifecycle"), Column("Lead status"), Column("Score", right=True),
                   Column("Owner", "name", 8, drop=1), Column("Last touch")]
DEAL_COLUMNS = [Column("Deal", "name", 16), Column("Stage"), Column("Amount", right=True),
                Column("Owner", "name", 8, drop=1), Column("Stage since"), Column("Closed"), Column("Expected close")]
TIMELINE_COLUMNS = [Column("When"), Column("What"), Column("Contact", "name", 12), Column("By", drop=1),
                    Column("Note", "name", 20)]
HANDOFF_COLUMNS = [Column("Sent"), Column("Kind"), Column("From", "name", 8), Column("To", "name", 8),
                   Column("Contact", "name", 10), Column("Status"), Column("Decided"),
                   Column("Reject reason", "name", 12)]
OWNER_COLUMNS = [Column("When"), Column("Record", "name", 16), Column("From", "name", 8), Column("To", "name", 8),
                 Column("Why", "name", 12)]
def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def header_panel(view: AccountView, now: datetime) -> Group:
    """Name and status, the intelligence line, then the company's facts in two columns."""
    a = view.account
    head = Text(a.name, style="bold")
    head.append(f"  {a.status}", style=STATUS_STYLES.get(a.status, ""))
    if view.dormant is not None:
        head.append(f"  dormant: {view.dormant.reason()}", style="bold red")
        if view.dormant.snoozed_until and view.dormant.snoozed_until > now:
            head.append(f" (snoozed to {view.dormant.snoozed_until:%d %b}: {view.dormant.snooze_reason})", style="dim")
    intel = Text(intelligence_line(a), style="bold magenta")
    grid = LiteralTable.grid(padding=(0, 1))  # the company's facts as written
    for style in ("dim", "", "dim", ""):
        grid.add_column(style=style, no_wrap=True)
    size = f"{a.employees:,} employees" if a.employees else "size unknown"
    grid.add_row("Domain", a.domain or "—", "Owner", Text(a.owner_name or "unowned",
                                                          style="" if a.owner_name else "yellow"))
    grid.add_row("Industry", f"{a.industry or '—'} · {size}", "Country", f"{a.country or '—'} · {a.timezone or '—'}")
    grid.add_row("Revenue", Text(f"{money(view.lifetime_revenue, view.currency or 'EUR')} lifetime", style="bold"),
                 "Pipeline", f"{money(view.open_pipeline, view.currency or 'EUR')} open")
    grid.add_row("Touched", ago(a.last_touch_at, now), "People",
                 f"{_count(len(view.contacts), 'contact')} · {_count(len(view.deals), 'deal')}")
    return Group(head, intel, grid)


class AccountScreen(ShowsWorkerFailures, ReloadsOnReturn, Screen):
    AUTO_FOCUS = "#account-contacts"
    COMMANDS_LIST = ACCOUNT_COMMANDS
    BINDINGS = bindings(ACCOUNT_COMMANDS)
    DEFAULT_CSS = """
    AccountScreen #account-head {
        height: auto;
        min-height: 8;
    }
    AccountScreen DataTable {
        border: round $primary 50%;
        border-title-color: $accent;
        border-subtitle-color: $text-muted;
        &:focus {
            border: round $accent;
        }
    }
    AccountScreen #account-contacts {
        height: auto;
        max-height: 14;
    }
    AccountScreen #account-deals {
        height: auto;
        max-height: 9;
    }
    AccountScreen #account-body {
        height: 1fr;
    }
    AccountScreen #account-tabs {
        height: 1fr;
        min-height: 12;
        & ContentSwitcher, & TabPane {
            height: 1fr;
            padding: 0;
        }
        & DataTable {
            height: 1fr;
            max-height: 100%;
            border: none;
        }
    }
    """

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.shown: AccountView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        # One scrolling body: on a short screen the history tabs keep their room below, reached by Tab.
        with VerticalScroll(id="account-body", can_focus=False):
            yield Static("Loading the account…", id="account-head", classes="panel")
            yield DataTable(id="account-contacts", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="account-deals", cursor_type="row", zebra_stripes=True)
            with TabbedContent(id="account-tabs"):
                with TabPane("Timeline", id="tab-timeline"):
                    yield DataTable(id="account-timeline", cursor_type="row", zebra_stripes=True)
                with TabPane("Handoffs", id="tab-handoffs"):
                    yield DataTable(id="account-handoffs", cursor_type="row", zebra_stripes=True)
                with TabPane("Owner history", id="tab-owners"):
                    yield DataTable(id="account-owners", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Account 360"
        self.query_one("#account-head").border_title = "Account"
        self.query_one("#account-contacts").border_title = "Contacts"
        self.query_one("#account-deals").border_title = "Deals"
        self.load()

    def reload(self) -> None:
        """Back from call mode: the timeline and statuses may have moved on."""
        self.load()

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def load(self) -> None:
        bench = self.app.workbench
        try:
            view = bench.account_view(self.account_id, TIMELINE_LIMIT)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the screen stays usable
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._failed, reason)
            return
        self.app.call_from_thread(self.show_view, view)

    def _failed(self, reason: str) -> None:
        self.query_one("#account-head", Static).update(Text(f"Could not load the account: {reason}", style="red"))
        self.notify(reason, severity="error", timeout=6)

    def show_view(self, view: AccountView) -> None:
        if not self.is_attached:  # closed while the worker ran
            return
        first = self.shown is None
        self.shown = view
        bench = self.app.workbench
        now = bench.now()
        self.title = f"Account 360 · {view.account.name}"
        self.query_one("#account-head", Static).update(header_panel(view, now))
        intel = intelligence_line(view.account)

        contacts = self.query_one("#account-contacts", DataTable)
        selected = self.selected_contact()
        contacts.border_title = f"Contacts ({len(view.contacts)}) · enter calls"
        contacts.border_subtitle = intel
        fill(contacts, CONTACT_COLUMNS, [[
            Text(role_label(c.buying_role), style=ROLE_STYLES.get(c.buying_role or "", "dim")),
            Text(c.name, style="bold"), c.title or "", c.lifecycle_stage, c.lead_status,
            Text(str(c.score), justify="right"), c.owner_name or Text("unowned", style="yellow"),
            ago(c.last_touch_at, now)] for c in view.contacts],
            keys=[str(c.id) for c in view.contacts], available=self._inner(bordered=True))
        ids = [c.id for c in view.contacts]
        if selected in ids:
            contacts.move_cursor(row=ids.index(selected))

        deals = self.query_one("#account-deals", DataTable)
        deals.border_title = f"Deals ({len(view.deals)})"
        deals.border_subtitle = intel
        rows = []
        for d in view.deals:
            style = "" if d.won is None else "green" if d.won else "red"
            rows.append([Text(d.name, style="bold"), Text(d.stage_label, style=style),
                         Text(money(d.amount, d.currency), justify="right"),
                         d.owner_name or Text("unowned", style="yellow"), self._day(d.stage_entered_at),
                         self._day(d.closed_at), d.expected_close_date or "—"])
        fill(deals, DEAL_COLUMNS, rows, keys=[str(d.id) for d in view.deals], available=self._inner(bordered=True))
        self._fill_history(view)
        if first:  # the account's name and facts first, whatever the focus scrolled to
            self.call_after_refresh(self.query_one("#account-body", VerticalScroll).scroll_home, animate=False)

    def _inner(self, bordered: bool) -> int:
        """The width a table has inside the screen, less its round border."""
        width = self.size.width or self.app.size.width
        return width - 2 if bordered else width

    def _day(self, moment: datetime | None) -> str:
        bench = self.app.workbench
        return when(moment, bench.now(), bench.tz, clock=False) if moment else "—"

    def on_resize(self) -> None:
        if self.shown is not None:
            self.show_view(self.shown)  # names grow or shorten; the facts keep their width

    def _fill_history(self, view: AccountView) -> None:
        bench = self.app.workbench
        now, tz, width = bench.now(), bench.tz, self._inner(bordered=False)
        timeline = self.query_one("#account-timeline", DataTable)
        fill(timeline, TIMELINE_COLUMNS, [[
            when(e.occurred_at, now, tz), e.kind + (f" · {e.outcome.replace('_', ' ')}" if e.outcome else ""),
            e.contact_name or "—", e.user_handle or "", (e.note or "").replace("\n", " ")] for e in view.timeline],
            available=width)
        kinds = {k.kind: k.label for k in bench.playbook.handoff.kinds}
        fill(self.query_one("#account-handoffs", DataTable), HANDOFF_COLUMNS, [[
            self._day(h.created_at), kinds.get(h.kind, h.kind), h.from_name, h.to_name, h.contact_name or "—",
            Text(h.status, style=HANDOFF_STYLES.get(h.status, "")), self._day(h.decided_at),
            h.reject_reason or ""] for h in view.handoffs], available=width)
        fill(self.query_one("#account-owners", DataTable), OWNER_COLUMNS, [[
            self._day(o.changed_at), f"{o.record_type.capitalize()}: {view.record_name(o.record_type, o.record_id)}",
            o.from_name or "unowned", o.to_name or "unowned", o.reason or ""] for o in view.owner_history],
            available=width)
        tabs = self.query_one("#account-tabs", TabbedContent)
        latest = "latest " if len(view.timeline) >= TIMELINE_LIMIT else ""
        tabs.get_tab("tab-timeline").label = f"Timeline ({latest}{len(view.timeline)})"
        tabs.get_tab("tab-handoffs").label = f"Handoffs ({len(view.handoffs)})"
        tabs.get_tab("tab-owners").label = f"Owner history ({len(view.owner_history)})"

    def selected_contact(self) -> int | None:
        """The contact under the cursor of the contacts table."""
        table = self.query_one("#account-contacts", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def _table(self) -> DataTable:
        """The table j/k move: the focused one, the open history tab's when the tabs have focus, else contacts."""
        focused = self.focused
        if isinstance(focused, DataTable):
            return focused
        tabs = self.query_one("#account-tabs", TabbedContent)
        if focused is not None and tabs in focused.ancestors and tabs.active_pane is not None:
            return tabs.active_pane.query_one(DataTable)
        return self.query_one("#account-contacts", DataTable)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "account-contacts":
            self.action_call()
        else:
            self.notify("Enter opens call mode from the contacts table (tab moves between panels).")

    def action_call(self) -> None:
        contact_id = self.selected_contact()
        if contact_id is None:
            self.notify("No contact to call at this account yet.")
            return
        from revdesk.tui.navigation import CallContact

        self.app.post_message(CallContact(contact_id))

    def action_handoff(self) -> None:
        """On the deals table, a won deal goes to customer success; elsewhere the selected contact to an AE."""
        from revdesk.tui.navigation import SendHandoff

        def sent(handoff_id: int | None) -> None:
            if handoff_id is not None:
                self.load()

        deals = self.query_one("#account-deals", DataTable)
        if self.focused is deals:
            deal = self._selected_deal()
            if deal is None or not deal.won:
                self.notify("Customer success takes over won deals: pick a won deal, or a contact to hand to an AE.")
                return
            self.app.post_message(SendHandoff("ae_cs", deal_id=deal.id, callback=sent))
            return
        contact_id = self.selected_contact()
        if contact_id is None:
            self.notify("No contact to hand off at this account yet.")
            return
        self.app.post_message(SendHandoff("sdr_ae", contact_id=contact_id, callback=sent))

    def _selected_deal(self) -> AccountDealRow | None:
        deals = self.query_one("#account-deals", DataTable)
        if self.shown is None or not deals.row_count:
            return None
        key = deals.coordinate_to_cell_key(deals.cursor_coordinate).row_key.value
        return next((d for d in self.shown.deals if str(d.id) == key), None)

    def action_enroll(self) -> None:
        """E: the selected contact into a sequence."""
        contact_id = self.selected_contact()
        if contact_id is None or self.shown is None:
            self.notify("No contact to enroll at this account yet.")
            return
        from revdesk.tui.navigation import Enroll

        name = next((c.name for c in self.shown.contacts if c.id == contact_id), "the contact")
        self.app.post_message(Enroll([contact_id], f"Enroll {name}"))

    def action_enroll_account(self) -> None:
        """ctrl+e: every contact of the account that may be contacted."""
        if self.shown is None:
            self.notify("The account is still loading.")
            return
        self._enroll_account(self.shown.account.name)

    @work(thread=True, exclusive=True, group="account-enroll", exit_on_error=False)
    def _enroll_account(self, name: str) -> None:
        ids, dnc = self.app.workbench.account_enroll_contacts(self.account_id)
        self.app.call_from_thread(self._open_enroll, ids, dnc, name)

    def _open_enroll(self, ids: list[int], dnc: list[str], name: str) -> None:
        if not ids:
            self.notify(f"No contact of {name} may be contacted: nobody to enroll.")
            return
        from revdesk.tui.navigation import Enroll

        title = f"Enroll {len(ids)} contact{'' if len(ids) == 1 else 's'} of {name}"
        self.app.post_message(Enroll(ids, title, left_out=dnc))

    def action_cursor_down(self) -> None:
        self._table().action_cursor_down()

    def action_cursor_up(self) -> None:
        self._table().action_cursor_up()

    def action_next_tab(self) -> None:
        tabs = self.query_one("#account-tabs", TabbedContent)
        position = TABS.index(tabs.active) if tabs.active in TABS else -1
        tabs.active = TABS[(position + 1) % len(TABS)]

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
