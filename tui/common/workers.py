"""Workers done once. Every thread worker in tui runs with `exit_on_error=False`, so a failure never exits the app;
Textual then posts `Worker.StateChanged` to the worker's own screen (the message does not bubble). Screens, dialogs
and widgets that run workers mix in `ShowsWorkerFailures`, which hands the failed worker to the app, and the app
(RevdeskApp.on_worker_state_changed) shows it in one line: a domain error's own sentence, any other error a
generic line with the detail in the log. A worker that is cancelled (its screen closed, or a newer load of the same
group started) stops before it touches the screen: `cancelled()` says so from inside the worker."""

from __future__ import annotations

import logging

from textual.worker import Worker, WorkerState, get_current_worker

from revdesk.core.common.errors import RevdeskError

log = logging.getLogger("revdesk.tui")
log.addHandler(logging.NullHandler())  # where the details go is the embedder's choice; never the screen


class ShowsWorkerFailures:
    """Mix into a Screen or Widget that runs workers: their failures reach the app's one handler."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.post_message(event)  # type: ignore[attr-defined]


def failure_line(worker: Worker) -> str:
    """The one line a failed worker leaves on screen; the traceback goes to the log, never to the screen."""
    error = worker.error
    if isinstance(error, RevdeskError):
        return str(error)
    log.error("worker %s failed", worker.name or worker.group, exc_info=error)
    return f"Something went wrong ({type(error).__name__}) and it was not finished; the details are in the log."


def cancelled() -> bool:
    """True inside a worker that has been cancelled: its results are no longer wanted, so leave the screen be."""
    try:
        return get_current_worker().is_cancelled
    except Exception:  # noqa: BLE001 - NoActiveWorker: called outside a worker, nothing to cancel
        return False
