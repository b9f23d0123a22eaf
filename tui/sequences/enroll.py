"""Enrolling contacts in a sequence: pick the sequence (name, steps, how long) and the owner (me, or another SDR
of my team: the steps land in their queue), read what will happen, and ctrl+s enrolls. Contacts that may not be
enrolled (do-not-contact, already in a sequence, done with this one) are named with why, before and after;
nothing is written for them. Dismisses with the number enrolled, or None when cancelled."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from revdesk.core.common.errors import InvalidInput, RevdeskError
from revdesk.core.common.models import User
from revdesk.db.workbench import EnrollCandidate, StoredSequence
from revdesk.sequences.definition import Sequence
from revdesk.sequences.rules import enrollment_problems
from revdesk.tui.common.workers import ShowsWorkerFailures
from revdesk.tui.sequences.sequence_list import ends_text, sequence_length, window_text


@dataclass(frozen=True)
class Choices:
    sequences: list[StoredSequence]
    owners: list[User]
    candidates: list[EnrollCandidate]


def refusals(seq: Sequence, candidates: list[EnrollCandidate]) -> dict[int, str]:
    """Who the sequence would refuse, and why (the same rules the enrollment applies)."""
    found = {}
    for c in candidates:
        problems = enrollment_problems(seq.key, seq.name, seq.allow_parallel, seq.allow_reenroll, c.do_not_contact,
                                       c.live, seq.key in c.been_in)
        if problems:
            found[c.id] = "; ".join(problems)
    return found


class EnrollModal(ShowsWorkerFailures, ModalScreen[int | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "enroll", "Enroll", priority=True)]
    DEFAULT_CSS = """
    EnrollModal .field-label {
        text-style: bold;
        margin-top: 1;
    }
    EnrollModal #enroll-summary {
        height: auto;
        margin-top: 1;
    }
    EnrollModal #enroll-result {
        height: auto;
        margin-top: 1;
    }
    EnrollModal .buttons {
        height: auto;
        margin-top: 1;
    }
    EnrollModal .buttons Button {
        margin-right: 2;
    }
    """

    def __init__(self, contact_ids: list[int], title: str, left_out: list[str] | None = None) -> None:
        super().__init__()
        self.contact_ids = contact_ids
        self.heading = title
        self.left_out = left_out or []  # names kept out before the dialog opened (do-not-contact)
        self.choices: Choices | None = None
        self.busy = True  # until the choices are loaded
        self.enrolled: int | None = None  # set once done: the next key closes

    def compose(self) -> ComposeResult:
        me = self.app.workbench.user
        with Vertical(classes="dialog"):
            yield Label(Text(self.heading), classes="dialog-title")
            yield Label("Sequence", classes="field-label")
            yield Select([], prompt="Loading sequences…", id="enroll-sequence")
            yield Label("Owner: whose Today queue the steps land in", classes="field-label")
            yield Select([(Text(f"{me.name} (me)"), me.id)], allow_blank=False, value=me.id, id="enroll-owner")
            yield Static("", id="enroll-summary")
            yield Static("", id="enroll-result")
            with Horizontal(classes="buttons"):
                yield Button("Enroll  ctrl+s", id="enroll", variant="primary")
                yield Button("Cancel  esc", id="cancel")
            yield Label("Tab moves between fields · ctrl+s enrolls · Esc cancels", classes="hint")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="enroll", exit_on_error=False)
    def _load(self) -> None:
        choices = Choices(*self.app.workbench.enroll_choices(self.contact_ids))
        self.app.call_from_thread(self._loaded, choices)

    def _loaded(self, choices: Choices) -> None:
        self.choices = choices
        self.busy = False
        select = self.query_one("#enroll-sequence", Select)
        select.set_options([(Text(f"{s.sequence.name} — {sequence_length(s.sequence)}"), s.sequence.key)
                            for s in choices.sequences])
        select.prompt = "Choose a sequence" if choices.sequences else "No sequences yet (revdesk sequences apply)"
        owner = self.query_one("#enroll-owner", Select)
        owner.set_options([(Text(f"{u.name} (me)" if u.id == choices.owners[0].id else u.name), u.id)
                           for u in choices.owners])
        owner.value = choices.owners[0].id
        select.focus()
        self._summary()

    def _chosen(self) -> tuple[StoredSequence | None, User | None]:
        if self.choices is None:
            return None, None
        select, owner = self.query_one("#enroll-sequence", Select), self.query_one("#enroll-owner", Select)
        seq = None if select.is_blank() else next(
            (s for s in self.choices.sequences if s.sequence.key == select.value), None)
        return seq, next((u for u in self.choices.owners if u.id == owner.value), None)

    def _names(self) -> dict[int, str]:
        return {c.id: c.name for c in self.choices.candidates} if self.choices else {}

    def _summary(self, preview: bool = True) -> None:
        """What will happen, from what was loaded (no query on the UI thread); without `preview`, leave out
        who will and will not be enrolled (the result says it)."""
        if self.choices is None or self.enrolled is not None:
            return
        stored, owner = self._chosen()
        text = Text()
        if stored is None:
            text.append("Choose a sequence to see what will happen.", style="dim")
        else:
            seq, first = stored.sequence, stored.sequence.steps[0]
            whose = "your" if owner is None or owner.id == self.app.workbench.user.id else f"{owner.name}'s"
            channels = ", ".join(s.channel for s in seq.steps)
            text.append(f"{seq.name}: {sequence_length(seq)} ({channels}).\n")
            text.append(f"Step 1 ({first.channel}) comes due in its window ({window_text(first.window)}, the "
                        f"contact's time) and lands in {whose} Today queue; each step done schedules the next.\n")
            ends = ends_text(seq.exit_on)
            text.append(f"It ends on {ends}." if ends else "It runs to the last step.", style="dim")
            if preview:
                refused = refusals(seq, self.choices.candidates)
                going = len(self.choices.candidates) - len(refused)
                text.append(f"\n{going} of {len(self.choices.candidates)} will be enrolled.", style="bold")
                self._list_refused(text, refused, "Cannot enroll")
        if self.left_out:
            text.append(f"\nLeft out as do-not-contact: {', '.join(self.left_out)}.", style="dim")
        self.query_one("#enroll-summary", Static).update(text)

    def _list_refused(self, text: Text, refused: dict[int, str], heading: str) -> None:
        names = self._names()
        for contact_id, why in refused.items():
            text.append(f"\n✗ {heading}: {names.get(contact_id, f'contact {contact_id}')} {why}", style="red")

    def on_select_changed(self, event: Select.Changed) -> None:
        self.query_one("#enroll-result", Static).update("")
        self._summary()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "enroll":
            self.action_enroll()
        else:
            self.action_cancel()

    def action_enroll(self) -> None:
        if self.enrolled is not None:
            self.dismiss(self.enrolled)
            return
        if self.busy:
            self.app.bell()
            return
        stored, owner = self._chosen()
        if stored is None or self.choices is None:
            self.query_one("#enroll-result", Static).update(Text("Choose a sequence first.", style="red"))
            return
        if not self.choices.candidates or len(refusals(stored.sequence, self.choices.candidates)) == len(
                self.choices.candidates):
            self._show_result(stored.sequence, 0, refusals(stored.sequence, self.choices.candidates))
            return
        self.busy = True
        self._enroll(stored.sequence, [c.id for c in self.choices.candidates], owner)

    @work(thread=True, exclusive=True, group="enroll", exit_on_error=False)
    def _enroll(self, seq: Sequence, contact_ids: list[int], owner: User | None) -> None:
        try:
            result = self.app.workbench.enroll(seq.key, contact_ids, owner)
        except InvalidInput as exc:  # a single contact refused: nothing was written
            why = exc.reason.split(" ", 1)[1] if exc.field == "contact" and " " in exc.reason else exc.reason
            self.app.call_from_thread(self._show_result, seq, 0, {contact_ids[0]: why})
        except Exception as exc:  # noqa: BLE001 - shown in the dialog; nothing was written
            text = str(exc) if isinstance(exc, RevdeskError) else f"Could not enroll: {type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._failed, text)
        else:
            self.app.call_from_thread(self._show_result, seq, len(result.enrollments), result.refused)

    def _failed(self, text: str) -> None:
        self.busy = False
        self.query_one("#enroll-result", Static).update(Text(text, style="red"))

    def _show_result(self, seq: Sequence, count: int, refused: dict[int, str]) -> None:
        self.busy = False
        names = self._names()
        going = [names[i] for i in names if i not in refused]
        who = ", ".join(going) if len(going) == count <= 3 else f"{count} contact{'' if count == 1 else 's'}"
        if count and not refused:
            self.app.notify(f"{who} enrolled in '{seq.name}'", timeout=4)
            self.dismiss(count)
            return
        text = Text()
        if count:
            text.append(f"✓ {who} enrolled in '{seq.name}'.", style="green")
            self.enrolled = count
            self.query_one("#enroll", Button).label = "Close  ctrl+s"
            self.query_one("#enroll-summary", Static).update("")
        else:
            self._summary(preview=False)
            text.append(f"Nobody was enrolled in '{seq.name}'; nothing was written.", style="bold")
        self._list_refused(text, refused, "Not enrolled")
        self.query_one("#enroll-result", Static).update(text)

    def action_cancel(self) -> None:
        if self.enrolled is not None:
            self.dismiss(self.enrolled)
        elif not self.busy or self.choices is None:
            self.dismiss(None)
