"""The leak report read from a real database (tests/leak_factories.seed_leaks has the hand-counted answers): each
figure's records, the period windows, a rejection made through the real services, and a report on an empty
database that still shows every figure."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from revdesk.db.analytics.leaks import leak_report
from revdesk.db.playbook.stored import current_playbook
from tests.db.helpers import bench
from tests.factories import NOW
from tests.leak_factories import seed_leaks

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 23)


@pytest.fixture
def seeded(store):
    return store, seed_leaks(store)


def report_for(store, period: str = "quarter", day: date = TODAY):
    return leak_report(store.conn, current_playbook(store.conn), period, day, NOW, BERLIN)


def ids(report, key: str) -> list[int]:
    return [r.id for r in report.figure(key).records]


def test_qualification_alignment(seeded):
    store, made = seeded
    report = report_for(store)
    assert ids(report, "alignment.mql_disqualified") == [1]  # by Tom (AE); Karl, by Maya (SDR), is not
    record = report.figure("alignment.mql_disqualified").records[0]
    assert (record.kind, record.account_id, record.label) == ("contact", 1, "Jonas Weber · Nordwind Logistik GmbH")
    assert "Disqualified by Tom Reyes (ae) on 10 Nov 2026 from SQL" in record.detail
    assert ids(report, "alignment.rejected") == [made["rejected_bad_fit_5"], made["rejected_bad_fit_12"],
                                                 made["rejected_no_budget_20"]]
    assert ids(report, "alignment.rejected.bad_fit") == [made["rejected_bad_fit_5"], made["rejected_bad_fit_12"]]
    assert ids(report, "alignment.rejected.no_budget") == [made["rejected_no_budget_20"]]
    assert report.figure("alignment.rejected.too_early").count == 0


def test_context_continuity(seeded):
    store, made = seeded
    report = report_for(store)
    incomplete = report.figure("continuity.incomplete")
    assert ids(report, "continuity.incomplete") == [made["pilot"]] and incomplete.revenue == 5_000
    assert "lacks: Pain that started the conversation;" in incomplete.records[0].detail
    assert ids(report, "continuity.no_handoff") == [made["renewal"]]
    assert report.figure("continuity.no_handoff").records[0].account_id == 2


def test_handoff_accountability(seeded):
    store, made = seeded
    report = report_for(store)
    assert ids(report, "accountability.stalled") == [made["stuck"]]
    assert ids(report, "accountability.stalled.4") == [made["stuck"]]  # Ana held it when it stalled; Tom holds it now
    detail = report.figure("accountability.stalled").records[0].detail
    assert detail == "Stalled in Discovery on 03 Aug 2026 (over 14 days), held by Ana Lima; 40,000 EUR"
    assert ids(report, "accountability.pending_past_sla") == [made["pending_late"]]
    assert ids(report, "accountability.decided_late") == [made["accepted_late"]]


def test_dormant_visibility_at_18_and_12_months(seeded):
    store, made = seeded
    report = report_for(store)
    assert ids(report, "dormant.18m") == [made["old"]] and report.figure("dormant.18m").revenue == 30_000
    assert ids(report, "dormant.18m.unowned") == [made["old"]]
    assert ids(report, "dormant.365d") == [made["old"], made["year"]]
    assert report.figure("dormant.365d").revenue == 42_000
    assert ids(report, "dormant.365d.unowned") == [made["old"]]


def test_limbo_leads(seeded):
    store, made = seeded
    assert ids(report_for(store), "limbo.mql") == [made["nina"], 3]  # Lea was touched; Sam is within the SLA


def test_a_month_report_counts_the_month_and_stalls_in_the_quarter_before(seeded):
    store, made = seeded
    october = report_for(store, "month", date(2026, 10, 15))
    assert october.figure("alignment.rejected").count == 0 and october.figure("alignment.mql_disqualified").count == 0
    assert ids(october, "accountability.stalled") == [made["stuck"]]  # stalled in August: last quarter for October
    september = report_for(store, "month", date(2026, 9, 20))  # stalls counted over April to June
    assert ids(september, "accountability.stalled") == []
    assert september.figure("alignment.rejected.bad_fit").count == 1  # the September rejection
    assert september.figure("alignment.rejected").count == 1


def test_a_rejection_through_the_services_counts_for_alignment(ready, tom, sent, store):
    tom.reject_handoff(sent, "bad_fit", "A team of three working on spreadsheets")
    report = report_for(store)
    assert ids(report, "alignment.rejected.bad_fit") == [sent]
    assert ids(report, "alignment.mql_disqualified") == [1]
    assert bench(store, "tom").user.role == "ae"


def test_an_empty_database_still_shows_every_figure(store):
    report = report_for(store)
    counts = {f.key: f.count for s in report.sections for f in s.figures}
    assert len(counts) == 17 and counts["limbo.mql"] == 4  # the factory's MQLs, never touched
    assert sum(counts.values()) == 4
