"""The report's plots, each drawn as inline SVG.

For one run: a coverage heatmap, deployments stacked by contributor, shortfall by kind and
how each language is covered. For several: their shortfalls side by side and where their
schedules differ from the first run's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, Colormap, ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from planner.model.results import ZERO
from planner.report.runs_data import (
    COVER_PARTS,
    Calendar,
    coverage_grid,
    in_scenario_order,
    input_ids,
    input_names,
    language_cover,
    named,
    run_calendar,
    schedule_differences,
    shortfall_by_kind,
)
from planner.report.svg import (
    FIGURE_WIDTH,
    LEGEND_ROW,
    TITLE,
    X_AXIS,
    Plot,
    axes_inches,
    colour_axes,
    draw,
    number_text,
    placeholder,
    plot_text,
    text_inches,
    thousands_axis,
)
from planner.runs.compare import (
    has_plan,
    shortfall_by,
)
from planner.runs.records import RunRecord

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


COVER_COLOURS = dict(zip(COVER_PARTS, ("#117733", "#88CCEE", "#CC6677"), strict=True))


COVERAGE_BOUNDS = (0.0, 50.0, 75.0, 90.0, 95.0, 99.9, 100.0)
"""Classes of the coverage heatmap (per cent): the last one is 'fully covered'."""


COVERAGE_COLOURS = ("#A50026", "#E34A33", "#FC8D59", "#FDCC8A", "#D1E5F0", "#4393C3")
"""One per class, from alarming (deep red: under half covered) through orange to calm
(blue: fully covered): short reads as a warning, and the red-to-blue ramp stays legible
to colour-blind readers, unlike red against green."""


NO_NEED_COLOUR = "#EEEEEE"


COVERAGE_LABELS = ("<50", "50-75", "75-90", "90-95", "95-100", "100")


def _period_ticks(ax: Axes, calendar: Calendar) -> None:
    periods = calendar.periods
    if not periods:
        return
    step = max(1, math.ceil(len(periods) / 7))
    ticks = periods[::step]
    ax.set_xticks(ticks)
    ax.set_xticklabels([calendar.labels[period] for period in ticks])
    ax.set_xlabel(calendar.axis)


def _heat_height(rows: int) -> float:
    return TITLE + X_AXIS + max(1.0, 0.16 * rows)


def _heatmap(figure: Figure, grid: pd.DataFrame, calendar: Calendar, title: str,
             right: float, **style: Any) -> tuple[Axes, Any]:
    """Sections (rows) by periods (columns) as coloured cells; returns the axes and image."""
    periods = calendar.periods
    ax = axes_inches(figure, left=0.15 + text_inches(grid.index), right=right)
    image = ax.imshow(np.ma.masked_invalid(grid.to_numpy(dtype=float)), aspect="auto",
                      interpolation="none",
                      extent=(periods[0] - 0.5, periods[-1] + 0.5, len(grid) - 0.5, -0.5),
                      **style)
    ax.set_yticks(range(len(grid)))
    ax.set_yticklabels([plot_text(section) for section in grid.index])
    _period_ticks(ax, calendar)
    ax.set_title(plot_text(title))
    ax.tick_params(length=2)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#c8c8c8")
    return ax, image


def _coverage_colours() -> tuple[Colormap, BoundaryNorm]:
    cmap = ListedColormap(list(COVERAGE_COLOURS)).with_extremes(bad=NO_NEED_COLOUR)
    return cmap, BoundaryNorm(list(COVERAGE_BOUNDS), cmap.N, clip=True)


def coverage_heatmap(record: RunRecord, position: int, calendar: Calendar) -> Plot | None:
    """Per cent of need covered, section by period (``None`` without needs)."""
    grid = coverage_grid(record, calendar)
    if grid.empty:
        return None
    cmap, norm = _coverage_colours()
    short = int((grid < COVERAGE_BOUNDS[-2]).sum().sum())
    needed = int(grid.notna().sum().sum())
    classes = list(pairwise(COVERAGE_BOUNDS))

    def paint(figure: Figure) -> None:
        ax, image = _heatmap(figure, grid, calendar, "Coverage of needs", 0.85,
                             cmap=cmap, norm=norm)
        bar = figure.colorbar(image, cax=colour_axes(figure, ax), spacing="uniform",
                              ticks=[(low + high) / 2 for low, high in classes])
        bar.ax.set_yticklabels(COVERAGE_LABELS)
        bar.ax.tick_params(length=0, labelsize=7.5)
        bar.ax.set_title("% covered", fontsize=7.5, loc="left")
        bar.outline.set_visible(False)

    caption = (f"{record.label}: share of each section's needs covered on site, period by "
               f"period (grey: nothing needed); {short} of {needed} section-periods with "
               f"needs not fully covered.")
    return draw("coverage-heatmap", f"coverage-heatmap-{position}", caption,
                f"Coverage heatmap of {record.label}", _heat_height(len(grid)), paint)


@dataclass(frozen=True)
class Palette:
    """Each contributor's colour, the same in every run; ``order`` is the stacking order."""

    order: list[str]
    colours: dict[str, str]

    def group(self, contributor: str) -> str:
        """The band a contributor is drawn in."""
        return contributor if contributor in self.colours and contributor != OTHERS else OTHERS


def contributor_palette(records: Sequence[RunRecord]) -> Palette:
    """One colour per contributor, the same in every run: the most deployed get their own."""
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
    return Palette([*top, OTHERS], colours)


def deployments_by_period(record: RunRecord, palette: Palette,
                          calendar: Calendar) -> pd.DataFrame:
    """Unit-periods deployed per period (rows) by contributor band (columns, stacking order)."""
    schedule = record.schedule
    bands = schedule["contributor"].astype(str).map(palette.group)
    table = (schedule.assign(band=bands, period=schedule["period"].astype(int))
             .groupby(["period", "band"])["quantity"].sum().unstack("band").fillna(0.0))
    columns = [band for band in palette.order if band in table.columns
               and float(table[band].sum()) > ZERO]
    return table.reindex(index=calendar.periods, columns=columns).fillna(0.0)


def deployments_plot(record: RunRecord, position: int, calendar: Calendar, palette: Palette,
                     ceiling: float) -> Plot | None:
    """Units deployed each period, stacked by contributor (``None`` without deployments)."""
    if record.schedule.empty:
        return None
    table = deployments_by_period(record, palette, calendar)
    bands = list(table.columns)
    total = float(table.to_numpy().sum())
    columns = 3
    legend = LEGEND_ROW * math.ceil(len(bands) / columns) + 0.1

    def paint(figure: Figure) -> None:
        ax = axes_inches(figure, left=0.45 + text_inches([f"{ceiling:,.0f}"]),
                         bottom=X_AXIS + legend, right=0.3)
        ax.stackplot(table.index.to_numpy(), *(table[band].to_numpy() for band in bands),
                     labels=[plot_text(band) for band in bands],
                     colors=[palette.colours[band] for band in bands],
                     linewidth=0.3, edgecolor="white")
        ax.set_xlim(calendar.periods[0], max(calendar.periods[-1], calendar.periods[0] + 1))
        ax.set_ylim(0, ceiling * 1.05 if ceiling > ZERO else 1)
        _period_ticks(ax, calendar)
        ax.set_ylabel("units deployed")
        thousands_axis(ax)
        ax.set_title("Deployments by contributor")
        ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
        ax.set_axisbelow(True)
        figure.legend(loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=columns,
                      handlelength=1.2, columnspacing=1.0, borderaxespad=0.3)

    caption = (f"{record.label}: units deployed each period, stacked by contributor "
               f"({number_text(total)} unit-periods in all"
               + (f"; beyond the top {TOP_CONTRIBUTORS} grouped as \u201cothers\u201d)."
                  if OTHERS in bands else ")."))
    return draw("deployments-by-contributor", f"deployments-by-contributor-{position}",
                caption, f"Deployments by contributor of {record.label}",
                TITLE + X_AXIS + 1.7 + legend, paint)


def _bar_height(rows: int, extra: float = 0.0) -> float:
    return TITLE + X_AXIS + extra + max(0.5, 0.2 * rows)


def _bar_axes(ax: Axes, labels: pd.Index, right: float, xlabel: str, title: str) -> None:
    """Horizontal bars' axes: one labelled row per entry, top down, value axis from 0."""
    ax.set_yticks(np.arange(len(labels)))
    ax.set_yticklabels([plot_text(label) for label in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, right if right > ZERO else 1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    thousands_axis(ax, "x")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="x", color="#e3e3e3", linewidth=0.6)
    ax.set_axisbelow(True)


def shortfall_bars(record: RunRecord, position: int, ceiling: float) -> Plot | None:
    """Required and short unit-periods by kind (``None`` without needs of kinds)."""
    table = shortfall_by_kind(record)
    if table.empty:
        return None
    short = table["shortfall"].to_numpy(dtype=float)
    required = table["required"].to_numpy(dtype=float)
    kinds = input_names(record, "kinds")
    table.index = pd.Index([named(kind, kinds, short=True) for kind in table.index])

    left = 0.15 + text_inches(table.index)
    # Room right of the longest bar for its figure, the same in every run's plot: the
    # runs' bars share one scale.
    bars = FIGURE_WIDTH - left - 0.15
    figures = text_inches([f"{max(ceiling, 1.0):,.1f} (99.9 %)"], 7.5) + 0.1
    right = ceiling * bars / max(bars - figures, 0.25 * bars)

    def paint(figure: Figure) -> None:
        ax = axes_inches(figure, left=left)
        rows = np.arange(len(table))
        ax.barh(rows, short, color=COVER_COLOURS["short"], height=0.65)
        for row, value, need in zip(rows, short, required, strict=True):
            share = 100 * value / need if need > ZERO else 0.0
            ax.annotate(f"{number_text(float(value))} ({share:.1f} %)", (value, row),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=7.5)
        _bar_axes(ax, table.index, right, "shortfall (unit-periods)", "Shortfall by kind")

    caption = (f"{record.label}: unit-periods short of the need per kind, and that share of "
               f"the kind's need ({number_text(float(short.sum()))} short in all).")
    return draw("shortfall-by-kind", f"shortfall-by-kind-{position}", caption,
                f"Shortfall by kind of {record.label}", _bar_height(len(table)), paint)


def language_bars(record: RunRecord, position: int, ceiling: float) -> Plot | None:
    """Interpreter needs by language, covered on site, remotely or short (or ``None``)."""
    table = language_cover(record)
    if table.empty:
        return None
    languages = input_names(record, "languages")
    table.index = pd.Index([named(language, languages, short=True) for language in table.index])

    def paint(figure: Figure) -> None:
        ax = axes_inches(figure, left=0.15 + text_inches(table.index),
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
               f"({number_text(float(totals['on site']))}), remotely "
               f"({number_text(float(totals['remote']))}) and short "
               f"({number_text(float(totals['short']))}).")
    return draw("language-cover", f"language-cover-{position}", caption,
                f"Interpreter needs by language of {record.label}",
                _bar_height(len(table), LEGEND_ROW + 0.1), paint)


COMPARED = {"kind": ("kinds", "kind"), "section": ("sections", "section")}
"""What a shortfall comparison may be by: the input table naming the rows, and its word."""


def shortfall_comparison(records: Sequence[RunRecord], names: Sequence[str],
                         by: str = "kind") -> Plot | None:
    """Shortfall by ``kind`` or ``section``, one bar per run, each row named.

    ``None`` where fewer than two runs have a plan or nothing is needed.
    """
    planned = [name for name, record in zip(names, records, strict=True) if has_plan(record)]
    if len(planned) < 2:
        return None
    table_name, word = COMPARED[by]
    table = shortfall_by(records, by)[planned]
    table.index = table.index.astype(str)
    order = in_scenario_order(input_ids(records[0], table_name), table.index)
    table = table.reindex(order).fillna(0.0)
    if table.empty:
        return None
    rows = input_names(records[0], table_name)
    table.index = pd.Index([named(row, rows, short=True) for row in table.index])
    colours = {name: RUN_COLOURS[i % len(RUN_COLOURS)] for i, name in enumerate(names)}
    ceiling = float(table.to_numpy().max())
    band = 0.8 / len(planned)
    legend = LEGEND_ROW * math.ceil(len(planned) / 4) + 0.1

    def paint(figure: Figure) -> None:
        ax = axes_inches(figure, left=0.15 + text_inches(table.index),
                         bottom=X_AXIS + legend)
        slots = np.arange(len(table))
        for i, name in enumerate(planned):
            ax.barh(slots - 0.4 + band * (i + 0.5), table[name].to_numpy(dtype=float),
                    height=band, color=colours[name], label=plot_text(name))
        _bar_axes(ax, table.index, ceiling * 1.05, "shortfall (unit-periods)",
                  f"Shortfall by {word}, run by run")
        ax.grid(axis="x", color="#e3e3e3", linewidth=0.6)
        ax.set_axisbelow(True)
        figure.legend(loc="lower center", bbox_to_anchor=(0.5, 0.0),
                      ncols=min(len(planned), 4), borderaxespad=0.3)

    caption = (f"Unit-periods short of the need per {word}, one bar per run"
               + ("" if len(planned) == len(records) else " (runs without a plan left out)")
               + ".")
    height = TITLE + X_AXIS + legend + max(0.6, len(table) * (0.1 + 0.09 * len(planned)))
    return draw(f"shortfall-by-{word}-comparison", f"shortfall-by-{word}-comparison", caption,
                f"Shortfall by {word} compared across runs", height, paint, width=9.0,
                extra_class="wide")


def difference_heatmaps(records: Sequence[RunRecord], names: Sequence[str]) -> list[str]:
    """One heatmap per run after the first (or a note why there is none)."""
    first, first_name = records[0], names[0]
    calendar = run_calendar(first)
    grids: dict[int, pd.DataFrame] = {}
    for position, record in enumerate(records[1:], start=2):
        if has_plan(first) and has_plan(record):
            grids[position] = schedule_differences(first, record)
    highest = max((float(grid.to_numpy().max()) for grid in grids.values() if not grid.empty),
                  default=0.0)
    sections = in_scenario_order(input_ids(first, "sections"),
                                 [section for grid in grids.values() for section in grid.index])
    cells: list[str] = []
    for position, name in enumerate(names[1:], start=2):
        if position not in grids:
            cells.append(placeholder(f"{name} vs {first_name}: no plan to compare", "no-plan"))
            continue
        grid = grids[position]
        if grid.empty:
            cells.append(placeholder(f"{name} vs {first_name}: the schedules are the same",
                                      "same-schedule"))
            continue
        periods = sorted(set(calendar.periods) | {int(period) for period in grid.columns})
        view = Calendar(periods, {p: calendar.labels.get(p, f"P{p}") for p in periods},
                        calendar.axis)
        grid = grid.reindex(index=sections, columns=periods).fillna(0.0)
        cells.append(_difference_heatmap(grid, view, name, first_name, position,
                                         highest).html())
    return cells


def _difference_heatmap(grid: pd.DataFrame, calendar: Calendar, name: str, first_name: str,
                        position: int, highest: float) -> Plot:
    cmap = mpl.colormaps["Blues"].with_extremes(bad="white")
    total = float(grid.to_numpy().sum())

    def paint(figure: Figure) -> None:
        ax, image = _heatmap(figure, grid.where(grid > ZERO), calendar,
                             f"{name} vs {first_name}",
                             0.4 + text_inches([f"{highest:,.0f}"], 7.5),
                             cmap=cmap, vmin=0, vmax=max(highest, 1.0))
        bar = figure.colorbar(image, cax=colour_axes(figure, ax))
        bar.ax.tick_params(length=2, labelsize=7.5)
        bar.ax.set_title("units", fontsize=7.5, loc="left")
        if bar.solids is not None:
            bar.solids.set_rasterized(True)
        bar.outline.set_visible(False)

    caption = (f"Where {name}'s schedule differs from {first_name}'s: units moved per section "
               f"and period, summed over kinds and contributions ({number_text(total)} "
               f"unit-periods in all; white: no difference).")
    return draw("schedule-differences", f"schedule-differences-{position}", caption,
                f"Schedule differences of {name} against {first_name}",
                _heat_height(len(grid)), paint)
