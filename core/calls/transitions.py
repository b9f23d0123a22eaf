"""How a logged outcome moves a contact's lead status and lifecycle (pure rules, applied by db/services)."""

from __future__ import annotations

from dataclasses import dataclass

from revdesk.core.playbook.model import Outcome

_STATUS_RANK = {"new": 0, "attempting": 1, "connected": 2}
_PRE_SALES = ("lead", "mql")


@dataclass(frozen=True)
class ContactMove:
    lead_status: str
    lifecycle_stage: str


def move_for_outcome(lead_status: str, lifecycle_stage: str, outcome: Outcome, by_role: str) -> ContactMove:
    """The contact's state after `outcome`.

    Any touch ends "new" (attempting); a conversation makes it connected. Status only moves forward on
    the new → attempting → connected path, except when the outcome sets a final status (disqualified).
    The first touch by an SDR makes a lead or MQL sales-accepted (sal); an outcome may set a lifecycle.
    """
    status = lead_status
    wanted = outcome.lead_status or "attempting"
    if wanted in _STATUS_RANK:
        if status in _STATUS_RANK and _STATUS_RANK[wanted] > _STATUS_RANK[status]:
            status = wanted
        elif status == "disqualified" and outcome.meeting:
            status = wanted  # they came back and booked a meeting: the lead is alive again
    elif status != "qualified":
        status = wanted
    lifecycle = lifecycle_stage
    if by_role == "sdr" and lifecycle in _PRE_SALES:
        lifecycle = "sal"
    if outcome.lifecycle and lifecycle not in ("opportunity", "customer") and status != "qualified":
        lifecycle = outcome.lifecycle
    elif status != lead_status and lead_status == "disqualified" and lifecycle in ("nurture", "disqualified"):
        lifecycle = "sal"
    return ContactMove(lead_status=status, lifecycle_stage=lifecycle)
