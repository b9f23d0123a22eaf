"""`python -m revdesk.tui.cli`: the revdesk command (what the `revdesk` script runs)."""

from revdesk.tui.cli.main import main

raise SystemExit(main())
