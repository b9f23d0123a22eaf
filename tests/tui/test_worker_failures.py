"""Workers done once: a worker's failure is shown by the app's one handler in one line (a domain error's sentence,
anything else a generic line) and the app keeps running; the Today screen's start-up tick no longer cancels the
queue load in flight (it runs after it); and every worker in tui is kept from exiting the app."""

from __future__ import annotations

import ast
import asyncio
import importlib
import threading
from pathlib import Path

from revdesk.core.common.errors import InvalidInput
from revdesk.tui.app import build_app
from revdesk.tui.calls.today import TodayScreen
from revdesk.tui.common.workers import ShowsWorkerFailures, cancelled
from tests.factories import fixed_clock
from tests.tui.helpers import settle

TUI = Path(__file__).resolve().parents[2] / "tui"
SIZE = (140, 45)


async def _settle_failing(pilot) -> None:
    """As tests.tui.helpers.settle, for workers meant to fail (their wait() raises WorkerFailed)."""
    for _ in range(3):
        await asyncio.gather(*(worker.wait() for worker in pilot.app.workers), return_exceptions=True)
        await pilot.pause()


def _messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_screen_worker_that_fails_leaves_one_line_and_the_app_runs_on(store, monkeypatch):
    monkeypatch.setattr("revdesk.tui.calls.today.STARTUP_TICK_SECONDS", 60)
    app = build_app(store, "maya", clock=fixed_clock)
    real_queue = app.workbench.queue

    def broken_queue(*args, **kwargs):
        raise RuntimeError("secret detail /home/maya/db")

    app.workbench.queue = broken_queue
    async with app.run_test(size=SIZE) as pilot:
        await _settle_failing(pilot)
        assert app.is_running and app.return_code is None, "a failed worker never exits the app"
        shown = [m for m in _messages(app) if "Something went wrong" in m]
        assert shown == ["Something went wrong (RuntimeError) and it was not finished; the details are in the log."]
        assert not any("secret detail" in m or "Traceback" in m for m in _messages(app))
        app.workbench.queue = real_queue
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        screen.action_refresh()  # the next load works again
        await settle(pilot)
        assert screen.items, "the queue is on screen after the failure"


async def test_a_domain_error_in_a_worker_shows_its_own_sentence(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def refused(*args, **kwargs):
            raise InvalidInput("period", "is not a period revdesk knows")

        app.workbench.kpi = refused
        app.refresh_kpi()  # the app's own worker goes to the same handler
        await _settle_failing(pilot)
        assert "period: is not a period revdesk knows" in _messages(app)
        assert app.is_running


async def test_a_tick_while_the_queue_loads_waits_for_it_instead_of_cancelling_it(store, monkeypatch):
    """The flaky pipeline test's cause, made deterministic: the first queue load is held in its thread while the
    start-up tick (and a refresh) are asked for. Neither cancels it; they become one more load once it is done."""
    monkeypatch.setattr("revdesk.tui.calls.today.STARTUP_TICK_SECONDS", 60)  # the tick comes when the test says
    app = build_app(store, "maya", clock=fixed_clock)
    bench = app.workbench
    real_queue, real_tick = bench.queue, bench.tick_sequences
    held, release = threading.Event(), threading.Event()
    loads: list[int] = []
    ticks: list[int] = []

    def queue(*args, **kwargs):
        loads.append(1)
        if len(loads) == 1:
            held.set()
            release.wait(10)
        return real_queue(*args, **kwargs)

    def tick(*args, **kwargs):
        ticks.append(1)
        return real_tick(*args, **kwargs)

    bench.queue, bench.tick_sequences = queue, tick
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            if held.is_set():
                break
            await pilot.pause(0.01)
        assert held.is_set(), "the first load is in its thread"
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        screen.load_queue(tick=True)  # what the start-up timer does
        screen.load_queue()  # and a refresh on top
        assert not any(w.is_cancelled for w in app.workers), "nothing was cancelled"
        release.set()
        await settle(pilot)  # raised WorkerCancelled when the tick cancelled the load
        assert loads == [1, 1], "the first load, then one load for the tick and the refresh together"
        assert ticks == [1], "the tick ran, once"
        assert screen.items and app.is_running


def test_cancelled_is_false_outside_a_worker():
    assert cancelled() is False


def _worker_calls() -> list[tuple[Path, ast.Call]]:
    calls = []
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("work", "run_worker"):
                    calls.append((path, node))
    return calls


def test_every_worker_in_tui_is_kept_from_exiting_the_app():
    calls = _worker_calls()
    assert len(calls) > 30
    exits = [f"{path.relative_to(TUI)}:{call.lineno}" for path, call in calls
             if not any(k.arg == "exit_on_error" and ast.unparse(k.value) == "False" for k in call.keywords)]
    assert exits == [], "these workers would exit the app on an error"


def test_every_class_that_runs_workers_hands_their_failures_to_the_app():
    missing = []
    for path in TUI.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            if not any("work(" in ast.unparse(d) for f in cls.body if isinstance(f, ast.FunctionDef)
                       for d in f.decorator_list):
                continue
            parts = ["revdesk", "tui", *path.relative_to(TUI).with_suffix("").parts]
            found = getattr(importlib.import_module(".".join(parts)), cls.name)
            if cls.name != "RevdeskApp" and not issubclass(found, ShowsWorkerFailures):
                missing.append(f"{path.relative_to(TUI)}:{cls.name}")
    assert missing == []


async def test_a_cancelled_worker_leaves_the_screen_alone(store):
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        go, touched = threading.Event(), []

        def late() -> None:
            go.wait(10)
            app.call_from_thread(touched.append, "shown")

        worker = app.run_worker(late, thread=True, exit_on_error=False)
        worker.cancel()  # its screen closed, or a newer load replaced it
        go.set()
        await pilot.pause(0.2)
        await pilot.pause()
        assert touched == [], "what a cancelled worker found never reaches the screen"
