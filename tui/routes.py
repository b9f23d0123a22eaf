"""The app's routing table: which screen each navigation message (tui/navigation.py) opens. Only the app
imports this module; the screens are imported when first opened, so start-up loads only the Today screen."""

from __future__ import annotations

from textual.screen import Screen

from revdesk.tui.navigation import (
    CallContact,
    CallQueue,
    EmailStep,
    Enroll,
    Navigate,
    OpenAccount,
    OpenEnrollments,
    OpenLeakRecords,
    ReviewHandoff,
    SendHandoff,
)


def screen_for(message: Navigate) -> Screen:
    """The screen `message` asks for."""
    if isinstance(message, CallQueue | CallContact):
        from revdesk.tui.calls.call_mode import CallScreen

        if isinstance(message, CallQueue):
            return CallScreen(message.items, message.item)
        return CallScreen.for_contact(message.contact_id)
    if isinstance(message, OpenAccount):
        from revdesk.tui.accounts.account_360 import AccountScreen

        return AccountScreen(message.account_id)
    if isinstance(message, ReviewHandoff):
        from revdesk.tui.handoffs.review import HandoffReviewScreen

        return HandoffReviewScreen(message.handoff_id)
    if isinstance(message, SendHandoff):
        from revdesk.tui.handoffs.form import HandoffFormScreen

        return HandoffFormScreen(message.kind, contact_id=message.contact_id, deal_id=message.deal_id)
    if isinstance(message, Enroll):
        from revdesk.tui.sequences.enroll import EnrollModal

        return EnrollModal(message.contact_ids, message.title, left_out=message.left_out)
    if isinstance(message, EmailStep):
        from revdesk.tui.sequences.email_step import EmailStepModal

        return EmailStepModal(message.item)
    if isinstance(message, OpenLeakRecords):
        from revdesk.tui.analytics.leak_records import LeakRecordsScreen

        return LeakRecordsScreen(message.section, message.figure, message.currency)
    if isinstance(message, OpenEnrollments):
        from revdesk.tui.sequences.enrollments import SequenceEnrollmentsScreen

        return SequenceEnrollmentsScreen(message.sequence_id, message.sequence)
    raise TypeError(f"no route for {type(message).__name__}")
