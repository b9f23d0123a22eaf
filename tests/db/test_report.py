"""The monthly report on a small database: Markdown and one self-contained HTML file, parsed and checked for
its sections, tables and charts, with figures that match what the screens and commands say."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from core.report_html import render_html
from core.report_md import render_markdown
from db.report import monthly_report
from db.workbench import Workbench
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
    assert "This month" in outline.captions and "Dormant accounts now" in outline.captions
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
    assert any("the records" in t.caption for t in leaks.tables), "leak figures come with their records"


def test_an_empty_month_is_a_report_of_zeros(store):
    doc = monthly_report(store, date(2025, 2, 1), BERLIN, datetime(2026, 11, 23, tzinfo=UTC))
    text = render_markdown(doc)
    assert "February 2025" in doc.title and "| Calls | 0 |" in text
    assert [s.key for s in doc.sections] == SECTIONS
