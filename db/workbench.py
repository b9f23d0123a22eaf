"""The workbench: the one front door of db. One user's (or, for some commands, nobody in particular's) view of
one database, composing db/ queries and services with core/ rules; the TUI and the CLI reach the data only through
this module, so every screen and command applies the same definitions with the same clock.

Workbench is made of one desk per room (db/<room>/desk.py); this module also re-exports what screens and commands
need beside it: opening a store, the result types, the file helpers. Those load on first use (module __getattr__),
keeping start-up lean."""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from revdesk.core.common.errors import InvalidInput, NotFound
from revdesk.core.common.models import User
from revdesk.core.playbook.model import Playbook
from revdesk.db.accounts.desk import AccountsDesk
from revdesk.db.analytics.desk import AnalyticsDesk
from revdesk.db.calls.desk import CallsDesk
from revdesk.db.common import users
from revdesk.db.common.connection import Store
from revdesk.db.dormancy.desk import DormancyDesk, ListScope
from revdesk.db.handoffs.desk import HandoffsDesk
from revdesk.db.importing.desk import ImportingDesk
from revdesk.db.pipeline.desk import PipelineDesk
from revdesk.db.playbook.stored import current_playbook
from revdesk.db.sequences.desk import EnrollChoices, SequencesDesk

if TYPE_CHECKING:  # re-exported lazily below (see _LAZY), named here for readers and type checkers
    from revdesk.db.calls.queue import STEPS_IN_QUEUE  # noqa: F401
    from revdesk.db.calls.services import Logged  # noqa: F401
    from revdesk.db.calls.undo import Undone  # noqa: F401
    from revdesk.db.common.files import (  # noqa: F401
        PRIVATE_FILE,
        NewDatabase,
        open_private,
        private_dir,
        private_file,
        remove_database,
    )
    from revdesk.db.common.writer import LockWaitExpired, Waiting  # noqa: F401
    from revdesk.db.dormancy.actions import ASSIGNERS, MAX_SNOOZE_DAYS, Assigned, assign_refusal  # noqa: F401
    from revdesk.db.handoffs.drafts import HandoffDraft  # noqa: F401
    from revdesk.db.handoffs.queries import HandoffReview  # noqa: F401
    from revdesk.db.handoffs.services import HandoffResult  # noqa: F401
    from revdesk.db.importing.importer import ImportResult  # noqa: F401
    from revdesk.db.pipeline.lanes import DealState  # noqa: F401
    from revdesk.db.pipeline.stage_moves import Moved  # noqa: F401
    from revdesk.db.sequences.definitions import SequenceFigures, StoredSequence  # noqa: F401
    from revdesk.db.sequences.enrollment_queries import EnrollCandidate, EnrollmentList, EnrollmentRow  # noqa: F401
    from revdesk.db.sequences.enrollments import Enrolled  # noqa: F401
    from revdesk.db.sequences.steps import EmailDraft, StepWork  # noqa: F401

__all__ = ["Clock", "EnrollChoices", "ListScope", "Store", "Workbench", "local_zone", "opened", "system_clock"]

T = TypeVar("T")
Clock = Callable[[], datetime]

_LAZY = {
    "revdesk.db.calls.queue": ("STEPS_IN_QUEUE",),
    "revdesk.db.calls.services": ("Logged",),
    "revdesk.db.calls.undo": ("Undone",),
    "revdesk.db.common.failures": ("database_failure",),
    "revdesk.db.common.writer": ("LockWaitExpired", "Waiting"),
    "revdesk.db.common.files": ("PRIVATE_FILE", "NewDatabase", "open_private", "private_dir", "private_file",
                                "remove_database"),
    "revdesk.db.dormancy.actions": ("ASSIGNERS", "MAX_SNOOZE_DAYS", "Assigned", "assign_refusal"),
    "revdesk.db.handoffs.drafts": ("HandoffDraft",),
    "revdesk.db.handoffs.queries": ("HandoffReview",),
    "revdesk.db.handoffs.services": ("HandoffResult",),
    "revdesk.db.importing.exporter": ("export_csv",),
    "revdesk.db.importing.importer": ("ImportResult", "rejects_path", "write_rejects"),
    "revdesk.db.importing.layouts": ("MAPPINGS_DIR", "choose_mapping", "read_owner_map"),
    "revdesk.db.pipeline.lanes": ("DealState",),
    "revdesk.db.pipeline.stage_moves": ("Moved",),
    "revdesk.db.seeding.seed": ("seed_database",),
    "revdesk.db.sequences.definitions": ("SequenceFigures", "StoredSequence"),
    "revdesk.db.sequences.enrollment_queries": ("EnrollCandidate", "EnrollmentList", "EnrollmentRow"),
    "revdesk.db.sequences.enrollments": ("Enrolled",),
    "revdesk.db.sequences.steps": ("EmailDraft", "StepWork"),
}
_HOME = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the named module holds
    """Re-exports loaded on first use (PEP 562): `from revdesk.db.workbench import HandoffDraft`."""
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def system_clock() -> datetime:
    return datetime.now(UTC)


def _system_now() -> datetime:
    """The default clock: system_clock looked up when read, so a test (or a bench) may set the module's clock."""
    return system_clock()


def local_zone() -> ZoneInfo:
    """This computer's timezone, with its daylight-saving rules (not just today's offset): the one to read
    dates in when nobody in particular is acting."""
    from tzlocal import get_localzone

    zone = get_localzone()
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))


def opened(store: Store) -> Store:
    """`store`, opened and migrated now (not at its first query): a too-new or another program's database, or one
    that is locked or damaged, is refused here in one line."""
    store.conn  # noqa: B018 - connecting is the point
    return store


class Workbench(CallsDesk, SequencesDesk, HandoffsDesk, PipelineDesk, DormancyDesk, AnalyticsDesk, AccountsDesk,
                ImportingDesk):
    """`user` is None for a command run without saying who (everyone's lists, imports, reports): methods that need
    someone refuse in one line (Desk.me). The clock is the one clock: every room reads `now` from it."""

    def __init__(self, store: Store, user: User | None, clock: Clock | None = None) -> None:
        self.store = store
        self.user = user
        self.clock = clock or _system_now

    @classmethod
    def open(cls, store: Store, handle: str | None, clock: Clock | None = None) -> Workbench:
        """The workbench of the user `handle` (NotFound if there is none), or of nobody in particular (None)."""
        return cls(store, users.user_by_handle(store.conn, handle) if handle else None, clock)

    @cached_property
    def playbook(self) -> Playbook:
        return current_playbook(self.store.conn)

    @property
    def tz(self) -> ZoneInfo:
        """The acting person's timezone; this computer's when nobody in particular is acting."""
        return ZoneInfo(self.user.timezone) if self.user is not None else local_zone()

    def now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()

    def _write(self, apply: Callable[[sqlite3.Connection], T], doing: str | None = None) -> T:
        """Run `apply(conn)` through the store's one writer, in one transaction (a service's own transaction is a
        savepoint in it); its result, or its exception raised here. It may wait for another process's lock (see
        Store.write): call write methods from a worker thread, never the UI thread. `doing` ("import in progress") tells
        another revdesk waiting on a long write what holds it up."""
        return self.store.write(apply, doing)

    # -- people ---------------------------------------------------------------------------------------------
    def users(self) -> list[User]:
        return users.list_users(self.store.conn)

    def user_named(self, handle: str, option: str = "as") -> User:
        """The user `handle`, or one line naming the option and the way out."""
        try:
            return users.user_by_handle(self.store.conn, handle)
        except NotFound:
            raise InvalidInput(option, f"no user {handle!r} (see `revdesk users`)") from None

    def first_user_with_role(self, role: str) -> User | None:
        return users.first_user_with_role(self.store.conn, role)

    def check_definitions(self) -> None:
        """Refuse, in one line, a database whose playbook or sequences can't be used (none applied yet, or one a
        check added since refuses), before any screen meets it."""
        self.playbook  # noqa: B018 - reading it is the check
        self.sequences()
