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
    Command("i", "app.inbox", "Inbox", "Handoffs to me and from me"),
    Command("q", "app.quit", "Quit", "Leave revdesk"),
    Command("p", "app.pipeline", "Pipeline", "Lead and deal lanes", footer=False),
    Command("S", "app.sequences", "Sequences", "Sequences with their figures, steps and enrollments", footer=False,
            key_display="shift+s"),
    Command("D", "app.dormant", "Dormant", "Dormant customer accounts, most value at risk first", footer=False,
            key_display="shift+d"),
    Command("F", "app.funnel", "Funnel & deals", "The lifecycle funnel, deal metrics, time in stage and the forecast",
            footer=False, key_display="shift+f"),
    Command("K", "app.dashboard", "KPIs", "The KPI dashboard: targets, trend and activity per lead stage, for me, my"
            " team, everyone or one rep", footer=False, key_display="shift+k"),
    Command("L", "app.leaks", "Leaks", "The revenue-leak report: where revenue leaks between people, every number"
            " drilling down to its records", footer=False, key_display="shift+l"),
    Command("I", "app.import", "Import", "Bring a CRM export (CSV or JSON) in through a mapping: a dry run first, then"
            " for real", footer=False, key_display="shift+i"),
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
    Command("h", "handoff", "Hand off", "Hand this lead to an AE with its context"),
    Command("E", "enroll", "Enroll", "Enroll this contact in a sequence", footer=False, key_display="shift+e"),
    # Sequence steps (the line under the banner names the keys that fit the step on screen):
    Command("e", "email_step", "E-mail step", "An e-mail step: see the e-mail, send it and log it", footer=False),
    Command("d", "step_done", "Step done", "Mark a LinkedIn or task step done; the sequence moves on", footer=False),
    Command("ctrl+x", "skip_step", "Skip step", "Skip this sequence step; the sequence moves on to its next step",
            footer=False),
]

EMAIL_STEP_COMMANDS = [
    Command("ctrl+s", "send", "Send", "Send the e-mail as config.toml says (an .eml file by default) and log it",
            priority=True),
    Command("escape", "cancel", "Cancel", "Close without sending", key_display="esc"),
]


def bindings(commands: list[Command]) -> list[Binding]:
    return [c.binding() for c in commands]


ACCOUNT_COMMANDS = [
    Command("enter", "call", "Call", "Open call mode on the selected contact"),
    Command("h", "handoff", "Hand off", "Hand the selected contact to an AE, or a won deal to customer success"),
    Command("j,down", "cursor_down", "Down", "Next row", footer=False),
    Command("k,up", "cursor_up", "Up", "Previous row", footer=False),
    Command("E", "enroll", "Enroll", "Enroll the selected contact in a sequence", key_display="shift+e"),
    Command("ctrl+e", "enroll_account", "Enroll all", "Enroll all the account's contacts (not do-not-contact)"),
    Command("tab", "app.focus_next", "Next panel", "Move between contacts, deals and the history tabs"),
    Command("t", "next_tab", "History tab", "Switch between timeline, handoffs and owner history"),
    Command("r", "refresh", "Refresh", "Reload the account"),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]

PIPELINE_COMMANDS = [
    Command("enter", "open", "Open", "Open the deal's account, or call mode on a lead", priority=True),
    Command("right_square_bracket", "move_next", "Next stage", "Move the deal to the next stage", key_display="]"),
    Command("left_square_bracket", "move_back", "Back a stage", "Move the deal back a stage", key_display="["),
    Command("greater_than_sign", "move_next", "Next stage", "Same as ]", footer=False, key_display=">"),
    Command("less_than_sign", "move_back", "Back a stage", "Same as [", footer=False, key_display="<"),
    Command("m", "move_to", "Move to…", "Pick the stage to move the deal to (Closed Lost asks for a reason)"),
    Command("s", "scope", "Scope", "Show mine, my team's or everyone's cards"),
    Command("E", "enroll", "Enroll", "Enroll the selected lead in a sequence", footer=False, key_display="shift+e"),
    Command("ctrl+e", "enroll(True)", "Enroll lane", "Enroll every lead shown in this lane in a sequence",
            footer=False),
    Command("h,left", "lane(-1)", "Left", "Previous lane", footer=False),
    Command("l,right", "lane(1)", "Right", "Next lane", footer=False),
    Command("j,down", "card(1)", "Down", "Next card", footer=False),
    Command("k,up", "card(-1)", "Up", "Previous card", footer=False),
    Command("r", "refresh", "Refresh", "Reload the lanes", footer=False),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]

DEAL_MOVE_COMMANDS = [
    Command("ctrl+s", "submit", "Move", "Move the deal with the fields given"),
    Command("escape", "cancel", "Cancel", "Close without moving", key_display="esc"),
]

HANDOFF_FORM_COMMANDS = [
    Command("ctrl+s", "send", "Send", "Send the handoff; every field that needs attention is named", priority=True),
    Command("tab", "app.focus_next", "Next field", "Move to the next field", footer=False),
    Command("shift+tab", "app.focus_previous", "Previous field", "Move to the previous field", footer=False),
    Command("escape", "cancel", "Cancel", "Close the form without sending", key_display="esc"),
]

HANDOFF_REVIEW_COMMANDS = [
    Command("a", "accept", "Accept", "Accept: the deal starts at the first AE stage, owned by you"),
    Command("r", "reject", "Reject", "Reject with a reason and a note; the lead goes back, to nurture or out"),
    Command("A", "account", "Account", "Open the account's 360 view", footer=False, key_display="shift+a"),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]

HANDOFF_INBOX_COMMANDS = [
    Command("enter", "open", "Open", "Open the selected handoff with its whole context", priority=True),
    Command("j,down", "cursor_down", "Down", "Next handoff", footer=False),
    Command("k,up", "cursor_up", "Up", "Previous handoff", footer=False),
    Command("t", "toggle_sent", "To me / sent", "Switch between handoffs to me and handoffs I sent"),
    Command("e", "toggle_everyone", "Everyone", "Show everyone's handoffs (the team view)"),
    Command("r", "refresh", "Refresh", "Reload the handoffs"),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]

SEQUENCES_COMMANDS = [
    Command("enter", "open", "Enrollments", "Show the selected sequence's enrollments", priority=True),
    Command("j,down", "cursor_down", "Down", "Next sequence", footer=False),
    Command("k,up", "cursor_up", "Up", "Previous sequence", footer=False),
    Command("r", "refresh", "Refresh", "Reload the figures"),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]

SEQUENCE_ENROLLMENTS_COMMANDS = [
    Command("p", "pause", "Pause", "Pause the selected enrollment: its due step leaves the queue"),
    Command("r", "resume", "Resume", "Resume it: the step it is on is scheduled again from now"),
    Command("x", "remove", "Remove", "Take the contact out of the sequence (asks first)"),
    Command("enter", "call", "Call", "Open call mode on the selected contact", priority=True),
    Command("j,down", "cursor_down", "Down", "Next enrollment", footer=False),
    Command("k,up", "cursor_up", "Up", "Previous enrollment", footer=False),
    Command("escape", "back", "Back", "Back to the sequences", key_display="esc"),
]

DORMANT_COMMANDS = [
    Command("enter", "open", "Account", "Open the selected account's 360 view", priority=True),
    Command("z", "snooze", "Snooze", "Keep the selected account out of Today and this list for N days, with a reason"),
    Command("E", "enroll", "Re-engage", "Enroll the account's best contact in the playbook's re-engagement sequence",
            key_display="shift+e"),
    Command("a", "assign", "Assign", "Give the selected account an owner (managers and founders)"),
    Command("ctrl+a", "assign_bulk", "Deal out", "Deal the unowned dormant accounts round-robin over the reps you"
            " pick, most valuable first (managers and founders)"),
    Command("s", "scope", "Scope", "Show mine, unowned or everyone's dormant accounts"),
    Command("o", "sort", "Sort", "Sort by value at risk, lifetime revenue or longest quiet"),
    Command("j,down", "cursor_down", "Down", "Next account", footer=False),
    Command("k,up", "cursor_up", "Up", "Previous account", footer=False),
    Command("r", "refresh", "Refresh", "Reload the list and this month's revival", footer=False),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]

LEAKS_COMMANDS = [
    Command("enter", "open", "Records", "List the records behind the selected figure", priority=True),
    Command("m", "period('month')", "Month", "The report for a month"),
    Command("q", "period('quarter')", "Quarter", "The report for a quarter (q here does not quit: esc goes back)"),
    Command("left_square_bracket", "shift(-1)", "Previous", "The previous month or quarter", key_display="["),
    Command("right_square_bracket", "shift(1)", "Next", "The next month or quarter, up to the current one",
            key_display="]"),
    Command("j,down", "cursor_down", "Down", "Next figure", footer=False),
    Command("k,up", "cursor_up", "Up", "Previous figure", footer=False),
    Command("r", "refresh", "Refresh", "Compute the report again"),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]

LEAK_RECORDS_COMMANDS = [
    Command("enter", "open", "Open", "Open the record: its account's 360 view, or the handoff", priority=True),
    Command("j,down", "cursor_down", "Down", "Next record", footer=False),
    Command("k,up", "cursor_up", "Up", "Previous record", footer=False),
    Command("escape", "back", "Back", "Back to the leak report", key_display="esc"),
]

FUNNEL_COMMANDS = [
    Command("g", "grouping", "Group by", "Deal figures by owner, team, product or source"),
    Command("b", "by_source", "Per source", "The funnel overall or one row per lead source"),
    Command("left_square_bracket", "shift(-1)", "Previous", "The previous month or quarter", key_display="["),
    Command("right_square_bracket", "shift(1)", "Next", "The next month or quarter", key_display="]"),
    Command("m", "period('month')", "Month", "Show a month"),
    Command("q", "period('quarter')", "Quarter", "Show a quarter"),
    Command("tab", "app.focus_next", "Next table", "Move between the funnel, deal and stage tables", footer=False),
    Command("r", "refresh", "Refresh", "Compute the figures again", footer=False),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]


DASHBOARD_COMMANDS = [
    Command("s", "scope", "Scope", "Me, my team, everyone (managers and founders)"),
    Command("u", "rep", "One rep", "Pick one person's KPIs"),
    Command("d", "period('d')", "Day", "This day", footer=False),
    Command("w", "period('w')", "Week", "This week", footer=False),
    Command("m", "period('m')", "Month", "This month", footer=False),
    Command("q", "period('q')", "Quarter", "This quarter (q here does not quit: esc goes back)", footer=False),
    Command("left_square_bracket", "move(-1)", "Earlier", "The period before", key_display="["),
    Command("right_square_bracket", "move(1)", "Later", "The period after", key_display="]"),
    Command("t", "trend", "Trend metric", "Chart the next metric over recent periods"),
    Command("r", "refresh", "Refresh", "Compute the figures again", footer=False),
    Command("escape", "back", "Back", "Back to where you were", key_display="esc"),
]

IMPORT_COMMANDS = [
    Command("ctrl+d", "dry_run", "Dry run", "Check the file and count what would be created, updated and rejected;"
            " nothing is written", priority=True),
    Command("ctrl+s", "run_import", "Import", "Import the file for real (asks first); rejected rows are listed in"
            " FILE.rejected.csv beside the file", priority=True),
    Command("tab", "app.focus_next", "Next field", "Move to the next field", footer=False),
    Command("shift+tab", "app.focus_previous", "Previous field", "Move to the previous field", footer=False),
    Command("escape", "back", "Back", "Back to the previous screen", key_display="esc"),
]

REP_PICKER_COMMANDS = [
    Command("down", "down", "Down", "Next person", footer=False),
    Command("up", "up", "Up", "Previous person", footer=False),
    Command("escape", "cancel", "Cancel", "Close without choosing", key_display="esc"),
]
