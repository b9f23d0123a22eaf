"""Call mode: one queue item at a time with everything the conversation needs. An outcome key logs the
call and the next item appears; n note, f follow-up, s skip, u undo, Esc back to Today. A sequence step
says what it asks for under the banner; e, d and ctrl+x work it (see step_actions.py)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from revdesk.core.analytics.kpi import KpiReport
from revdesk.core.common.errors import RevdeskError
from revdesk.core.common.models import CallContext, QueueItem
from revdesk.tui.calls.call_panels import account_panel, contact_panel, item_banner, recent_panel
from revdesk.tui.calls.kpi_bar import KpiBar
from revdesk.tui.calls.outcome_bar import OutcomeBar
from revdesk.tui.commands import CALL_COMMANDS, bindings
from revdesk.tui.common.text import their_time as _when
from revdesk.tui.common.workers import ShowsWorkerFailures
from revdesk.tui.sequences import step_actions

LAST_HINT = "   N note · F follow-up on them · u undo"


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, RevdeskError) else f"Could not save: {type(exc).__name__}: {exc}"


@dataclass
class Shown:
    items: list[QueueItem]
    item: QueueItem | None
    context: CallContext | None


class CallScreen(ShowsWorkerFailures, Screen):
    COMMANDS_LIST = CALL_COMMANDS
    LOGS_OUTCOMES = True  # the help screen lists the playbook's outcome keys too
    BINDINGS = bindings(CALL_COMMANDS)

    def __init__(self, items: list[QueueItem], start: QueueItem | None, contact_id: int | None = None) -> None:
        super().__init__()
        self.items = items
        self.item: QueueItem | None = start
        self.open_contact = contact_id
        self.context: CallContext | None = None
        self.skipped: set[tuple[str, int]] = set()
        self.busy = False
        self.logged = 0
        self.last_logged: QueueItem | None = None

    def compose(self) -> ComposeResult:
        outcomes = self.app.workbench.playbook.outcomes
        for number, outcome in enumerate(outcomes, 1):
            self._bindings.bind(f"{number},{outcome.letter}", f"outcome('{outcome.key}')", outcome.label, show=False)
        yield Header()
        yield KpiBar(id="kpi")
        yield Static(id="banner")
        yield step_actions.StepNote(id="step-note")
        yield Static(id="last-action")
        with VerticalScroll(id="call-body"):
            with Horizontal(id="panels"):
                yield Static(id="contact", classes="panel")
                yield Static(id="account", classes="panel")
            yield Static(id="recent", classes="panel")
        yield OutcomeBar(outcomes, id="outcomes")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Call mode"
        self.query_one("#contact").border_title = "Contact"
        self.query_one("#account").border_title = "Account"
        self.query_one("#recent").border_title = "Last activities"
        if self.open_contact is not None:
            self.busy = True
            self._load_contact(self.open_contact)
        elif self.item is not None:
            self._load(self.items, self.item)

    @classmethod
    def for_contact(cls, contact_id: int) -> CallScreen:
        """Call mode on any contact (from search): its queue item if it has one, else the contact alone."""
        return cls([], None, contact_id)

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def _load_contact(self, contact_id: int) -> None:
        bench = self.app.workbench
        items = bench.queue()
        context = bench.call_context(contact_id)
        item = next((i for i in items if i.contact_id == contact_id), None)
        if item is None:
            item = bench.adhoc_item(context)
            items = [item, *items]
        self.app.call_from_thread(self.show, Shown(items, item, context))

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def _load(self, items: list[QueueItem], item: QueueItem) -> None:
        context = self.app.workbench.call_context(item.contact_id)
        self.app.call_from_thread(self.show, Shown(items, item, context))

    def show(self, shown: Shown, kpi: KpiReport | None = None, message: str | None = None,
             after_call: bool = False) -> None:
        self.items = [i for i in shown.items if i.kind != "handoff"]
        self.item, self.context = shown.item, shown.context
        if kpi is not None:
            self.app.kpi = kpi
        self.busy = False
        bench = self.app.workbench
        now = bench.now()
        if self.item is None or self.context is None:
            self.query_one("#banner", Static).update(Text(" Queue clear ", style="reverse green"))
            self.query_one("#contact", Static).update(
                Text(f"Nothing left to call today. {self.logged} logged in this session.\n"
                     "Esc goes back to Today; u undoes the last outcome.", style="green"))
            self.query_one("#account", Static).update("")
            self.query_one("#recent", Static).update("")
        else:
            position = next((n for n, i in enumerate(self.items, 1) if i.key == self.item.key), 1)
            self.query_one("#banner", Static).update(item_banner(self.item, position, len(self.items)))
            hours = bench.playbook.working_hours.bounds()
            # Laid out again: the panels are as tall as what they hold (a narrow screen wraps more), and scroll.
            self.query_one("#contact", Static).update(contact_panel(self.context, now, hours))
            self.query_one("#account", Static).update(account_panel(self.context, now))
            self.query_one("#recent", Static).update(recent_panel(self.context, bench.tz, now))
        self.query_one(step_actions.StepNote).show_item(self.item if self.context else None)
        if message:
            line = Text.assemble(("✓ ", "green"), message)
            if after_call:
                line.append(LAST_HINT, style="dim")
            self.query_one("#last-action", Static).update(line, layout=False)

    def _next_after(self, items: list[QueueItem], exclude: tuple[str, int] | None) -> QueueItem | None:
        """The first item not skipped (and not `exclude`); when only skipped ones remain, start over. From a
        worker."""
        items = [i for i in items if i.kind != "handoff"]  # handoffs are decided in their own screen
        fresh = [i for i in items if i.key != exclude and i.key not in self.skipped]
        if fresh:
            return fresh[0]
        self.app.call_from_thread(lambda: self.skipped.clear())  # from a worker: screen state changes on the UI thread
        rest = [i for i in items if i.key != exclude]
        return rest[0] if rest else None

    def _advance(self, items: list[QueueItem], exclude: tuple[str, int] | None, kpi: KpiReport | None,
                 message: str | None, after_call: bool = False) -> None:
        """From a worker: show the next item, with the KPI and a message."""
        nxt = self._next_after(items, exclude)
        context = self.app.workbench.call_context(nxt.contact_id) if nxt else None
        self.app.call_from_thread(self.show, Shown(items, nxt, context), kpi, message, after_call)

    def _counted(self, item: QueueItem | None, step: int) -> None:
        """On the UI thread: how many calls this session logged, and the last one (n and f reach it)."""
        self.logged = max(self.logged + step, 0)
        self.last_logged = item

    def _start(self) -> QueueItem | None:
        """Claim the screen for one action; None (with a bell) while busy or when the queue is clear."""
        if self.busy or self.item is None:
            self.app.bell()
            return None
        self.busy = True
        return self.item

    def action_outcome(self, key: str) -> None:
        item = self._start()
        if item is not None:
            self._log(item, key)

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def _log(self, item: QueueItem, key: str) -> None:
        bench = self.app.workbench
        try:
            logged = bench.log_call(item.contact_id, key, task_id=item.task_id)
            self.app.call_from_thread(self._counted, item, 1)
            message = f"{bench.playbook.outcome(key).label}: {item.contact_name}"
            if logged.follow_up_due_at:
                message += f" · follow-up {_when(logged.follow_up_due_at, bench.tz)}"
            self._advance(bench.queue(), item.key, bench.kpi("day"), message, after_call=True)
        except Exception as exc:  # noqa: BLE001 - the SDR keeps working; the reason is shown
            self.app.call_from_thread(self._failed, _reason(exc))

    def _failed(self, message: str) -> None:
        self.busy = False
        self.notify(message, severity="error", timeout=6)

    def action_skip(self) -> None:
        item = self._start()
        if item is None:
            return
        self.skipped.add(item.key)
        self._skip(item)

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def _skip(self, item: QueueItem) -> None:
        self._advance(self.items, item.key, None, f"Skipped {item.contact_name}")

    def action_undo(self) -> None:
        if self.busy:
            self.app.bell()
            return
        self.busy = True
        self._undo()

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def _undo(self) -> None:
        try:
            self._undo_and_show()
        except Exception as exc:  # noqa: BLE001 - the SDR keeps working; the reason is shown
            self.app.call_from_thread(self._failed, _reason(exc))

    def _undo_and_show(self) -> None:
        bench = self.app.workbench
        undone = bench.undo()
        self.app.call_from_thread(self._counted, None, -1)
        items = bench.queue()
        back = next((i for i in items if i.contact_id == undone.contact_id), None)
        if back is not None:
            self.app.call_from_thread(lambda: self.skipped.discard(back.key))
        target = back or self._next_after(items, None)
        context = bench.call_context(target.contact_id) if target else None
        label = bench.playbook.outcome(undone.outcome).label if undone.outcome else "activity"
        self.app.call_from_thread(self.show, Shown(items, target, context), bench.kpi("day"), f"Undid {label}")

    def action_note(self, item: QueueItem | None = None) -> None:
        item = item or self.item
        if item is None:
            return
        from revdesk.tui.dialogs.note import NoteModal

        self.app.push_screen(NoteModal(item.contact_name), lambda text: text and self._note(item, text))

    def action_note_last(self) -> None:
        """A note on the person just called (the screen has already moved on)."""
        if self.last_logged is None:
            self.notify("No call logged yet in this session: n adds a note to the person on screen.")
            return
        self.action_note(self.last_logged)

    def action_follow_up_last(self) -> None:
        if self.last_logged is None:
            self.notify("No call logged yet in this session: f schedules a follow-up for the person on screen.")
            return
        self.action_follow_up(self.last_logged)

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def _note(self, item: QueueItem, text: str) -> None:
        bench = self.app.workbench
        try:
            bench.add_note(item.contact_id, text)
            current = self.item  # the note may be on the person just called, not the one on screen
            context = bench.call_context(current.contact_id) if current else None
            message = f"Note saved on {item.contact_name}"
            self.app.call_from_thread(self.show, Shown(self.items, current, context), None, message)
        except Exception as exc:  # noqa: BLE001 - the SDR keeps working; the reason is shown
            self.app.call_from_thread(self._failed, _reason(exc))

    def action_follow_up(self, item: QueueItem | None = None) -> None:
        item = item or self.item
        if item is None:
            return
        from revdesk.tui.dialogs.follow_up import FollowUpModal

        modal = FollowUpModal(self.app.workbench, item.contact_id, item.contact_name, item.contact_timezone)
        self.app.push_screen(modal, lambda result: result and self.notify(result, timeout=4))

    def action_handoff(self) -> None:
        """Hand the lead on screen to an AE with its context; once sent, the next item shows."""
        item = self.item
        if self.busy or item is None:
            self.app.bell()
            return
        from revdesk.tui.navigation import SendHandoff

        def sent(handoff_id: int | None) -> None:
            if handoff_id is not None:
                self.busy = True
                self._after_handoff(item, handoff_id)

        self.app.post_message(SendHandoff("sdr_ae", contact_id=item.contact_id, callback=sent))

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def _after_handoff(self, item: QueueItem, handoff_id: int) -> None:
        bench = self.app.workbench
        try:
            self._advance(bench.queue(), item.key, bench.kpi("day"), f"Handoff {handoff_id} sent: {item.contact_name}")
        except Exception as exc:  # noqa: BLE001 - the SDR keeps working; the reason is shown
            self.app.call_from_thread(self._failed, _reason(exc))

    def action_email_step(self) -> None:
        step_actions.email_step(self)

    def action_step_done(self) -> None:
        step_actions.finish_step(self, "done")

    def action_skip_step(self) -> None:
        step_actions.finish_step(self, "skip")

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_account(self) -> None:
        account_id = self.context.contact.account_id if self.context else None
        if account_id is None:
            self.notify("No account")
            return
        from revdesk.tui.navigation import OpenAccount

        self.app.post_message(OpenAccount(account_id))

    def action_enroll(self) -> None:
        """E: enroll the contact on screen in a sequence (its first step lands in the queue when due)."""
        item = self.item
        if item is None:
            self.app.bell()
            return
        from revdesk.tui.navigation import Enroll

        self.app.post_message(Enroll([item.contact_id], f"Enroll {item.contact_name}"))
