"""Building the revenue-leak report (pure): core.analytics.leaks' definitions applied to the facts db/ read, worded as
sections of figures, each figure listing the records behind its number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from revdesk.core.analytics.leaks import (
    EIGHTEEN_MONTHS_DAYS,
    Figure,
    LeakFacts,
    LeakReport,
    RecordRef,
    Section,
    decided_late,
    first_stall,
    in_limbo,
    missing_context,
    owner_at,
    rejected_by_ae,
    sales_disqualifications,
)
from revdesk.core.analytics.metrics import period_bounds
from revdesk.core.common.models import HandoffSummary
from revdesk.core.common.when import humanize_delta
from revdesk.core.dormancy.definition import DormantAccount, quiet_for
from revdesk.core.playbook.model import Period, Playbook

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Window:
    """The report's time frame: the period, the previous one (for stalled deals) and the moment of the
    point-in-time figures; dates are worded in `tz`."""

    period: Period
    start: datetime
    end: datetime
    stall_start: datetime
    stall_end: datetime
    now: datetime
    tz: ZoneInfo

    def day(self, moment: datetime) -> str:
        """'12 Nov 2026', in tz."""
        local = moment.astimezone(self.tz)
        return f"{local.day:02d} {MONTHS[local.month - 1]} {local.year}"


def _at(name: str | None, account: str | None) -> str:
    return f"{name} · {account}" if account else (name or "—")


def build_leak_report(playbook: Playbook, facts: LeakFacts, window: Window) -> LeakReport:
    sections = (
        _alignment(playbook, facts, window), _continuity(playbook, facts), _accountability(playbook, facts, window),
        _dormant(playbook, facts), _limbo(playbook, facts, window),
    )
    return LeakReport(window.period, window.start, window.end, window.stall_start, window.stall_end, window.now,
                      playbook.currency.base, sections)


def _alignment(playbook: Playbook, facts: LeakFacts, w: Window) -> Section:
    disqualified = tuple(
        RecordRef("contact", d.contact_id, _at(d.contact_name, d.account_name),
                  f"Disqualified by {d.by_name} ({d.by_role}) on {w.day(d.at)}"
                  + (f" from {d.from_value.upper()}" if d.from_value else "") + (f": {d.reason}" if d.reason else ""),
                  d.account_id)
        for d in sales_disqualifications(facts.disqualifications, w.start, w.end))
    rejected = rejected_by_ae(facts.handoffs, w.start, w.end)

    def ref(h: HandoffSummary) -> RecordRef:
        note = f": {h.reject_note}" if h.reject_note else ""
        when = w.day(h.decided_at) if h.decided_at else "?"
        return RecordRef("handoff", h.id, _at(h.contact_name, h.account_name),
                         f"Rejected by {h.to_name} on {when} ({_reason_label(playbook, h.reject_reason)}){note}",
                         h.account_id)

    figures = [
        Figure("alignment.mql_disqualified", "MQLs disqualified by sales", disqualified,
               help="Contacts that had reached MQL, moved to disqualified by an AE, manager or founder"),
        Figure("alignment.rejected", "Handoffs rejected by AEs", tuple(ref(h) for h in rejected),
               help="SDR→AE handoffs rejected in the period"),
    ]
    keys = [r.key for r in playbook.handoff.reject_reasons]
    keys += sorted({h.reject_reason or "" for h in rejected} - set(keys))
    for key in keys:
        figures.append(Figure(f"alignment.rejected.{key or 'none'}", f"  rejected: {_reason_label(playbook, key)}",
                              tuple(ref(h) for h in rejected if (h.reject_reason or "") == key)))
    return Section("alignment", "Qualification alignment",
                   "Do sales and marketing mean the same thing by qualified?", tuple(figures))


def _reason_label(playbook: Playbook, key: str | None) -> str:
    if not key:
        return "no reason"
    try:
        return playbook.handoff.reason(key).label
    except KeyError:  # a reason the playbook has since dropped
        return key.replace("_", " ")


def _continuity(playbook: Playbook, facts: LeakFacts) -> Section:
    base = playbook.currency.base
    incomplete, no_handoff = [], []
    for deal in sorted(facts.open_deals, key=lambda d: (-d.amount, d.deal_id)):
        missing = missing_context(playbook, deal)
        owner = deal.owner_name or "unowned"
        worth = f"{deal.amount:,.0f} {base}"
        if missing is None:
            no_handoff.append(RecordRef("deal", deal.deal_id, _at(deal.name, deal.account_name),
                                        f"No handoff; owner {owner}; {worth}", deal.account_id, deal.amount))
        elif missing:
            incomplete.append(RecordRef(
                "deal", deal.deal_id, _at(deal.name, deal.account_name),
                f"Handoff {deal.handoff_id} lacks: {', '.join(missing)}; owner {owner}; {worth}", deal.account_id,
                deal.amount))
    return Section("continuity", "Context continuity", "Does the context survive the handoff?", (
        Figure("continuity.incomplete", "Open deals with incomplete handoff context", tuple(incomplete), True,
               "Their handoff's context fails the current playbook's required fields"),
        Figure("continuity.no_handoff", "Open deals with no handoff", tuple(no_handoff), True,
               "Nobody handed them over with context"),
    ))


def _accountability(playbook: Playbook, facts: LeakFacts, w: Window) -> Section:
    base = playbook.currency.base
    stages = {s.key: s for s in playbook.stages}
    by_holder: dict[int | None, list[RecordRef]] = {}
    stalled: list[tuple[datetime, RecordRef]] = []
    for deal in facts.timelines:
        found = first_stall(stages, deal, w.stall_start, w.stall_end, w.now)
        if found is None:
            continue
        stint, moment = found
        holder = owner_at(deal, moment)
        stage = stages[stint.stage]
        who = facts.users.get(holder, f"user {holder}") if holder is not None else "nobody"
        ref = RecordRef("deal", deal.deal_id, _at(deal.name, deal.account_name),
                        f"Stalled in {stage.label} on {w.day(moment)} (over {stage.stale_after_days} days), held by "
                        f"{who}; {deal.amount:,.0f} {base}", deal.account_id, deal.amount)
        stalled.append((moment, ref))
        by_holder.setdefault(holder, []).append(ref)
    stalled.sort(key=lambda item: (item[0], item[1].id))
    figures = [Figure("accountability.stalled", "Deals that stalled last quarter", tuple(r for _, r in stalled),
                      True, f"Passed their stage's 'stale after' between {w.day(w.stall_start)} and "
                      f"{w.day(w.stall_end - timedelta(seconds=1))}")]
    holders = sorted(by_holder, key=lambda u: (-len(by_holder[u]), facts.users.get(u, "~") if u else "~~"))
    for holder in holders:
        name = facts.users.get(holder, f"user {holder}") if holder is not None else "nobody (unowned)"
        refs = sorted(by_holder[holder], key=lambda r: (-(r.revenue or 0), r.id))
        figures.append(Figure(f"accountability.stalled.{holder if holder is not None else 'none'}",
                              f"  held by {name}", tuple(refs), True))
    pending = sorted((h for h in facts.handoffs if h.past_sla(w.now)), key=lambda h: (h.sla_due_at, h.id))
    late = sorted((h for h in facts.handoffs if h.status != "pending" and h.decided_at
                   and w.start <= h.decided_at < w.end and decided_late(h)), key=lambda h: (h.decided_at, h.id))
    figures.append(Figure("accountability.pending_past_sla", "Handoffs pending past their SLA", tuple(
        RecordRef("handoff", h.id, _at(h.contact_name, h.account_name),
                  f"Waiting on {h.to_name}, past SLA by {humanize_delta(w.now - h.sla_due_at)}", h.account_id)
        for h in pending if h.sla_due_at is not None), help="Still awaiting a decision after the SLA ran out"))
    figures.append(Figure("accountability.decided_late", "Handoffs decided after their SLA", tuple(
        RecordRef("handoff", h.id, _at(h.contact_name, h.account_name),
                  f"{h.status.capitalize()} by {h.to_name} {humanize_delta(h.decided_at - h.sla_due_at)} after its SLA",
                  h.account_id)
        for h in late if h.decided_at and h.sla_due_at), help="Accepted or rejected in the period, late"))
    return Section("accountability", "Handoff accountability", "Where did responsibility break?", tuple(figures))


def _dormant(playbook: Playbook, facts: LeakFacts) -> Section:
    base = playbook.currency.base
    figures: list[Figure] = []
    horizons = [(EIGHTEEN_MONTHS_DAYS, "18 months"), (playbook.dormancy.days, f"{playbook.dormancy.days} days")]
    for days, words in horizons:
        accounts: Sequence[DormantAccount] = facts.dormant.get(days, ())

        def refs(rows: Sequence[DormantAccount]) -> tuple[RecordRef, ...]:
            ordered = sorted(rows, key=lambda a: (-a.lifetime_revenue, a.account_id))
            return tuple(RecordRef("account", a.account_id, a.name,
                                   f"No touch for {quiet_for(a.days_dormant)}; {a.lifetime_revenue:,.0f} {base} "
                                   f"lifetime; owner {a.owner_name or 'nobody'}", a.account_id, a.lifetime_revenue)
                         for a in ordered)

        tag = "18m" if days == EIGHTEEN_MONTHS_DAYS and words == "18 months" else f"{days}d"
        period = " (the dormancy period)" if words != "18 months" else ""
        figures.append(Figure(f"dormant.{tag}", f"Customers with no touch for {words}{period}", refs(accounts), True,
                              "Won revenue, no open deal, quiet that long (snoozed ones included)"))
        figures.append(Figure(f"dormant.{tag}.unowned", "  of which nobody owns",
                              refs([a for a in accounts if a.owner_id is None]), True))
    return Section("dormant", "Dormant visibility", "Which paying customers is nobody looking after?", tuple(figures))


def _limbo(playbook: Playbook, facts: LeakFacts, w: Window) -> Section:
    leads = sorted((lead for lead in facts.mql_leads if in_limbo(lead, playbook, w.now)),
                   key=lambda lead: (lead.mql_at or lead.created_at, lead.contact_id))
    sla = humanize_delta(timedelta(minutes=playbook.sla.first_touch_minutes))
    refs = tuple(  # tens of thousands on a big database: the words stay cheap (no dates to convert)
        RecordRef("contact", lead.contact_id, _at(lead.name, lead.account_name),
                  f"An MQL for {humanize_delta(w.now - (lead.mql_at or lead.created_at))} without a touch (SLA {sla});"
                  f" owner {lead.owner_name or 'nobody'}", lead.account_id)
        for lead in leads)
    return Section("limbo", "Limbo leads", "Which qualified leads is nobody working?", (
        Figure("limbo.mql", "MQLs with no touch within the first-touch SLA", refs,
               help="MQL now, untouched since becoming MQL, for longer than the SLA"),
    ))


def leak_window(period: Period, day: date, now: datetime, tz: ZoneInfo) -> Window:
    """The period containing `day` (in `tz`), and the quarter before the one it starts in (for stalled deals:
    the issue's "deals stalled last quarter", whatever the period); point-in-time figures are as of `now`."""
    start, end = period_bounds(period, day, tz)
    quarter_start, _ = period_bounds("quarter", start.date(), tz)
    stall_start, stall_end = period_bounds("quarter", quarter_start.date() - timedelta(days=1), tz)
    return Window(period, start, end, stall_start, stall_end, now, tz)
