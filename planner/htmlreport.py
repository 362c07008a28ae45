"""The visual report: one self-contained HTML file of plots and tables for one or more runs.

``render_html`` turns run records into a single HTML5 page that opens offline: the plots
are inline SVG drawn with matplotlib (no pyplot, so no window and no figure registry), the
style sheet is inline, and nothing refers to a network resource. For each run it shows a
coverage heatmap (section by period), deployments stacked by contributor over time, the
shortfall by kind and, where there are interpreter needs, how each language is covered.
With several runs the runs stand side by side, one column each, after a comparison of
their key figures, their shortfalls by kind and where their schedules differ from the
first run's.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, Colormap, ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from planner.compare import (
    KPIS,
    has_plan,
    kpi_table,
    labels,
    schedule_changes,
    shortfall_by,
)
from planner.files import GENERATOR, FileKind, atomic_file, holds_text
from planner.plan import ZERO, planner_version
from planner.runs import RunRecord

GENERATOR_META = '<meta name="generator"'
REPORT = FileKind("an HTML report", holds_text(f'{GENERATOR_META} content="{GENERATOR} '),
                  "report.html")
"""Reports the planner wrote, known by their generator tag: only those are replaced."""

RUNS_PER_ROW = 4
"""Runs side by side in one row of the report; more runs wrap onto further rows."""

TOP_CONTRIBUTORS = 9
"""Contributors drawn in their own colour (the most deployed over all the runs reported);
the rest are grouped as ``others``."""

OTHERS = "others"

CONTRIBUTOR_COLOURS = (
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
    "#DDCC77", "#CC6677", "#882255", "#AA4499",
)
"""Paul Tol's 'muted' scheme: distinct for colour-blind readers too."""

OTHERS_COLOUR = "#BBBBBB"

RUN_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
"""Okabe and Ito's colour-blind-safe colours, one per run in the comparison plots."""

COVER_COLOURS = {"on site": "#117733", "remote": "#88CCEE", "short": "#CC6677"}

COVERAGE_BOUNDS = (0.0, 50.0, 75.0, 90.0, 95.0, 99.9, 100.0)
"""Classes of the coverage heatmap (per cent): the last one is 'fully covered'."""

NO_NEED_COLOUR = "#E6E6E6"

COVERAGE_LABELS = ("<50", "50-75", "75-90", "90-95", "95-100", "100")

FIGURE_WIDTH = 4.6
"""Inches; the page scales each plot to its column."""

FONT_SIZE = 8.5
TITLE = 0.32
X_AXIS = 0.5
LEGEND_ROW = 0.17
"""Room (inches) for a title, an x axis with its label, and one row of a legend."""

PLOT_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.size": FONT_SIZE,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "axes.titlesize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
}
"""matplotlib settings for every plot: text stays text (small files, searchable pages)."""

_MONEY = ("cost", "penalty")

MISSING = "\u2013"
"""Shown where a figure is missing (an en dash)."""

STYLE = """
:root { --ink: #1f1f1f; --muted: #5f6368; --rule: #d0d4d9; --band: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 1800px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; padding-bottom: .25rem;
     border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
p.meta, footer, .note { color: var(--muted); }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rule); padding: .3rem .7rem; vertical-align: top;
         text-align: left; }
thead th { background: var(--band); border-bottom: 2px solid var(--rule); }
td.number, th.number { text-align: right; white-space: nowrap; }
.delta { display: block; font-size: .8em; color: var(--muted); }
ul.changes { margin: 0; padding-left: 1.1rem; }
.status-bad { color: #b00020; font-weight: 600; }
.grid { display: grid; gap: 1rem 1.25rem; align-items: start;
        grid-template-columns: repeat(var(--columns, 1), minmax(0, 1fr)); }
.run-head { font-weight: 600; font-size: 1.05rem; padding: .4rem .6rem;
            background: var(--band); border-left: 4px solid var(--accent, #0072B2); }
.run-head .sub { display: block; font-weight: 400; font-size: .85rem; color: var(--muted); }
figure.plot { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure.plot.wide { max-width: 1100px; }
.grid.single { max-width: 1400px; }
.grid.single > .run-head { grid-column: 1 / -1; }
figure.plot svg { display: block; width: 100%; height: auto; }
figure.plot svg * { stroke-linejoin: round; stroke-linecap: butt; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .2rem; }
.placeholder { border: 1px dashed var(--rule); border-radius: 4px; padding: 2rem 1rem;
               text-align: center; color: var(--muted); background: var(--band); }
@media print {
  body { padding: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figcaption { font-size: .75rem; }
  thead { display: table-header-group; }
}
@page { size: A4 landscape; margin: 12mm; }
"""


# --- small helpers --------------------------------------------------------------------------


def _e(value: object) -> str:
    """Text for HTML, escaped (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def _number(value: float | None, decimals: int | None = None) -> str:
    """``1,234`` or ``1,234.5``: thousands separated, decimals only where there are any."""
    if value is None or math.isnan(value):
        return MISSING
    if decimals is None:
        decimals = 0 if abs(value - round(value)) < 1e-6 else 1
    return f"{value:,.{decimals}f}"


def _kpi_text(name: str, value: float | None) -> str:
    """A KPI as the table shows it: money in whole units, per cents to two decimals."""
    if "per cent" in name:
        return MISSING if value is None or math.isnan(value) else f"{value:,.2f} %"
    return _number(value, 0 if any(word in name for word in _MONEY) else None)


def _delta_text(name: str, delta: float) -> str:
    """A difference from the first run, signed."""
    if "per cent" in name:
        return f"{delta:+,.2f} pp"
    if any(word in name for word in _MONEY) or abs(delta - round(delta)) < 1e-6:
        return f"{delta:+,.0f}"
    return f"{delta:+,.1f}"


def _mpl_text(value: object) -> str:
    """Text for a matplotlib label: no mathtext, and never hidden as a ``_private`` label."""
    text = str(value).replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


def _kind_needs(record: RunRecord) -> pd.DataFrame:
    table = record.shortfalls
    if table.empty or "item_type" not in table.columns:
        return table.iloc[0:0]
    return table[table["item_type"] == "kind"]


def _language_needs(record: RunRecord) -> pd.DataFrame:
    table = record.shortfalls
    if table.empty or "item_type" not in table.columns:
        return table.iloc[0:0]
    return table[table["item_type"] == "language"]


def _ordered(preferred: Sequence[str], present: Iterable[Any]) -> list[str]:
    """``present`` in the scenario's order, then any others sorted."""
    have = {str(value) for value in present}
    ordered = [value for value in preferred if value in have]
    return ordered + sorted(have - set(ordered))


def _input_ids(record: RunRecord, table: str) -> list[str]:
    rows = record.inputs.get(table) or []
    return [str(row["id"]) for row in rows if isinstance(row, Mapping) and "id" in row]


@dataclass(frozen=True)
class _Calendar:
    """A run's periods and how to label them."""

    periods: list[int]
    labels: dict[int, str]
    axis: str


def _calendar(record: RunRecord) -> _Calendar:
    horizon = record.summary.get("scenario", {}).get("horizon", {})
    present: set[int] = set()
    starts: dict[int, Any] = {}
    for table in (record.schedule, record.shortfalls):
        if table.empty or "period" not in table.columns:
            continue
        present.update(int(period) for period in table["period"].unique())
        if "period_start" in table.columns:
            firsts = table.drop_duplicates("period")
            starts.update(zip(firsts["period"].astype(int), firsts["period_start"], strict=True))
    count = int(horizon.get("periods") or max(present, default=0))
    periods = list(range(1, max(count, max(present, default=0)) + 1))
    dates = {period: pd.Timestamp(value) for period, value in starts.items()
             if not pd.isna(value)}
    years = {date.year for date in dates.values()}
    pattern = "%d %b" if len(years) <= 1 else "%d %b %y"
    period_labels = {period: (dates[period].strftime(pattern) if period in dates
                              else f"P{period}") for period in periods}
    unit = horizon.get("period")
    axis = f"{unit} starting" if unit and dates else "period"
    return _Calendar(periods, period_labels, axis)


def _period_ticks(ax: Axes, calendar: _Calendar) -> None:
    periods = calendar.periods
    if not periods:
        return
    step = max(1, math.ceil(len(periods) / 7))
    ticks = periods[::step]
    ax.set_xticks(ticks)
    ax.set_xticklabels([calendar.labels[period] for period in ticks])
    ax.set_xlabel(calendar.axis)


def _thousands(ax: Axes, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda value, _position: f"{value:,.0f}"
                              if abs(value - round(value)) < 1e-9 else f"{value:,.1f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


# --- figures to inline SVG ------------------------------------------------------------------


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_DEFAULT_STYLE = re.compile(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>\s*", re.S)
_ROOT_SIZE = re.compile(r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"')


_TAG = re.compile(r"<[^<>]+>")
_ID = re.compile(r'\sid="([^"]*)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)')


def _own_ids(text: str, prefix: str) -> str:
    """Drop the ids nothing refers to; prefix the rest, so many plots share one page.

    Only tags are rewritten: text content never holds a raw ``<`` or ``>`` (matplotlib
    escapes them), so a label that happens to read ``id="x"`` stays as it is.
    """
    referenced = {match.group(2) for tag in _TAG.findall(text)
                  for match in _REFERENCE.finditer(tag)}

    def rename(match: re.Match[str]) -> str:
        return f' id="{prefix}-{match.group(1)}"' if match.group(1) in referenced else ""

    def retag(tag: re.Match[str]) -> str:
        inside = _ID.sub(rename, tag.group(0))
        return _REFERENCE.sub(lambda match: f"{match.group(1)}{prefix}-{match.group(2)}",
                              inside)

    return _TAG.sub(retag, text)


def _svg(figure: Figure, ident: str, description: str) -> str:
    """The figure as an inline ``<svg>``: no XML prologue or metadata, scaled by the page."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = _PROLOGUE.sub("", text, count=1)
    text = _METADATA.sub("", text, count=1)
    text = _DEFAULT_STYLE.sub("", text, count=1)
    for _ in range(2):
        text = _ROOT_SIZE.sub(r"\1", text, count=1)
    text = _own_ids(text, ident)
    return text.replace("<svg ", f'<svg role="img" aria-label="{_e(description)}" ', 1)


@dataclass(frozen=True)
class _Plot:
    """One plot of the report, ready for the page."""

    kind: str
    """The plot's class: ``coverage-heatmap``, ``deployments-by-contributor``, ..."""
    ident: str
    svg: str
    caption: str
    extra_class: str = ""

    def html(self) -> str:
        """The plot as a ``<figure>``."""
        classes = " ".join(part for part in ("plot", self.kind, self.extra_class) if part)
        return (f'<figure class="{classes}" id="{_e(self.ident)}">{self.svg}'
                f"<figcaption>{_e(self.caption)}</figcaption></figure>")


def _draw(kind: str, ident: str, caption: str, description: str, height: float,
          paint: Callable[[Figure], None], *, width: float = FIGURE_WIDTH,
          extra_class: str = "") -> _Plot:
    """Draw one figure with the report's style and turn it into a plot.

    The figure is laid out by hand (see ``_axes``): a layout engine would redo the text
    layout several times per figure, which costs more than all the drawing.
    """
    settings: dict[Any, Any] = dict(PLOT_STYLE)
    settings["svg.hashsalt"] = ident
    with mpl.rc_context(settings):
        figure = Figure(figsize=(width, height))
        try:
            paint(figure)
            svg = _svg(figure, ident, description)
        finally:
            figure.clear()
    return _Plot(kind, ident, svg, caption, extra_class)


def _text_inches(texts: Iterable[object], size: float = FONT_SIZE) -> float:
    """About how wide the widest of ``texts`` is, in inches."""
    return max((len(str(text)) for text in texts), default=0) * size * 0.6 / 72


def _axes(figure: Figure, *, left: float, bottom: float = X_AXIS, top: float = TITLE,
          right: float = 0.15) -> Axes:
    """An axes with margins given in inches."""
    width, height = figure.get_size_inches()
    return figure.add_axes((left / width, bottom / height, 1 - (left + right) / width,
                            1 - (bottom + top) / height))


def _colour_axes(figure: Figure, ax: Axes) -> Axes:
    """A slim axes for a colour bar, right of ``ax``."""
    width, _ = figure.get_size_inches()
    box = ax.get_position()
    return figure.add_axes((box.x1 + 0.1 / width, box.y0, 0.12 / width, box.height))


def _placeholder(text: str, kind: str = "") -> str:
    classes = " ".join(part for part in ("placeholder", kind) if part)
    return f'<div class="{classes}">{_e(text)}</div>'


def _heat_height(rows: int) -> float:
    return TITLE + X_AXIS + max(1.0, 0.16 * rows)


def _heatmap(figure: Figure, grid: pd.DataFrame, calendar: _Calendar, title: str,
             right: float, **style: Any) -> tuple[Axes, Any]:
    """Sections (rows) by periods (columns) as coloured cells; returns the axes and image."""
    periods = calendar.periods
    ax = _axes(figure, left=0.15 + _text_inches(grid.index), right=right)
    image = ax.imshow(np.ma.masked_invalid(grid.to_numpy(dtype=float)), aspect="auto",
                      interpolation="none",
                      extent=(periods[0] - 0.5, periods[-1] + 0.5, len(grid) - 0.5, -0.5),
                      **style)
    ax.set_yticks(range(len(grid)))
    ax.set_yticklabels([_mpl_text(section) for section in grid.index])
    _period_ticks(ax, calendar)
    ax.set_title(_mpl_text(title))
    ax.tick_params(length=2)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#c8c8c8")
    return ax, image


# --- the per-run plots ------------------------------------------------------------------------


def _coverage_colours() -> tuple[Colormap, BoundaryNorm]:
    colours = mpl.colormaps["viridis"].resampled(len(COVERAGE_BOUNDS) - 1)
    cmap = ListedColormap([colours(i) for i in range(colours.N)]).with_extremes(
        bad=NO_NEED_COLOUR)
    return cmap, BoundaryNorm(list(COVERAGE_BOUNDS), cmap.N, clip=True)


def _coverage_grid(record: RunRecord, calendar: _Calendar) -> pd.DataFrame:
    """Per cent of the kind needs covered, sections by periods (NaN where nothing is needed)."""
    needs = _kind_needs(record)
    sections = _ordered(_input_ids(record, "sections"), needs["section_id"].unique())
    grouped = needs.groupby(["section_id", "period"])[["required", "covered"]].sum()
    required = grouped["required"].unstack("period")
    covered = grouped["covered"].unstack("period")
    share = (100 * covered / required.where(required > ZERO)).clip(0, 100)
    share.index = share.index.astype(str)
    share.columns = share.columns.astype(int)
    return share.reindex(index=sections, columns=calendar.periods)


def _coverage_heatmap(record: RunRecord, position: int, calendar: _Calendar) -> _Plot | None:
    grid = _coverage_grid(record, calendar)
    if grid.empty:
        return None
    cmap, norm = _coverage_colours()
    short = int((grid < COVERAGE_BOUNDS[-2]).sum().sum())
    needed = int(grid.notna().sum().sum())
    classes = list(pairwise(COVERAGE_BOUNDS))

    def paint(figure: Figure) -> None:
        ax, image = _heatmap(figure, grid, calendar, "Coverage of needs", 0.85,
                             cmap=cmap, norm=norm)
        bar = figure.colorbar(image, cax=_colour_axes(figure, ax), spacing="uniform",
                              ticks=[(low + high) / 2 for low, high in classes])
        bar.ax.set_yticklabels(COVERAGE_LABELS)
        bar.ax.tick_params(length=0, labelsize=7.5)
        bar.ax.set_title("% covered", fontsize=7.5, loc="left")
        bar.outline.set_visible(False)

    caption = (f"{record.label}: share of each section's needs covered on site, period by "
               f"period (grey: nothing needed); {short} of {needed} section-periods with "
               f"needs not fully covered.")
    return _draw("coverage-heatmap", f"coverage-heatmap-{position}", caption,
                 f"Coverage heatmap of {record.label}", _heat_height(len(grid)), paint)


@dataclass(frozen=True)
class _Palette:
    """Each contributor's colour, the same in every run; ``order`` is the stacking order."""

    order: list[str]
    colours: dict[str, str]

    def group(self, contributor: str) -> str:
        """The band a contributor is drawn in."""
        return contributor if contributor in self.colours and contributor != OTHERS else OTHERS


def _palette(records: Sequence[RunRecord]) -> _Palette:
    totals: dict[str, float] = {}
    for record in records:
        if record.schedule.empty or "contributor" not in record.schedule.columns:
            continue
        for name, total in record.schedule.groupby("contributor")["quantity"].sum().items():
            totals[str(name)] = totals.get(str(name), 0.0) + float(total)
    ranked = sorted(totals, key=lambda name: (-totals[name], name))
    top = ranked[:TOP_CONTRIBUTORS]
    colours = dict(zip(top, CONTRIBUTOR_COLOURS, strict=False))
    colours[OTHERS] = OTHERS_COLOUR
    return _Palette([*top, OTHERS], colours)


def _deployments_by_period(record: RunRecord, palette: _Palette,
                           calendar: _Calendar) -> pd.DataFrame:
    """Unit-periods deployed per period (rows) by contributor band (columns, stacking order)."""
    schedule = record.schedule
    bands = schedule["contributor"].astype(str).map(palette.group)
    table = (schedule.assign(band=bands, period=schedule["period"].astype(int))
             .groupby(["period", "band"])["quantity"].sum().unstack("band").fillna(0.0))
    columns = [band for band in palette.order if band in table.columns
               and float(table[band].sum()) > ZERO]
    return table.reindex(index=calendar.periods, columns=columns).fillna(0.0)


def _deployments(record: RunRecord, position: int, calendar: _Calendar, palette: _Palette,
                 ceiling: float) -> _Plot | None:
    if record.schedule.empty:
        return None
    table = _deployments_by_period(record, palette, calendar)
    bands = list(table.columns)
    total = float(table.to_numpy().sum())
    columns = 3
    legend = LEGEND_ROW * math.ceil(len(bands) / columns) + 0.1

    def paint(figure: Figure) -> None:
        ax = _axes(figure, left=0.45 + _text_inches([f"{ceiling:,.0f}"]),
                   bottom=X_AXIS + legend, right=0.3)
        ax.stackplot(table.index.to_numpy(), *(table[band].to_numpy() for band in bands),
                     labels=[_mpl_text(band) for band in bands],
                     colors=[palette.colours[band] for band in bands],
                     linewidth=0.3, edgecolor="white")
        ax.set_xlim(calendar.periods[0], max(calendar.periods[-1], calendar.periods[0] + 1))
        ax.set_ylim(0, ceiling * 1.05 if ceiling > ZERO else 1)
        _period_ticks(ax, calendar)
        ax.set_ylabel("units deployed")
        _thousands(ax)
        ax.set_title("Deployments by contributor")
        ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
        ax.set_axisbelow(True)
        figure.legend(loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=columns,
                      handlelength=1.2, columnspacing=1.0, borderaxespad=0.3)

    caption = (f"{record.label}: units deployed each period, stacked by contributor "
               f"({_number(total)} unit-periods in all"
               + (f"; beyond the top {TOP_CONTRIBUTORS} grouped as \u201cothers\u201d)."
                  if OTHERS in bands else ")."))
    return _draw("deployments-by-contributor", f"deployments-by-contributor-{position}",
                 caption, f"Deployments by contributor of {record.label}",
                 TITLE + X_AXIS + 1.7 + legend, paint)


def _shortfall_by_kind(record: RunRecord) -> pd.DataFrame:
    """Required and short unit-periods per kind, in the scenario's order of kinds."""
    needs = _kind_needs(record)
    table = needs.groupby("item_id")[["required", "shortfall"]].sum()
    table.index = table.index.astype(str)
    return table.reindex(_ordered(_input_ids(record, "kinds"), table.index))


def _bar_height(rows: int, extra: float = 0.0) -> float:
    return TITLE + X_AXIS + extra + max(0.5, 0.2 * rows)


def _bar_axes(ax: Axes, labels: pd.Index, right: float, xlabel: str, title: str) -> None:
    """Horizontal bars' axes: one labelled row per entry, top down, value axis from 0."""
    ax.set_yticks(np.arange(len(labels)))
    ax.set_yticklabels([_mpl_text(label) for label in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, right if right > ZERO else 1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    _thousands(ax, "x")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="x", color="#e3e3e3", linewidth=0.6)
    ax.set_axisbelow(True)


def _shortfall_bars(record: RunRecord, position: int, ceiling: float) -> _Plot | None:
    table = _shortfall_by_kind(record)
    if table.empty:
        return None
    short = table["shortfall"].to_numpy(dtype=float)
    required = table["required"].to_numpy(dtype=float)

    def paint(figure: Figure) -> None:
        ax = _axes(figure, left=0.15 + _text_inches(table.index))
        rows = np.arange(len(table))
        ax.barh(rows, short, color=COVER_COLOURS["short"], height=0.65)
        for row, value, need in zip(rows, short, required, strict=True):
            share = 100 * value / need if need > ZERO else 0.0
            ax.annotate(f"{_number(float(value))} ({share:.1f} %)", (value, row),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=7.5)
        _bar_axes(ax, table.index, ceiling * 1.4, "shortfall (unit-periods)",
                  "Shortfall by kind")

    caption = (f"{record.label}: unit-periods short of the need per kind, and that share of "
               f"the kind's need ({_number(float(short.sum()))} short in all).")
    return _draw("shortfall-by-kind", f"shortfall-by-kind-{position}", caption,
                 f"Shortfall by kind of {record.label}", _bar_height(len(table)), paint)


def _language_cover(record: RunRecord) -> pd.DataFrame:
    """Interpreter needs per language: covered on site, remotely, and short (unit-periods)."""
    needs = _language_needs(record)
    table = needs.groupby("item_id")[["covered", "remote", "shortfall"]].sum()
    table.index = table.index.astype(str)
    table.columns = pd.Index(list(COVER_COLOURS))
    return table.reindex(_ordered(_input_ids(record, "languages"), table.index))


def _language_bars(record: RunRecord, position: int, ceiling: float) -> _Plot | None:
    table = _language_cover(record)
    if table.empty:
        return None

    def paint(figure: Figure) -> None:
        ax = _axes(figure, left=0.15 + _text_inches(table.index),
                   bottom=X_AXIS + LEGEND_ROW + 0.1)
        rows = np.arange(len(table))
        left = np.zeros(len(table))
        for part in table.columns:
            values = table[part].to_numpy(dtype=float)
            ax.barh(rows, values, left=left, height=0.65, color=COVER_COLOURS[part],
                    label=part)
            left = left + values
        _bar_axes(ax, table.index, ceiling * 1.02, "interpreter need (unit-periods)",
                  "Interpreter needs by language")
        figure.legend(loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=3,
                      borderaxespad=0.3)

    totals = table.sum()
    caption = (f"{record.label}: interpreter unit-periods per language covered on site "
               f"({_number(float(totals['on site']))}), remotely "
               f"({_number(float(totals['remote']))}) and short "
               f"({_number(float(totals['short']))}).")
    return _draw("language-cover", f"language-cover-{position}", caption,
                 f"Interpreter needs by language of {record.label}",
                 _bar_height(len(table), LEGEND_ROW + 0.1), paint)


# --- the comparison plots ----------------------------------------------------------------------


def _shortfall_comparison(records: Sequence[RunRecord], names: Sequence[str]) -> _Plot | None:
    planned = [name for name, record in zip(names, records, strict=True) if has_plan(record)]
    if len(planned) < 2:
        return None
    table = shortfall_by(records, "kind")[planned]
    table.index = table.index.astype(str)
    table = table.reindex(_ordered(_input_ids(records[0], "kinds"), table.index)).fillna(0.0)
    if table.empty:
        return None
    colours = {name: RUN_COLOURS[i % len(RUN_COLOURS)] for i, name in enumerate(names)}
    ceiling = float(table.to_numpy().max())

    def paint(figure: Figure) -> None:
        ax = _axes(figure, left=0.45 + _text_inches([f"{ceiling:,.0f}"]),
                   right=0.45 + _text_inches(planned))
        slots = np.arange(len(table))
        width = 0.8 / len(planned)
        for i, name in enumerate(planned):
            ax.bar(slots - 0.4 + width * (i + 0.5), table[name].to_numpy(dtype=float),
                   width=width, color=colours[name], label=_mpl_text(name))
        ax.set_xticks(slots)
        ax.set_xticklabels([_mpl_text(kind) for kind in table.index])
        ax.set_xlim(-0.5, len(table) - 0.5)
        ax.set_ylabel("shortfall (unit-periods)")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        _thousands(ax)
        ax.set_title("Shortfall by kind, run by run")
        ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)

    caption = ("Unit-periods short of the need per kind, one bar per run"
               + ("" if len(planned) == len(records) else " (runs without a plan left out)")
               + ".")
    return _draw("shortfall-by-kind-comparison", "shortfall-by-kind-comparison", caption,
                 "Shortfall by kind compared across runs", 3.0, paint, width=9.0,
                 extra_class="wide")


def _schedule_differences(first: RunRecord, other: RunRecord) -> pd.DataFrame:
    """Sum of |units difference| per section (rows) and period (columns), other vs first."""
    changes = schedule_changes([first, other])
    names = labels([first, other])
    if changes.empty:
        return pd.DataFrame(dtype=float)
    changes = changes.assign(difference=(changes[names[1]] - changes[names[0]]).abs())
    grid = changes.groupby(["section_id", "period"])["difference"].sum().unstack(
        "period").fillna(0.0)
    grid.index = grid.index.astype(str)
    grid.columns = grid.columns.astype(int)
    return grid


def _difference_heatmaps(records: Sequence[RunRecord], names: Sequence[str]) -> list[str]:
    """One heatmap per run after the first (or a note why there is none)."""
    first, first_name = records[0], names[0]
    calendar = _calendar(first)
    grids: dict[int, pd.DataFrame] = {}
    for position, record in enumerate(records[1:], start=2):
        if has_plan(first) and has_plan(record):
            grids[position] = _schedule_differences(first, record)
    highest = max((float(grid.to_numpy().max()) for grid in grids.values() if not grid.empty),
                  default=0.0)
    sections = _ordered(_input_ids(first, "sections"),
                        [section for grid in grids.values() for section in grid.index])
    cells: list[str] = []
    for position, name in enumerate(names[1:], start=2):
        if position not in grids:
            cells.append(_placeholder(f"{name} vs {first_name}: no plan to compare", "no-plan"))
            continue
        grid = grids[position]
        if grid.empty:
            cells.append(_placeholder(f"{name} vs {first_name}: the schedules are the same",
                                      "same-schedule"))
            continue
        periods = sorted(set(calendar.periods) | {int(period) for period in grid.columns})
        view = _Calendar(periods, {p: calendar.labels.get(p, f"P{p}") for p in periods},
                         calendar.axis)
        grid = grid.reindex(index=sections, columns=periods).fillna(0.0)
        cells.append(_difference_heatmap(grid, view, name, first_name, position,
                                         highest).html())
    return cells


def _difference_heatmap(grid: pd.DataFrame, calendar: _Calendar, name: str, first_name: str,
                        position: int, highest: float) -> _Plot:
    cmap = mpl.colormaps["Blues"].with_extremes(bad="white")
    total = float(grid.to_numpy().sum())

    def paint(figure: Figure) -> None:
        ax, image = _heatmap(figure, grid.where(grid > ZERO), calendar,
                             f"{name} vs {first_name}",
                             0.4 + _text_inches([f"{highest:,.0f}"], 7.5),
                             cmap=cmap, vmin=0, vmax=max(highest, 1.0))
        bar = figure.colorbar(image, cax=_colour_axes(figure, ax))
        bar.ax.tick_params(length=2, labelsize=7.5)
        bar.ax.set_title("units", fontsize=7.5, loc="left")
        if bar.solids is not None:
            bar.solids.set_rasterized(True)
        bar.outline.set_visible(False)

    caption = (f"Where {name}'s schedule differs from {first_name}'s: units moved per section "
               f"and period, summed over kinds and contributions ({_number(total)} "
               f"unit-periods in all; white: no difference).")
    return _draw("schedule-differences", f"schedule-differences-{position}", caption,
                 f"Schedule differences of {name} against {first_name}",
                 _heat_height(len(grid)), paint)


# --- the page -----------------------------------------------------------------------------------


def _status_html(record: RunRecord) -> str:
    css = "" if has_plan(record) else ' class="status-bad"'
    return f"<span{css}>{_e(record.status)}</span>"


def _runs_table(records: Sequence[RunRecord], names: Sequence[str]) -> str:
    head = ("<thead><tr><th>run</th><th>variant</th><th>status</th><th>units</th>"
            '<th class="number">objective</th><th class="number">coverage</th>'
            "<th>created</th><th>changes</th></tr></thead>")
    rows = []
    for name, record in zip(names, records, strict=True):
        coverage = record.coverage_per_cent
        changes = ('<ul class="changes">'
                   + "".join(f"<li>{_e(line)}</li>" for line in record.changes) + "</ul>"
                   if record.changes else MISSING)
        rows.append(
            f"<tr><td>{_e(name)}</td><td>{_e(record.variant or 'base')}</td>"
            f"<td>{_status_html(record)}</td><td>{_e(record.summary.get('units', ''))}</td>"
            f'<td class="number">{_number(record.objective, 0)}</td>'
            f'<td class="number">{MISSING if coverage is None else f"{coverage:.2f} %"}</td>'
            f"<td>{_e(record.created)}</td>"
            f"<td>{changes}</td></tr>"
        )
    return f'<table class="runs">{head}<tbody>{"".join(rows)}</tbody></table>'


def _kpi_html(records: Sequence[RunRecord]) -> str:
    table = kpi_table(records)
    columns = list(table.columns)
    head = "".join(f'<th class="number">{_e(column)}</th>' for column in columns)
    rows = []
    numbers = table.to_numpy(dtype=float)
    for row, (name, _, _) in enumerate(KPIS):
        values: list[float | None] = [None if math.isnan(value) else float(value)
                                      for value in numbers[row]]
        base = values[0]
        cells = []
        for i, value in enumerate(values):
            text = _kpi_text(name, value)
            delta = ""
            if i and value is not None and base is not None and abs(value - base) > 1e-9:
                delta = f'<span class="delta">{_e(_delta_text(name, value - base))}</span>'
            cells.append(f'<td class="number">{_e(text)}{delta}</td>')
        rows.append(f"<tr><th>{_e(name)}</th>{''.join(cells)}</tr>")
    note = ("" if len(records) < 2 else
            '<p class="note">Small figures under a value: difference from the first run.</p>')
    return (f'<table class="kpis"><thead><tr><th>KPI</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{note}')


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class _RunPlots:
    """One run's column: heading and one cell per row of plots."""

    head: str
    cells: dict[str, str]
    has_languages: bool = False


def _run_plots(records: Sequence[RunRecord], names: Sequence[str]) -> list[_RunPlots]:
    palette = _palette(records)
    calendars = [_calendar(record) for record in records]
    planned = [(record, calendar) for record, calendar in zip(records, calendars, strict=True)
               if has_plan(record)]
    deploy_ceiling = max((float(_deployments_by_period(record, palette, calendar)
                                .sum(axis=1).max())
                          for record, calendar in planned if not record.schedule.empty),
                         default=0.0)
    short_ceiling = max((float(_shortfall_by_kind(record)["shortfall"].max())
                         for record, _ in planned if not _kind_needs(record).empty),
                        default=0.0)
    language_ceiling = max((float(_language_cover(record).sum(axis=1).max())
                            for record, _ in planned if not _language_needs(record).empty),
                           default=0.0)
    columns = []
    for position, (record, name, calendar) in enumerate(
            zip(records, names, calendars, strict=True), start=1):
        accent = RUN_COLOURS[(position - 1) % len(RUN_COLOURS)]
        coverage = record.coverage_per_cent
        sub = f"{record.status}" + ("" if coverage is None else f", {coverage:.2f} % covered")
        head = (f'<div class="run-head" style="--accent: {accent}">{_e(name)}'
                f'<span class="sub">{_e(sub)}</span></div>')
        if not has_plan(record):
            text = f"no plan: the solve ended {record.status}"
            columns.append(_RunPlots(head, {row: _placeholder(text, "no-plan")
                                            for row in _ROWS}))
            continue
        made = {
            "coverage": (_coverage_heatmap(record, position, calendar),
                         "no kind needs: nothing to cover"),
            "deployments": (_deployments(record, position, calendar, palette, deploy_ceiling),
                            "nothing deployed"),
            "shortfall": (_shortfall_bars(record, position, short_ceiling),
                          "no kind needs: no shortfall"),
            "languages": (_language_bars(record, position, language_ceiling),
                          "no interpreter needs"),
        }
        cells = {row: plot.html() if plot is not None else _placeholder(empty, "empty")
                 for row, (plot, empty) in made.items()}
        columns.append(_RunPlots(head, cells, made["languages"][0] is not None))
    return columns


_ROWS = ("coverage", "deployments", "shortfall", "languages")


def _runs_section(records: Sequence[RunRecord], names: Sequence[str]) -> str:
    """The runs' plots: one column per run, one row per plot; a lone run's plots two a row."""
    columns = _run_plots(records, names)
    heading = "Run" if len(records) == 1 else "Runs"
    if len(columns) == 1:
        column = columns[0]
        cells = [column.cells[row] for row in _ROWS
                 if row != "languages" or column.has_languages or not has_plan(records[0])]
        return (f'<section id="runs"><h2>{heading}</h2>'
                f'<div class="grid runs single" style="--columns: 2">{column.head}'
                f'{"".join(cells)}</div></section>')
    blocks = []
    width = min(len(records), RUNS_PER_ROW)
    for chunk in _chunks(columns, RUNS_PER_ROW):
        rows = [[column.head for column in chunk]]
        for row in _ROWS:
            if row == "languages" and not any(column.has_languages for column in chunk):
                continue
            rows.append([column.cells[row] for column in chunk])
        # A short last chunk keeps the columns' width: each row is padded to it.
        padding = ["<div></div>"] * (width - len(chunk))
        grid = "".join(cell for row_cells in rows for cell in [*row_cells, *padding])
        blocks.append(f'<div class="grid runs" style="--columns: {width}">{grid}</div>')
    return f'<section id="runs"><h2>{heading}</h2>{"".join(blocks)}</section>'


def _comparison_section(records: Sequence[RunRecord], names: Sequence[str]) -> str:
    parts = ['<section id="comparison"><h2>Comparison</h2>']
    plot = _shortfall_comparison(records, names)
    parts.append(plot.html() if plot is not None else
                 _placeholder("fewer than two runs with a plan: no shortfalls to compare",
                              "empty"))
    parts.append(f"<h3>Where schedules differ from {_e(names[0])}</h3>")
    cells = _difference_heatmaps(records, names)
    width = min(len(cells), RUNS_PER_ROW - 1) or 1
    parts.append(f'<div class="grid differences" style="--columns: {width}">'
                 f'{"".join(cells)}</div></section>')
    return "".join(parts)


def render_html(records: Sequence[RunRecord], *, title: str | None = None) -> str:
    """One self-contained HTML5 page reporting ``records`` (the first is the reference).

    Header and run list, key figures side by side, a comparison (several runs only) and,
    per run, a coverage heatmap, deployments stacked by contributor, the shortfall by kind
    and the interpreter cover by language. Runs without a plan say so in place of plots.
    """
    if not records:
        raise ValueError("nothing to report: no runs given")
    names = labels(records)
    scenarios = list(dict.fromkeys(record.scenario_name for record in records))
    title = title or f"Plan report: {', '.join(scenarios)}"
    count = f"{len(records)} run" + ("" if len(records) == 1 else "s")
    body = [
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="meta">Scenario {_e(", ".join(scenarios))} · {count}</p>',
        _runs_table(records, names),
        "</header>",
        f'<section id="kpis"><h2>Key figures</h2>{_kpi_html(records)}</section>',
    ]
    if len(records) > 1:
        body.append(_comparison_section(records, names))
    body.append(_runs_section(records, names))
    body.append(f"<footer><p>Border-operations planner {_e(planner_version())}.</p></footer>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'{GENERATOR_META} content="{GENERATOR} {_e(planner_version())}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body) + "\n</body>\n</html>\n"
    )


def write_html_report(records: Sequence[RunRecord], path: Path, *,
                      title: str | None = None) -> Path:
    """Render the report of ``records`` to ``path``, written whole or not at all.

    An existing file at ``path`` is replaced only if it is a report the planner wrote.
    """
    page = render_html(records, title=title)
    with atomic_file(path, REPORT) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return path
