"""The page ``planner forecast`` writes beside its table: history, forecast and bands.

One plot for the forecast (the route's monthly history up to the cutoff, then the median
and the 10-90 % band of the months ahead, all the scenario's nationalities together) and
one per back-test (the same, with the months the history holds after its cutoff), each
with its table of figures. Self-contained, like the run report.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from planner.report.html import html_page
from planner.report.svg import Plot, axes_inches, draw, escape, number_text, thousands_axis
from planner.scenario.forecast import Backtest

HISTORY_SHOWN = 48
"""Months of history drawn before each cutoff."""


def forecast_plot(history: pd.Series, ahead: pd.DataFrame, title: str, ident: str,
                  actual: pd.Series | None = None) -> Plot:
    """History (line), the median ahead (dashed) inside its band, and actual months (dots).

    ``history`` and ``actual`` are detections by monthly ``Period``; ``ahead`` has
    ``median``, ``p10`` and ``p90`` by month.
    """
    shown = history.iloc[-HISTORY_SHOWN:]

    def days(index: pd.Index) -> pd.DatetimeIndex:
        return pd.PeriodIndex(index, freq="M").to_timestamp()

    def paint(figure: Figure) -> None:
        ax = axes_inches(figure, left=0.75, bottom=0.55, right=0.2)
        ax.plot(days(shown.index), shown.to_numpy(dtype=float), color="#1f1f1f",
                linewidth=1.2, label="history")
        months = days(ahead.index)
        ax.fill_between(months, ahead["p10"].to_numpy(dtype=float),
                        ahead["p90"].to_numpy(dtype=float), color="#0072B2", alpha=0.18,
                        linewidth=0, label="10-90 % band")
        ax.plot(months, ahead["median"].to_numpy(dtype=float), color="#0072B2",
                linestyle="--", linewidth=1.4, label="forecast (median)")
        if actual is not None and not actual.empty:
            ax.plot(days(actual.index), actual.to_numpy(dtype=float), "o",
                    color="#D55E00", markersize=3.5, label="published")
        top = max(float(shown.max()), float(ahead["median"].max()),
                  float(actual.max()) if actual is not None and not actual.empty else 0.0)
        ax.set_ylim(0, top * 1.6 if top > 0 else 1)  # the band may run far above: cut it
        ax.set_ylabel("detections a month")
        thousands_axis(ax)
        ax.set_title(title)
        ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
        ax.legend(loc="upper left", fontsize=7.5)

    caption = (f"{title}: monthly detections, all the scenario's nationalities together; each "
               "nationality's band summed, so the band is cautious (wide), and its top may "
               "run past the plot's.")
    return draw("forecast", ident, caption, title, 3.2, paint, width=9.0, extra_class="wide")


def _cell(key: str, value: object) -> str:
    if key == "month":
        return escape(value)
    return escape(number_text(float(str(value)), 1 if key == "error_per_cent" else 0))


def _table(rows: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> str:
    head = "".join(f'<th class="number">{escape(label)}</th>' for _, label in columns)
    body = "".join("<tr>" + "".join(f'<td class="number">{_cell(key, row[key])}</td>'
                                    for key, _ in columns) + "</tr>"
                   for row in rows.to_dict("records"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_forecast_page(scenario_name: str, history: pd.Series, ahead: pd.DataFrame,
                         cutoff: pd.Period, tests: Sequence[Backtest]) -> str:
    """The whole page: the forecast, then each back-test with its error."""
    body = [f"<header><h1>Forecast: {escape(scenario_name)}</h1>",
            f'<p class="meta">Fitted on history up to {escape(str(cutoff))}.</p></header>',
            forecast_plot(history.loc[:cutoff], ahead, f"Forecast from {cutoff}",
                          "forecast-ahead").html()]
    for position, test in enumerate(tests, start=1):
        months = pd.PeriodIndex(test.months["month"], freq="M")
        band = pd.DataFrame({"median": test.months["forecast"].to_numpy(),
                             "p10": test.months["forecast_p10"].to_numpy(),
                             "p90": test.months["forecast_p90"].to_numpy()}, index=months)
        actual = pd.Series(test.months["actual"].to_numpy(), index=months)
        body.append(f"<h2>Back-test from {escape(str(test.cutoff))}</h2>")
        body.append(f"<p>Route total MAPE {test.mape:.1f} %; {test.coverage:.1f} % of the "
                    f"{test.series} series' months within their 80 % band.</p>")
        body.append(forecast_plot(history.loc[:test.cutoff], band,
                                  f"Back-test from {test.cutoff}", f"backtest-{position}",
                                  actual).html())
        body.append(_table(test.months, [("month", "month"), ("actual", "published"),
                                         ("forecast", "forecast"), ("forecast_p10", "p10"),
                                         ("forecast_p90", "p90"),
                                         ("error_per_cent", "error %")]))
    return html_page(f"Forecast: {scenario_name}", body)
