"""The monthly report on a small database: Markdown and one self-contained HTML file, parsed and checked for
its sections, tables and charts, with figures that match what the screens and commands say."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from revdesk.core.reporting.html import render_html
from revdesk.core.reporting.markdown import render_markdown
from revdesk.db.reporting.monthly import monthly_report
from revdesk.db.workbench import Workbench
from tests.dormant_factories import add_customer
from tests.factories import NOW

BERLIN = ZoneInfo("Europe/Berlin")
SECTIONS = ["activity", "funnel", "deals", "leaks", "dormant"]


class _Outline(HTMLParser):
    """What a reader's browser would see: section ids, headings, table captions, inline SVGs, outside links."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.headings: list[str] = []
        self.captions: list[str] = []
        self.svgs = self.tables = 0
        self.outside: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.sections.append(values.get("id") or "")
        elif tag == "svg":
            self.svgs += 1
        elif tag == "table":
            self.tables += 1
        elif tag in ("h2", "caption"):
            self._in = tag
        for name in ("src", "href"):
            link = values.get(name)
            if link and not link.startswith("#"):
                self.outside.append(link)
        if tag in ("script", "link", "img", "iframe"):
            self.outside.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "h2":
            self.headings.append(data)
        elif self._in == "caption":
            self.captions.append(data)


def _report(store):
    maya = Workbench.open(store, "maya", lambda: NOW)
    maya.log_call(1, "connected")
    maya.log_call(5, "voicemail")
    add_customer(store, "Sleepy", owner_id=None, revenue=48_000, quiet_days=600)
    return monthly_report(store, date(2026, 11, 1), BERLIN, NOW + timedelta(days=1))


def test_the_html_report_is_one_offline_file_with_every_section(store):
    html = render_html(_report(store))
    outline = _Outline()
    outline.feed(html)
    assert outline.sections == SECTIONS
    assert outline.headings == ["Activity against targets", "Funnel: from lead to customer",
                                "Deals: win rate, value and speed", "Revenue leaks",
                                "Dormant accounts and their revival"]
    assert outline.svgs >= 4 and outline.tables >= 10
    assert outline.outside == [], "nothing loads from anywhere"
    assert "November 2026" in outline.captions and "Dormant accounts now" in outline.captions
    assert not re.search(r"<script|https?://(?!www\.w3\.org/2000/svg|pygal\.org|github\.com/Kozea)", html)


def test_the_markdown_report_has_the_figures(store):
    doc = _report(store)
    text = render_markdown(doc)
    assert text.startswith("# Sales and marketing report — November 2026\n")
    for key in SECTIONS:
        assert f'<a id="{key}"></a>' in text
    # Two calls; the target: 21 working days x (60 a day for Maya and Ines, the SDRs, + 20 for Tom, the AE).
    assert "| Calls | 2 | 2,940 | 0% |" in text
    # The dormant account: 48,000 EUR, nobody's, both at the dormancy period and at 18 months.
    assert "| No touch for dormancy period (365 days) | 1 | 48,000 | 1 | 48,000 |" in text
    assert "| No touch for 18 months (548 days) | 1 | 48,000 | 1 | 48,000 |" in text
    leaks = next(s for s in doc.sections if s.key == "leaks")
    assert any(t.collapsed and " record" in t.caption for t in leaks.tables), "leak figures come with their records"


def test_an_empty_month_is_a_report_of_zeros(store):
    doc = monthly_report(store, date(2025, 2, 1), BERLIN, datetime(2026, 11, 23, tzinfo=UTC))
    text = render_markdown(doc)
    assert "February 2025" in doc.title and "| Calls | 0 |" in text
    assert [s.key for s in doc.sections] == SECTIONS


class _Folds(HTMLParser):
    """The folded lists (<details> with their <summary>), the tables outside them, and the text of each chart."""

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[str] = []
        self.open_tables = self.folded_tables = 0
        self.charts: list[str] = []
        self._details = self._svg = 0
        self._summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "details":
            self._details += 1
        elif tag == "summary":
            self._summary = True
            self.summaries.append("")
        elif tag == "table":
            if self._details:
                self.folded_tables += 1
            else:
                self.open_tables += 1
        elif tag == "svg":
            self._svg += 1
            self.charts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self._details -= 1
        elif tag == "summary":
            self._summary = False
        elif tag == "svg":
            self._svg -= 1

    def handle_data(self, data: str) -> None:
        if self._summary:
            self.summaries[-1] += data
        if self._svg:
            self.charts[-1] += data + "\n"


def test_record_lists_are_folded_and_labels_name_the_month(store):
    doc = _report(store)
    html = render_html(doc)
    folds = _Folds()
    folds.feed(html)
    # every leak figure's records are folded under a summary that says how many there are
    leaks = next(s for s in doc.sections if s.key == "leaks")
    listed = [t for t in leaks.tables if t.columns == ["Record", "Name", "Detail"]]
    assert listed and all(t.collapsed for t in listed)
    assert all(re.search(r": [\d,]+ records?( \(the first 25 listed\))?$", t.caption) for t in listed)
    assert folds.folded_tables >= len(listed) and len(folds.summaries) == folds.folded_tables
    assert "Dormant visibility" not in " ".join(folds.summaries), "the figures themselves stay open"
    assert folds.open_tables >= 8
    # a monthly report speaks of its month, and of the quarter its stalled deals are counted in
    text = render_markdown(doc)
    assert "last quarter" not in html and "last quarter" not in text
    assert "This month" not in html and "this month" not in text
    assert "<caption>November 2026</caption>" in html
    assert "Deals that stalled in Q3 2026 (July to September)" in text
    assert "<details><summary>MQLs with no touch within the first-touch SLA: " in text


def test_every_chart_axis_starts_at_zero(store):
    html = render_html(_report(store))
    folds = _Folds()
    folds.feed(html)
    assert len(folds.charts) == 4
    for chart in folds.charts:
        numbers = [float(n.replace(",", "")) for n in re.findall(r"^[-−]?[\d,]+(?:\.\d+)?$", chart, re.MULTILINE)]
        assert numbers and min(numbers) == 0, chart
    funnel = folds.charts[2]
    assert "How far the contacts created in November 2026 got" in funnel
    assert not re.search(r"^[-−]\d", funnel, re.MULTILINE), "a funnel has no negative axis"


def test_the_viewers_timezone_is_stated_and_decides_the_month(store):
    # contact 5 was created at 20:00 UTC on 31 October: already 1 November in Auckland, not yet in Los Angeles
    store.conn.execute("UPDATE contacts SET created_at = '2026-10-31T20:00:00Z' WHERE id = 5")
    store.conn.execute("UPDATE status_history SET changed_at = '2026-10-31T20:00:00Z' WHERE contact_id = 5")
    now = NOW + timedelta(days=1)
    east = monthly_report(store, date(2026, 11, 1), ZoneInfo("Pacific/Auckland"), now, "Maya Koch")
    west = monthly_report(store, date(2026, 11, 1), ZoneInfo("America/Los_Angeles"), now)
    assert "dates and times in Pacific/Auckland (Maya Koch's timezone)" in east.subtitle
    assert f"as of {now.astimezone(ZoneInfo('Pacific/Auckland')):%d %b %Y %H:%M}" in east.subtitle
    assert "dates and times in America/Los_Angeles (this computer's timezone" in west.subtitle

    def created(doc) -> int:
        funnel = next(s for s in doc.sections if s.key == "funnel")
        return int(re.match(r"([\d,]+) contacts were created", funnel.paragraphs[0])[1])

    assert created(east) == created(west) + 1


def test_names_are_shown_literally_whatever_they_hold(store):
    """Naughty strings as account, user and lead-source names: the HTML keeps its shape (no tag, script or link
    comes from a name) and the Markdown keeps them as text."""
    from tests.naughty import naughty_strings

    baseline = _Outline()
    baseline.feed(render_html(_report(store)))
    names = [s for s in naughty_strings() if s.strip()]
    conn = store.conn
    for index, name in enumerate(names[:40]):
        conn.execute("UPDATE accounts SET name = ? WHERE id = 1", (name,))
        conn.execute("UPDATE users SET name = ? WHERE id = 1", (names[-1 - index],))
        conn.execute("UPDATE contacts SET lead_source = ? WHERE id = 5", (names[index + 40],))
        doc = monthly_report(store, date(2026, 11, 1), BERLIN, NOW + timedelta(days=1), names[-1 - index])
        html = render_html(doc)
        outline = _Outline()
        outline.feed(html)
        assert (outline.sections, outline.headings, outline.tables, outline.outside) == (
            baseline.sections, baseline.headings, baseline.tables, []), name
        assert "<script" not in html.lower().replace("&lt;script", "")
        render_markdown(doc)
