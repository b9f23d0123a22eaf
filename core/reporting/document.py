"""The monthly report as a plain document: sections of paragraphs, tables and charts. db/reporting/monthly.py fills it
from the metrics' one definitions; core/reporting/markdown.py and core/reporting/html.py write it out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    numeric: frozenset[int] = frozenset()  # column indexes aligned right
    collapsed: bool = False  # a list of records: folded under its caption (which gives the count)


@dataclass(frozen=True)
class Chart:
    kind: Literal["bar", "line", "funnel", "hbar"]
    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]  # (name, one value per label)


@dataclass(frozen=True)
class Section:
    key: str  # a stable id ("activity", "funnel", "deals", "leaks", "dormant")
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass(frozen=True)
class ReportDoc:
    title: str
    subtitle: str
    sections: list[Section]


def count(value: float | int | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def money(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{value:,.0f} {currency}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f} d"
