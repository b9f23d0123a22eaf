"""Fixtures for the handoff service tests: a lead ready to hand off, the AE, and a sent handoff."""

from __future__ import annotations

import pytest

from revdesk.db.workbench import Workbench
from tests.db.helpers import CONTEXT
from tests.factories import fixed_clock


@pytest.fixture
def ready(maya):
    """Contact 1 at 70 after a connected call, with an open follow-up of maya's two days out."""
    maya.log_call(1, "connected")
    maya.follow_up(1, "+2d", "Send the case study")
    return maya


@pytest.fixture
def tom(store) -> Workbench:
    return Workbench.open(store, "tom", fixed_clock)


@pytest.fixture
def sent(ready, tom) -> int:
    return ready.send_handoff("sdr_ae", tom.user.id, CONTEXT, contact_id=1).handoff_id
