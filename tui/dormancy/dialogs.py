"""The dormant screen's dialogs: snooze an account (days and a reason), assign it to one person, or deal out the
unowned dormant accounts round-robin over the reps ticked. Each runs its workbench service in a thread worker,
shows a refusal beside the field it names and writes nothing then; it dismisses with the message to show, or
None when cancelled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from revdesk.core.common.errors import InvalidFields, InvalidInput, RevdeskError
from revdesk.core.common.models import User
from revdesk.core.dormancy.definition import DormantAccount, round_robin
from revdesk.db.workbench import MAX_SNOOZE_DAYS, Workbench
from revdesk.tui.common.workers import ShowsWorkerFailures

ROLE_ORDER = ("sdr", "ae", "cs", "manager", "founder")
REP_ROLES = ("sdr", "ae", "cs")


def by_role(users: list[User], roles: tuple[str, ...] = ROLE_ORDER) -> list[User]:
    return sorted((u for u in users if u.role in roles), key=lambda u: (roles.index(u.role), u.name))


def spread(pairs: list[tuple[int, int]], handles: dict[int, str]) -> str:
    """'3 to maya, 2 to tom', in the order dealt."""
    counts: dict[str, int] = {}
    for _, owner in pairs:
        counts[handles.get(owner, str(owner))] = counts.get(handles.get(owner, str(owner)), 0) + 1
    return ", ".join(f"{n} to {handle}" for handle, n in counts.items())


def whole_number(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


class DeskModal(ShowsWorkerFailures, ModalScreen[str | None]):
    """What the dialogs share: problems under their fields (anything else above the buttons), ctrl+s runs the
    service in a worker, Esc cancels."""

    FIELDS: tuple[str, ...] = ()
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "submit", "Save", priority=True)]
    DEFAULT_CSS = """
    DeskModal .field-label {
        text-style: bold;
        margin-top: 1;
    }
    DeskModal .about {
        color: $text-muted;
        height: auto;
    }
    DeskModal .problem {
        color: $error;
        height: auto;
    }
    DeskModal #preview-line {
        height: auto;
        margin-top: 1;
    }
    DeskModal SelectionList {
        height: auto;
        max-height: 12;
    }
    DeskModal .buttons {
        height: auto;
        margin-top: 1;
    }
    DeskModal .buttons Button {
        margin-right: 2;
    }
    """

    def __init__(self, desk: Workbench) -> None:
        super().__init__()
        self.desk = desk
        self.busy = False
        self.problems: dict[str, str] = {}

    @staticmethod
    def problem(field: str) -> Static:
        static = Static("", id=f"problem-{field}", classes="problem")
        static.display = False
        return static

    def buttons(self, label: str) -> ComposeResult:
        yield self.problem("other")
        with Horizontal(classes="buttons"):
            yield Button(f"{label}  ctrl+s", id="submit", variant="primary")
            yield Button("Cancel  esc", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def request(self) -> Callable[[], str] | None:
        """The service call to make with what was typed (returning the message to show), or None after showing
        why the input cannot be sent."""
        raise NotImplementedError

    def action_submit(self) -> None:
        if self.busy:
            self.app.bell()
            return
        call = self.request()
        if call is not None:
            self.busy = True
            self._run(call)

    @work(thread=True, exclusive=True, group="dormant-dialog", exit_on_error=False)
    def _run(self, call: Callable[[], str]) -> None:
        try:
            message = call()
        except InvalidFields as exc:
            self.app.call_from_thread(self.show_problems, exc.problems)
        except InvalidInput as exc:
            self.app.call_from_thread(self.show_problems, [(exc.field, exc.reason)])
        except Exception as exc:  # noqa: BLE001 - shown in the dialog; nothing was written
            text = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self.show_problems, [("other", text)])
        else:
            self.app.call_from_thread(self.dismiss, message)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Each problem under its field; the others (who may do it, which account) above the buttons."""
        self.busy = False
        self.problems = {}
        for field, text in problems:
            slot = field if field in self.FIELDS else "other"
            line = text[:1].upper() + text[1:]
            self.problems[slot] = f"{self.problems[slot]}\n{line}" if slot in self.problems else line
        for slot in (*self.FIELDS, "other"):
            static = self.query_one(f"#problem-{slot}", Static)
            static.update(Text(f"✗ {self.problems.get(slot, '')}".replace("\n", "\n✗ ")))
            static.display = slot in self.problems

    def clear(self, slot: str) -> None:
        """Editing a field clears its problem."""
        if self.problems.pop(slot, None) is not None:
            self.query_one(f"#problem-{slot}", Static).display = False

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)


class SnoozeModal(DeskModal):
    """Keep a dormant account out of Today and the dormant list for some days, saying why."""

    FIELDS = ("days", "reason")

    def __init__(self, desk: Workbench, account: DormantAccount) -> None:
        super().__init__(desk)
        self.account = account

    def compose(self) -> ComposeResult:
        a = self.account
        with Vertical(classes="dialog"):
            yield Label(Text(f"Snooze {a.name}"), classes="dialog-title")
            yield Static(Text(f"{a.reason()} · {f'owned by {a.owner_name}' if a.owner_name else 'unowned'}"),
                         classes="about")
            yield Label(f"For how many days (1–{MAX_SNOOZE_DAYS})", classes="field-label")
            yield Input("30", id="field-days", type="integer")
            yield self.problem("days")
            yield Label("Why it can wait", classes="field-label")
            yield Input(placeholder="e.g. mid-reorg; call after their budget round in Q1", id="field-reason")
            yield self.problem("reason")
            yield Static("", id="preview-line")
            yield from self.buttons("Snooze")
            yield Label("Tab moves between fields · Enter or ctrl+s snoozes · Esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#field-reason", Input).focus()
        self._preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.clear(str(event.input.id).removeprefix("field-"))
        self._preview()

    def _preview(self) -> None:
        days = whole_number(self.query_one("#field-days", Input).value)
        line = self.query_one("#preview-line", Static)
        if days is None or not 1 <= days <= MAX_SNOOZE_DAYS:
            line.update("")
            return
        back = self.desk.now() + timedelta(days=days)
        line.update(f"→ back in Today and in this list on {back:%a %d %b %Y}")

    def request(self) -> Callable[[], str] | None:
        days = whole_number(self.query_one("#field-days", Input).value)
        if days is None:
            self.show_problems([("days", "say how many days, e.g. 30")])
            return None
        reason = self.query_one("#field-reason", Input).value
        account, desk = self.account, self.desk

        def snooze() -> str:
            until = desk.snooze_dormant(account.account_id, days, reason)
            return f"Snoozed until {until.astimezone(desk.tz):%a %d %b %Y}: {account.name}"

        return snooze


class AssignModal(DeskModal):
    """Give one dormant account an owner."""

    FIELDS = ("to",)

    def __init__(self, desk: Workbench, account: DormantAccount, users: list[User]) -> None:
        super().__init__(desk)
        self.account = account
        self.users = [u for u in by_role(users) if u.id != account.owner_id]

    def compose(self) -> ComposeResult:
        a = self.account
        with Vertical(classes="dialog"):
            yield Label(Text(f"Assign {a.name}"), classes="dialog-title")
            yield Static(Text(f"{f'Owned by {a.owner_name}' if a.owner_name else 'Nobody owns it'} · {a.reason()}"),
                         classes="about")
            yield Label("New owner: from now on it may come up in their Today", classes="field-label")
            yield Select([(Text(f"{u.name} · {u.role}"), u.handle) for u in self.users],
                         prompt="Choose who should own it", id="field-to")
            yield self.problem("to")
            yield from self.buttons("Assign")
            yield Label("ctrl+s assigns · Esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#field-to", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.clear("to")

    def request(self) -> Callable[[], str] | None:
        select = self.query_one("#field-to", Select)
        if select.is_blank():
            self.show_problems([("to", "choose who should own it")])
            return None
        handle = str(select.value)
        name = next(u.name for u in self.users if u.handle == handle)
        account, desk = self.account, self.desk

        def assign() -> str:
            desk.assign_dormant([handle], account_ids=[account.account_id])
            return f"{account.name} assigned to {name}"

        return assign


class BulkAssignModal(DeskModal):
    """Deal the unowned dormant accounts out over the reps ticked, in the order ticked, most valuable first."""

    FIELDS = ("to", "limit")

    def __init__(self, desk: Workbench, users: list[User]) -> None:
        super().__init__(desk)
        self.reps = by_role(users, REP_ROLES)
        self.handles = {u.id: u.handle for u in users}
        self.unowned: int | None = None  # counted once the dialog is open

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Deal out the unowned dormant accounts", classes="dialog-title")
            yield Static("The unowned dormant accounts that are not snoozed go round-robin, most valuable first, to "
                         "the reps you tick, in the order you tick them.", classes="about")
            yield Label("Reps (space ticks)", classes="field-label")
            yield SelectionList[str](*(Selection(f"{u.name} · {u.role}", u.handle) for u in self.reps),
                                     id="field-to")
            yield self.problem("to")
            yield Label("At most how many (empty: all of them)", classes="field-label")
            yield Input(placeholder="all", id="field-limit", type="integer")
            yield self.problem("limit")
            yield Static("", id="preview-line")
            yield from self.buttons("Assign")
            yield Label("Tab moves between fields · ctrl+s assigns · Esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#field-to", SelectionList).focus()
        self._preview()
        self._count()

    @work(thread=True, exclusive=True, group="dormant-count", exit_on_error=False)
    def _count(self) -> None:
        try:
            count = self.desk.dormant_count("unowned", snoozed=False)
        except Exception:  # noqa: BLE001 - the preview just goes without the count
            return
        self.app.call_from_thread(self._counted, count)

    def _counted(self, count: int) -> None:
        self.unowned = count
        self._preview()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self.clear("to")
        self._preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.clear("limit")
        self._preview()

    def _preview(self) -> None:
        """What ctrl+s will do, from the count taken when the dialog opened."""
        line = self.query_one("#preview-line", Static)
        if self.unowned is None:
            line.update("Counting the unowned dormant accounts…")
            return
        if not self.unowned:
            line.update("No unowned dormant accounts to deal out.")
            return
        limit = whole_number(self.query_one("#field-limit", Input).value)
        going = min(self.unowned, limit) if limit is not None and limit > 0 else self.unowned
        handles = self.query_one("#field-to", SelectionList).selected
        if not handles:
            line.update(f"{going} of the {self.unowned} unowned dormant accounts will be dealt out: tick a rep.")
            return
        ids = {h: i for i, h in self.handles.items()}
        pairs = round_robin(list(range(going)), [ids[h] for h in handles])
        line.update(Text(f"→ {going} of {self.unowned} will be assigned: {spread(pairs, self.handles)}"))

    def request(self) -> Callable[[], str] | None:
        text = self.query_one("#field-limit", Input).value.strip()
        limit = whole_number(text) if text else None
        if text and limit is None:
            self.show_problems([("limit", "a whole number, or empty for all")])
            return None
        handles = list(self.query_one("#field-to", SelectionList).selected)
        desk, names = self.desk, self.handles

        def assign() -> str:
            assigned = desk.assign_dormant(handles, limit=limit)
            if not assigned.pairs:
                return "No unowned dormant accounts to assign."
            return f"Assigned {len(assigned.pairs)}: {spread(assigned.pairs, names)}"

        return assign
