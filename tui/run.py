"""Run the app for the CLI (the tests build it with tui.app.build_app and drive it with Pilot)."""

from __future__ import annotations

import os

from revdesk.db.workbench import Store


def run_app(store: Store, handle: str) -> int:
    from revdesk.db.workbench import Workbench
    from revdesk.tui.app import build_app

    # A database whose playbook or sequences can't be used (no playbook yet, or one a check added since refuses)
    # is refused here in one line, before any screen would meet it.
    Workbench(store, None).check_definitions()
    app = build_app(store, handle, exit_when_ready=bool(os.environ.get("REVDESK_EXIT_WHEN_READY")))
    app.run()
    return app.return_code or 0
