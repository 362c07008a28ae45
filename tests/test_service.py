"""The planning service: every endpoint and role, uploads, jobs, plans and contracts."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from planner.plan.explain import EXPLANATION_COLUMNS
from planner.plan.plan import SCHEDULE_COLUMNS
from planner.runs.store import RunStore
from planner.service import uploads
from planner.service.app import create_app
from planner.service.jobs import RESTARTED, STOPPED_FIRST
from planner.service.tokens import Role, create_token

from builders import invoke

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
WESTERN_BALKANS = ROOT / "scenarios" / "western_balkans_2022"


def _zip(folder: Path, prefix: str = "", edit: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                relative = path.relative_to(folder).as_posix()
                archive.writestr(prefix + relative, (edit or {}).get(relative,
                                                                      path.read_bytes()))
    return buffer.getvalue()


class Service:
    """A running service over a store of its own, and a token of each role."""

    def __init__(self, client: TestClient, store: Path, tokens: dict[str, str]) -> None:
        self.client = client
        self.store = store
        self.tokens = tokens

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def get(self, path: str, role: str = "viewer", **options: Any) -> Any:
        return self.client.get(path, headers={**self.headers(role),
                                              **options.pop("headers", {})}, **options)

    def post(self, path: str, role: str = "planner", **options: Any) -> Any:
        return self.client.post(path, headers=self.headers(role), **options)

    def scenario(self, name: str) -> str:
        listed = self.get("/api/v1/scenarios").json()
        return next(entry["id"] for entry in listed if entry["name"] == name)

    def run(self, request: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
        """Submit a run and wait for its job to end."""
        response = self.post("/api/v1/runs", json=request)
        assert response.status_code == 202, response.text
        return self.wait(response.json()["id"], timeout)

    def wait(self, job_id: int, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job: dict[str, Any] = self.get(f"/api/v1/jobs/{job_id}").json()
            if job["state"] in ("succeeded", "failed", "cancelled"):
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} still {job['state']} after {timeout} s")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    store = tmp_path_factory.mktemp("service") / "runs.sqlite"
    with RunStore(store) as runs:
        tokens = {role.value: create_token(runs, role)[0] for role in Role}
    app = create_app(store, workers=1, scenarios=[TINY, WESTERN_BALKANS])
    with TestClient(app) as client:
        yield Service(client, store, tokens)


# --- who may do what -----------------------------------------------------------------------------

ROUTES = [
    ("get", "/api/v1/scenarios", {"viewer", "planner"}),
    ("post", "/api/v1/scenarios", {"planner"}),
    ("post", "/api/v1/scenarios/validate", {"viewer", "planner"}),
    ("post", "/api/v1/runs", {"planner"}),
    ("get", "/api/v1/jobs", {"viewer", "planner"}),
    ("get", "/api/v1/jobs/1", {"viewer", "planner"}),
    ("post", "/api/v1/jobs/1/cancel", {"planner"}),
    ("get", "/api/v1/runs", {"viewer", "planner"}),
    ("get", "/api/v1/runs/1", {"viewer", "planner"}),
    ("get", "/api/v1/runs/1/schedule", {"viewer", "planner"}),
    ("get", "/api/v1/runs/1/shortfalls", {"viewer", "planner"}),
    ("get", "/api/v1/runs/1/explanations", {"viewer", "planner"}),
    ("get", "/api/v1/runs/1/marginal_values", {"viewer", "planner"}),
    ("get", "/api/v1/runs/1/report", {"viewer", "planner"}),
    ("get", "/api/v1/compare?runs=1", {"viewer", "planner"}),
    ("get", "/api/v1/report?runs=1", {"viewer", "planner"}),
    ("get", "/api/v1/whoami", {"viewer", "planner", "command-centre"}),
    ("post", "/api/v1/plans/1/approve", {"planner"}),
    ("get", "/api/v1/plans/revisions", {"viewer", "planner", "command-centre"}),
    ("get", "/api/v1/plans/approved", {"viewer", "planner", "command-centre"}),
    ("get", "/api/v1/plans/approved/changes?since=0", {"viewer", "planner", "command-centre"}),
]


def test_every_route_is_listed_here(service: Service) -> None:
    documented = {(method, path) for path, item in
                  service.client.get("/openapi.json").json()["paths"].items()
                  for method in item}
    listed = {(method, path.split("?")[0].replace("/1", "/{x}")) for method, path, _ in ROUTES}
    normalised = {(method, path.replace("{job_id}", "{x}").replace("{ref}", "{x}"))
                  for method, path in documented}
    assert normalised == listed | {("get", "/api/v1/health")}


@pytest.mark.parametrize(("method", "path", "roles"), ROUTES,
                         ids=[f"{method} {path}" for method, path, _ in ROUTES])
def test_a_missing_or_wrong_token_is_401_and_a_wrong_role_403(
    service: Service, method: str, path: str, roles: set[str],
) -> None:
    call = getattr(service.client, method)
    for headers in ({}, {"Authorization": "Bearer bp_not-a-token"},
                    {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = call(path, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
    for role in {"viewer", "planner", "command-centre"} - roles:
        response = call(path, headers=service.headers(role))
        assert response.status_code == 403, (role, response.text)
        assert response.json() == {"detail": f"a {role} token may not do this"}
    for role in roles:  # let in: whatever it answers, it is not about the token
        assert call(path, headers=service.headers(role)).status_code not in (401, 403)


def test_the_health_check_needs_no_token(service: Service) -> None:
    response = service.client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_a_revoked_token_is_refused(service: Service, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert invoke(monkeypatch, "token", "create", "--role", "viewer", "--note", "audit",
                  "--store", str(service.store)) == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert captured.out == f"{token}\n" and token.startswith("bp_")  # the token alone
    assert "shown only now" in captured.err
    headers = {"Authorization": f"Bearer {token}"}
    assert service.client.get("/api/v1/runs", headers=headers).status_code == 200
    assert invoke(monkeypatch, "token", "list", "--store", str(service.store)) == 0
    listed = capsys.readouterr().out
    assert "audit" in listed and token not in listed  # never the token itself
    with RunStore(service.store, create=False) as runs:
        token_id = next(t.id for t in runs.tokens() if t.note == "audit")
    assert invoke(monkeypatch, "token", "revoke", str(token_id), "--store",
                  str(service.store)) == 0
    response = service.client.get("/api/v1/runs", headers=headers)
    assert (response.status_code, response.json()) == (401, {"detail":
                                                             "unknown or revoked token"})
    assert invoke(monkeypatch, "token", "create", "--role", "admin", "--store",
                  str(service.store)) == 2
    assert "--role admin: expected one of viewer, planner, command-centre" in (
        capsys.readouterr().err)


# --- scenarios -----------------------------------------------------------------------------------


def test_the_offered_scenarios_are_listed_with_their_hash_and_variants(
    service: Service,
) -> None:
    listed = {entry["name"]: entry for entry in service.get("/api/v1/scenarios").json()}
    assert set(listed) >= {"tiny", "western_balkans_2022"}
    assert listed["tiny"]["variants"] == ["more_beds", "quiet_day3"]
    from planner import load_scenario

    assert listed["tiny"]["scenario_hash"] == load_scenario(TINY).content_hash()


def test_an_uploaded_zip_is_kept_once_under_the_id_of_its_files(service: Service) -> None:
    first = service.post("/api/v1/scenarios", files={"file": ("tiny.zip", _zip(TINY))})
    assert first.status_code == 201, first.text
    again = service.post("/api/v1/scenarios",
                         files={"file": ("other.zip", _zip(TINY, prefix="tiny/"))})
    assert again.json()["id"] == first.json()["id"] == service.scenario("tiny")


def test_validating_keeps_nothing_and_says_what_is_wrong(service: Service) -> None:
    before = service.get("/api/v1/scenarios").json()
    checked = service.post("/api/v1/scenarios/validate", role="viewer",
                           files={"file": ("tiny.zip", _zip(TINY))})
    assert checked.status_code == 200 and checked.json()["valid"] is True
    assert checked.json()["id"] == service.scenario("tiny")
    sections = (TINY / "sections.csv").read_bytes().replace(b",3\n", b",-3\n")
    bad = service.post("/api/v1/scenarios/validate", role="viewer", files={
        "file": ("tiny.zip", _zip(TINY, edit={"sections.csv": sections}))})
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"] == "beds"
    assert service.get("/api/v1/scenarios").json() == before


def test_runs_are_listed_by_status_and_variant(service: Service) -> None:
    tiny = service.scenario("tiny")
    service.run({"scenario": tiny, "variants": ["quiet_day3"], "options": {"gap": 0}})
    quiet = service.get("/api/v1/runs?variant=quiet_day3").json()
    assert quiet and {row["variant"] for row in quiet} == {"quiet_day3"}
    assert {row["objective"] for row in quiet} == {225.0}  # README.md of scenarios/tiny
    assert service.get("/api/v1/runs?status=infeasible").json() == []
    assert {row["variant"] for row in service.get("/api/v1/runs?variant=base").json()} <= {
        None}


def test_a_workbook_upload_is_a_scenario(service: Service, tiny_workbook: Path) -> None:
    response = service.post("/api/v1/scenarios",
                            files={"file": ("tiny.xlsx", tiny_workbook.read_bytes())})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "tiny"
    assert response.json()["source"] == "tiny.xlsx"


def test_a_bad_scenario_is_422_with_every_problem_by_file_row_and_field(
    service: Service,
) -> None:
    sections = (TINY / "sections.csv").read_bytes().replace(b",3\n", b",-3\n")
    contributions = (TINY / "contributions.csv").read_bytes().replace(b",10,", b",ten,", 1)
    body = _zip(TINY, edit={"sections.csv": sections, "contributions.csv": contributions})
    response = service.post("/api/v1/scenarios", files={"file": ("tiny.zip", body)})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert {(p["file"], p["row"], p["field"]) for p in problems} == {
        ("sections.csv", 2, "beds"), ("contributions.csv", 2, "daily_cost")}
    assert all("/tmp" not in p["message"] and "planner-upload" not in p["file"]
               for p in problems)


@pytest.mark.parametrize(("member", "why"), [
    ("../evil.csv", "entry '../evil.csv' points outside the scenario folder"),
    ("/etc/evil.csv", "entry '/etc/evil.csv' points outside the scenario folder"),
])
def test_an_unsafe_zip_is_refused_and_writes_nothing_outside(
    service: Service, tmp_path: Path, member: str, why: str,
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("scenario.yaml", "name: x\n")
        archive.writestr(member, "oops")
    response = service.post("/api/v1/scenarios", files={"file": ("evil.zip",
                                                                  buffer.getvalue())})
    assert response.status_code == 422
    assert response.json()["problems"] == [{"file": "evil.zip", "row": None, "field": None,
                                            "message": why}]
    assert not (tmp_path.parent / "evil.csv").exists()


def test_a_link_in_a_zip_is_refused(service: Service) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("sections.csv")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    response = service.post("/api/v1/scenarios", files={"file": ("link.zip",
                                                                  buffer.getvalue())})
    assert response.status_code == 422
    assert "is a link" in response.json()["problems"][0]["message"]


def test_a_zip_bomb_is_stopped_as_it_unpacks(service: Service,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_UNPACKED", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("scenario.yaml", b"\n" * 5_000_000)  # 5 MB of newlines, ~5 kB zipped
    assert len(buffer.getvalue()) < 20_000
    response = service.post("/api/v1/scenarios", files={"file": ("bomb.zip",
                                                                  buffer.getvalue())})
    assert response.status_code == 422
    assert response.json()["problems"][0]["message"] == "unpacks to more than 1,000,000 bytes"


def test_an_upload_too_large_is_413(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("planner.service.app.MAX_UPLOAD", 1_000)
    response = service.post("/api/v1/scenarios", files={"file": ("big.zip", b"x" * 2_000)})
    assert response.status_code == 413


def test_a_body_too_large_is_refused_before_it_is_read(service: Service,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.service.app import BodyLimit

    monkeypatch.setattr(BodyLimit.__init__, "__defaults__", (10_000,))
    service.client.app.middleware_stack = None  # rebuilt with the smaller limit
    try:
        declared = service.client.post(
            "/api/v1/scenarios", headers={**service.headers("planner"),
                                          "Content-Length": "50000"}, content=b"x" * 50_000)
        assert declared.status_code == 413

        def chunks() -> Any:  # a well-formed upload with no length given: counted as it comes
            yield (b'--abc\r\nContent-Disposition: form-data; name="file"; filename="x.zip"'
                   b"\r\nContent-Type: application/zip\r\n\r\n")
            for _ in range(50):
                yield b"y" * 1_000
            yield b"\r\n--abc--\r\n"

        form = {**service.headers("planner"),
                "Content-Type": "multipart/form-data; boundary=abc"}  # read as it comes
        streamed = service.client.post("/api/v1/scenarios", headers=form, content=chunks())
        assert streamed.status_code == 413
        assert streamed.json() == {"detail": "a request may have at most 10,000 bytes"}
    finally:
        monkeypatch.undo()
        service.client.app.middleware_stack = None
    assert service.get("/api/v1/scenarios").status_code == 200


def test_not_a_zip_is_422(service: Service) -> None:
    response = service.post("/api/v1/scenarios", files={"file": ("x.zip", b"plain text")})
    assert response.status_code == 422
    assert "not a zip file" in response.json()["problems"][0]["message"]


# --- runs ----------------------------------------------------------------------------------------


def test_a_submitted_run_is_solved_recorded_and_read_back(service: Service) -> None:
    job = service.run({"scenario": service.scenario("tiny"), "options": {"gap": 0}})
    assert job["state"] == "succeeded", job
    run = service.get(f"/api/v1/runs/{job['run_id']}").json()
    assert run["objective"] == pytest.approx(770)  # README.md of scenarios/tiny
    assert run["source"].startswith("service: tiny")
    schedule = service.get(f"/api/v1/runs/{job['run_id']}/schedule").json()
    assert list(schedule[0]) == SCHEDULE_COLUMNS
    assert sum(row["cost"] for row in schedule) == pytest.approx(220)
    explained = service.get(f"/api/v1/runs/{job['run_id']}/explanations").json()
    assert [row["reason"] for row in explained] == ["beds_full", "busy_elsewhere"]
    assert list(explained[0]) == EXPLANATION_COLUMNS
    report = service.get(f"/api/v1/runs/{job['run_id']}/report")
    assert report.headers["content-type"].startswith("text/html")
    assert '<section id="why-short">' in report.text
    listed = service.get("/api/v1/runs").json()
    assert job["run_id"] in [row["id"] for row in listed]


def test_variants_compose_and_overrides_apply_through_the_service(service: Service) -> None:
    tiny = service.scenario("tiny")
    more = service.run({"scenario": tiny, "variants": ["more_beds"], "options": {"gap": 0}})
    both = service.run({"scenario": tiny, "variants": ["quiet_day3", "more_beds"],
                        "options": {"gap": 0}})
    beds = service.run({"scenario": tiny, "overrides": {"sections.A.beds": 4},
                        "options": {"gap": 0}})
    objectives = [service.get(f"/api/v1/runs/{job['run_id']}").json()["objective"]
                  for job in (more, both, beds)]
    assert objectives == [pytest.approx(635), pytest.approx(225), pytest.approx(635)]
    assert service.get(f"/api/v1/runs/{both['run_id']}").json()["variant"] == (
        "quiet_day3+more_beds")


def test_a_run_that_cannot_apply_is_refused_when_submitted(service: Service) -> None:
    tiny = service.scenario("tiny")
    refused = service.post("/api/v1/runs", json={"scenario": tiny, "variants": ["nope"]})
    assert (refused.status_code, refused.json()) == (422, {
        "detail": "tiny: no variant 'nope' (variants: more_beds, quiet_day3)"})
    bad = service.post("/api/v1/runs", json={"scenario": tiny,
                                              "overrides": {"sections.A.beds": "many"}})
    assert bad.status_code == 422
    (problem,) = bad.json()["problems"]
    assert (problem["field"], problem["file"]) == ("sections.A.beds", "variant '--set'")
    assert "planner-scenario" not in bad.text and "/tmp" not in bad.text
    nothing = service.post("/api/v1/runs", json={"scenario": tiny,
                                                  "overrides": {"sections.Z.beds": 4}})
    assert nothing.status_code == 422 and "no row 'Z' in sections" in nothing.text
    endless = service.client.post(  # 1e400 is JSON, and Python reads it as infinite
        "/api/v1/runs", content=f'{{"scenario": "{tiny}", "options": {{"time_limit": 1e400}}}}',
        headers={**service.headers("planner"), "Content-Type": "application/json"})
    assert endless.status_code == 422  # answered, infinite or not
    assert service.post("/api/v1/runs", json={"scenario": tiny, "options": {
        "relax": "yes"}}).status_code == 422


def test_a_job_whose_solve_finds_no_plan_fails_with_the_reason(service: Service) -> None:
    job = service.run({"scenario": service.scenario("western_balkans_2022"),
                       "options": {"time_limit": 0}})
    assert job["state"] == "failed"
    assert job["error"].startswith("no plan: the solve ended")
    missing = service.post("/api/v1/runs", json={"scenario": "no-such-scenario"})
    assert missing.status_code == 404
    bad = service.post("/api/v1/runs", json={"scenario": "x", "options": {"gap": 2}})
    assert bad.status_code == 422


def test_an_lp_run_has_marginal_values_and_cannot_be_approved(service: Service) -> None:
    job = service.run({"scenario": service.scenario("tiny"), "options": {"relax": True}})
    values = service.get(f"/api/v1/runs/{job['run_id']}/marginal_values").json()
    assert values and {"marginal_value", "section_id"} <= set(values[0])
    refused = service.post(f"/api/v1/plans/{job['run_id']}/approve", json={})
    assert refused.status_code == 400


def test_a_queued_job_cancelled_never_runs_and_a_running_one_keeps_its_best_plan(
    service: Service,
) -> None:
    # One worker: the Western Balkans run holds it, the tiny run waits behind it.
    slow = service.post("/api/v1/runs", json={
        "scenario": service.scenario("western_balkans_2022"),
        "options": {"gap": 0, "time_limit": 120}}).json()
    queued = service.post("/api/v1/runs", json={"scenario": service.scenario("tiny")}).json()
    cancelled = service.post(f"/api/v1/jobs/{queued['id']}/cancel").json()
    assert cancelled["state"] == "cancelled"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until the solve has a plan to keep, and a bound
        progress = service.get(f"/api/v1/jobs/{slow['id']}").json()["progress"] or {}
        if progress.get("objective") is not None and progress.get("bound") is not None:
            break
        time.sleep(0.2)
    assert progress["seconds"] > 0
    assert progress["bound"] <= progress["objective"]
    assert progress["gap"] == pytest.approx(
        (progress["objective"] - progress["bound"]) / progress["objective"])
    service.post(f"/api/v1/jobs/{slow['id']}/cancel")
    ended = service.wait(slow["id"])
    assert ended["state"] == "cancelled", ended
    kept = service.get(f"/api/v1/runs/{ended['run_id']}").json()
    assert (kept["status"], kept["summary"]["stopped_by"]) == ("feasible", "interrupt")
    assert service.wait(queued["id"])["run_id"] is None


def test_a_restart_marks_unfinished_jobs_failed(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite"
    with RunStore(store) as runs:
        token, _ = create_token(runs, Role.VIEWER)
        left = runs.add_job({"scenario": "x"})
    with TestClient(create_app(store, workers=1)) as client:
        job = client.get(f"/api/v1/jobs/{left.id}",
                         headers={"Authorization": f"Bearer {token}"}).json()
    assert (job["state"], job["error"]) == ("failed", RESTARTED)


def test_compare_gives_kpis_and_differences_by_run_id(service: Service) -> None:
    tiny = service.scenario("tiny")
    base = service.run({"scenario": tiny, "options": {"gap": 0}})["run_id"]
    more = service.run({"scenario": tiny, "variants": ["more_beds"],
                        "options": {"gap": 0}})["run_id"]
    compared = service.get(f"/api/v1/compare?runs={base},{more}").json()
    total = next(row for row in compared["kpis"] if row["kpi"] == "total cost")
    assert (total[f"run_{base}"], total[f"run_{more}"]) == (770, 635)
    assert service.get("/api/v1/compare?runs=999").status_code == 404


# --- plans ----------------------------------------------------------------------------------------


def test_an_approved_plan_is_served_to_a_command_centre_with_an_etag(service: Service) -> None:
    tiny = service.scenario("tiny")
    first = service.run({"scenario": tiny, "options": {"gap": 0}})["run_id"]
    approved = service.post(f"/api/v1/plans/{first}/approve", json={"note": "board"})
    assert approved.status_code == 201, approved.text
    revision = approved.json()["revision"]
    contract = service.get("/api/v1/plans/approved", role="command-centre")
    assert contract.status_code == 200
    assert contract.json()["revision"] == revision
    tag = contract.headers["etag"]
    same = service.get("/api/v1/plans/approved", role="command-centre",
                       headers={"If-None-Match": tag})
    assert (same.status_code, same.content) == (304, b"")
    # A re-plan approved next: the contract changes, and so does its tag.
    second = service.run({"scenario": tiny, "variants": ["more_beds"],
                          "options": {"gap": 0}})["run_id"]
    assert service.post(f"/api/v1/plans/{second}/approve", json={}).status_code == 201
    newer = service.get("/api/v1/plans/approved", role="command-centre",
                        headers={"If-None-Match": tag})
    assert newer.status_code == 200 and newer.headers["etag"] != tag
    changes = service.get(f"/api/v1/plans/approved/changes?since={revision}",
                          role="command-centre").json()
    assert [entry["revision"] for entry in changes["revisions"]] == [revision + 1]
    assert changes["revisions"][0]["changes"] == newer.json()["changes"]
    revisions = service.get("/api/v1/plans/revisions", role="command-centre").json()
    assert [row["status"] for row in revisions][-2:] == ["superseded", "approved"]
    # The contract as the command centre got it is the one the bundle exports.
    from planner.contract.bundle import contract_for

    with RunStore(service.store, create=False) as runs:
        contract, text = contract_for(runs, "approved")
    assert newer.json() == contract and newer.text == text  # byte for byte


def test_an_operation_without_approvals_is_404(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite"
    with RunStore(store) as runs:
        token, _ = create_token(runs, Role.COMMAND_CENTRE)
    with TestClient(create_app(store, workers=1)) as client:
        response = client.get("/api/v1/plans/approved",
                              headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert "no approved revision" in response.json()["detail"]


def test_stopping_the_server_stops_a_running_solve_and_keeps_its_plan(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite"
    with RunStore(store) as runs:
        token, _ = create_token(runs, Role.PLANNER)
    headers = {"Authorization": f"Bearer {token}"}
    started = time.monotonic()
    with TestClient(create_app(store, workers=1, scenarios=[WESTERN_BALKANS])) as client:
        scenario = client.get("/api/v1/scenarios", headers=headers).json()[0]["id"]
        job = client.post("/api/v1/runs", headers=headers, json={
            "scenario": scenario, "options": {"gap": 0, "time_limit": 300}}).json()
        waiting = [client.post("/api/v1/runs", headers=headers, json={
            "scenario": scenario}).json()["id"] for _ in range(2)]
        while time.monotonic() - started < 120:
            progress = client.get(f"/api/v1/jobs/{job['id']}",
                                  headers=headers).json()["progress"] or {}
            if progress.get("objective") is not None:
                break
            time.sleep(0.2)
    # Leaving the block stopped the server: not after its 300 s limit, but at once.
    assert time.monotonic() - started < 150
    with RunStore(store, create=False) as runs:
        ended = runs.job(job["id"])
    assert ended is not None and ended.state == "cancelled"
    assert ended.error == "the server stopped: the best plan found so far is kept"
    assert ended.run_id is not None
    with RunStore(store, create=False) as runs:
        # Never started, even the one a worker had been handed ahead.
        assert [(runs.job(job_id).state, runs.job(job_id).error) for job_id in waiting] == [
            ("failed", STOPPED_FIRST)] * 2
        assert len(runs.runs()) == 1


def test_serve_refuses_a_scenario_it_could_not_run(monkeypatch: pytest.MonkeyPatch,
                                                    tiny_folder: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    sections = tiny_folder / "sections.csv"
    sections.write_text(sections.read_text().replace(",3\n", ",-3\n"))
    store = str(tmp_path / "runs.sqlite")
    assert invoke(monkeypatch, "serve", "--scenario", str(tiny_folder), "--store", store) == 2
    assert "sections.csv, row 2, field 'beds'" in capsys.readouterr().err
    assert invoke(monkeypatch, "serve", "--scenario", str(tmp_path / "nowhere"),
                  "--store", store) == 2
    assert "no scenario here" in capsys.readouterr().err


def test_answers_name_no_path_of_the_server_and_use_the_apis_words(service: Service) -> None:
    missing = service.get("/api/v1/runs/99999")
    assert missing.json() == {"detail": "run 99999 is not in the run store"}
    assert service.get("/api/v1/runs/last-99999999999999999999").status_code == 404
    assert str(service.store) not in service.get("/api/v1/runs/last-99999").text
    lp = service.run({"scenario": service.scenario("tiny"), "options": {"relax": True}})
    refused = service.post(f"/api/v1/plans/{lp['run_id']}/approve")  # no body: no note
    assert refused.status_code == 400
    assert "submit it without options.relax" in refused.json()["detail"]
    assert service.get("/api/v1/jobs?state=bogus").status_code == 422


def test_several_operations_must_be_named(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite"
    with RunStore(store) as runs:
        token, _ = create_token(runs, Role.PLANNER)
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(store, workers=1, scenarios=[TINY, WESTERN_BALKANS])
    with TestClient(app) as client:
        helper = Service(client, store, {"planner": token, "viewer": token})
        for name in ("tiny", "western_balkans_2022"):
            run = helper.run({"scenario": helper.scenario(name), "options": {"gap": 0.01}})
            assert client.post(f"/api/v1/plans/{run['run_id']}/approve",
                               headers=headers).status_code == 201
        for path in ("/api/v1/plans/approved", "/api/v1/plans/approved/changes?since=0"):
            response = client.get(path, headers=headers)
            assert response.status_code == 400
            assert response.json()["detail"].endswith("say which with ?operation=")
        named = client.get("/api/v1/plans/approved?operation=JO Example", headers=headers)
        assert named.status_code == 200 and named.json()["operation"] == "JO Example"
        tag = named.headers["etag"]
        for held in (f"W/{tag}", "*", f'"other", {tag}'):
            again = client.get("/api/v1/plans/approved?operation=JO Example",
                               headers={**headers, "If-None-Match": held})
            assert again.status_code == 304, held


def test_the_same_workbook_is_one_scenario_whatever_its_name(service: Service,
                                                            tiny_workbook: Path) -> None:
    ids = {service.post("/api/v1/scenarios", files={"file": (name, tiny_workbook.read_bytes())}
                        ).json()["id"] for name in ("tiny.xlsx", "copy of tiny.xlsx",
                                                    "a" * 300 + ".xlsx")}
    assert len(ids) == 1


@pytest.mark.parametrize(("build", "why"), [
    (lambda archive: (archive.writestr("variants", "x"), archive.writestr("variants/a.yaml", "")),
     "is there twice, or is both a file and a folder"),
    (lambda archive: archive.writestr("a" * 300 + ".csv", "x"), "has a name longer than 200"),
])
def test_zips_that_cannot_be_unpacked_are_422(service: Service, build: Any, why: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in TINY.iterdir():
            archive.writestr(path.name, path.read_bytes())
        build(archive)
    response = service.post("/api/v1/scenarios", files={"file": ("odd.zip", buffer.getvalue())})
    assert response.status_code == 422 and why in response.json()["problems"][0]["message"]


def test_a_corrupted_zip_member_is_422(service: Service) -> None:
    body = bytearray(_zip(TINY))
    at = body.find(b"Green border A")
    body[at] ^= 0xFF
    response = service.post("/api/v1/scenarios", files={"file": ("bad.zip", bytes(body))})
    assert response.status_code == 422
    assert "cannot be unpacked: Bad CRC-32" in response.json()["problems"][0]["message"]


def test_the_service_fetches_nothing_from_elsewhere(service: Service) -> None:
    assert service.client.get("/docs").status_code == 404  # its page would load a CDN
    report = service.get("/api/v1/runs/last/report")
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
