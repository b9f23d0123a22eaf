"""The handoffs room of the workbench: drafting, sending, listing, reviewing, accepting and rejecting handoffs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revdesk.db.common.desk import Desk

if TYPE_CHECKING:
    from revdesk.core.common.models import HandoffSummary
    from revdesk.db.handoffs.drafts import HandoffDraft
    from revdesk.db.handoffs.queries import HandoffReview
    from revdesk.db.handoffs.services import HandoffResult


class HandoffsDesk(Desk):
    def handoff_draft(self, kind: str, contact_id: int | None = None, deal_id: int | None = None) -> HandoffDraft:
        from revdesk.db.handoffs.drafts import handoff_draft

        team = self.user.team if self.user else None
        return handoff_draft(self._conn, self.playbook, kind, self.now(), contact_id=contact_id, deal_id=deal_id,
                             team=team)

    def handoffs(self, to_user_id: int | None = None, from_user_id: int | None = None,
                 status: str | None = None) -> list[HandoffSummary]:
        """Handoffs to or from a user (both given: either), or everyone's; pending first by SLA due."""
        from revdesk.db.handoffs.queries import list_handoffs

        return list_handoffs(self._conn, to_user_id=to_user_id, from_user_id=from_user_id, status=status)

    def handoff_review(self, handoff_id: int) -> HandoffReview:
        from revdesk.db.handoffs.queries import handoff_review

        return handoff_review(self._conn, self.playbook, handoff_id, self.now())

    # -- writes ----------------------------------------------------------------------------------------------
    def send_handoff(self, kind: str, to_user_id: int | None, context: dict[str, object],
                     contact_id: int | None = None, deal_id: int | None = None) -> HandoffResult:
        from revdesk.db.handoffs import services as handoffs

        playbook, me, now = self.playbook, self.me, self.now()
        return self._write(lambda conn: handoffs.send_handoff(conn, playbook, me, kind, to_user_id, context, now,
                                                              contact_id=contact_id, deal_id=deal_id))

    def accept_handoff(self, handoff_id: int) -> HandoffResult:
        from revdesk.db.handoffs import services as handoffs

        playbook, me, now = self.playbook, self.me, self.now()
        return self._write(lambda conn: handoffs.accept_handoff(conn, playbook, me, handoff_id, now))

    def reject_handoff(self, handoff_id: int, reason: str, note: str) -> HandoffResult:
        from revdesk.db.handoffs import services as handoffs

        playbook, me, now = self.playbook, self.me, self.now()
        return self._write(lambda conn: handoffs.reject_handoff(conn, playbook, me, handoff_id, reason, note, now))
