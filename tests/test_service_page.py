"""The service's web page in a real browser: headless Chromium driven by Playwright.

A person logs in with a token, submits the tiny scenario and a variant of it, watches the
jobs finish, opens a run's page, filters its schedule and downloads it, compares the two
runs, approves one, and downloads the approved contract; a command centre's token then
sees the revisions only. Each step leaves a screenshot in ``test-artefacts/web/`` (or
under ``$PLANNER_ARTEFACTS``). Chromium is Debian's package (``/usr/bin/chromium``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from planner.contract.bundle import contract_schema
from planner.runs.store import RunStore
from planner.service.tokens import Role, create_token

from builders import served

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = Path(os.environ.get("PLANNER_ARTEFACTS", ROOT / "test-artefacts")) / "web"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "Chromium is not installed: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("page")
    store = folder / "runs.sqlite"
    with RunStore(store) as runs:
        tokens = {role.value: create_token(runs, role)[0] for role in Role}
    with served(store, folder, "--scenario", str(ROOT / "scenarios" / "tiny"),
                "--workers", "1") as base:
        yield {"base": base, "tokens": tokens}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


def _shot(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def _log_in(page: Any, base: str, token: str) -> None:
    page.goto(base + "/")
    page.fill("#token", token)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#nav:not([hidden])")


def _submit(page: Any, variant: str | None = None) -> None:
    page.click("nav a[href='#/submit']")
    page.wait_for_selector("#submit-form")
    page.select_option("#scenario", label=page.locator("#scenario option").first.inner_text())
    if variant:
        page.check(f"input[name=variant][value={variant}]")
    page.fill("input[name=gap]", "0")
    page.click("#submit-form button[type=submit]")
    page.wait_for_selector("#jobs")


def test_a_planner_runs_compares_approves_and_downloads_in_the_browser(
    site: dict[str, Any], browser: Any,
) -> None:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    base, tokens = site["base"], site["tokens"]

    page.goto(base + "/")
    page.fill("#token", "bp_wrong")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#message.error")
    assert "unknown or revoked" in page.inner_text("#message")
    problems.clear()  # the refused token's 401 is the browser's console line, as it should be
    _log_in(page, base, tokens["planner"])
    assert page.inner_text("#who") == "logged in as planner"
    _shot(page, "1-runs-empty")

    _submit(page)
    page.wait_for_selector("#message:has-text('Job 1 submitted.')")
    page.wait_for_selector("[data-job='1'].state-succeeded", timeout=60_000)
    _submit(page, "more_beds")
    page.wait_for_selector("[data-job='2'].state-succeeded", timeout=60_000)  # live, polled
    _shot(page, "2-runs-done")
    assert "tiny + more_beds" in page.inner_text("#jobs")  # scenarios by name

    page.click("#runs a[href='#/run/1']")
    page.wait_for_selector("#run-headline")
    assert "objective 770.00" in page.inner_text("#run-headline")  # scenarios/tiny/README.md
    assert "null" not in page.inner_text("main") and "undefined" not in page.inner_text("main")
    reasons = page.locator("#why-short tbody tr")
    assert reasons.count() == 2
    assert "busy_elsewhere" in page.inner_text("#why-short")
    frame = page.frame_locator("iframe.report")
    assert frame.locator("#why-short h2").inner_text() == "Why short"
    assert frame.locator("figure.coverage-heatmap svg").count() == 1
    everything = page.inner_text("#schedule p")
    page.select_option("select[name=section_id]", "B")
    assert page.inner_text("#schedule p") != everything
    assert {row.inner_text().split("\t")[1] for row in
            page.locator("#schedule tbody tr").all()} == {"B"}
    _shot(page, "3-run-page")
    with page.expect_download() as waited:
        page.click("text=Download schedule.csv")
    rows = list(csv.DictReader(io.StringIO(Path(waited.value.path()).read_text())))
    assert sum(float(row["cost"]) for row in rows) == pytest.approx(220)

    page.click("nav a[href='#/runs']")
    page.wait_for_selector("#runs")
    page.check("input[data-run='1']")
    page.check("input[data-run='2']")
    page.click("#compare-chosen")
    page.wait_for_selector("#kpis")
    total = next(row for row in page.locator("#kpis tbody tr").all()
                 if row.inner_text().startswith("total cost"))
    assert total.inner_text().split("\t")[1:] == ["770.00", "635.00", "-135.00"]
    assert page.frame_locator("iframe.report").locator(
        "figure.shortfall-by-section-comparison").count() == 1
    _shot(page, "4-compare")

    page.goto(base + "/#/run/2")
    page.wait_for_selector("#approve")
    page.click("#approve")
    page.wait_for_selector("#message:has-text('approved')")  # the page's policy: no eval
    assert "revision 1 of JO Example" in page.inner_text("#message")
    page.click("nav a[href='#/revisions']")
    page.wait_for_selector("#revisions")
    assert "approved" in page.inner_text("#revisions tbody tr")
    _shot(page, "5-revisions")
    with page.expect_download() as waited:
        page.click("#download-contract")
    contract = json.loads(Path(waited.value.path()).read_text())
    jsonschema.validate(contract, contract_schema())
    assert contract["run_id"] == 2 and contract["revision"] == 1
    assert problems == []
    context.close()


def test_a_command_centre_sees_revisions_only(site: dict[str, Any], browser: Any) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    _log_in(page, site["base"], site["tokens"]["command-centre"])
    page.wait_for_selector("#revisions, #view p.muted")
    assert page.url.endswith("#/revisions")
    assert page.inner_text("#who") == "logged in as command-centre"
    page.goto(site["base"] + "/#/runs")
    page.wait_for_url("**/#/revisions")
    _shot(page, "6-command-centre")
    context.close()


def test_the_page_allows_no_script_but_its_own(site: dict[str, Any]) -> None:
    import httpx2 as httpx

    response = httpx.get(site["base"] + "/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "<script src=\"/app.js\" defer></script>" in response.text
    assert "http" not in response.text.split("<body>", 1)[1]  # nothing fetched from elsewhere


def test_ticked_runs_stay_ticked_while_the_page_follows_a_job(site: dict[str, Any],
                                                              browser: Any) -> None:
    import httpx2 as httpx

    base, planner = site["base"], site["tokens"]["planner"]
    headers = {"Authorization": f"Bearer {planner}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        scenario = client.get("/api/v1/scenarios").json()[0]["id"]
        done = client.post("/api/v1/runs", json={"scenario": scenario}).json()
        page = browser.new_context().new_page()
        _log_in(page, base, planner)
        page.wait_for_selector(f"[data-job='{done['id']}'].state-succeeded", timeout=60_000)
        run = client.get(f"/api/v1/jobs/{done['id']}").json()["run_id"]
        # More jobs, one worker: the page follows them, redrawing itself each second.
        later = [client.post("/api/v1/runs", json={"scenario": scenario}).json()["id"]
                 for _ in range(4)]
        page.reload()
        page.wait_for_selector(f"input[data-run='{run}']")
        page.check(f"input[data-run='{run}']")
        page.wait_for_selector(f"[data-job='{later[-1]}'].state-succeeded", timeout=120_000)
        assert page.is_checked(f"input[data-run='{run}']")
        page.context.close()
