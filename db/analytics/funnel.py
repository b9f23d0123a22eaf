"""Reading the funnel's cohort: the contacts created in a period (the contacts_created index) with the first time
each entered each lifecycle stage (the status_history_contact index); core.analytics.funnel applies the definitions."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from revdesk.core.analytics.funnel import ContactPath, FunnelReport, funnel_report
from revdesk.core.common.when import from_stored, to_stored

# The cohort's ids come sorted from the IN list, so contacts and their history are read in id order: far fewer
# page reads on a large database than in creation order. History is read in time order, so a contact's first
# entry into a stage is the first row seen for it.
_COHORT_IDS = "SELECT id FROM contacts WHERE created_at >= ? AND created_at < ?"
_CONTACTS = f"SELECT id, lead_source, created_at, lifecycle_stage FROM contacts WHERE id IN ({_COHORT_IDS})"
_HISTORY = (
    "SELECT contact_id, to_value, changed_at FROM status_history"
    f" WHERE contact_id IN ({_COHORT_IDS}) AND axis = 'lifecycle'"
    " ORDER BY contact_id, changed_at"
)


def cohort_paths(conn: sqlite3.Connection, start: datetime, end: datetime) -> list[ContactPath]:
    """Every contact created in [start, end), with its lifecycle stage now and its first entry into each stage."""
    bounds = (to_stored(start), to_stored(end))
    entered: dict[int, dict[str, datetime]] = {}
    for contact_id, stage, at in conn.execute(_HISTORY, bounds):
        first = entered.get(contact_id)
        if first is None:
            entered[contact_id] = {stage: from_stored(at)}
        elif stage not in first:
            first[stage] = from_stored(at)
    return [ContactPath(i, source, from_stored(created), stage, entered.get(i, {}))
            for i, source, created, stage in conn.execute(_CONTACTS, bounds)]


def funnel_for(conn: sqlite3.Connection, start: datetime, end: datetime) -> FunnelReport:
    """The funnel of the contacts created in [start, end), overall and per lead source."""
    return funnel_report(cohort_paths(conn, start, end), start, end)
