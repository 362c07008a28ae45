"""Commands on scenarios before any solve: check, variants, needs, schema, write, forecast."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from planner.cli.app import ScenarioPath, app, console, errors, within
from planner.errors import PlannerError, UsageError


@app.command()
def variants(path: ScenarioPath) -> None:
    """List a scenario's variants, and check that each applies cleanly."""
    from planner.report.terminal import render_variant
    from planner.scenario.variants import load_study

    study = load_study(path)
    if not study.variants:
        console.print(f"{path}: no variants")
        return
    failed = []
    for name, body in study.variants.items():
        try:
            changes = study.apply(name).changes
        except PlannerError as error:
            failed.append(name)
            render_variant(name, body.description, (), console)
            errors.print(f"error: {name}: {error}")
            continue
        render_variant(name, body.description, changes, console)
    if failed:
        raise UsageError(f"{len(failed)} of {len(study.variants)} variants do not apply: "
                         f"{', '.join(failed)}")


@app.command()
def validate(path: ScenarioPath) -> None:
    """Check a scenario (or a variant file) as a run would, and report every problem at once."""
    from planner.scenario.variants import check_study

    checked = check_study(path)
    scenario = checked.scenario
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in scenario.tables().items())
    console.print(f"{path}: valid ({counts}); hash {scenario.content_hash()[:12]}")
    if checked.variants:
        console.print(f"variants that apply: {', '.join(checked.variants)}", highlight=False)


@app.command()
def requirements(
    path: ScenarioPath,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write every need to this CSV file.", metavar="FILE")] = None,
) -> None:
    """Show the needs the forecast implies, before optimising."""
    from planner.files.atomic import atomic_file
    from planner.files.spreadsheets import csv_with_header, write_csv
    from planner.model.requirements import derive_requirements
    from planner.report.terminal import render_requirements
    from planner.scenario.read import load_scenario

    scenario = load_scenario(path)
    needs = derive_requirements(scenario)
    render_requirements(scenario, needs, console)
    if out is not None:
        table = needs.table()
        kind = csv_with_header(list(table.columns), "a requirements CSV file", "needs.csv")
        with atomic_file(out, kind) as staging:
            write_csv(table, staging)
        console.print(f"wrote {out}")


@app.command()
def schema() -> None:
    """Print the scenario's JSON Schema."""
    from planner.scenario.schema import Scenario

    print(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


@app.command()
def template(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="The workbook to write.",
                                       metavar="FILE")],
    source: Annotated[Path | None, typer.Option(
        "--from", help="Fill the workbook with this scenario instead of leaving it empty.",
        metavar="PATH")] = None,
) -> None:
    """Write a scenario workbook: empty with the right sheets and headers, or filled."""
    from planner.scenario.read import load_scenario
    from planner.scenario.write_workbook import write_workbook

    scenario = load_scenario(source) if source is not None else None
    write_workbook(xlsx, scenario)
    console.print(f"wrote {xlsx}")


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the scenario into.",
                                      metavar="FOLDER")],
    size: Annotated[str | None, typer.Option(
        "--size", help="A preset: S, M or L (about 10k, 100k and 500k variables); the options "
        "below override it.", metavar="S|M|L")] = None,
    sections: Annotated[int | None, typer.Option(
        help="Border sections, 1 or more.", metavar="N", callback=within(1))] = None,
    periods: Annotated[int | None, typer.Option(
        help="Weekly periods, 1 or more.", metavar="N", callback=within(1))] = None,
    kinds: Annotated[int | None, typer.Option(
        help="Kinds of unit (profiles, vehicles, interpreters), 4 or more.", metavar="N",
        callback=within(4))] = None,
    contributions: Annotated[int | None, typer.Option(
        help="Contributions pledged, 1 or more.", metavar="N", callback=within(1))] = None,
    nationalities: Annotated[int | None, typer.Option(
        help="Nationalities of arrivals, 1 or more.", metavar="N", callback=within(1))] = None,
    languages: Annotated[int | None, typer.Option(
        help="Languages spoken by arrivals, 1 or more.", metavar="N",
        callback=within(1))] = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same scenario.",
                                      metavar="N")] = 1,
) -> None:
    """Write a synthetic scenario of controlled size, deterministic from its seed."""
    from dataclasses import replace

    from planner.scenario.generate import SIZES, GeneratorConfig, generate_scenario
    from planner.scenario.write_folder import write_folder

    if size is not None and size.upper() not in SIZES:
        raise UsageError(f"--size {size}: choose one of {', '.join(SIZES)}")
    config = SIZES[size.upper()] if size is not None else GeneratorConfig()
    chosen = {"sections": sections, "periods": periods, "kinds": kinds,
              "contributions": contributions, "nationalities": nationalities,
              "languages": languages}
    for name, value in chosen.items():
        if value is not None:
            config = replace(config, **{name: value})  # type: ignore[arg-type]
    config = replace(config, seed=seed)
    scenario = generate_scenario(config)
    write_folder(out, scenario)
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in scenario.tables().items() if rows)
    console.print(f"wrote {out} ({counts})")


@app.command()
def forecast(
    history: Annotated[Path, typer.Argument(
        help="Monthly detections: a CSV of month (YYYY-MM), nationality_id, detections.",
        metavar="HISTORY")],
    scenario_path: Annotated[Path, typer.Option(
        "--scenario", help="The scenario to forecast for: its horizon, nationalities and "
        "each section's share of them.", metavar="PATH")],
    out: Annotated[Path, typer.Option(
        "--out", help="Folder for forecast.csv (and backtest.csv).", metavar="FOLDER")],
    cutoff: Annotated[str | None, typer.Option(
        "--cutoff", help="Last month to fit on (default: the last before the horizon).",
        metavar="YYYY-MM")] = None,
    backtests: Annotated[list[str] | None, typer.Option(
        "--backtest", help="Also fit up to this month and compare the next 12 the history "
        "holds (repeatable).", metavar="YYYY-MM")] = None,
    fit_years: Annotated[int, typer.Option(
        "--fit-years", help="Years of history each series is fitted on.", metavar="N",
        callback=within(2, 50))] = 10,
) -> None:
    """Forecast a scenario's arrivals, with 10-90 % bands, from monthly detections."""
    from planner.report.forecast_page import render_forecast_page
    from planner.report.terminal import render_forecast
    from planner.scenario.forecast import (
        backtest,
        forecast_months,
        horizon_months,
        monthly_totals,
        read_history,
        scenario_table,
        section_shares,
        write_forecast,
    )
    from planner.scenario.read import load_scenario

    months = [_month(text, "--cutoff") for text in ([cutoff] if cutoff else [])]
    tested = [_month(text, "--backtest") for text in backtests or []]
    loaded = read_history(history)
    scenario = load_scenario(scenario_path)
    fitted_to, last = horizon_months(loaded, scenario, months[0] if months else None)
    nationalities = list(section_shares(scenario).index)
    monthly = forecast_months(loaded, nationalities, fitted_to, last, fit_years=fit_years)
    table = scenario_table(monthly, scenario)  # fitted once: for the table and the page
    tests = [backtest(loaded, nationalities, month, fit_years=fit_years) for month in tested]
    ahead = monthly.groupby("month")[["median", "p10", "p90"]].sum()
    page = render_forecast_page(scenario.meta.name, monthly_totals(loaded, nationalities),
                                ahead, fitted_to, tests)
    written = write_forecast(table, out, tests, page)
    render_forecast(table, tests, written, console)


def _month(text: str, option: str) -> Any:
    import pandas as pd

    try:
        if len(text.strip()) != 7:
            raise ValueError(text)
        return pd.Period(text.strip(), freq="M")
    except ValueError:
        raise UsageError(f"{option} {text}: not a month (YYYY-MM)") from None
