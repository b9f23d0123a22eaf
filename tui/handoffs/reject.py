"""Rejecting a handoff: a reason category from the playbook (each says what then happens to the lead) and a
note for the sender. Both are required; a refusal names each problem beside its field and writes nothing."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static, TextArea

from revdesk.core.common.errors import InvalidFields, InvalidInput, RevdeskError
from revdesk.core.common.models import HandoffSummary
from revdesk.core.playbook.model import RejectReason
from revdesk.tui.common.workers import ShowsWorkerFailures

THEN = {"return": "returns to the SDR's queue", "nurture": "lead goes to nurture",
        "disqualify": "disqualifies the lead"}


def consequence(kind: str, then: str) -> str:
    """What a reason does: a customer-success handoff always goes back to the AE."""
    return "returns to the AE" if kind == "ae_cs" else THEN[then]


def outcome_message(handoff: HandoffSummary, reason: RejectReason) -> str:
    """What the AE is told once the rejection is written."""
    if handoff.kind == "ae_cs" or reason.then == "return":
        where = f"back in {handoff.from_name}'s queue with your reason"
    elif reason.then == "nurture":
        where = f"{handoff.contact_name} goes to nurture"
    else:
        where = f"{handoff.contact_name} is disqualified"
    return f"Handoff {handoff.id} rejected ({reason.label}): {where}"


class RejectHandoffModal(ShowsWorkerFailures, ModalScreen[str | None]):
    """Dismisses with the message to show once rejected, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "reject", "Reject", priority=True)]
    DEFAULT_CSS = """
    RejectHandoffModal .field-label {
        text-style: bold;
        margin-top: 1;
    }
    RejectHandoffModal TextArea {
        height: 5;
    }
    RejectHandoffModal .problem {
        color: $error;
        height: auto;
    }
    RejectHandoffModal .buttons {
        height: auto;
        margin-top: 1;
    }
    RejectHandoffModal .buttons Button {
        margin-right: 2;
    }
    """

    def __init__(self, handoff: HandoffSummary, reasons: list[RejectReason]) -> None:
        super().__init__()
        self.handoff = handoff
        self.reasons = reasons
        self.problems: dict[str, str] = {}
        self.busy = False

    def compose(self) -> ComposeResult:
        h = self.handoff
        # the playbook's reason labels and people's names as written: "[/]" in one is text, not markup
        options = [(Text(f"{r.label} — {consequence(h.kind, r.then)}"), r.key) for r in self.reasons]
        with Vertical(classes="dialog"):
            yield Label(Text(f"Reject handoff {h.id} from {h.from_name}: {h.contact_name or h.account_name}, "
                             f"{h.account_name}"), classes="dialog-title")
            yield Label("Why", classes="field-label")
            yield Select(options, prompt="Choose a reason", id="field-reason")
            yield self._problem("reason")
            yield Label(Text(f"Note for {h.from_name}: what is missing or what should happen next"),
                        classes="field-label")
            yield TextArea(id="field-note", tab_behavior="focus")
            yield self._problem("note")
            yield Static("", id="reject-summary", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Reject  ctrl+s", id="reject", variant="error")
                yield Button("Cancel  esc", id="cancel")
            yield Label("Tab moves between fields · ctrl+s rejects · Esc cancels", classes="hint")

    @staticmethod
    def _problem(field: str) -> Static:
        static = Static("", id=f"problem-{field}", classes="problem")
        static.display = False
        return static

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "reject":
            self.action_reject()
        else:
            self.action_cancel()

    def action_reject(self) -> None:
        if self.busy:
            self.app.bell()
            return
        self.busy = True
        select = self.query_one("#field-reason", Select)
        reason = "" if select.is_blank() else str(select.value)
        self._reject(reason, self.query_one("#field-note", TextArea).text)

    @work(thread=True, exclusive=True, group="reject", exit_on_error=False)
    def _reject(self, reason: str, note: str) -> None:
        bench = self.app.workbench
        try:
            bench.reject_handoff(self.handoff.id, reason, note)
        except InvalidFields as exc:
            self.app.call_from_thread(self.show_problems, exc.problems, reason)
        except InvalidInput as exc:
            self.app.call_from_thread(self.show_problems, [(exc.field, exc.reason)], reason)
        except Exception as exc:  # noqa: BLE001 - shown in the dialog; nothing was written
            text = str(exc) if isinstance(exc, RevdeskError) else f"Could not reject: {type(exc).__name__}: {exc}"
            self.app.call_from_thread(self.show_problems, [("handoff", text)], reason)
        else:
            rule = bench.playbook.handoff.reason(reason)
            self.app.call_from_thread(self._done, outcome_message(self.handoff, rule))

    def _done(self, message: str) -> None:
        self.dismiss(message)

    def show_problems(self, problems: list[tuple[str, str]], reason: str) -> None:
        """Each problem under its field (the field is right above, so the reason stands alone)."""
        self.busy = False
        self.problems = {}
        for field, text in problems:
            if field == "reason" and not reason:
                text = "choose a reason: it decides what happens to the lead"
            slot = field if field in ("reason", "note") else "other"
            line = text[:1].upper() + text[1:]
            self.problems[slot] = f"{self.problems[slot]}\n{line}" if slot in self.problems else line
        for slot in ("reason", "note"):
            static = self.query_one(f"#problem-{slot}", Static)
            static.update(Text(f"✗ {self.problems.get(slot, '')}".replace("\n", "\n✗ ")))
            static.display = slot in self.problems
        self._summary()

    def _summary(self) -> None:
        count = len([s for s in self.problems if s != "other"])
        lines = [f"{count} field{'s' if count > 1 else ''} need{'' if count > 1 else 's'} attention"] if count else []
        if "other" in self.problems:
            lines.append(self.problems["other"])
        self.query_one("#reject-summary", Static).update(Text("\n".join(lines), style="bold"))

    def _clear(self, slot: str) -> None:
        """Editing a field clears its problem."""
        if self.problems.pop(slot, None) is not None:
            self.query_one(f"#problem-{slot}", Static).display = False
            self._summary()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._clear("reason")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._clear("note")

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)
