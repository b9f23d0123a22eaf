"""Reviewing one handoff: its whole context (every field, the approver by name, title and buying role), the
sender, the SLA, the account's intelligence, the contact's score and activity timeline. The recipient accepts
(a deal starts at the first AE stage) or rejects with a reason and a note; anyone else sees how it was decided."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from revdesk.core.accounts.view import role_label
from revdesk.core.common.errors import RevdeskError
from revdesk.core.common.models import Contact, HandoffSummary
from revdesk.core.common.when import humanize_delta
from revdesk.core.playbook.model import Playbook
from revdesk.db.workbench import HandoffResult, HandoffReview
from revdesk.tui.commands import HANDOFF_REVIEW_COMMANDS, bindings
from revdesk.tui.common.literal import LiteralTable
from revdesk.tui.common.text import money, when
from revdesk.tui.common.workers import ShowsWorkerFailures
from revdesk.tui.dialogs.confirm import ConfirmModal

STATUS_STYLES = {"pending": "yellow", "accepted": "green", "rejected": "red"}
PAST_SLA_STYLE = "bold white on red"


def sla_text(h: HandoffSummary, now: datetime) -> Text:
    """'5 h left', 'past SLA by 3 h' (highlighted), or how it was decided."""
    if h.status != "pending":
        return Text(h.status.capitalize(), style=STATUS_STYLES.get(h.status, ""))
    if h.sla_due_at is None:
        return Text("Pending", style="yellow")
    if h.past_sla(now):
        return Text(f"past SLA by {humanize_delta(now - h.sla_due_at)}", style=PAST_SLA_STYLE)
    return Text(f"{humanize_delta(h.sla_due_at - now)} left", style="yellow")


def reason_label(playbook: Playbook, key: str | None) -> str:
    if not key:
        return ""
    try:
        return playbook.handoff.reason(key).label
    except KeyError:  # a reason the playbook has since dropped
        return key.replace("_", " ")


def person(contact: Contact) -> str:
    """'Lea Fischer, Finance Director (Approver)'."""
    title = f", {contact.title}" if contact.title else ""
    return f"{contact.name}{title} ({role_label(contact.buying_role)})"


def _grid() -> Table:
    grid = LiteralTable.grid(padding=(0, 2))  # names, answers and notes as written
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(ratio=1)
    return grid


def context_panel(review: HandoffReview, playbook: Playbook, tz: ZoneInfo, now: datetime) -> Group:
    h = review.handoff
    try:
        kind = playbook.handoff.kind(h.kind)
        fields = [(f.key, f.label, f.type) for f in kind.fields]
        kind_label = kind.label
    except KeyError:
        fields = [(key, key.replace("_", " ").capitalize(), "text") for key in h.context]
        kind_label = h.kind
    head = Text.assemble((f"{kind_label} handoff {h.id}", "bold"), f" from {h.from_name} to {h.to_name}",
                         (f" · sent {when(h.created_at, now, tz, weekday=True)}", "dim"))
    grid = _grid()
    for key, label, kind_of in fields:
        answer = str(h.context.get(key) or "").strip()
        # the playbook's labels and the sender's answers as written: "[/]" in either is text, not markup
        if not answer:
            grid.add_row(Text(label), Text("not given", style="red"))
        elif kind_of == "contact" and answer.isdigit():
            found = review.people.get(int(answer))
            grid.add_row(Text(label), Text(person(found), style="bold") if found
                         else Text(f"contact {answer} (no longer here)"))
        else:
            grid.add_row(Text(label), Text(answer))
    return Group(head, Text(""), grid)


def account_panel(review: HandoffReview) -> Group:
    a = review.account
    grid = _grid()
    grid.add_row("Industry", a.industry or "—")
    grid.add_row("Size", f"{a.employees:,} employees" if a.employees else "unknown")
    grid.add_row("Country", f"{a.country or '—'} · {a.timezone or 'timezone unknown'}")
    grid.add_row("ICP tier", a.icp_tier or "—")
    grid.add_row("Growth stage", a.growth_stage or "—")
    grid.add_row("Committee", f"{a.committee_complexity} complexity" if a.committee_complexity else "—")
    grid.add_row("Owner", a.owner_name or Text("unowned", style="yellow"))
    grid.add_row("Revenue", f"{money(a.lifetime_revenue, a.revenue_currency)} lifetime · {a.status}")
    return Group(Text(a.name, style="bold"), grid)


def contact_panel(review: HandoffReview) -> Group:
    c = review.contact
    if c is None:
        return Group(Text("No contact on this handoff", style="dim"))
    parts: list[Text] = [Text(person(c), style="bold"),
                         Text(f"{c.email or 'no email'} · {c.phone or 'no phone'}", style="dim"),
                         Text(f"lead {c.lead_status} · lifecycle {c.lifecycle_stage}", style="dim"), Text("")]
    if review.score is not None:
        parts.append(Text(f"Score {review.score.total}", style="bold"))
        parts += [Text(line) for line in review.score.explain()]
    return Group(*parts)


def timeline_panel(review: HandoffReview, tz: ZoneInfo, now: datetime) -> Table:
    table = LiteralTable(box=None, show_header=True, header_style="dim", expand=True, padding=(0, 1))
    for name in ("When", "What", "By"):
        table.add_column(name, no_wrap=True)
    table.add_column("Note", ratio=1)
    if not review.timeline:
        table.add_row("—", "no activity yet", "", "")
    for act in review.timeline:
        what = act.kind + (f" · {act.outcome.replace('_', ' ')}" if act.outcome else "")
        table.add_row(when(act.occurred_at, now, tz), what, act.user_handle or "", act.note or "")
    return table


class HandoffReviewScreen(ShowsWorkerFailures, Screen):
    COMMANDS_LIST = HANDOFF_REVIEW_COMMANDS
    BINDINGS = bindings(HANDOFF_REVIEW_COMMANDS)
    DEFAULT_CSS = """
    HandoffReviewScreen #review-banner {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    HandoffReviewScreen #review-body {
        height: 1fr;
    }
    HandoffReviewScreen #review-middle {
        height: auto;
    }
    HandoffReviewScreen #review-account, HandoffReviewScreen #review-contact {
        width: 1fr;
    }
    """

    def __init__(self, handoff_id: int) -> None:
        super().__init__()
        self.handoff_id = handoff_id
        self.review: HandoffReview | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the handoff…", id="review-banner")
        with VerticalScroll(id="review-body"):
            yield Static(id="review-context", classes="panel")
            with Horizontal(id="review-middle"):
                yield Static(id="review-account", classes="panel")
                yield Static(id="review-contact", classes="panel")
            yield Static(id="review-timeline", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Handoff {self.handoff_id}"
        for name, title in (("context", "Context"), ("account", "Account"), ("contact", "Contact and score"),
                            ("timeline", "Activity timeline")):
            self.query_one(f"#review-{name}").border_title = title
        self.load()

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def load(self) -> None:
        bench = self.app.workbench
        try:
            review = bench.handoff_review(self.handoff_id)
        except Exception as exc:  # noqa: BLE001 - shown on screen; Esc still goes back
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._failed, f"Could not load handoff {self.handoff_id}: {reason}")
            return
        self.app.call_from_thread(self.show, review)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.refresh_bindings()
        self.query_one("#review-banner", Static).update(Text(message, style="bold red"))
        self.notify(message, severity="error", timeout=6)

    def show(self, review: HandoffReview) -> None:
        if not self.is_attached:
            return
        self.review = review
        bench = self.app.workbench
        tz = bench.tz
        h = review.handoff
        self.title = f"Handoff {h.id} · {h.contact_name or h.account_name}"
        self.query_one("#review-banner", Static).update(self.banner(h, bench.now()))
        self.query_one("#review-context", Static).update(context_panel(review, bench.playbook, tz, bench.now()))
        self.query_one("#review-account", Static).update(account_panel(review))
        self.query_one("#review-contact", Static).update(contact_panel(review))
        self.query_one("#review-timeline", Static).update(timeline_panel(review, tz, bench.now()))
        self.refresh_bindings()

    def banner(self, h: HandoffSummary, now: datetime) -> Text:
        bench = self.app.workbench
        tz = bench.tz
        if h.status == "pending":
            text = Text.assemble(("Pending  ", "bold"), sla_text(h, now))
            if h.sla_due_at is not None:
                text.append(f"  (SLA due {when(h.sla_due_at, now, tz, weekday=True)})", style="dim")
            if h.to_user_id == bench.user.id:
                text.append("  ·  a accepts, r rejects", style="dim")
            else:
                text.append(f"\nAddressed to {h.to_name}: only they can accept or reject it, so a and r are off.",
                            style="yellow")
            return text
        decided = when(h.decided_at, now, tz, weekday=True) if h.decided_at else "earlier"
        text = Text.assemble((f"{h.status.capitalize()} ", f"bold {STATUS_STYLES.get(h.status, '')}"),
                             f"by {h.to_name} on {decided}")
        if h.status == "accepted" and h.deal_id is not None:
            text.append(f" · deal {h.deal_id}")
        if h.status == "rejected":
            text.append(f" · {reason_label(bench.playbook, h.reject_reason)}", style="bold")
            if h.reject_note:
                text.append(f": {h.reject_note}")
        text.append("\nIt is no longer pending, so a and r are off.", style="dim")
        return text

    @property
    def can_decide(self) -> bool:
        h = self.review.handoff if self.review else None
        return h is not None and h.status == "pending" and h.to_user_id == self.app.workbench.user.id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Accept and reject show dimmed (and do nothing) unless the handoff waits for me."""
        if action in ("accept", "reject") and (self.busy or not self.can_decide):
            return None
        return True

    def action_accept(self) -> None:
        assert self.review is not None
        h = self.review.handoff
        if h.kind == "sdr_ae":
            stage = first_stage_label(self.app.workbench.playbook)
            question = (f"Accept handoff {h.id} from {h.from_name}? A deal for {h.account_name} starts in {stage},"
                        " owned by you (and the account becomes yours if no AE owns it yet).")
        else:
            question = f"Accept handoff {h.id} from {h.from_name}? {h.account_name} becomes yours."
        self.app.push_screen(ConfirmModal(question), lambda yes: yes and self._start_accept())

    def _start_accept(self) -> None:
        self.busy = True
        self.refresh_bindings()
        self._accept()

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def _accept(self) -> None:
        bench = self.app.workbench
        try:
            result = bench.accept_handoff(self.handoff_id)
        except Exception as exc:  # noqa: BLE001 - shown; nothing was written
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._accept_failed, f"Could not accept: {reason}")
            return
        self.app.call_from_thread(self._accepted, result)

    def _accept_failed(self, message: str) -> None:
        self._failed(message)
        self.load()  # it may have been decided elsewhere meanwhile

    def _accepted(self, result: HandoffResult) -> None:
        assert self.review is not None
        h = self.review.handoff
        if h.kind == "sdr_ae":
            self.app.notify(f"Deal {result.deal_id} created in {first_stage_label(self.app.workbench.playbook)}",
                            timeout=6)
        else:
            self.app.notify(f"Handoff {h.id} accepted: {h.account_name} is yours now", timeout=6)
        self.action_back()

    def action_reject(self) -> None:
        assert self.review is not None
        from revdesk.tui.handoffs.reject import RejectHandoffModal

        modal = RejectHandoffModal(self.review.handoff, list(self.app.workbench.playbook.handoff.reject_reasons))
        self.app.push_screen(modal, self._rejected)

    def _rejected(self, message: str | None) -> None:
        if message:
            self.app.notify(message, timeout=6)  # it names the reason's label and the people
            self.action_back()

    def action_account(self) -> None:
        if self.review is None:
            return
        from revdesk.tui.navigation import OpenAccount

        self.app.post_message(OpenAccount(self.review.handoff.account_id))

    def action_back(self) -> None:
        if self.is_current:
            self.app.pop_screen()


def first_stage_label(playbook: Playbook) -> str:
    """Where an accepted SDR handoff's deal starts: the first open stage an AE owns."""
    return next((s.label for s in playbook.stages if not s.closed and s.owner_role == "ae"), "the first stage")
