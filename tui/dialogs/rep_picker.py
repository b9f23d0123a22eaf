"""Pick one person (for the KPI dashboard): type to filter, enter chooses, escape cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from revdesk.core.common.models import User
from revdesk.tui.commands import REP_PICKER_COMMANDS, bindings


class RepPicker(ModalScreen[str | None]):
    COMMANDS_LIST = REP_PICKER_COMMANDS
    BINDINGS = bindings(REP_PICKER_COMMANDS)
    DEFAULT_CSS = """
    RepPicker { align: center middle; }
    RepPicker > Vertical { width: 60; height: 24; border: round $accent; background: $surface; padding: 0 1; }
    RepPicker OptionList { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Whose KPIs? Type to filter, enter chooses, esc cancels")
            yield Input(placeholder="name, handle, role or team", id="rep-filter")
            yield OptionList(id="rep-options")

    def on_mount(self) -> None:
        self.users: list[User] = self.app.workbench.users()
        self._fill("")
        self.query_one("#rep-filter", Input).focus()

    def _fill(self, text: str) -> None:
        needle = text.strip().lower()
        options = self.query_one("#rep-options", OptionList)
        options.clear_options()
        for user in self.users:
            words = f"{user.name} {user.handle} {user.role} {user.team}".lower()
            if needle in words:
                options.add_option(Option(Text(f"{user.name}  ·  {user.role.upper()}  ·  {user.team}"), id=user.handle))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_choose(self) -> None:
        options = self.query_one("#rep-options", OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_down(self) -> None:
        self.query_one("#rep-options", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#rep-options", OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
