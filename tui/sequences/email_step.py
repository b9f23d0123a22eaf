"""A sequence e-mail step in a dialog: To, Subject and the rendered body, read-only. Ctrl+S delivers it the
way config.toml says (an .eml file in the outbox by default, a mailto link, or SMTP) and then logs it, which
moves the sequence on; Esc cancels. A merge field without a value blocks the step: the dialog says which,
and there is nothing to send."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from revdesk.core.common.errors import InvalidInput, RevdeskError
from revdesk.core.common.models import QueueItem
from revdesk.tui.commands import EMAIL_STEP_COMMANDS, bindings
from revdesk.tui.common.literal import LiteralTable
from revdesk.tui.common.workers import ShowsWorkerFailures
from revdesk.tui.sequences.step_actions import next_due_text, reason_of

if TYPE_CHECKING:  # the write path loads only when the dialog opens
    from revdesk.db.workbench import EmailDraft
    from revdesk.tui.common.config import Settings


def blocked_message(exc: InvalidInput) -> str:
    """Why the e-mail cannot go out, in plain words, with what to do about it."""
    from revdesk.sequences.templates import MissingMergeFields

    if isinstance(exc, MissingMergeFields):
        them = "it" if len(exc.missing) == 1 else "them"
        return f"No value for {', '.join(exc.missing)}: fill {them} in on the contact or skip the step (ctrl+x)."
    if exc.field == "email":
        return exc.reason[:1].upper() + exc.reason[1:] + " (ctrl+x)."
    return f"This step's e-mail cannot be written: {exc}"


class EmailStepModal(ShowsWorkerFailures, ModalScreen[str | None]):
    COMMANDS_LIST = EMAIL_STEP_COMMANDS
    BINDINGS = bindings(EMAIL_STEP_COMMANDS)
    DEFAULT_CSS = """
    EmailStepModal #email-body {
        height: auto;
        max-height: 16;
        border: round $primary 50%;
        padding: 0 1;
        margin-top: 1;
    }
    EmailStepModal #email-problem {
        color: $warning;
        margin-top: 1;
        display: none;
    }
    EmailStepModal .quick {
        margin-bottom: 0;
    }
    """

    def __init__(self, item: QueueItem) -> None:
        super().__init__()
        self.item = item
        self.draft: EmailDraft | None = None
        self.settings: Settings | None = None
        self.problem: str | None = None
        self.sending = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"E-mail to {self.item.contact_name}"), classes="dialog-title")
            yield Static(Text(self.item.reason, style="dim"), id="email-step")
            yield Static("Writing the e-mail…", id="email-head")
            with VerticalScroll(id="email-body"):
                yield Static("", id="email-text")
            yield Static("", id="email-problem")
            with Horizontal(classes="quick"):
                yield Button("Send", id="send", variant="primary", compact=True, disabled=True)
                yield Button("Cancel", id="cancel", compact=True)
            yield Static("Esc cancels", id="email-hint", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#email-body").border_title = "Message"
        self._load()

    @work(thread=True, exclusive=True, group="email", exit_on_error=False)
    def _load(self) -> None:
        from revdesk.tui.common.config import load_settings

        settings, problem, draft = None, None, None
        try:
            settings = load_settings()
        except RevdeskError as exc:
            problem = str(exc)  # names config.toml and the setting
        try:
            draft = self.app.workbench.email_draft(self.item.task_id or 0)
        except InvalidInput as exc:
            problem = blocked_message(exc)
        self.app.call_from_thread(self._show, draft, settings, problem)

    def _show(self, draft: EmailDraft | None, settings: Settings | None, problem: str | None) -> None:
        from revdesk.tui.sequences.mail import how_it_goes

        self.draft, self.settings, self.problem = draft, settings, problem
        head = LiteralTable.grid(padding=(0, 1))
        head.add_column(style="dim", no_wrap=True)
        head.add_column()
        if draft is not None:
            head.add_row("To", f"{draft.to_name} <{draft.to}>")
            head.add_row("Subject", Text(draft.subject, style="bold"))
            self.query_one("#email-text", Static).update(Text(draft.body.strip("\n")))
        else:
            head.add_row("", Text("Nothing to send.", style="bold"))
            self.query_one("#email-body").display = False
        self.query_one("#email-head", Static).update(head)
        self._problem(problem)
        ready = draft is not None and settings is not None
        self.query_one("#send", Button).disabled = not ready
        hint = f"Ctrl+S {how_it_goes(settings)} and logs it · Esc cancels" if ready and settings else "Esc closes"
        self.query_one("#email-hint", Static).update(hint)

    def _problem(self, problem: str | Text | None) -> None:
        widget = self.query_one("#email-problem", Static)
        widget.update(problem or "")
        widget.display = bool(problem)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()

    def action_send(self) -> None:
        if self.draft is None or self.settings is None:
            self.app.bell()
            if self.problem:
                self.notify(f"Nothing to send. {self.problem}", severity="warning", timeout=5)
            return
        if self.sending:
            self.app.bell()
            return
        self.sending = True
        self.query_one("#send", Button).disabled = True
        self.query_one("#email-hint", Static).update("Sending…")
        self._send(self.draft, self.settings)

    @work(thread=True, exclusive=True, group="email", exit_on_error=False)
    def _send(self, draft: EmailDraft, settings: Settings) -> None:
        from revdesk.tui.sequences.mail import deliver

        bench = self.app.workbench
        try:
            delivered = deliver(draft, settings, bench.now())
        except Exception as exc:  # noqa: BLE001 - shown in the dialog; nothing was logged
            self.app.call_from_thread(self._failed, f"Not sent, nothing logged: {reason_of(exc)}")
            return
        try:
            bench.send_email_step(draft.task_id)
            after = next_due_text(bench, self.item)
        except Exception as exc:  # noqa: BLE001 - shown in the dialog
            self.app.call_from_thread(self._failed, f"{delivered.summary}, but it could not be logged:"
                                                    f" {reason_of(exc)}")
            return
        self.app.call_from_thread(self._done, f"{delivered.summary}; {after}")

    def _failed(self, message: str) -> None:
        self.sending = False
        self._problem(Text(message, style="red"))
        self.query_one("#send", Button).disabled = False
        self.query_one("#email-hint", Static).update("Ctrl+S tries again · Esc cancels")

    def _done(self, message: str) -> None:
        self.dismiss(message)

    def action_cancel(self) -> None:
        if self.sending:
            self.app.bell()
            return
        self.dismiss(None)
