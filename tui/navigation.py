"""How a screen asks for another one: it posts one of these messages to the app, and the app's routing table
(tui/routes.py) builds the screen and pushes it. A screen never imports another screen, so screens form no
import circle. Each message carries what the screen needs and, where the asker wants the answer, a callback
run with the screen's dismiss value.

    self.app.post_message(OpenAccount(account_id))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message

from revdesk.core.common.models import QueueItem

Answer = Callable[[Any], Any] | None


class Navigate(Message):
    """Every navigation message is handled by the app's one `on_navigate` (whatever the subclass is called)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handler_name = "on_navigate"

    def __init__(self, callback: Answer = None) -> None:
        super().__init__()
        self.callback = callback


class CallQueue(Navigate):
    """Call mode on `item`, working down `items` (the Today queue)."""

    def __init__(self, items: list[QueueItem], item: QueueItem) -> None:
        super().__init__()
        self.items, self.item = items, item


class CallContact(Navigate):
    """Call mode on one contact (from search, a card, an account or an enrollment)."""

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id


class OpenAccount(Navigate):
    """The Account 360 view."""

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id


class ReviewHandoff(Navigate):
    """One handoff, to accept or reject."""

    def __init__(self, handoff_id: int) -> None:
        super().__init__()
        self.handoff_id = handoff_id


class SendHandoff(Navigate):
    """The handoff form: `kind` "sdr_ae" for a contact, "ae_cs" for a deal; the callback gets what was sent."""

    def __init__(self, kind: str, contact_id: int | None = None, deal_id: int | None = None,
                 callback: Answer = None) -> None:
        super().__init__(callback)
        self.kind, self.contact_id, self.deal_id = kind, contact_id, deal_id


class Enroll(Navigate):
    """The enroll dialog for `contact_ids`; the callback gets how many were enrolled."""

    def __init__(self, contact_ids: list[int], title: str, left_out: list[str] | None = None,
                 callback: Answer = None) -> None:
        super().__init__(callback)
        self.contact_ids, self.title, self.left_out = contact_ids, title, left_out


class EmailStep(Navigate):
    """A sequence step's e-mail, to read and send; the callback gets what was sent (None: not sent)."""

    def __init__(self, item: QueueItem, callback: Answer = None) -> None:
        super().__init__(callback)
        self.item = item


class OpenLeakRecords(Navigate):
    """The records behind one figure of the leak report."""

    def __init__(self, section: str, figure: Any, currency: str) -> None:
        super().__init__()
        self.section, self.figure, self.currency = section, figure, currency


class OpenEnrollments(Navigate):
    """One sequence's enrollments."""

    def __init__(self, sequence_id: int, sequence: Any) -> None:
        super().__init__()
        self.sequence_id, self.sequence = sequence_id, sequence
