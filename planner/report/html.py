"""The visual report: one self-contained HTML file of plots and tables for one or more runs.

``render_html`` turns run records into a single HTML5 page that opens offline: the plots
are inline SVG drawn with matplotlib (no pyplot, so no window and no figure registry), the
style sheet is inline, and nothing refers to a network resource. For each run it shows a
coverage heatmap (section by period), deployments stacked by contributor over time, the
shortfall by kind and, where there are interpreter needs, how each language is covered.
With several runs the runs stand side by side, one column each, after a comparison of
their key figures, their shortfalls by kind and by section and where their schedules
differ from the first run's. "Why short" gives each run's largest shortfalls with their
reasons, and the page ends with the names of the sections, kinds and languages its codes
stand for.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.files.atomic import GENERATOR, FileKind, atomic_file, holds_text
from planner.plan.explain import REASONS
from planner.report.demand_plots import demand_section
from planner.report.plots import (
    RUN_COLOURS,
    contributor_palette,
    coverage_heatmap,
    deployments_by_period,
    deployments_plot,
    difference_heatmaps,
    language_bars,
    shortfall_bars,
    shortfall_comparison,
)
from planner.report.runs_data import (
    input_names,
    kind_needs,
    language_cover,
    language_needs,
    largest_shortfalls,
    named,
    reason_counts,
    run_calendar,
    shortfall_by_kind,
)
from planner.report.svg import MISSING, escape, number_text, placeholder
from planner.runs.compare import (
    KPIS,
    has_plan,
    kpi_table,
    labels,
)
from planner.runs.records import RunRecord
from planner.version import planner_version

GENERATOR_META = '<meta name="generator"'


REPORT = FileKind("an HTML report", holds_text(f'{GENERATOR_META} content="{GENERATOR} '),
                  "report.html")
"""Reports the planner wrote, known by their generator tag: only those are replaced."""


RUNS_PER_ROW = 4
"""Runs side by side in one row of the report; more runs wrap onto further rows."""


WHY_SHORT_ROWS = 10
"""Shortfalls listed per run under "Why short", largest first."""


_MONEY = ("cost", "penalty")


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
.description { display: block; font-size: .85em; color: var(--muted); max-width: 38rem; }
ul.reasons { margin: 0; padding-left: 1.1rem; }
ul.reasons code, table.reasons code { font-size: .85em; }
td.alarm { color: #a50026; font-weight: 600; }
table.why-short td:nth-child(2) { white-space: nowrap; }
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


def _kpi_text(name: str, value: float | None) -> str:
    """A KPI as the table shows it: money in whole units, per cents to two decimals."""
    if "per cent" in name:
        return MISSING if value is None or math.isnan(value) else f"{value:,.2f} %"
    return number_text(value, 0 if any(word in name for word in _MONEY) else None)


def _delta_text(name: str, delta: float) -> str:
    """A difference from the first run, signed."""
    if "per cent" in name:
        return f"{delta:+,.2f} pp"
    if any(word in name for word in _MONEY) or abs(delta - round(delta)) < 1e-6:
        return f"{delta:+,.0f}"
    return f"{delta:+,.1f}"


def _status_html(record: RunRecord) -> str:
    css = "" if has_plan(record) else ' class="status-bad"'
    return f"<span{css}>{escape(record.status)}</span>"


def _description_html(description: str) -> str:
    """A variant's description under its name: one line per variant composed."""
    return "".join(f'<span class="description">{escape(line)}</span>'
                   for line in description.splitlines() if line.strip())


def _runs_table(records: Sequence[RunRecord], names: Sequence[str]) -> str:
    head = ("<thead><tr><th>run</th><th>variant</th><th>status</th><th>units</th>"
            '<th class="number">objective</th><th class="number">coverage</th>'
            "<th>created</th><th>changes</th></tr></thead>")
    rows = []
    for name, record in zip(names, records, strict=True):
        coverage = record.coverage_per_cent
        changes = ('<ul class="changes">'
                   + "".join(f"<li>{escape(line)}</li>" for line in record.changes) + "</ul>"
                   if record.changes else MISSING)
        rows.append(
            f"<tr><td>{escape(name)}</td><td>{escape(record.variant or 'base')}"
            f"{_description_html(record.description)}</td>"
            f"<td>{_status_html(record)}</td><td>{escape(record.summary.get('units', ''))}</td>"
            f'<td class="number">{number_text(record.objective, 0)}</td>'
            f'<td class="number">{MISSING if coverage is None else f"{coverage:.2f} %"}</td>'
            f"<td>{escape(record.created)}</td>"
            f"<td>{changes}</td></tr>"
        )
    return f'<table class="runs">{head}<tbody>{"".join(rows)}</tbody></table>'


def _kpi_html(records: Sequence[RunRecord]) -> str:
    table = kpi_table(records)
    columns = list(table.columns)
    head = "".join(f'<th class="number">{escape(column)}</th>' for column in columns)
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
                delta = f'<span class="delta">{escape(_delta_text(name, value - base))}</span>'
            cells.append(f'<td class="number">{escape(text)}{delta}</td>')
        rows.append(f"<tr><th>{escape(name)}</th>{''.join(cells)}</tr>")
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
    palette = contributor_palette(records)
    calendars = [run_calendar(record) for record in records]
    planned = [(record, calendar) for record, calendar in zip(records, calendars, strict=True)
               if has_plan(record)]
    deploy_ceiling = max((float(deployments_by_period(record, palette, calendar)
                                .sum(axis=1).max())
                          for record, calendar in planned if not record.schedule.empty),
                         default=0.0)
    short_ceiling = max((float(shortfall_by_kind(record)["shortfall"].max())
                         for record, _ in planned if not kind_needs(record).empty),
                        default=0.0)
    language_ceiling = max((float(language_cover(record).sum(axis=1).max())
                            for record, _ in planned if not language_needs(record).empty),
                           default=0.0)
    columns = []
    for position, (record, name, calendar) in enumerate(
            zip(records, names, calendars, strict=True), start=1):
        accent = RUN_COLOURS[(position - 1) % len(RUN_COLOURS)]
        coverage = record.coverage_per_cent
        sub = f"{record.status}" + ("" if coverage is None else f", {coverage:.2f} % covered")
        head = (f'<div class="run-head" style="--accent: {accent}">{escape(name)}'
                f'<span class="sub">{escape(sub)}</span></div>')
        if not has_plan(record):
            text = f"no plan: the solve ended {record.status}"
            columns.append(_RunPlots(head, {row: placeholder(text, "no-plan")
                                            for row in _ROWS}))
            continue
        made = {
            "coverage": (coverage_heatmap(record, position, calendar),
                         "no kind needs: nothing to cover"),
            "deployments": (deployments_plot(record, position, calendar, palette, deploy_ceiling),
                            "nothing deployed"),
            "shortfall": (shortfall_bars(record, position, short_ceiling),
                          "no kind needs: no shortfall"),
            "languages": (language_bars(record, position, language_ceiling),
                          "no interpreter needs"),
        }
        cells = {row: plot.html() if plot is not None else placeholder(empty, "empty")
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
    for by in ("kind", "section"):
        plot = shortfall_comparison(records, names, by)
        parts.append(plot.html() if plot is not None else
                     placeholder("fewer than two runs with a plan: no shortfalls to compare",
                                 "empty"))
        if plot is None:
            break
    parts.append(f"<h3>Where schedules differ from {escape(names[0])}</h3>")
    cells = difference_heatmaps(records, names)
    width = min(len(cells), RUNS_PER_ROW - 1) or 1
    parts.append(f'<div class="grid differences" style="--columns: {width}">'
                 f'{"".join(cells)}</div></section>')
    return "".join(parts)


def _need_name(record: RunRecord, item_type: str, item: str) -> str:
    table = "kinds" if item_type == "kind" else "languages"
    return named(item, input_names(record, table))


def _why_short_run(record: RunRecord, name: str, sections: dict[str, str]) -> str:
    """One run's reasons tallied, then its largest shortfalls each with its reasons."""
    head = f"<h3>{escape(name)}</h3>"
    if not has_plan(record):
        return f'{head}<p class="note">No plan: the solve ended {escape(record.status)}.</p>'
    explanations = record.why_short()  # derived once, for a run recorded before them
    largest = largest_shortfalls(record, explanations, WHY_SHORT_ROWS)
    if largest.empty:
        return f'{head}<p class="note">Nothing short: every need is covered.</p>'
    counts = reason_counts(explanations)
    shortfalls = int((record.shortfalls["shortfall"] > 0).sum())
    tally = "".join(
        f"<tr><td><code>{escape(code)}</code></td><td>{escape(row['meaning'])}</td>"
        f'<td class="number">{row["shortfalls"]:,}</td>'
        f'<td class="number">{escape(number_text(float(row["short"])))}</td></tr>'
        for code, row in counts.iterrows())
    rows = []
    calendar = run_calendar(record)
    for row in largest.to_dict("records"):
        period = int(row["period"])
        reasons = "".join(f"<li><code>{escape(code)}</code> {escape(detail)}</li>"
                          for code, detail in row["reasons"]) or "<li>(none recorded)</li>"
        share = 100 * float(row["shortfall"]) / float(row["required"]) if float(
            row["required"]) > 0 else 0.0
        rows.append(
            f'<tr><td class="number">{period}</td><td>{escape(calendar.labels[period])}</td>'
            f"<td>{escape(named(str(row['section_id']), sections))}</td>"
            f"<td>{escape(_need_name(record, str(row['item_type']), str(row['item_id'])))}</td>"
            f'<td class="number alarm">{escape(number_text(float(row["shortfall"])))}</td>'
            f'<td class="number">{escape(number_text(float(row["required"])))} '
            f"({share:.0f} % short)</td>"
            f'<td><ul class="reasons">{reasons}</ul></td></tr>')
    return (f"{head}<p>{shortfalls:,} needs short. Reasons, each shortfall counted under "
            "every reason that holds for it:</p>"
            '<table class="reasons"><thead><tr><th>reason</th><th>meaning</th>'
            '<th class="number">shortfalls</th><th class="number">unit-periods short</th>'
            f"</tr></thead><tbody>{tally}</tbody></table>"
            f"<p>The {len(largest)} largest shortfalls:</p>"
            '<table class="why-short"><thead><tr><th class="number">period</th><th>from</th>'
            '<th>section</th><th>need</th><th class="number">short</th>'
            '<th class="number">of need</th><th>why</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _why_short_section(records: Sequence[RunRecord], names: Sequence[str]) -> str:
    """Why each run is short: its reasons tallied and its largest shortfalls explained."""
    sections = input_names(records[0], "sections")
    codes = ", ".join(f"<code>{escape(code)}</code> {escape(meaning)}"
                      for code, meaning in REASONS.items())
    runs = "".join(_why_short_run(record, name, sections)
                   for record, name in zip(records, names, strict=True))
    return (f'<section id="why-short"><h2>Why short</h2>'
            f'<p class="note">Every shortfall has each reason that holds for it, checked '
            f"against the run's own schedule and inputs ({codes}). "
            "<code>planner explain RUN</code> prints them all, with what would cover the "
            f"largest.</p>{runs}</section>")


def _names_section(record: RunRecord) -> str:
    """What the codes stand for: the sections, kinds and languages of the first run."""
    tables = []
    for table, heading, extra in (("sections", "Sections", ("host_country", "border_type",
                                                              "impact_level", "beds")),
                                  ("kinds", "Kinds", ("class",)),
                                  ("languages", "Languages", ())):
        rows = [row for row in record.inputs.get(table) or [] if isinstance(row, dict)]
        if not rows:
            continue
        head = "".join(f"<th>{escape(column.replace('_', ' '))}</th>" for column in extra)
        body = "".join(
            f"<tr><td><code>{escape(row.get('id', ''))}</code></td>"
            f"<td>{escape(row.get('name') or '')}</td>"
            + "".join(f"<td>{escape('' if row.get(column) is None else row.get(column))}</td>"
                      for column in extra) + "</tr>"
            for row in rows)
        tables.append(f"<h3>{heading}</h3><table class=\"names {table}\"><thead><tr>"
                      f"<th>code</th><th>name</th>{head}</tr></thead><tbody>{body}</tbody>"
                      "</table>")
    return f'<section id="names"><h2>Names</h2>{"".join(tables)}</section>'


def render_html(records: Sequence[RunRecord], *, title: str | None = None) -> str:
    """One self-contained HTML5 page reporting ``records`` (the first is the reference).

    Header and run list (with each variant's description), key figures side by side, a
    comparison (several runs only) and, per run, a coverage heatmap, deployments stacked by
    contributor, the shortfall by kind and the interpreter cover by language; the forecast's
    band and the plans evaluated on demand scenarios, where there are any; then why each
    run is short and what the codes stand for. Runs without a plan say so in place of plots.
    """
    if not records:
        raise ValueError("nothing to report: no runs given")
    names = labels(records)
    scenarios = list(dict.fromkeys(record.scenario_name for record in records))
    title = title or f"Plan report: {', '.join(scenarios)}"
    count = f"{len(records)} run" + ("" if len(records) == 1 else "s")
    body = [
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">Scenario {escape(", ".join(scenarios))} · {count}</p>',
        _runs_table(records, names),
        "</header>",
        f'<section id="kpis"><h2>Key figures</h2>{_kpi_html(records)}</section>',
    ]
    if len(records) > 1:
        body.append(_comparison_section(records, names))
    body.append(_runs_section(records, names))
    body.append(demand_section(records, names))
    body.append(_why_short_section(records, names))
    body.append(_names_section(records[0]))
    return html_page(title, body)


def html_page(title: str, body: Sequence[str]) -> str:
    """A whole, self-contained HTML5 page: the report's style, ``body``, the footer."""
    footer = f"<footer><p>Border-operations planner {escape(planner_version())}.</p></footer>"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'{GENERATOR_META} content="{GENERATOR} {escape(planner_version())}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join([*body, footer]) + "\n</body>\n</html>\n"
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
