"""The report's demand section: the forecast's band, and plans evaluated on demand scenarios.

For each run whose forecast has a band: arrivals by period, the point forecast inside the
10-90 % band. For each evaluation of a run (a robust run's own, each ``planner evaluate``):
the share of scenarios covered at least so much (one line per plan: a robust run's plan
beside the point-forecast plan on the same scenarios), and a table of its figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from planner.report.runs_data import EVALUATION_HEADINGS, evaluation_figures
from planner.report.svg import Plot, axes_inches, draw, escape, number_text, thousands_axis
from planner.runs.records import Evaluation, RunRecord

PLAN_NAMES = {"robust": "robust plan", "point": "point-forecast plan", "run": "the run's plan"}
PLAN_COLOURS = {"robust": "#0072B2", "point": "#D55E00", "run": "#0072B2"}


def banded_arrivals(record: RunRecord) -> pd.DataFrame | None:
    """Arrivals by period with their band (rows' bands summed), or ``None`` without one."""
    forecast = pd.DataFrame(record.inputs.get("forecast", []))
    if forecast.empty or "arrivals_p10" not in forecast or forecast["arrivals_p10"].isna().any():
        return None
    return forecast.groupby("period")[["arrivals", "arrivals_p10", "arrivals_p90"]].sum()


def band_plot(record: RunRecord, position: int) -> Plot | None:
    """The run's forecast by period inside its band (``None`` without a band)."""
    table = banded_arrivals(record)
    if table is None:
        return None

    def paint(figure: Figure) -> None:
        ax = axes_inches(figure, left=0.75, bottom=0.5, right=0.2)
        periods = table.index.to_numpy()
        ax.fill_between(periods, table["arrivals_p10"], table["arrivals_p90"],
                        color="#0072B2", alpha=0.18, linewidth=0, label="10-90 % band")
        ax.plot(periods, table["arrivals"], color="#0072B2", linewidth=1.4,
                label="forecast")
        ax.set_xlabel("period")
        ax.set_ylabel("arrivals a period")
        ax.set_ylim(0, float(table["arrivals_p90"].max()) * 1.05 or 1)
        thousands_axis(ax)
        ax.set_title("Forecast and its band")
        ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
        ax.legend(loc="upper left", fontsize=7.5)

    caption = (f"{record.label}: arrivals by period, every section and nationality "
               "together; each row's band summed, so the band is wide.")
    return draw("forecast-band", f"forecast-band-{position}", caption,
                f"Forecast band of {record.label}", 2.6, paint)


def coverage_plot(record: RunRecord, evaluation: Evaluation, ident: str) -> Plot:
    """Share of the demand scenarios (by probability) covered at least so much, per plan."""
    outcomes = evaluation.outcomes

    def paint(figure: Figure) -> None:
        ax = axes_inches(figure, left=0.75, bottom=0.5, right=0.2)
        for plan, rows in outcomes.groupby("plan", sort=False):
            order = np.argsort(-rows["coverage_per_cent"].to_numpy(dtype=float))
            coverage = rows["coverage_per_cent"].to_numpy(dtype=float)[order]
            share = 100 * np.cumsum(rows["probability"].to_numpy(dtype=float)[order])
            ax.step(coverage, share, where="post", color=PLAN_COLOURS.get(str(plan), "#444"),
                    linewidth=1.4, label=PLAN_NAMES.get(str(plan), str(plan)))
        ax.set_xlabel("coverage of kind needs (%)")
        ax.set_ylabel("scenarios covered at least so (%)")
        ax.set_ylim(0, 102)
        ax.set_title("Coverage across the demand scenarios")
        ax.grid(color="#e3e3e3", linewidth=0.6)
        ax.legend(loc="lower left", fontsize=7.5)

    demand = evaluation.demand
    caption = (f"{record.label}: for each coverage, the share of the {demand['scenarios']} "
               f"demand scenarios ({demand['source']}) in which the plan covers at least "
               "that much; further right is better.")
    return draw("coverage-distribution", ident, caption,
                f"Coverage across demand scenarios of {record.label}", 2.8, paint)


def evaluation_table(evaluation: Evaluation) -> str:
    """Each plan's figures across the scenarios, as an HTML table."""
    summary = evaluation.summary
    plans = [("robust" if evaluation.kind == "robust" else "run", summary["plan"])]
    if "point_plan" in summary:
        plans.append(("point", summary["point_plan"]))
    head = "".join(f"<th>{escape(text)}</th>"
                   for text in ("plan", evaluation.risk, *EVALUATION_HEADINGS))
    rows = "".join(
        f"<tr><td>{escape(PLAN_NAMES[plan])}</td>"
        + "".join(f'<td class="num">{number_text(float(value))}</td>'
                  for value in evaluation_figures(each))
        + "</tr>" for plan, each in plans)
    head = f"<tr>{head}</tr>"
    note = ""
    if "value_of_stochastic_solution" in summary:
        note = (f'<p class="note">Value of the stochastic solution: '
                f"{number_text(float(summary['value_of_stochastic_solution']))} (the "
                f"point-forecast plan's {escape(evaluation.risk)} cost less the robust "
                "plan's, on the same scenarios).</p>")
    return f'<table class="evaluation"><thead>{head}</thead><tbody>{rows}</tbody></table>{note}'


def demand_section(records: Sequence[RunRecord], names: Sequence[str]) -> str:
    """The report's section on demand, or nothing where no run has a band or evaluation."""
    parts = []
    for position, (record, name) in enumerate(zip(records, names, strict=True), start=1):
        band = band_plot(record, position)
        latest = {each.kind: each for each in record.evaluations}
        if band is None and not latest:
            continue
        parts.append(f"<h3>{escape(name)}</h3>")
        if band is not None:
            parts.append(band.html())
        for kind, evaluation in latest.items():
            demand = evaluation.demand
            seed = f", seed {demand['seed']}" if demand.get("seed") is not None else ""
            what = ("Robust plan" if kind == "robust" else "Evaluated") + (
                f" across {demand['scenarios']} demand scenarios ({demand['source']}{seed})")
            parts.append(f"<h4>{escape(what)}</h4>")
            parts.append(coverage_plot(record, evaluation,
                                       f"coverage-distribution-{position}-{kind}").html())
            parts.append(evaluation_table(evaluation))
    if not parts:
        return ""
    return f'<section id="demand"><h2>Demand</h2>{"".join(parts)}</section>'
