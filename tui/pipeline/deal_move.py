"""Moving a deal with its exit criteria enforced. A worker checks which of the fields the move requires
(core.pipeline.deal_rules.required_fields) the deal lacks: none, and it moves at once; otherwise a dialog asks for
exactly those, names every problem beside its field, and refuses the move until all are right. Closed Lost
asks for the reason. `DealMoves` gives a screen the keys: ] next stage, [ back a stage, m the stage picker."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from revdesk.core.common.errors import InvalidFields, InvalidInput, NotFound, RevdeskError
from revdesk.core.pipeline.deal_rules import COLUMN_FIELDS, MOVERS, may_move, missing_fields, required_fields
from revdesk.core.pipeline.lanes import Card, next_stage, previous_stage
from revdesk.core.playbook.model import Playbook, Stage
from revdesk.tui.commands import DEAL_MOVE_COMMANDS, bindings
from revdesk.tui.common.widget_ids import key_id, key_of
from revdesk.tui.common.workers import ShowsWorkerFailures

if TYPE_CHECKING:
    from revdesk.db.workbench import DealState

FIELD_LABELS = {"amount": "Amount", "expected_close_date": "Expected close date",
                "primary_contact_id": "Primary contact", "lost_reason": "Lost reason",
                "currency": "Currency", "name": "Deal name"}
Done = Callable[[Card, Stage, bool], None]  # (deal, stage it moved to, won)
LEAD_MOVES = "Leads move by the calls you log and the handoffs you send: enter opens call mode."
OWN_SLOTS = ("other",)  # the dialog's own problem line: a criterion with this key gets an escaped id


def _id(kind: str, key: str) -> str:
    """`field-KEY` / `problem-KEY` for a criterion the playbook names (a safe encoding: tui.common.widget_ids)."""
    return key_id(kind, key, OWN_SLOTS)


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key.replace("_", " ").capitalize())


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidInput) and not isinstance(exc, InvalidFields):
        return exc.reason
    return str(exc) if isinstance(exc, RevdeskError) else f"Could not move: {type(exc).__name__}: {exc}"


def begin_move(host: DealMoves, card: Card, target: Stage, done: Done) -> None:
    """Check the move in a worker, then move at once or ask for the missing fields."""
    host.run_worker(partial(_prepare, host.app, card, target, done), group="move", thread=True, exit_on_error=False)


def begin_pick(host: DealMoves, card: Card, done: Done) -> None:
    """Open the stage picker once a worker has read which fields the deal has."""
    host.run_worker(partial(_pick, host, card, done), group="move", thread=True, exit_on_error=False)


def _state(app: App, card: Card) -> DealState:
    """(worker) The deal as it is now; refused unless the user may move it."""
    bench = app.workbench
    state = bench.deal_state(card.id)
    if state is None:
        raise NotFound("deal", card.id)
    if not may_move(bench.user.role, bench.user.id, state.owner_id):
        raise InvalidInput("as", f"{card.title} is {state.owner_name or 'unowned'}'s: {MOVERS}")
    return state


def _pick(host: DealMoves, card: Card, done: Done) -> None:
    app = host.app
    try:
        state = _state(app, card)
    except Exception as exc:  # noqa: BLE001 - the rep keeps working; the reason is shown
        app.call_from_thread(app.notify, _reason(exc), severity="error", timeout=6)
        return
    playbook = app.workbench.playbook

    def picked(key: str | None) -> None:
        if key:
            begin_move(host, card, playbook.stage(key), done)

    app.call_from_thread(_show_picker, app, card, playbook, state, picked)


def _show_picker(app: App, card: Card, playbook: Playbook, state: DealState,
                 picked: Callable[[str | None], None]) -> None:
    """(UI thread) The picker is built and pushed here, not in the worker."""
    app.push_screen(StagePicker(card, playbook, state.stage, state.values), picked)


def _prepare(app: App, card: Card, target: Stage, done: Done) -> None:
    """(worker) Which required fields the deal lacks; move now when none."""
    bench = app.workbench
    try:
        state = _state(app, card)
        if state.stage == target.key:
            raise InvalidInput("stage", f"{card.title} is already in {target.label}")
        missing = missing_fields(required_fields(bench.playbook, state.stage, target.key), state.values, {})
        if missing:
            keys = {key for key, _ in missing}
            contacts = bench.deal_contacts(state.account_id) if "primary_contact_id" in keys else []
            app.call_from_thread(_ask, app, card, target, missing, contacts, done)
            return
        moved = bench.move_deal(card.id, target.key, {})
    except Exception as exc:  # noqa: BLE001 - the rep keeps working; the reason is shown
        app.call_from_thread(app.notify, _reason(exc), severity="error", timeout=6)
        return
    app.call_from_thread(done, card, target, moved.won)


def _ask(app: App, card: Card, target: Stage, missing: list[tuple[str, str]], contacts: list[tuple[int, str]],
         done: Done) -> None:
    def closed(won: bool | None) -> None:
        if won is not None:
            done(card, target, won)

    app.push_screen(DealMoveModal(card, target, missing, contacts), closed)


class DealMoves:
    """The move keys of a screen showing deals (] next stage, [ back, m pick one). The screen gives
    `selected_card()` and `after_move(card)`; leads are not moved here."""

    app: Any  # these three come from the Screen this is mixed into
    notify: Callable[..., None]
    run_worker: Callable[..., Any]

    def selected_card(self) -> Card | None:
        raise NotImplementedError

    def after_move(self, card: Card) -> None:
        raise NotImplementedError

    def _deal(self) -> Card | None:
        card = self.selected_card()
        if card is None:
            self.notify("No deal selected.")
        elif card.kind == "lead":
            self.notify(LEAD_MOVES, timeout=5)
        else:
            return card
        return None

    def action_move_next(self) -> None:
        if (card := self._deal()) is not None:
            self._move(card, next_stage(self.app.workbench.playbook, card.lane), "already closed: [ reopens it")

    def action_move_back(self) -> None:
        if (card := self._deal()) is not None:
            self._move(card, previous_stage(self.app.workbench.playbook, card.lane), "already in the first stage")

    def action_move_to(self) -> None:
        if (card := self._deal()) is not None:
            begin_pick(self, card, self._moved)

    def _move(self, card: Card, target: Stage | None, nowhere: str) -> None:
        if target is None:
            self.notify(f"{card.title} is {nowhere}.")
        else:
            begin_move(self, card, target, self._moved)

    def _moved(self, card: Card, target: Stage, won: bool) -> None:
        """Say so, show the deal in its new lane, and offer the CS handoff for a won deal."""
        self.notify(f"Moved to {target.label}: {card.title}")
        self.after_move(card)
        if won:
            offer_handoff(self.app, card.id)


def offer_handoff(app: App, deal_id: int) -> None:
    """A won deal goes to customer success with its onboarding context: open that handoff's form."""
    from revdesk.tui.navigation import SendHandoff

    app.notify("Won! Hand the account to customer success now (Esc: later, with h on the deal in Account 360).")
    app.post_message(SendHandoff("ae_cs", deal_id=deal_id))


class DealMoveModal(ShowsWorkerFailures, ModalScreen[bool | None]):
    """One input per missing field; the result is whether the move won the deal (None: cancelled)."""

    COMMANDS_LIST = DEAL_MOVE_COMMANDS
    BINDINGS = bindings(DEAL_MOVE_COMMANDS)
    AUTO_FOCUS = ".field"
    DEFAULT_CSS = """
    DealMoveModal .field-label { margin-top: 1; text-style: bold; }
    DealMoveModal .field-problem { color: $error; height: auto; }
    DealMoveModal #problem-other { color: $error; height: auto; }
    """

    def __init__(self, card: Card, target: Stage, missing: list[tuple[str, str]],
                 contacts: list[tuple[int, str]] | None = None) -> None:
        super().__init__()
        self.card = card
        self.target = target
        self.missing = missing
        self.contacts = contacts or []
        self.busy = False

    def compose(self) -> ComposeResult:
        count = len(self.missing)
        with VerticalScroll(classes="dialog"):
            yield Label(Text(f"Move “{self.card.title}” to {self.target.label}"), classes="dialog-title")
            yield Label(f"The playbook needs {count} more field{'s' if count > 1 else ''} for this move.")
            for key, why in self.missing:
                label = field_label(key)
                if key == "amount":
                    label += f" ({self.card.currency})"
                yield Label(Text(f"{label} — {why}"), classes="field-label")
                if key == "primary_contact_id" and self.contacts:
                    yield Select([(Text(name), str(cid)) for cid, name in self.contacts], id=_id("field", key),
                                 prompt="pick a contact at the account", classes="field")
                else:
                    yield Input(placeholder=COLUMN_FIELDS.get(key, "in words"), id=_id("field", key), classes="field")
                yield Static("", id=_id("problem", key), classes="field-problem")
            yield Static("", id="problem-other")
            with Horizontal(classes="quick"):
                yield Button(Text(f"Move to {self.target.label}"), variant="primary", id="move", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
            yield Static("Enter: next field, then move · ctrl+s moves · Esc cancels. Nothing is saved until"
                         " every field is right.", classes="hint")

    def values(self) -> dict[str, str]:
        """Every field as typed, empty ones too, so the service names each one that is missing."""
        values = {}
        for key, _ in self.missing:
            widget = self.query_one(f"#{_id('field', key)}")
            if isinstance(widget, Select):
                values[key] = "" if widget.value is Select.NULL else str(widget.value)
            else:
                values[key] = widget.value
        return values

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        keys = [key for key, _ in self.missing]
        later = keys[keys.index(key_of("field", event.input.id) or "") + 1:]
        if later:
            self.query_one(f"#{_id('field', later[0])}").focus()
        else:
            self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "move":
            self.action_submit()
        else:
            self.action_cancel()

    def action_submit(self) -> None:
        if self.busy:
            self.app.bell()
            return
        self.busy = True
        self.query_one("#problem-other", Static).update(Text("Moving…", "dim"))
        self._move(self.values())

    @work(thread=True, exclusive=True, group="move-submit", exit_on_error=False)
    def _move(self, fields: dict[str, str]) -> None:
        try:
            moved = self.app.workbench.move_deal(self.card.id, self.target.key, fields)
        except InvalidFields as exc:
            self.app.call_from_thread(self.show_problems, exc.problems)
        except InvalidInput as exc:
            self.app.call_from_thread(self.show_problems, [(exc.field, exc.reason)])
        except Exception as exc:  # noqa: BLE001 - the dialog stays open with the reason
            self.app.call_from_thread(self.show_problems, [("", _reason(exc))])
        else:
            self.app.call_from_thread(self.dismiss, moved.won)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Each problem beside its field; the dialog stays open and nothing was written."""
        self.busy = False
        keys = [key for key, _ in self.missing]
        for key in keys:
            self.query_one(f"#{_id('problem', key)}", Static).update("")
            self.query_one(f"#{_id('field', key)}").remove_class("-invalid")
        other = []
        for key, reason in problems:
            if key in keys:
                field = self.query_one(f"#{_id('field', key)}")
                if isinstance(field, Select) and "real value" in reason:
                    reason = "needs a choice: pick a contact at the account"
                self.query_one(f"#{_id('problem', key)}", Static).update(Text(f"✗ {field_label(key)} {reason}"))
                field.add_class("-invalid")
            else:
                other.append(f"✗ {key}: {reason}" if key else f"✗ {reason}")
        self.query_one("#problem-other", Static).update(Text("\n".join(other)))
        first = next((key for key in keys if any(p[0] == key for p in problems)), None)
        if first is not None:
            self.query_one(f"#{_id('field', first)}").focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class StagePicker(ModalScreen[str | None]):
    """Pick the stage to move a deal to; each says which fields the move will ask for (those the deal lacks)."""

    BINDINGS = bindings([c for c in DEAL_MOVE_COMMANDS if c.action == "cancel"])

    def __init__(self, card: Card, playbook: Playbook, stage: str, values: dict[str, object]) -> None:
        super().__init__()
        self.card = card
        self.playbook = playbook
        self.stage = stage  # where the deal is now
        self.values = values  # the fields it has

    def compose(self) -> ComposeResult:
        options = []
        for stage in self.playbook.stages:
            text = Text(stage.label, "bold")
            if stage.key == self.stage:
                text.append("  here now", "dim")
            else:
                needed = missing_fields(required_fields(self.playbook, self.stage, stage.key), self.values, {})
                asks = [field_label(key).lower() for key, _ in needed]
                text.append(f"  asks for {', '.join(asks)}" if asks else "  ready", "dim")
            options.append(Option(text, id=stage.key, disabled=stage.key == self.stage))
        with VerticalScroll(classes="dialog"):
            yield Label(Text(f"Move “{self.card.title}” to…"), classes="dialog-title")
            yield OptionList(*options, id="stages")
            yield Label("Enter moves · Esc cancels", classes="hint")

    def on_mount(self) -> None:
        keys = [s.key for s in self.playbook.stages]
        here = keys.index(self.stage)
        stages = self.query_one("#stages", OptionList)
        stages.highlighted = here + 1 if here + 1 < len(keys) else max(here - 1, 0)
        stages.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
