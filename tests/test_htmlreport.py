"""The visual HTML report: its plots, tables and escaping, atomic writes, headless Chromium."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import struct
import subprocess
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from planner import SolveOptions, load_scenario, plan_scenario
from planner.api import Planner
from planner.plan.plan import SCHEDULE_COLUMNS, SHORTFALL_COLUMNS
from planner.report.html import render_html, write_html_report
from planner.report.plots import TOP_CONTRIBUTORS
from planner.report.runs_data import schedule_differences
from planner.runs.compare import KPIS, kpi_table, labels
from planner.runs.records import RunRecord, record_plan
from planner.scenario.schema import Scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

PER_RUN = ("coverage-heatmap", "deployments-by-contributor", "shortfall-by-kind",
           "language-cover")
COMPARISONS = ("shortfall-by-kind-comparison", "shortfall-by-section-comparison")

CONSOLE_ERROR = re.compile(r":CONSOLE(?::\d+|\(\d+\))\]|\bUncaught\b")
"""A console line in Chromium's log (``INFO:CONSOLE:2] "Uncaught Error: x", source: ...``).

The report runs no script, so any console message at all means something went wrong.
"""


# --- runs to report ----------------------------------------------------------------------------


def _with_quantity(scenario: Scenario, contribution: str, quantity: int) -> Scenario:
    pledges = tuple(pledge.model_copy(update={"quantity": quantity})
                    if pledge.id == contribution else pledge
                    for pledge in scenario.contributions)
    return scenario.model_copy(update={"contributions": pledges})


def _no_plan(record: RunRecord, run_id: int, status: str = "infeasible") -> RunRecord:
    """The record of a solve that found no plan: empty tables, no objective."""
    return dataclasses.replace(
        record, id=run_id, variant="impossible", status=status, objective=None,
        changes=("sections A beds: 3 -> 0",),
        schedule=pd.DataFrame(columns=SCHEDULE_COLUMNS),
        shortfalls=pd.DataFrame(columns=SHORTFALL_COLUMNS),
        marginal_values=None,
        summary={"status": status, "coverage": {"coverage_per_cent": None}},
    )


@pytest.fixture(scope="module")
def tiny_runs(tiny: Scenario) -> list[RunRecord]:
    """tiny as planned, tiny with one host guard fewer, and a run without a plan."""
    base = dataclasses.replace(record_plan(plan_scenario(tiny)), id=1)
    fewer = dataclasses.replace(
        record_plan(plan_scenario(_with_quantity(tiny, "host-guards", 1)),
                    variant="fewer_hosts", changes=("contributions host-guards quantity: 2 -> 1",),
                    description="One host guard fewer: Examplia needs the other at home."),
        id=2,
    )
    return [base, fewer, _no_plan(base, 3)]


@pytest.fixture(scope="module")
def tiny_html(tiny_runs: list[RunRecord]) -> str:
    return render_html(tiny_runs)


@pytest.fixture(scope="module")
def balkans_runs() -> list[RunRecord]:
    """Western Balkans (LP) as planned and with Germany's pledges up by half; the base again
    under another id (same schedule), and a run without a plan."""
    scenario = load_scenario(SCENARIOS / "western_balkans_2022")
    options = SolveOptions(relax=True)
    planner = Planner(options)
    base = dataclasses.replace(record_plan(planner.plan(scenario), options=options), id=11)
    pledges = tuple(pledge.model_copy(update={"quantity": pledge.quantity * 3 // 2})
                    if pledge.contributor == "Germany" else pledge
                    for pledge in scenario.contributions)
    more = dataclasses.replace(
        record_plan(planner.plan(scenario.model_copy(update={"contributions": pledges})),
                    variant="germany_plus", changes=("contributions of Germany quantity x1.5",),
                    options=options),
        id=12,
    )
    again = dataclasses.replace(base, id=13, variant="rerun")
    return [base, more, again, _no_plan(base, 14)]


@pytest.fixture(scope="module")
def balkans_report(balkans_runs: list[RunRecord], tmp_path_factory: pytest.TempPathFactory
                   ) -> tuple[Path, float]:
    path = tmp_path_factory.mktemp("report") / "balkans.html"
    started = time.perf_counter()
    write_html_report(balkans_runs, path, title="Western Balkans: four runs")
    return path, time.perf_counter() - started


# --- reading the page back ---------------------------------------------------------------------


class _Page(HTMLParser):
    """Each plot figure (by class) with the <svg> elements inside it; tags left open."""

    VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.figures: list[tuple[str, int]] = []
        self.svgs = 0
        self.ids: list[str] = []
        self.mismatched: list[str] = []
        self._figure: str | None = None
        self._figure_svgs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "figure":
            classes = str(found.get("class", "")).split()
            self._figure = next(c for c in classes if c not in ("plot", "wide"))
            self._figure_svgs = 0
        if tag == "svg":
            self.svgs += 1
            self._figure_svgs += 1
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.mismatched.append(tag)
            return
        self.open.pop()
        if tag == "figure" and self._figure is not None:
            self.figures.append((self._figure, self._figure_svgs))
            self._figure = None


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _kpi_cells(text: str) -> dict[str, list[str]]:
    """The KPI table's cells (value only, without the difference below it) by KPI."""
    table = text[text.index('<table class="kpis">'):]
    table = table[:table.index("</table>")]
    rows = {}
    body = table[table.index("<tbody>"):]
    for name, cells in re.findall(r"<tr><th>([^<]*)</th>(.*?)</tr>", body):
        rows[name] = re.findall(r'<td class="number">([^<]*)', cells)
    return rows


def _expected(name: str, value: Any) -> str:
    if pd.isna(value):
        return "\u2013"
    if "per cent" in name:
        return f"{value:,.2f} %"
    if "cost" in name or "penalty" in name or abs(value - round(value)) < 1e-6:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _expected_row(table: pd.DataFrame, name: str) -> list[str]:
    return [_expected(name, float(value)) for value in table.loc[name].to_numpy(dtype=float)]


def _assert_self_contained(text: str) -> None:
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?!#|data:)[a-z]+:""", text, re.I)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*//""", text, re.I)
    assert not re.search(r"url\(\s*['\"]?(?!#|data:)", text)
    assert "@import" not in text
    assert "<script" not in text.lower()
    assert "<link" not in text.lower()
    # the only URIs are the SVG namespace names
    assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


# --- the page ----------------------------------------------------------------------------------


def test_report_has_every_plot_once_with_one_svg(tiny_html: str) -> None:
    page = _page(tiny_html)
    assert not page.open and not page.mismatched
    counts = Counter(kind for kind, _ in page.figures)
    assert counts == {**dict.fromkeys(PER_RUN, 2), **dict.fromkeys(COMPARISONS, 1),
                      "schedule-differences": 1}
    assert all(svgs == 1 for _, svgs in page.figures)
    assert page.svgs == len(page.figures) == 11
    assert len(page.ids) == len(set(page.ids)), "ids must be unique across the page"
    for kind in PER_RUN:
        assert f'class="plot {kind}" id="{kind}-1"' in tiny_html
        assert f'id="{kind}-2"' in tiny_html
        assert f'id="{kind}-3"' not in tiny_html
    assert 'id="schedule-differences-2"' in tiny_html


def test_report_is_a_whole_html5_page(tiny_html: str) -> None:
    assert tiny_html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert '<meta charset="utf-8">' in tiny_html
    assert "<title>Plan report: tiny</title>" in tiny_html
    assert "@media print" in tiny_html
    assert tiny_html.rstrip().endswith("</html>")
    assert "<?xml" not in tiny_html and "<!DOCTYPE svg" not in tiny_html
    assert "<metadata>" not in tiny_html


def test_report_lists_the_runs_and_their_changes(tiny_html: str,
                                                 tiny_runs: list[RunRecord]) -> None:
    for label in labels(tiny_runs):
        assert f"<td>{label}</td>" in tiny_html
    assert "<li>contributions host-guards quantity: 2 -&gt; 1</li>" in tiny_html
    assert "<li>sections A beds: 3 -&gt; 0</li>" in tiny_html
    assert tiny_runs[0].created in tiny_html
    assert '<span class="status-bad">infeasible</span>' in tiny_html


def test_each_variant_is_described_under_its_name(tiny_html: str) -> None:
    assert ("<td>fewer_hosts<span class=\"description\">One host guard fewer: Examplia "
            "needs the other at home.</span></td>") in tiny_html
    assert "<td>base</td>" in tiny_html  # the base has no description


def test_why_short_gives_each_runs_largest_shortfalls_with_their_reasons(
    tiny_html: str, tiny_runs: list[RunRecord],
) -> None:
    section = tiny_html[tiny_html.index('<section id="why-short">'):]
    section = section[:section.index("</section>")]
    base = section[section.index("<h3>#1 base</h3>"):section.index("<h3>#2 fewer_hosts</h3>")]
    # tiny's two shortfalls (README.md): day 3, 3 Arabic units at A, 1 guard at B.
    assert "2 needs short." in base
    rows = re.findall(r"<tr>(.*?)</tr>", base[base.index('class="why-short"'):])[1:]
    assert len(rows) == 2
    assert ('<td class="number">3</td><td>03 Jan</td><td>Green border A (A)</td>'
            '<td>Arabic (ara)</td><td class="number alarm">3</td>') in rows[0]
    assert "<code>beds_full</code> A&#x27;s 3 beds hold 3 deployed personnel" in rows[0]
    assert ("<td>Crossing point B (B)</td><td>Border surveillance officer (guard)</td>"
            '<td class="number alarm">1</td>') in rows[1]
    assert ("<code>busy_elsewhere</code> all 2 units of host-guards (the one contribution "
            "that may serve here) are deployed: 2 at A") in rows[1]
    # The tally counts every explanation the run records.
    explained = tiny_runs[0].why_short()
    for reason, count in explained["reason"].value_counts().items():
        assert re.search(rf"<code>{reason}</code></td><td>[^<]+</td>"
                         rf'<td class="number">{count}</td>', base), reason
    assert "No plan: the solve ended infeasible." in section


def test_a_run_with_nothing_short_says_so(tiny_runs: list[RunRecord]) -> None:
    covered = dataclasses.replace(
        tiny_runs[0], shortfalls=tiny_runs[0].shortfalls.assign(shortfall=0.0),
        explanations=tiny_runs[0].explanations.iloc[0:0])
    assert "Nothing short: every need is covered." in render_html([covered])


def test_names_stand_beside_codes(tiny_html: str) -> None:
    names = tiny_html[tiny_html.index('<section id="names">'):]
    assert ("<tr><td><code>A</code></td><td>Green border A</td><td>Examplia</td><td>land</td>"
            "<td>high</td><td>3</td></tr>") in names
    assert "<tr><td><code>car</code></td><td>Patrol car</td><td>vehicle</td></tr>" in names
    assert "<tr><td><code>ara</code></td><td>Arabic</td></tr>" in names
    # the plots of kinds and sections name them too
    for figure in ("shortfall-by-kind-1", "shortfall-by-kind-comparison",
                   "shortfall-by-section-comparison"):
        plot = tiny_html[tiny_html.index(f'id="{figure}"'):]
        plot = plot[:plot.index("</figure>")]
        wanted = ("Green border A (A)" if "section" in figure
                  else "Border surveillance officer (guard)")
        assert f">{wanted}</text>" in plot, figure


def test_coverage_colours_read_short_as_alarming() -> None:
    from itertools import pairwise

    from matplotlib.colors import to_rgba

    from planner.report.plots import COVERAGE_BOUNDS, COVERAGE_COLOURS, _coverage_colours

    cmap, norm = _coverage_colours()
    middles = [(low + high) / 2 for low, high in pairwise(COVERAGE_BOUNDS)]
    shades = [cmap(norm(value)) for value in (*middles[:-1], 100.0)]
    assert shades == [to_rgba(colour) for colour in COVERAGE_COLOURS]
    # Under 95 %: warm (red over blue), darkest where least is covered; full: cool.
    warm = shades[:4]
    assert all(red > blue for red, _, blue, _ in warm)
    assert [sum(shade[:3]) for shade in warm] == sorted(sum(shade[:3]) for shade in warm)
    assert shades[-1][2] > shades[-1][0]


def test_kpi_table_shows_every_value_formatted(tiny_html: str,
                                               tiny_runs: list[RunRecord]) -> None:
    cells = _kpi_cells(tiny_html)
    table = kpi_table(tiny_runs)
    assert list(cells) == [name for name, _, _ in KPIS]
    for name in cells:
        assert cells[name] == _expected_row(table, name), name
    assert cells["total cost"][0] == "770"
    assert cells["coverage per cent"][0] == "92.86 %"
    assert cells["total cost"][2] == "\u2013"


def test_kpi_differences_from_the_first_run(tiny_html: str, tiny_runs: list[RunRecord]) -> None:
    table = kpi_table(tiny_runs)
    delta = table.loc["total cost"].iloc[1] - table.loc["total cost"].iloc[0]
    assert delta != 0
    assert f'<span class="delta">{delta:+,.0f}</span>' in tiny_html


def test_a_run_without_a_plan_says_so(tiny_html: str, tiny_runs: list[RunRecord]) -> None:
    assert tiny_html.count("no plan: the solve ended infeasible") == len(PER_RUN)
    assert "#3 impossible vs #1 base: no plan to compare" in tiny_html
    alone = render_html(tiny_runs[2:])
    assert "<svg" not in alone
    assert alone.count("no plan: the solve ended infeasible") == len(PER_RUN)
    assert "Comparison" not in alone


def test_a_single_run_has_no_comparison(tiny_runs: list[RunRecord]) -> None:
    text = render_html(tiny_runs[:1], title="Just one")
    page = _page(text)
    assert sorted(kind for kind, _ in page.figures) == sorted(PER_RUN)
    assert page.svgs == len(PER_RUN)
    assert 'id="comparison"' not in text
    assert "<title>Just one</title>" in text


def test_same_schedules_are_reported_as_the_same(tiny_runs: list[RunRecord]) -> None:
    again = dataclasses.replace(tiny_runs[0], id=4, variant="again")
    text = render_html([tiny_runs[0], again])
    assert "#4 again vs #1 base: the schedules are the same" in text
    assert "schedule-differences" not in text


def test_report_needs_nothing_from_the_network(tiny_html: str) -> None:
    _assert_self_contained(tiny_html)


def test_text_is_escaped(tiny_runs: list[RunRecord]) -> None:
    hostile = dataclasses.replace(
        tiny_runs[1], variant='<script>alert("x")</script> & $cost$',
        changes=('<img src="http://example.org/x.png"> & more',),
    )
    text = render_html([tiny_runs[0], hostile], title="<b>Title</b>")
    assert "<script" not in text and "<img" not in text and "<b>Title" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; $cost$" in text
    assert "&lt;img src=&quot;http://example.org/x.png&quot;&gt; &amp; more" in text
    assert "<title>&lt;b&gt;Title&lt;/b&gt;</title>" in text
    # dollars stay literal in the plots (no mathtext)
    assert "vs #1 base</text>" in text and "$cost$ vs #1 base" in text
    page = _page(text)
    assert not page.open and not page.mismatched


def test_rendering_is_repeatable(tiny_runs: list[RunRecord], tiny_html: str) -> None:
    assert render_html(tiny_runs) == tiny_html


def test_no_runs_is_an_error() -> None:
    with pytest.raises(ValueError, match="no runs"):
        render_html([])


# --- writing -------------------------------------------------------------------------------------


def test_write_returns_the_path_and_writes_utf8(tmp_path: Path,
                                                tiny_runs: list[RunRecord]) -> None:
    path = tmp_path / "out" / "report.html"
    assert write_html_report(tiny_runs[:1], path, title="Z\u00fcrich \u2013 \u03a9mega") == path
    text = path.read_text(encoding="utf-8")
    assert "<title>Z\u00fcrich \u2013 \u03a9mega</title>" in text
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_a_failed_write_leaves_nothing_half_written(tmp_path: Path,
                                                   tiny_runs: list[RunRecord]) -> None:
    broken = dataclasses.replace(tiny_runs[1],
                                 schedule=tiny_runs[1].schedule.drop(columns=["contributor"]))
    path = tmp_path / "report.html"
    with pytest.raises(KeyError):
        write_html_report([tiny_runs[0], broken], path)
    assert list(tmp_path.iterdir()) == []

    path.write_text("the earlier report", encoding="utf-8")
    with pytest.raises(KeyError):
        write_html_report([tiny_runs[0], broken], path)
    assert path.read_text(encoding="utf-8") == "the earlier report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# --- a realistic report ------------------------------------------------------------------------


def test_western_balkans_four_runs(balkans_report: tuple[Path, float],
                                   balkans_runs: list[RunRecord]) -> None:
    path, seconds = balkans_report
    text = path.read_text(encoding="utf-8")
    assert seconds < 30, f"rendering four runs took {seconds:.1f} s"
    assert path.stat().st_size < 1_500_000
    page = _page(text)
    assert not page.open and not page.mismatched
    counts = Counter(kind for kind, _ in page.figures)
    # Every run's forecast has its band: one plot each, with a plan or without.
    assert counts == {**dict.fromkeys(PER_RUN, 3), **dict.fromkeys(COMPARISONS, 1),
                      "schedule-differences": 1, "forecast-band": 4}
    assert page.svgs == len(page.figures) == 19
    assert len(page.ids) == len(set(page.ids))
    assert "#13 rerun vs #11 base: the schedules are the same" in text
    assert "#14 impossible vs #11 base: no plan to compare" in text
    cells = _kpi_cells(text)
    table = kpi_table(balkans_runs)
    for name in cells:
        assert cells[name] == _expected_row(table, name), name
    assert re.fullmatch(r"\d{1,3}(,\d{3})+", cells["total cost"][0])
    # many contributors: the top ones by name, the rest together as "others"
    contributors = set(balkans_runs[0].schedule["contributor"])
    assert len(contributors) > TOP_CONTRIBUTORS + 1
    for position in (1, 2, 3):
        figure = text[text.index(f'id="deployments-by-contributor-{position}"'):]
        figure = figure[:figure.index("</figure>")]
        named = {name for name in contributors if f">{name}</text>" in figure}
        assert "Frontex" in named and len(named) <= TOP_CONTRIBUTORS
        assert ">others</text>" in figure
    _assert_self_contained(text)


def test_schedule_differences_are_a_full_grid_with_a_finite_scale() -> None:
    # Where schedules agree the cell is 0, not missing: a missing cell once made the colour
    # scale's top NaN, and every cell looked the same.
    base = record_plan(plan_scenario(load_scenario(SCENARIOS / "tiny")))
    schedule = base.schedule.copy()
    first = (schedule["period"] == 1) & (schedule["contribution_id"] == "agency-guards")
    second = (schedule["period"] == 2) & (schedule["section_id"] == "B")
    schedule.loc[first, "quantity"] += 1
    schedule.loc[second, "quantity"] -= 1
    moved = dataclasses.replace(base, schedule=schedule, variant="moved")
    grid = schedule_differences(base, moved)
    assert grid.to_dict() == {1: {"A": 1.0, "B": 0.0}, 2: {"A": 0.0, "B": 1.0}}


# --- headless Chromium -------------------------------------------------------------------------


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium"
                                         if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        message = ("Chromium is not installed: install the Debian package `chromium` "
                   "(apt-get install -y chromium) to test the HTML report in a browser")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run_chromium(page: Path, profile: Path, *actions: str) -> subprocess.CompletedProcess[str]:
    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
        *actions, page.resolve().as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE_ERROR.search(line)]


def test_console_error_detection_catches_a_script_error(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head>'
                    '<body><script>throw new Error("deliberate");</script></body></html>',
                    encoding="utf-8")
    result = _run_chromium(page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    errors = _console_errors(result.stderr)
    assert errors and "deliberate" in errors[0], result.stderr[-2000:]


def test_report_opens_in_headless_chromium(balkans_report: tuple[Path, float],
                                           tmp_path: Path) -> None:
    path, _ = balkans_report
    text = path.read_text(encoding="utf-8")
    result = _run_chromium(path, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console_errors(result.stderr) == [], result.stderr[-2000:]
    dom = result.stdout
    assert "<title>Western Balkans: four runs</title>" in dom
    assert dom.count("<svg") == text.count("<svg") == 19
    for kind in (*PER_RUN, *COMPARISONS, "schedule-differences"):
        assert f'class="plot {kind}' in dom

    shot = tmp_path / "report.png"
    result = _run_chromium(path, tmp_path / "profile", f"--screenshot={shot}",
                           "--window-size=1400,2000", "--hide-scrollbars")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console_errors(result.stderr) == [], result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1400, 2000)
    assert len(data) > 100_000, "the screenshot looks empty"
