"""The handoff form: an SDR hands a qualified lead to an AE (or an AE a won deal to customer success) with the
playbook's required context. Fields come prefilled from structured data; the recipient comes with a
suggestion. A refused send names every problem beside its field and writes nothing."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from revdesk.core.accounts.view import role_label
from revdesk.core.common.errors import InvalidFields, InvalidInput, RevdeskError
from revdesk.core.common.models import Contact
from revdesk.db.workbench import HandoffDraft, HandoffResult
from revdesk.tui.commands import HANDOFF_FORM_COMMANDS, bindings
from revdesk.tui.common.widget_ids import key_id, key_of
from revdesk.tui.common.workers import ShowsWorkerFailures

TITLES = {"sdr_ae": "Hand off to an AE", "ae_cs": "Hand off to customer success"}
# Problems about the record rather than a field of the form are shown at the top.
GENERAL = ("contact", "score", "deal", "as", "kind")
OWN_SLOTS = ("to", "general")  # the form's own rows: a playbook field with one of these keys gets an escaped id


def field_id(key: str) -> str:
    """The id of a playbook field's input (never the key pasted in: see tui.common.widget_ids)."""
    return key_id("field", key, OWN_SLOTS)


def problem_line(field: str, reason: str) -> str:
    """'Pain is missing: …', 'Score is 60, below …'; a reason that is already a sentence stays one."""
    if field in ("to", "as", "kind"):
        return reason[:1].upper() + reason[1:]
    name = field.replace("_", " ").capitalize()
    return f"{name} {reason.removesuffix(f': {name.lower()}')}"  # not "Risks is missing: risks"


def contact_option(contact: Contact) -> str:
    """'Lea Fischer — Finance Director (Approver)'."""
    title = f" — {contact.title}" if contact.title else ""
    return f"{contact.name}{title} ({role_label(contact.buying_role)})"


class HandoffFormScreen(ShowsWorkerFailures, ModalScreen[int | None]):
    COMMANDS_LIST = HANDOFF_FORM_COMMANDS
    BINDINGS = bindings(HANDOFF_FORM_COMMANDS)
    DEFAULT_CSS = """
    HandoffFormScreen #handoff-dialog {
        width: 120;
        max-width: 98%;
        height: 95%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    HandoffFormScreen #handoff-title {
        text-style: bold;
    }
    HandoffFormScreen #handoff-body {
        height: 1fr;
    }
    HandoffFormScreen .field-row {
        height: auto;
    }
    HandoffFormScreen .field-label {
        width: 28;
        padding: 1 1 0 0;
        text-style: bold;
    }
    HandoffFormScreen .field-box {
        width: 1fr;
        height: auto;
    }
    HandoffFormScreen TextArea {
        height: 4;
    }
    HandoffFormScreen .problem {
        color: $error;
        height: auto;
    }
    HandoffFormScreen #suggestion {
        color: $text-muted;
    }
    HandoffFormScreen #handoff-summary {
        height: auto;
    }
    HandoffFormScreen .buttons {
        height: auto;
    }
    HandoffFormScreen .buttons Button {
        margin-right: 2;
    }
    """

    def __init__(self, kind: str, contact_id: int | None = None, deal_id: int | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.contact_id = contact_id
        self.deal_id = deal_id
        self.draft: HandoffDraft | None = None
        self.problems: dict[str, str] = {}
        self.busy = True  # until the draft is on screen

    def compose(self) -> ComposeResult:
        with Vertical(id="handoff-dialog"):
            yield Label(TITLES.get(self.kind, "Hand off"), id="handoff-title")
            with VerticalScroll(id="handoff-body"):
                yield Static("Loading what is already known…", id="handoff-about")
                general = Static("", id="problem-general", classes="problem")
                general.display = False
                yield general
            yield Static("", id="handoff-summary")
            with Horizontal(classes="buttons"):
                yield Button("Send  ctrl+s", id="send", variant="primary", disabled=True)
                yield Button("Cancel  esc", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="handoff-form", exit_on_error=False)
    def _load(self) -> None:
        bench = self.app.workbench
        try:
            draft = bench.handoff_draft(self.kind, contact_id=self.contact_id, deal_id=self.deal_id)
        except Exception as exc:  # noqa: BLE001 - shown in the form; Esc still closes it
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._load_failed, reason)
            return
        self.app.call_from_thread(self.show_draft, draft)

    def _load_failed(self, reason: str) -> None:
        self.query_one("#handoff-about", Static).update(Text(f"Cannot hand this off: {reason}", style="red"))

    async def show_draft(self, draft: HandoffDraft) -> None:
        if not self.is_attached:  # closed while the worker ran
            return
        self.draft = draft
        who = draft.contact.name if draft.contact is not None else draft.account_name
        self.query_one("#handoff-title", Label).update(Text(f"{TITLES.get(self.kind, 'Hand off')}: {who}"))
        self.query_one("#handoff-about", Static).update(self._about(draft))
        body = self.query_one("#handoff-body", VerticalScroll)
        rows = [self._row(item.label, key_id("problem", item.key, OWN_SLOTS),
                          self._field_widget(item.key, item.type, draft)) for item in draft.kind.fields]
        rows.append(self._recipient_row(draft))
        await body.mount_all(rows)
        self.busy = False
        self.query_one("#send", Button).disabled = False
        inputs = [w for w in self.query("TextArea, Input, Select") if (w.id or "").startswith("field-")]
        first = next((w for w in inputs if not self._value_of(w)), None)
        (first or self.query_one("#send", Button)).focus(scroll_visible=False)

    @staticmethod
    def _row(label: str, problem_id: str, *widgets: Widget) -> Horizontal:
        """A label on the left (the playbook's words, shown as written); the input, any notes and its problem
        line on the right."""
        problem = Static("", id=problem_id, classes="problem")
        problem.display = False
        return Horizontal(Label(Text(label), classes="field-label"), Vertical(*widgets, problem, classes="field-box"),
                          classes="field-row")

    def _about(self, draft: HandoffDraft) -> Group:
        parts: list[Text] = []
        head = Text()
        if draft.contact is not None:
            head.append(draft.contact.name, style="bold")
            if draft.contact.title:
                head.append(f", {draft.contact.title}")
            head.append(f" ({role_label(draft.contact.buying_role)}) at ")
        head.append(draft.account_name, style="bold")
        if draft.deal_id is not None:
            head.append(f" · deal {draft.deal_id}", style="dim")
        parts.append(head)
        score = draft.score
        if score is not None:
            parts.append(Text(f"Score {score.total} (SQL at {score.sql_threshold}):", style="bold"))
            parts += [Text(line, style="dim") for line in score.explain()[:-1]]
            if score.total < score.sql_threshold:
                parts.append(Text(f"Below the SQL threshold ({score.total} of {score.sql_threshold}): sending will "
                                  "be refused until the lead qualifies.", style="bold red"))
        parts.append(Text(f"Answer every text field in at least {draft.min_length} characters; placeholders such as "
                          f"{', '.join(repr(p) for p in draft.placeholders[:3])} are refused.", style="dim"))
        return Group(*parts)

    def _field_widget(self, key: str, kind: str, draft: HandoffDraft) -> Widget:
        value = draft.values.get(key, "")
        if kind == "contact":
            options = [(Text(contact_option(c)), c.id) for c in draft.contacts]
            chosen = int(value) if value.isdigit() and int(value) in {c.id for c in draft.contacts} else Select.NULL
            return Select(options, value=chosen, prompt="Choose a contact at the account", id=field_id(key))
        if kind == "date":
            return Input(value, placeholder="YYYY-MM-DD, e.g. 2027-01-31", id=field_id(key))
        return TextArea(value, id=field_id(key), tab_behavior="focus", placeholder="In your own words…")

    def _recipient_row(self, draft: HandoffDraft) -> Horizontal:
        role = "an AE" if self.kind == "sdr_ae" else "customer success"
        options = [(Text(f"{user.name} ({load} open)"), user.id) for user, load in draft.recipients]
        suggested = draft.suggested
        select = Select(options, value=suggested[0].id if suggested else Select.NULL,
                        prompt="Choose who receives it", id="field-to")
        if suggested is not None:
            note = Static(Text(f"Suggested: {suggested[0].name}, {suggested[1]}"), id="suggestion")
        else:
            note = Static(Text(f"Nobody can receive it: add a user with the role {role}.", style="red"),
                          id="suggestion")
        return self._row(f"Who receives it ({role})", "problem-to", select, note)

    @staticmethod
    def _value_of(widget: Widget) -> str:
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Input):
            return widget.value
        if isinstance(widget, Select):
            return "" if widget.is_blank() else str(widget.value)
        return ""

    def context(self) -> dict[str, object]:
        """The answers as they stand, by field key."""
        assert self.draft is not None
        return {f.key: self._value_of(self.query_one(f"#{field_id(f.key)}")) for f in self.draft.kind.fields}

    def recipient(self) -> int | None:
        select = self.query_one("#field-to", Select)
        return None if select.is_blank() else int(select.value)  # type: ignore[arg-type]

    # -- sending ------------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "send":
            self.action_send()
        else:
            self.action_cancel()

    def action_send(self) -> None:
        if self.busy or self.draft is None:
            self.app.bell()
            return
        self.busy = True
        self.query_one("#handoff-summary", Static).update(Text("Sending…", style="dim"))
        self._send(self.context(), self.recipient())

    @work(thread=True, exclusive=True, group="handoff-form", exit_on_error=False)
    def _send(self, context: dict[str, object], to_user_id: int | None) -> None:
        bench = self.app.workbench
        try:
            result = bench.send_handoff(self.kind, to_user_id, context, contact_id=self.contact_id,
                                        deal_id=self.deal_id)
        except InvalidFields as exc:
            self.app.call_from_thread(self.show_problems, exc.problems)
        except InvalidInput as exc:
            self.app.call_from_thread(self.show_problems, [(exc.field, exc.reason)])
        except Exception as exc:  # noqa: BLE001 - NotFound or a failed write: shown, the form stays open
            reason = str(exc) if isinstance(exc, RevdeskError) else f"Could not send: {type(exc).__name__}: {exc}"
            self.app.call_from_thread(self.show_problems, [("kind", reason)])
        else:
            self.app.call_from_thread(self._sent, result, to_user_id)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Every problem beside its field (record-level ones at the top); the form stays open."""
        self.busy = False
        keys = {"to", *(f.key for f in self.draft.kind.fields)} if self.draft is not None else set()
        self.problems = {}
        for field, reason in problems:
            slot = field if field in keys else "general"
            line = problem_line(field, reason)
            self.problems[slot] = f"{self.problems[slot]}\n{line}" if slot in self.problems else line
        for static in self.query(".problem").results(Static):
            slot = key_of("problem", static.id) or ""
            static.update(Text(f"✗ {self.problems[slot]}".replace("\n", "\n✗ ") if slot in self.problems else ""))
            static.display = slot in self.problems
        self._summary()
        first = next((k for k in self.problems if k != "general"), None)
        if first is not None:
            self.query_one("#field-to" if first == "to" else f"#{field_id(first)}").focus()
        else:
            self.query_one("#handoff-body", VerticalScroll).scroll_home()

    def _summary(self) -> None:
        count = len(self.problems)
        text = "" if not count else f"{count} field{'s' if count > 1 else ''} need{'' if count > 1 else 's'} attention"
        self.query_one("#handoff-summary", Static).update(Text(text, style="bold red"))

    def _clear(self, widget: Widget) -> None:
        """Editing a field clears its problem."""
        slot = key_of("field", widget.id) or ""
        if slot in self.problems:
            del self.problems[slot]
            for static in self.query(".problem").results(Static):
                if key_of("problem", static.id) == slot:
                    static.display = False
            self._summary()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._clear(event.text_area)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._clear(event.input)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._clear(event.select)

    def _sent(self, result: HandoffResult, to_user_id: int | None) -> None:
        assert self.draft is not None
        name = next((u.name for u, _ in self.draft.recipients if u.id == to_user_id), "the recipient")
        hours = self.app.workbench.playbook.handoff_sla_hours(self.kind)
        self.app.notify(f"Handoff {result.handoff_id} sent to {name}; SLA {hours} h", timeout=6)
        self.dismiss(result.handoff_id)

    def action_cancel(self) -> None:
        if self.busy and self.draft is not None:  # a send is running: its answer decides
            self.app.bell()
            return
        self.dismiss(None)
