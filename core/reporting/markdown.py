"""The monthly report as Markdown: headings, paragraphs and pipe tables (charts become their data tables);
lists of records are folded in <details> under their caption, as in the HTML."""

from __future__ import annotations

from html import escape

from revdesk.core.reporting.document import Chart, ReportDoc, Table

_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"} | {"\n": " "})


def _cell(text: str) -> str:
    """Names and notes as text: Markdown and HTML in them stay literal."""
    return text.translate(_ESCAPES)


def table_md(table: Table) -> list[str]:
    if table.collapsed:  # an HTML block around a Markdown table: the blank lines let the table render
        lines = [f"<details><summary>{escape(table.caption.replace(chr(10), ' '))}</summary>", ""]
    else:
        lines = [f"*{_cell(table.caption)}*", ""] if table.caption else []
    lines.append("| " + " | ".join(_cell(c) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if i in table.numeric else "---" for i in range(len(table.columns))) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    if not table.rows:
        lines.append("| " + " | ".join(["—"] * len(table.columns)) + " |")
    return lines + (["", "</details>", ""] if table.collapsed else [""])


def chart_md(chart: Chart) -> list[str]:
    """A chart in Markdown is its numbers: one row per label, one column per series."""
    rows = [[label, *(f"{values[i]:,.0f}" for _, values in chart.series)] for i, label in enumerate(chart.labels)]
    numeric = frozenset(range(1, len(chart.series) + 1))
    return table_md(Table(["", *(name for name, _ in chart.series)], rows, chart.title, numeric))


def render_markdown(doc: ReportDoc) -> str:
    lines = [f"# {_cell(doc.title)}", "", _cell(doc.subtitle), ""]
    lines += [f"- [{s.title}](#{s.key})" for s in doc.sections] + [""]
    for section in doc.sections:
        lines += [f'<a id="{section.key}"></a>', "", f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [_cell(paragraph), ""]
        for chart in section.charts:
            lines += chart_md(chart)
        for table in section.tables:
            lines += table_md(table)
    return "\n".join(lines).rstrip() + "\n"
