"""The revdesk Textual app and the one factory that builds it for the CLI and the tests."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.app import App, SystemCommand
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from revdesk.core.analytics.kpi import KpiReport
from revdesk.core.common.errors import RevdeskError
from revdesk.db.workbench import Clock, Store, Workbench, system_clock
from revdesk.tui.commands import APP_COMMANDS, Command, bindings
from revdesk.tui.common.workers import cancelled, failure_line
from revdesk.tui.navigation import Navigate

if TYPE_CHECKING:
    from revdesk.db.workbench import Waiting

T = TypeVar("T")


class WriteWaiting(Message):
    """The writer began waiting for another process's write lock (`waiting`), or stopped (None); posted from the
    writer's thread (post_message is thread-safe), so the writer never waits on the UI."""

    def __init__(self, waiting: Waiting | None) -> None:
        super().__init__()
        self.waiting = waiting


class RevdeskApp(App[int]):
    CSS_PATH = "revdesk.tcss"
    TITLE = "revdesk"
    BINDINGS = bindings(APP_COMMANDS)
    kpi: var[KpiReport | None] = var(None)  # a var: watchers repaint only what shows it

    def __init__(self, workbench: Workbench, exit_when_ready: bool = False) -> None:
        super().__init__()
        self.COMMANDS = App.COMMANDS | {_contacts_provider, _accounts_provider}
        self.workbench = workbench
        self.exit_when_ready = exit_when_ready
        self.waiting: Waiting | None = None
        workbench.store.on_waiting(lambda waiting: self.post_message(WriteWaiting(waiting)))
        self.sub_title = self._who(wide=True)

    def _who(self, wide: bool) -> str:
        """Who is working: name, role and team; without the team on a narrow screen, so the role isn't cut."""
        if self.waiting is not None:  # the status line says why a save has not landed yet
            return self.waiting.line(short=not wide)
        user = self.workbench.user
        return f"{user.name} · {user.role.upper()}" + (f" · {user.team}" if wide else "")

    def on_write_waiting(self, message: WriteWaiting) -> None:
        """While a save waits for another process (an import, a second revdesk) the header says so and why; keys
        keep working, and the save lands by itself once the lock clears."""
        was, self.waiting = self.waiting, message.waiting
        self.sub_title = self._who(wide=self.size.width >= 100)
        if message.waiting is not None and was is None:
            self.notify(f"Waiting to save: {message.waiting.reason}. Keep working: what you saved is kept and lands"
                        " as soon as the other write is done.", severity="warning", timeout=8)
        elif message.waiting is None and was is not None:
            self.notify("Saved: the database is free again.", timeout=4)

    def save(self, write: Callable[[], T], done: Callable[[T], None], refused: str) -> None:
        """Run `write` (a workbench write method) off the UI thread: it may wait for another process's lock. Once it
        has landed `done(result)` runs on the UI thread; a refusal is shown as "`refused`: reason"."""
        self.run_worker(partial(self._save, write, done, refused), thread=True, group="save", exit_on_error=False)

    def _save(self, write: Callable[[], T], done: Callable[[T], None], refused: str) -> None:
        try:
            result = write()
        except RevdeskError as exc:
            self.call_from_thread(self.notify, f"{refused}: {exc}", severity="error", timeout=10)
            return
        self.call_from_thread(done, result)

    def on_resize(self) -> None:
        self.sub_title = self._who(wide=self.size.width >= 100)

    def on_mount(self) -> None:
        from revdesk.tui.calls.today import TodayScreen

        # Today's numbers come with the first queue load, in the same worker (see TodayScreen.load_queue).
        self.push_screen(TodayScreen())

    def on_navigate(self, message: Navigate) -> None:
        """A screen asked for another (tui/navigation.py): the routing table builds it, and the asker's callback,
        if any, gets what it is dismissed with."""
        from revdesk.tui.routes import screen_for

        self.push_screen(screen_for(message), message.callback)

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """From a worker's thread: run `callback` on the UI thread, unless the worker has been cancelled (its
        screen closed, or a newer load of its group replaced it): then what it found is dropped, so a cancelled
        worker never touches a screen."""
        if cancelled():
            return None
        return super().call_from_thread(callback, *args, **kwargs)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's failure is shown: the app's own workers' and, through ShowsWorkerFailures,
        every screen's. One line, never a traceback and never an exit (tui/common/workers.py)."""
        if event.state is WorkerState.ERROR:
            self.notify(failure_line(event.worker), severity="error", timeout=8)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Toasts carry names and notes as typed, never markup (`Acme [/] Ltd` stays literal), whoever sends them:
        a screen's own notify() passes markup=True to this one, so `markup` is ignored."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    @work(thread=True, exclusive=True, group="kpi", exit_on_error=False)
    def refresh_kpi(self) -> None:
        self.call_from_thread(setattr, self, "kpi", self.workbench.kpi("day"))  # dropped once cancelled

    def ready(self) -> None:
        """Called by the Today screen once its queue is on screen (start-up benchmarks hook in here)."""
        if self.exit_when_ready:
            self.call_after_refresh(self._ready_and_exit)

    def _ready_and_exit(self) -> None:
        ready_file = os.environ.get("REVDESK_READY_FILE")
        if ready_file:
            with open(ready_file, "w", encoding="utf-8") as out:
                out.write(f"{time.time():.6f}\n")
        self.exit(0)

    def action_pipeline(self) -> None:
        from revdesk.tui.pipeline.board import PipelineScreen

        if not isinstance(self.screen, PipelineScreen):
            self.push_screen(PipelineScreen())

    def action_inbox(self) -> None:
        from textual.screen import ModalScreen

        from revdesk.tui.handoffs.inbox import HandoffInboxScreen

        if not isinstance(self.screen, HandoffInboxScreen | ModalScreen):  # not over a form or dialog
            self.push_screen(HandoffInboxScreen())

    def action_sequences(self) -> None:
        from textual.screen import ModalScreen

        from revdesk.tui.sequences.sequence_list import SequencesScreen

        if not isinstance(self.screen, SequencesScreen | ModalScreen):  # not over a form or dialog
            self.push_screen(SequencesScreen())

    def action_import(self) -> None:
        from textual.screen import ModalScreen

        from revdesk.tui.importing.import_screen import ImportScreen

        if not isinstance(self.screen, ImportScreen | ModalScreen):  # not over a form or dialog
            self.push_screen(ImportScreen())

    def action_dormant(self) -> None:
        from textual.screen import ModalScreen

        from revdesk.tui.dormancy.dormant import DormantScreen

        if not isinstance(self.screen, DormantScreen | ModalScreen):  # not over a form or dialog
            self.push_screen(DormantScreen())

    def action_leaks(self) -> None:
        from textual.screen import ModalScreen

        from revdesk.tui.analytics.leaks import LeaksScreen

        if not isinstance(self.screen, LeaksScreen | ModalScreen):  # not over a form or dialog
            self.push_screen(LeaksScreen())

    def action_funnel(self) -> None:
        from textual.screen import ModalScreen

        from revdesk.tui.analytics.funnel import FunnelScreen

        if not isinstance(self.screen, FunnelScreen | ModalScreen):  # not over a form or dialog
            self.push_screen(FunnelScreen())

    def action_dashboard(self) -> None:
        from textual.screen import ModalScreen

        from revdesk.tui.analytics.kpi_dashboard import DashboardScreen

        if not isinstance(self.screen, DashboardScreen | ModalScreen):  # not over a form or dialog
            self.push_screen(DashboardScreen())

    def action_help(self) -> None:
        from revdesk.tui.common.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def screen_commands(self, screen: Screen) -> list[Command]:
        own = list(getattr(screen, "COMMANDS_LIST", []))
        taken = {key for command in own for key in command.keys.split(",")}  # the screen's key wins
        return own + [c for c in APP_COMMANDS if not taken & set(c.keys.split(","))]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Today", "Your queue and today's progress", self._go_today)
        yield SystemCommand("Pipeline", "Lead and deal lanes", self.action_pipeline)
        for command in getattr(screen, "COMMANDS_LIST", []):
            yield SystemCommand(command.label, command.help, _runner(screen, command.action))
        yield SystemCommand("Inbox", "Handoffs to me and from me", self.action_inbox)
        yield SystemCommand("Sequences", "Sequences with their figures, steps and enrollments", self.action_sequences)
        yield SystemCommand("Dormant", "Dormant customer accounts, most value at risk first", self.action_dormant)
        yield SystemCommand("KPIs", "Targets, trend and activity per lead stage for me, my team or one rep",
                            self.action_dashboard)
        yield SystemCommand("Leaks", "The revenue-leak report, every number drilling down to its records",
                            self.action_leaks)
        yield SystemCommand("Funnel & deals", "The lifecycle funnel, deal metrics, time in stage and the forecast",
                            self.action_funnel)
        yield SystemCommand("Import", "Bring a CRM export in through a mapping: a dry run first, then for real",
                            self.action_import)
        yield SystemCommand("Help", "Every key on this screen", self.action_help)
        yield SystemCommand("Quit", "Leave revdesk", self.exit)

    def _go_today(self) -> None:
        from revdesk.tui.calls.today import TodayScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, TodayScreen):
            self.pop_screen()


def _contacts_provider():
    """Loaded when the palette first opens, not at start-up."""
    from revdesk.tui.palette import ContactsProvider

    return ContactsProvider


def _accounts_provider():
    from revdesk.tui.palette import AccountsProvider

    return AccountsProvider


def _runner(screen: Screen, action: str):
    async def run() -> None:
        await screen.run_action(action)

    return run


def build_app(store: Store, handle: str, clock: Clock = system_clock, exit_when_ready: bool = False) -> RevdeskApp:
    """The app for `handle` on `store`; tests pass a fixed clock. Its writes wait for another process's lock for
    as long as it takes (the header says so meanwhile): what the user saved is never dropped."""
    store.patience = None
    return RevdeskApp(Workbench.open(store, handle, clock), exit_when_ready=exit_when_ready)
