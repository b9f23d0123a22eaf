"""What every room's desk (the mixins the Workbench is made of) may count on: the store, who is acting, the one
clock, the playbook and the one writer. db.workbench.Workbench provides each of these; a room's desk only uses them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.models import User

if TYPE_CHECKING:
    from revdesk.core.playbook.model import Playbook
    from revdesk.db.common.connection import Store

T = TypeVar("T")
NO_USER = "say who you are, e.g. --as HANDLE (see `revdesk users`)"


class Desk:
    """The shared surface of the workbench's rooms (declarations; Workbench defines them)."""

    store: Store
    user: User | None
    playbook: Playbook
    tz: ZoneInfo

    def now(self) -> datetime:
        raise NotImplementedError

    def today(self) -> date:
        raise NotImplementedError

    def _write(self, apply: Callable[[sqlite3.Connection], T], doing: str | None = None) -> T:
        raise NotImplementedError

    @property
    def me(self) -> User:
        """The person acting; refused in one line when a command was run without saying who."""
        if self.user is None:
            raise InvalidInput("as", NO_USER)
        return self.user

    @property
    def _conn(self) -> sqlite3.Connection:
        """This thread's read connection (writes go through _write)."""
        return self.store.conn
