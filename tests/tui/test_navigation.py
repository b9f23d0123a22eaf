"""Screens navigate by messages the app routes (tui/navigation.py, tui/routes.py): a screen never imports another
to push it, so the modules under tui form no import circle; each message opens its screen, and the asker's
callback gets what the screen is dismissed with."""

from __future__ import annotations

import ast
from pathlib import Path

from revdesk.tui.accounts.account_360 import AccountScreen
from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from revdesk.tui.navigation import CallContact, Enroll, Navigate, OpenAccount
from revdesk.tui.sequences.enroll import EnrollModal
from tests.factories import fixed_clock
from tests.tui.helpers import settle

TUI = Path(__file__).resolve().parents[2] / "tui"


def _imports() -> dict[str, set[str]]:
    """Each revdesk.tui module and the revdesk.tui modules it imports anywhere (in functions and TYPE_CHECKING too)."""
    modules = {}
    for path in TUI.rglob("*.py"):
        parts = ["revdesk", "tui", *path.relative_to(TUI).with_suffix("").parts]
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the path that closes it, or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [node, nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, path + [node])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [])):
            return found
    return None


def test_no_module_under_tui_imports_one_that_imports_it_back():
    graph = _imports()
    assert len(graph) > 40, "the walk found the tui modules"
    assert _cycle(graph) is None, f"import circle: {' -> '.join(_cycle(graph) or [])}"


def test_the_circle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_only_the_routing_table_and_the_app_import_a_screen_class():
    """A screen may import a sibling's helpers (the inbox uses the review's SLA words), never its screen class:
    other screens are opened by message. Dialogs a screen pushes with a callback may stay its own."""
    routed = {"CallScreen", "AccountScreen", "HandoffReviewScreen", "HandoffFormScreen", "EnrollModal",
              "LeakRecordsScreen", "SequenceEnrollmentsScreen", "EmailStepModal", "PipelineScreen",
              "HandoffInboxScreen", "SequencesScreen", "ImportScreen", "DormantScreen", "LeaksScreen",
              "FunnelScreen", "DashboardScreen", "TodayScreen"}
    allowed = {TUI / "routes.py", TUI / "app.py"}
    offenders = []
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("revdesk.tui"):
                names = {alias.name for alias in node.names} & routed
                if names and path not in allowed:
                    offenders.append(f"{path.relative_to(TUI)} imports {sorted(names)}")
    assert offenders == []


def test_every_navigation_message_goes_to_the_apps_one_handler():
    assert {cls.handler_name for cls in Navigate.__subclasses__()} == {"on_navigate"}


async def test_messages_open_their_screens_and_the_callback_gets_the_answer(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.post_message(OpenAccount(1))
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen.account_id == 1
        app.screen.post_message(CallContact(2))  # from a screen: the message reaches the app all the same
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)
        answers: list[object] = []
        app.post_message(Enroll([2], "Enroll Lea Fischer", callback=answers.append))
        await settle(pilot)
        assert isinstance(app.screen, EnrollModal) and app.screen.contact_ids == [2]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and answers == [None], "cancelled: the callback heard None"
