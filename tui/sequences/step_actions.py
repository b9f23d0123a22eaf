"""Sequence steps in call mode: the line under the banner that says what the step asks for, and the step keys
(e the e-mail, d done, ctrl+x skip the step). Each change runs in a worker, then call mode shows the next item the
way logging an outcome does. A key that does not fit the item on screen says why instead."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual import work
from textual.widgets import Static

from revdesk.core.common.errors import RevdeskError
from revdesk.core.common.models import QueueItem
from revdesk.tui.common.workers import ShowsWorkerFailures

if TYPE_CHECKING:
    from revdesk.core.analytics.kpi import KpiReport
    from revdesk.db.workbench import StepWork, Workbench


class CallScreen(Protocol):
    """What the step keys need of call mode (tui/calls/call_mode.py), named here so that this module, which
    call mode imports, does not import it back."""

    busy: bool
    item: QueueItem | None
    app: Any

    def notify(self, message: str, *, timeout: float | None = None) -> None: ...
    def run_worker(self, work: Any, *, thread: bool, exclusive: bool, group: str, exit_on_error: bool) -> Any: ...
    def _start(self) -> QueueItem | None: ...
    def _failed(self, message: str) -> None: ...
    def _advance(self, items: list[QueueItem], exclude: tuple[str, int] | None, kpi: KpiReport | None,
                 message: str | None, after_call: bool = False) -> None: ...

CHANNELS = {"call": "Call", "email": "E-mail", "linkedin": "LinkedIn", "task": "Task"}
HINTS = {"call": "log the call's outcome", "email": "e shows the e-mail", "linkedin": "d when done",
         "task": "d when done"}  # the keys, on the line under the banner
DONE_BY = {"call": "log the call with its outcome key", "email": "press e to see and send the e-mail",
           "linkedin": "do it on LinkedIn, then press d", "task": "do it, then press d"}
KINDS = {
    "inbound": "a new inbound lead", "call_back": "a call-back", "follow_up": "a follow-up",
    "stale_deal": "a stale deal", "dormant": "a dormant account", "lookup": "a search", "handoff": "a handoff",
}
KEYS = {"email": "e sends a sequence e-mail", "done": "d marks a sequence step done",
        "skip": "ctrl+x skips a sequence step"}


def _word(channel: str) -> str:
    """The channel inside a sentence: "e-mail", "call", "LinkedIn"."""
    name = CHANNELS.get(channel, channel)
    return name if channel == "linkedin" else name.lower()


def reason_of(exc: Exception) -> str:
    return str(exc) if isinstance(exc, RevdeskError) else f"Could not save: {type(exc).__name__}: {exc}"


def why_not(item: QueueItem | None, action: str) -> str | None:
    """Why the step key for `action` (email, done, skip) does not apply to `item`; None when it does."""
    if item is None:
        return "Nothing on screen: your queue is clear."
    if item.kind != "step" or item.task_id is None:
        what = KINDS.get(item.kind, "this item")
        return f"{KEYS[action]}; {item.contact_name} is here for {what}, not a sequence step."
    channel = item.step_channel or "task"
    if action == "email" and channel != "email":
        return f"This is a {_word(channel)} step, not an e-mail: {DONE_BY.get(channel, 'work it')}."
    if action == "done" and channel not in ("linkedin", "task"):
        article = "An" if channel == "email" else "A"
        return f"{article} {_word(channel)} step is not marked done: {DONE_BY.get(channel, 'work it')}."
    return None


def step_work(bench: Workbench, task_id: int) -> StepWork:
    """The due step behind a task (its sequence, number, channel and note); from a worker."""
    return bench.step_work(task_id)


def next_due_text(bench: Workbench, item: QueueItem) -> str:
    """What the sequence does next for the contact, after a step: "step 2 is due Thu 09:00"; from a worker."""
    from zoneinfo import ZoneInfo

    from revdesk.core.common.when import from_stored
    from revdesk.tui.common.text import their_time as _when

    following = bench.next_step(item.task_id) if item.task_id is not None else None
    if following is None:
        return "that was the sequence's last step"
    index, due_text = following
    if due_text is None:
        return f"step {index + 1} is next"
    due = from_stored(due_text).astimezone(ZoneInfo(item.contact_timezone) if item.contact_timezone else bench.tz)
    return f"step {index + 1} is due {_when(due, bench.tz)}"


class StepNote(ShowsWorkerFailures, Static):
    """Under the banner: what a sequence step asks for and the keys that work it. Hidden for other items."""

    DEFAULT_CSS = """
    StepNote {
        height: auto;
        padding: 0 1;
        display: none;
    }
    """

    def show_item(self, item: QueueItem | None) -> None:
        if item is None or item.kind != "step" or item.task_id is None:
            if self.display:
                self.display = False
            return
        self.update(self._line(item, None))
        self.display = True
        self._load(item)

    @staticmethod
    def _line(item: QueueItem, note: str | None) -> Text:
        channel = item.step_channel or "task"
        text = Text(f"{CHANNELS.get(channel, channel)} step: ", style="bold cyan")
        text.append(note or ("Send the step's e-mail." if channel == "email" else "…"))
        text.append(f"   {HINTS.get(channel, 'd when done')} · ctrl+x skips the step", style="dim")
        return text

    @work(thread=True, exclusive=True, group="step-note", exit_on_error=False)
    def _load(self, item: QueueItem) -> None:
        try:
            note = step_work(self.app.workbench, item.task_id or 0).note
        except RevdeskError:
            note = None  # done or moved on meanwhile: the banner alone will do
        self.app.call_from_thread(self._loaded, item, note)

    def _loaded(self, item: QueueItem, note: str | None) -> None:
        current = getattr(self.screen, "item", None)
        if current is not None and current.key == item.key:
            self.update(self._line(item, note))


def email_step(screen: CallScreen) -> None:
    """e: the step's e-mail in a dialog; once sent, the next item."""
    item = screen.item
    problem = why_not(item, "email")
    if problem or item is None:
        screen.notify(problem or "", timeout=5)
        return
    if screen.busy:
        screen.app.bell()
        return
    from revdesk.tui.navigation import EmailStep

    def sent(message: str | None) -> None:
        if message:
            screen.busy = True
            screen.run_worker(partial(_next, screen, item, message), thread=True, exclusive=True, group="call",
                              exit_on_error=False)

    screen.app.post_message(EmailStep(item, callback=sent))


def finish_step(screen: CallScreen, action: str) -> None:
    """d (a LinkedIn or task step done) or ctrl+x (skip any step): the sequence moves on, then the next item."""
    problem = why_not(screen.item, action)
    if problem:
        screen.notify(problem, timeout=5)
        return
    item = screen._start()
    if item is not None:
        screen.run_worker(partial(_finish, screen, item, action), thread=True, exclusive=True, group="call",
                              exit_on_error=False)


def _finish(screen: CallScreen, item: QueueItem, action: str) -> None:
    bench = screen.app.workbench
    try:
        task_id = item.task_id or 0
        step = step_work(bench, task_id)
        if action == "done":
            bench.complete_step(task_id)
            message = f"{CHANNELS.get(step.channel, step.channel)} step {step.step_number} done: {item.contact_name}"
        else:
            bench.skip_step(task_id)
            message = f"Skipped step {step.step_number} of '{step.sequence_name}' for {item.contact_name}"
        _next(screen, item, f"{message}; {next_due_text(bench, item)}")
    except Exception as exc:  # noqa: BLE001 - the SDR keeps working; the reason is shown
        screen.app.call_from_thread(screen._failed, reason_of(exc))


def _next(screen: CallScreen, item: QueueItem, message: str) -> None:
    bench = screen.app.workbench
    try:
        screen._advance(bench.queue(), item.key, bench.kpi("day"), message)
    except Exception as exc:  # noqa: BLE001 - the SDR keeps working; the reason is shown
        screen.app.call_from_thread(screen._failed, reason_of(exc))
