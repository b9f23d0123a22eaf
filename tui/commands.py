"""One list of commands per screen: it drives the key bindings, the footer, the help screen and the palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Command:
    keys: str
    action: str
    label: str
    help: str
    footer: bool = True
    key_display: str | None = None
    priority: bool = False

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.label, show=self.footer, key_display=self.key_display,
                       priority=self.priority)


APP_COMMANDS = [
    Command("f1,question_mark", "app.help", "Help", "List every key on this screen", key_display="?"),
    Command("ctrl+p", "app.command_palette", "Palette", "Search screens, commands and contacts", footer=False),
    Command("q", "app.quit", "Quit", "Leave revdesk"),
]

TODAY_COMMANDS = [
    Command("enter", "call", "Call", "Open call mode on the selected item", priority=True),
    Command("j,down", "cursor_down", "Down", "Next item", footer=False),
    Command("k,up", "cursor_up", "Up", "Previous item", footer=False),
    Command("r", "refresh", "Refresh", "Reload the queue and today's progress"),
]

CALL_COMMANDS = [
    Command("n", "note", "Note", "Add a note to this contact"),
    Command("f", "follow_up", "Follow-up", "Schedule a follow-up (+2d, tomorrow 9:00, next monday)"),
    Command("N", "note_last", "Note on last", "Add a note to the person you just logged a call for", footer=False,
            key_display="shift+n"),
    Command("F", "follow_up_last", "Follow-up on last", "Schedule a follow-up for the person you just called",
            footer=False, key_display="shift+f"),
    Command("s", "skip", "Skip", "Skip to the next item (it stays in your queue)"),
    Command("u", "undo", "Undo", "Take back the last outcome you logged"),
    Command("escape", "back", "Today", "Back to the Today screen", key_display="esc"),
    Command("A", "account", "Account", "Open the account's 360 view", footer=False, key_display="shift+a"),
]


def bindings(commands: list[Command]) -> list[Binding]:
    return [c.binding() for c in commands]


ACCOUNT_COMMANDS = [
    Command("enter", "call", "Call", "Open call mode on the selected contact"),
    Command("j,down", "cursor_down", "Down", "Next row", footer=False),
    Command("k,up", "cursor_up", "Up", "Previous row", footer=False),
    Command("tab", "app.focus_next", "Next panel", "Move between contacts, deals and the history tabs"),
    Command("t", "next_tab", "History tab", "Switch between timeline, handoffs and owner history"),
    Command("r", "refresh", "Refresh", "Reload the account"),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]
