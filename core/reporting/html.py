"""The monthly report as one self-contained HTML file: inline CSS, charts as inline SVG drawn by pygal (no
scripts, no fonts or images from anywhere), so it opens offline and can be mailed as it is. Lists of records
are folded (<details>) under a summary with their count, so the report reads top to bottom in a few minutes;
every axis starts at 0; every value from the data is escaped."""

from __future__ import annotations

import re
from html import escape

from revdesk.core.reporting.document import Chart, ReportDoc, Table

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; margin: 0;
       background: #f6f7f9; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 60px; background: #fff; }
h1 { font-size: 26px; margin: 8px 0 2px; } h2 { font-size: 20px; margin: 34px 0 8px; border-bottom: 2px solid #e3e6ec;
     padding-bottom: 4px; }
.subtitle { color: #5b6475; margin: 0 0 18px; } nav a { margin-right: 14px; color: #2858c5; text-decoration: none; }
table { border-collapse: collapse; margin: 8px 0 18px; width: 100%; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: #394152; }
th, td { padding: 5px 8px; border-bottom: 1px solid #e7e9ee; text-align: left; vertical-align: top; }
th { background: #f1f3f7; font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 10px 0 18px; } figure svg { width: 100%; height: auto; }
p { margin: 6px 0 10px; }
details { margin: 4px 0 8px; } details table { margin-top: 4px; }
summary { cursor: pointer; color: #394152; font-size: 14px; padding: 3px 0; }
"""


_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _table(table: Table) -> str:
    def cls(index: int) -> str:
        return ' class="num"' if index in table.numeric else ""

    head = "".join(f"<th{cls(i)}>{escape(c)}</th>" for i, c in enumerate(table.columns))
    rows = table.rows or [["—"] * len(table.columns)]
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{escape(c)}</td>" for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    if table.collapsed:  # the caption becomes the summary a reader clicks to open the records
        return (f"<details><summary>{escape(table.caption)}</summary><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table></details>")
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(chart: Chart) -> str:
    """An inline SVG (no scripts: pygal's tooltips would load JavaScript from the web). Every value axis starts
    at 0 and counts up: a funnel is drawn as bars from 0, first stage on top (pygal's own funnel is centred on
    0, which gives it a negative axis)."""
    import pygal
    from pygal.style import Style

    style = Style(background="white", plot_background="white", font_family="system-ui, sans-serif",
                  colors=("#2f6fdf", "#e07b28", "#2a9d6f", "#b04ad6", "#d6453d"))
    horizontal = chart.kind in ("funnel", "hbar")
    labels, series = chart.labels, chart.series
    if horizontal:  # pygal draws the first label at the bottom: reverse, so the list reads from the top
        labels, series = labels[::-1], [(name, values[::-1]) for name, values in series]
    top = max((v for _, values in series for v in values), default=0)
    kinds = {"bar": pygal.Bar, "line": pygal.Line, "funnel": pygal.HorizontalBar, "hbar": pygal.HorizontalBar}
    height = max(240, 90 + 34 * len(labels)) if horizontal else 300
    drawing = kinds[chart.kind](js=[], disable_xml_declaration=True, width=900, height=height, style=style,
                                title=chart.title, show_legend=len(series) > 1, legend_at_bottom=True,
                                print_values=horizontal, value_formatter=lambda v: f"{v:,.0f}",
                                include_x_axis=True, range=(0, top or 1), min_scale=2)
    drawing.x_labels = labels
    for name, values in series:
        drawing.add(name, values)
    svg = _SCRIPT.sub("", drawing.render(is_unicode=True))  # pygal's config for its tooltips: not needed
    return f'<figure aria-label="{escape(chart.title)}">{svg}</figure>'


def render_html(doc: ReportDoc) -> str:
    nav = " ".join(f'<a href="#{s.key}">{escape(s.title)}</a>' for s in doc.sections)
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(doc.title)}</title>",
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{_CSS}</style></head>",
             f"<body><main><h1>{escape(doc.title)}</h1><p class=\"subtitle\">{escape(doc.subtitle)}</p>",
             f"<nav>{nav}</nav>"]
    for section in doc.sections:
        parts.append(f'<section id="{escape(section.key)}"><h2>{escape(section.title)}</h2>')
        parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
        parts += [_chart(c) for c in section.charts]
        parts += [_table(t) for t in section.tables]
        parts.append("</section>")
    parts.append("</main></body></html>\n")
    return "".join(parts)
