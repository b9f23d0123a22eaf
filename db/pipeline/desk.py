"""The pipeline room of the workbench: the board's lanes, a deal as a move needs it, and moving deals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revdesk.db.common.desk import Desk

if TYPE_CHECKING:
    from revdesk.core.pipeline.lanes import Lane, Scope
    from revdesk.db.pipeline.lanes import DealState
    from revdesk.db.pipeline.stage_moves import Moved


class PipelineDesk(Desk):
    def pipeline(self, scope: Scope) -> list[Lane]:
        """Every lane in board order (mine, my team's or everyone's), with counts, amounts and the first cards."""
        from revdesk.db.pipeline.lanes import pipeline

        return pipeline(self._conn, self.playbook, scope, self.me, self.now())

    def deal_state(self, deal_id: int) -> DealState | None:
        """What a move needs to know about a deal before asking for fields, or None if there is no such deal."""
        from revdesk.db.pipeline.lanes import deal_state

        return deal_state(self._conn, deal_id)

    def deal_contacts(self, account_id: int) -> list[tuple[int, str]]:
        """(id, "Name, Title") of the contacts at an account, to pick a deal's primary contact from."""
        from revdesk.db.pipeline.lanes import account_contacts

        return account_contacts(self._conn, account_id)

    def move_deal(self, deal_id: int, stage: str, fields: dict[str, str]) -> Moved:
        from revdesk.db.pipeline import stage_moves as deals

        playbook, me, now = self.playbook, self.me, self.now()
        return self._write(lambda conn: deals.move_deal(conn, playbook, me, deal_id, stage, fields, now))
