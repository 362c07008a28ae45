"""The planning service: a FastAPI application over the planner's library (``planner serve``).

Every endpoint sits under ``/api/v1`` and calls the functions the command line calls:
runs are planned and recorded by :func:`planner.api.plan_and_record` (in worker
processes, see :mod:`planner.service.jobs`), compared by :func:`planner.runs.compare.compare`,
reported by :func:`planner.report.html.render_html`, approved by
:func:`planner.contract.bundle.approve`. Tables come back as JSON records with the column
names of the files (``schedule.csv``, ``shortfalls.csv``, ``explanations.csv``).

Every endpoint but ``GET /api/v1/health`` needs a bearer token (``planner token create``):
none or an unknown one is refused with 401, a role that may not with 403 (see
:mod:`planner.service.tokens`). The OpenAPI document is at ``/openapi.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import fastapi
import pandas as pd
from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    File,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from planner.errors import PlannerError, ScenarioError, UsageError
from planner.runs.service_tables import Job, StoredScenario, Token
from planner.runs.store import RunStore
from planner.service.jobs import RESTARTED, JobPool
from planner.service.tokens import Role, authenticate
from planner.service.uploads import (
    MAX_UPLOAD,
    check_request,
    check_upload,
    import_folder,
    import_upload,
)
from planner.version import planner_version

API = "/api/v1"
MAX_COMPARED = 20
"""Runs one comparison or report may take."""
WEB = files("planner.service") / "web"
"""The web page's files."""
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data: blob:; frame-src 'self'; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""The page's Content-Security-Policy: its own script only, nothing from elsewhere (the
reports it frames carry their style sheet inline and their plots as inline SVG)."""
REPORT_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                             "img-src data:; frame-ancestors 'self'",
                  "X-Content-Type-Options": "nosniff"}
"""A report runs nothing and loads nothing: it is text, style and inline pictures."""

READERS = (Role.VIEWER, Role.PLANNER)
"""Who reads runs, scenarios, jobs and comparisons."""
EVERYONE = (Role.VIEWER, Role.PLANNER, Role.COMMAND_CENTRE)
"""Who reads approved plans and revisions."""
PLANNERS = (Role.PLANNER,)
"""Who uploads, submits, cancels and approves."""


# --- what comes in -----------------------------------------------------------------------------


class RunOptions(BaseModel):
    """How to solve: as ``planner run`` takes them."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    relax: bool = False
    """Fractional units (the linear relaxation), with marginal values."""
    time_limit: float = Field(300.0, ge=0, le=86_400)
    gap: float = Field(0.001, ge=0, le=1)


class RunRequest(BaseModel):
    """A run to submit: a stored scenario, its variants in order, overrides, options."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(min_length=1, max_length=64)
    """A stored scenario's id (``GET /api/v1/scenarios``)."""
    variants: list[str] = Field(default_factory=list, max_length=20)
    """Variants applied in turn, as ``--variant a,b``."""
    overrides: dict[str, Any] = Field(default_factory=dict, max_length=100)
    """``--set`` overrides: ``{"sections.A.beds": 4}``."""
    options: RunOptions = Field(default_factory=RunOptions)


class ApproveRequest(BaseModel):
    """Why a run is approved, or on whose decision."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=2_000)


# --- what goes out -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as JSON has it: dates as ISO text, NaN and NA as null."""
    if isinstance(value, date):
        return value.isoformat()
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """A table as JSON records with the file's column names."""
    if frame is None:
        return []
    return [{str(key): _plain(value) for key, value in row.items()}
            for row in frame.to_dict("records")]


def _scenario_json(scenario: StoredScenario) -> dict[str, Any]:
    return {"id": scenario.id, "name": scenario.name, "scenario_hash": scenario.scenario_hash,
            "source": scenario.source, "variants": list(scenario.variants),
            "uploaded": scenario.uploaded}


def _job_json(job: Job) -> dict[str, Any]:
    return {"id": job.id, "state": job.state, "submitted": job.submitted,
            "started": job.started, "finished": job.finished, "request": job.request,
            "progress": job.progress, "run_id": job.run_id, "error": job.error,
            "cancel_requested": job.cancel}


def _problems(error: ScenarioError) -> dict[str, Any]:
    return {"message": str(error).splitlines()[0],
            "problems": [{"file": problem.source, "row": problem.row, "field": problem.field,
                          "message": problem.message} for problem in error.problems]}


def _finite(value: Any) -> Any:
    """``value`` with every number JSON cannot carry (infinite, NaN) as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


_API_WORDS = (
    ("say which with --operation", "say which with ?operation="),
    ("(planner approve RUN)", "(POST /api/v1/plans/{run}/approve)"),
    ("run it without --relax", "submit it without options.relax"),
    ("(planner token create)", "(planner token create, on the server)"),
)
"""Advice the library gives in command-line words, as the API says it."""


def _etag(text: str) -> str:
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


def _cached(request: Request, body: Any) -> Response:
    """``body`` with its ETag; 304 if the client already holds it.

    ``body`` is JSON text, sent as it is, or a value written as JSON.
    """
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False,
                                                         sort_keys=True)
    tag = _etag(text)
    held = [part.strip().removeprefix("W/")
            for part in request.headers.get("if-none-match", "").split(",")]
    if tag in held or "*" in held:
        return Response(status_code=304, headers={"ETag": tag})
    return Response(text, media_type="application/json", headers={"ETag": tag})


# --- who may --------------------------------------------------------------------------------------

_BEARER = HTTPBearer(auto_error=False, description="A token from `planner token create`.")


def allowed(*roles: Role) -> Callable[..., Token]:
    """A dependency that lets in a valid token of one of ``roles``: 401 without, 403 else."""
    def check(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None,
                                                       Depends(_BEARER)]) -> Token:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(401, "a bearer token is needed (planner token create)",
                                headers={"WWW-Authenticate": "Bearer"})
        with RunStore(request.app.state.store_path, create=False) as runs:
            token = authenticate(runs, credentials.credentials)
        if token is None:
            raise HTTPException(401, "unknown or revoked token",
                                headers={"WWW-Authenticate": "Bearer"})
        if token.role not in roles:
            raise HTTPException(403, f"a {token.role} token may not do this")
        return token
    return check


ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The request cannot be carried out (the message says why)"},
    401: {"description": "No bearer token, or an unknown or revoked one"},
    403: {"description": "The token's role may not do this"},
    404: {"description": "No such run, job, scenario or approved revision"},
}
"""The answers every endpoint behind a token may give besides its own."""


JobId = Annotated[int, fastapi.Path(ge=1, le=2**63 - 1)]
JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]
"""A job's id: as SQLite keeps them."""


Readers = Annotated[Token, Depends(allowed(*READERS))]
Everyone = Annotated[Token, Depends(allowed(*EVERYONE))]
Planners = Annotated[Token, Depends(allowed(*PLANNERS))]


# --- how much may come in ----------------------------------------------------------------------

MAX_BODY = MAX_UPLOAD + 1024 * 1024
"""Bytes a request body may have: an upload at its limit and its form's framing."""


class _TooLargeError(Exception):
    """A request body past the limit, found as it came."""


class BodyLimit:
    """Refuse (413) a request whose body is larger than ``limit`` bytes, as it comes.

    Checked before the body is parsed, so that nothing larger is read into memory or
    spooled to disk: by its ``Content-Length`` up front, and by counting otherwise.
    """

    def __init__(self, app: Any, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Pass the request on, or answer 413 once its body is too large."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        started = exceeded = False

        async def counted() -> Any:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    exceeded = True
                    raise _TooLargeError
            return message

        async def watched(message: dict[str, Any]) -> None:
            # The framework may answer a body it could not read with an error of its own:
            # once the body was too large, the answer is 413 whatever it would have said.
            nonlocal started
            if exceeded:
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await self._refuse(send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLargeError:
            if not started:
                started = True
                await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        body = json.dumps({"detail": f"a request may have at most {self.limit:,} bytes"}
                          ).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


# --- the application ---------------------------------------------------------------------------


def create_app(store: str | Path, *, workers: int | None = None,
               scenarios: Sequence[Path] = ()) -> FastAPI:
    """The service over the run store at ``store``, solving in ``workers`` processes.

    ``scenarios`` are folders (or workbooks) kept in the store at start-up, as if uploaded:
    the bundled scenarios, say. Jobs a stopped server left unfinished are marked failed.
    """
    store_path = str(store)
    state: dict[str, JobPool] = {}
    starts: list[None] = []
    """One entry per lifespan running: a client that starts the app again while it runs
    (a test harness, say) shares its pool rather than starting a second."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if not starts:
            with RunStore(store_path) as runs:
                runs.fail_jobs(RESTARTED, running=True)
                for path in scenarios:
                    import_folder(runs, Path(path))
            state["pool"] = JobPool(store_path, workers)
        starts.append(None)
        try:
            yield
        finally:
            starts.pop()
            if not starts:
                state.pop("pool").close()

    # No /docs or /redoc: their pages load scripts from a CDN, and nothing here may.
    app = FastAPI(title="Border-operations planner", version=planner_version(),
                  lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Plan deployments of border guards, vehicles and interpreters; "
                              "compare what-if runs; approve plans and serve their contracts.")
    app.state.store_path = store_path
    app.add_middleware(BodyLimit)
    api = APIRouter(responses=ANSWERS)

    @contextmanager
    def opened(write: bool = False) -> Iterator[RunStore]:
        with RunStore(store_path, create=False, write=write) as runs:
            yield runs

    def public(text: str) -> str:
        """A library message as the API says it: no path of the server's, API words."""
        for path in {store_path, str(Path(store_path).absolute())}:
            text = text.replace(path, "the run store")
        for said, meant in _API_WORDS:
            text = text.replace(said, meant)
        return text

    @app.exception_handler(ScenarioError)
    async def scenario_error(_: Request, error: ScenarioError) -> JSONResponse:
        return JSONResponse(_finite(_problems(error)), status_code=422)

    @app.exception_handler(PlannerError)
    async def planner_error(_: Request, error: PlannerError) -> JSONResponse:
        return JSONResponse({"detail": public(str(error))}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _finite(jsonable_encoder(error.errors()))},
                            status_code=422)

    @contextmanager
    def missing_is_404() -> Iterator[None]:
        try:
            yield
        except UsageError as error:
            raise HTTPException(404, public(str(error))) from None

    def one_operation(runs: RunStore, operation: str | None) -> None:
        """Refuse (400) to guess which operation is meant where the store holds several."""
        if operation is not None:
            return
        operations = sorted({approval.operation for approval in runs.approvals()})
        if len(operations) > 1:
            raise HTTPException(400, f"approved revisions of {len(operations)} operations "
                                     f"({', '.join(operations)}): say which with ?operation=")

    def run_refs(text: str) -> list[str]:
        refs = [part.strip() for part in text.split(",") if part.strip()]
        if not refs or len(refs) > MAX_COMPARED:
            raise HTTPException(422, f"runs: from 1 to {MAX_COMPARED} run ids, comma-separated")
        return refs

    def resolved(runs: RunStore, ref: str) -> int:
        try:
            return runs.resolve(ref)
        except UsageError as error:
            raise HTTPException(404, public(str(error))) from None

    # --- health, scenarios ------------------------------------------------------------------

    @app.get(f"{API}/health", tags=["service"])  # the one route without a token
    def health() -> dict[str, str]:
        """Whether the service is up (no token needed)."""
        return {"status": "ok", "version": planner_version()}

    async def received(file: UploadFile) -> bytes:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise HTTPException(413, f"an upload may have at most {MAX_UPLOAD:,} bytes")
        return data

    @api.get(f"{API}/whoami", tags=["service"])
    def whoami(token: Everyone) -> dict[str, Any]:
        """The token's id, role and note: what the web page may show its holder."""
        return {"id": token.id, "role": token.role, "note": token.note}

    @api.get(f"{API}/scenarios", tags=["scenarios"])
    def list_scenarios(_: Readers) -> list[dict[str, Any]]:
        """The stored scenarios, oldest first, each with its id, name, hash and variants."""
        with opened() as runs:
            return [_scenario_json(scenario) for scenario in runs.scenarios()]

    @api.post(f"{API}/scenarios", status_code=201, tags=["scenarios"],
              responses={413: {"description": "Upload too large"},
                         422: {"description": "Every problem of the scenario"}})
    async def upload_scenario(_: Planners, file: Annotated[UploadFile, File()]
                              ) -> dict[str, Any]:
        """Upload a scenario (a zip of its folder, or a workbook); 422 lists every problem."""
        data = await received(file)
        with opened(write=True) as runs:
            return _scenario_json(import_upload(runs, file.filename or "upload", data))

    @api.post(f"{API}/scenarios/validate", tags=["scenarios"],
              responses={413: {"description": "Upload too large"},
                         422: {"description": "Every problem of the scenario"}})
    async def validate_scenario(_: Readers, file: Annotated[UploadFile, File()]
                                ) -> dict[str, Any]:
        """Check a scenario as a run would, keeping nothing; 422 lists every problem."""
        checked = check_upload(file.filename or "upload", await received(file))
        return {**_scenario_json(checked), "valid": True}

    # --- jobs ---------------------------------------------------------------------------------

    @api.post(f"{API}/runs", status_code=202, tags=["runs"])
    def submit_run(body: RunRequest, _: Planners) -> dict[str, Any]:
        """Submit a run as a job; poll ``/api/v1/jobs/{id}`` for its progress and run."""
        with opened() as runs:
            stored = runs.scenario(body.scenario)
        if stored is None:
            raise HTTPException(404, f"no scenario '{body.scenario}' (GET {API}/scenarios)")
        try:
            check_request(stored, body.variants, body.overrides)
        except UsageError as error:
            raise HTTPException(422, public(str(error))) from None
        with opened(write=True) as runs:
            job = runs.add_job(body.model_dump())
        state["pool"].submit(job.id)
        return _job_json(job)

    @api.get(f"{API}/jobs", tags=["runs"])
    def list_jobs(_: Readers, job_state: Annotated[JobState | None, Query(alias="state")] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
        """The latest jobs, newest first."""
        with opened() as runs:
            return [_job_json(job) for job in runs.jobs(job_state, limit)]

    @api.get(f"{API}/jobs/{{job_id}}", tags=["runs"])
    def get_job(job_id: JobId, _: Readers) -> dict[str, Any]:
        """One job: its state, its solve's progress while it runs, its run once done."""
        with opened() as runs:
            job = runs.job(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return _job_json(job)

    @api.post(f"{API}/jobs/{{job_id}}/cancel", tags=["runs"])
    def cancel_job(job_id: JobId, _: Planners) -> dict[str, Any]:
        """Cancel a job: a queued one never starts; a running one keeps its best plan."""
        with opened(write=True) as runs:
            job = runs.cancel_job(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return _job_json(job)

    # --- runs ---------------------------------------------------------------------------------

    @api.get(f"{API}/runs", tags=["runs"])
    def list_runs(_: Readers, scenario: str | None = None, status: str | None = None,
                  variant: str | None = None,
                  limit: Annotated[int | None, Query(ge=1, le=10_000)] = None
                  ) -> list[dict[str, Any]]:
        """The recorded runs, oldest first, with their KPIs.

        The last ``limit`` runs of ``scenario``, and of those the ones with ``status`` and
        ``variant`` (``base`` for the base), where given.
        """
        with opened() as runs:
            listed = runs.runs(scenario, limit)
        if status is not None:
            listed = listed[listed["status"] == status]
        if variant is not None:
            listed = listed[listed["variant"].fillna("base") == variant]
        return records(listed)

    @api.get(f"{API}/runs/{{ref}}", tags=["runs"])
    def get_run(ref: str, _: Readers) -> dict[str, Any]:
        """One run: what went in and how it was solved, and its summary (summary.json)."""
        with opened() as runs:
            record = runs.get(resolved(runs, ref))
        return {"id": record.id, "created": record.created,
                "scenario_name": record.scenario_name, "scenario_hash": record.scenario_hash,
                "variant": record.variant, "description": record.description,
                "changes": list(record.changes), "options": record.options,
                "status": record.status, "objective": _plain(record.objective),
                "source": record.source, "summary": record.summary}

    def table(name: str) -> Callable[..., list[dict[str, Any]]]:
        def read(ref: str, _: Readers) -> list[dict[str, Any]]:
            with opened() as runs:
                record = runs.get(resolved(runs, ref))
            if name == "explanations":
                return records(record.why_short())
            return records(getattr(record, name))
        read.__doc__ = f"One run's {name}, as {name}.csv has them."
        read.__name__ = f"run_{name}"
        return read

    for name in ("schedule", "shortfalls", "explanations", "marginal_values"):
        api.get(f"{API}/runs/{{ref}}/{name}", tags=["runs"])(table(name))

    @api.get(f"{API}/runs/{{ref}}/report", response_class=HTMLResponse, tags=["runs"])
    def run_report(ref: str, _: Readers) -> HTMLResponse:
        """One run's HTML report, as ``planner report`` writes it."""
        from planner.report.html import render_html

        with opened() as runs:
            record = runs.get(resolved(runs, ref))
        return HTMLResponse(render_html([record]), headers=REPORT_HEADERS)

    @api.get(f"{API}/report", response_class=HTMLResponse, tags=["runs"])
    def runs_report(_: Readers, runs_: Annotated[str, Query(alias="runs", min_length=1,
                                                           max_length=200)]) -> HTMLResponse:
        """Several runs' HTML report side by side (``runs=1,2``), as ``planner report``."""
        from planner.report.html import render_html

        with opened() as store:
            chosen = [store.get(resolved(store, ref)) for ref in run_refs(runs_)]
        return HTMLResponse(render_html(chosen), headers=REPORT_HEADERS)

    @api.get(f"{API}/compare", tags=["runs"])
    def compare_runs(_: Readers, runs_: Annotated[str, Query(alias="runs", min_length=1,
                                                            max_length=200)]
                     ) -> dict[str, Any]:
        """Runs side by side (``runs=1,2``), as ``planner compare --json`` gives them.

        KPIs, shortfalls, deployments, input and schedule changes.
        """
        from planner.runs.compare import compare

        with opened() as store:
            chosen = [store.get(resolved(store, ref)) for ref in run_refs(runs_)]
        body: dict[str, Any] = json.loads(json.dumps(compare(chosen).to_json(), default=str))
        return body

    # --- plans --------------------------------------------------------------------------------

    @api.post(f"{API}/plans/{{ref}}/approve", status_code=201, tags=["plans"])
    def approve_run(ref: str, _: Planners, body: ApproveRequest | None = None
                    ) -> dict[str, Any]:
        """Approve a whole-unit run: the next revision of its operation, issued as a contract."""
        from planner.contract.bundle import approve

        with opened(write=True) as runs:
            resolved(runs, ref)
            approval = approve(runs, ref, body.note if body is not None else "")
        return {key: value for key, value in asdict(approval).items()
                if key != "contract_text"}

    @api.get(f"{API}/plans/revisions", tags=["plans"])
    def list_revisions(_: Everyone, operation: str | None = None) -> list[dict[str, Any]]:
        """Every approved revision, with its status (approved or superseded) and KPIs."""
        with opened() as runs:
            listed = runs.revisions(operation)
        listed["changes"] = [list(changes) for changes in listed["changes"]]
        return records(listed)

    @api.get(f"{API}/plans/approved", tags=["plans"],
             responses={304: {"description": "Not modified (If-None-Match)"}})
    def approved_plan(request: Request, _: Everyone, operation: str | None = None,
                      revision: Annotated[int | None, Query(ge=1)] = None) -> Response:
        """The approved plan's contract (deployments.json), with an ETag to poll by.

        Byte for byte as issued, as ``planner export approved`` writes it.
        """
        with opened() as runs, missing_is_404():
            one_operation(runs, operation)
            approval = runs.approval(operation, revision)
        return _cached(request, approval.contract_text)

    @api.get(f"{API}/plans/approved/changes", tags=["plans"],
             responses={304: {"description": "Not modified (If-None-Match)"}})
    def approved_changes(request: Request, _: Everyone,
                         since: Annotated[int, Query(ge=0)], operation: str | None = None
                         ) -> Response:
        """What changed after revision ``since``: each later revision's changes, in turn."""
        with opened() as runs, missing_is_404():
            one_operation(runs, operation)
            latest = runs.approval(operation)
            approvals = runs.approvals(latest.operation, contracts=True)
        later = [{"revision": approval.revision, "run_id": approval.run_id,
                  "approved_at": approval.approved_at,
                  "changes": approval.contract.get("changes")}
                 for approval in approvals if approval.revision > since]
        return _cached(request, {"operation": latest.operation, "since": since,
                                 "latest": latest.revision, "revisions": later})

    app.include_router(api)

    def page_file(name: str, media: str) -> Callable[[], Response]:
        body = (WEB / name).read_bytes()

        def serve() -> Response:
            return Response(body, media_type=media, headers={
                "Content-Security-Policy": PAGE_POLICY, "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-cache", "Referrer-Policy": "no-referrer"})
        return serve

    for route, name, media in (("/", "index.html", "text/html; charset=utf-8"),
                               ("/app.js", "app.js", "text/javascript; charset=utf-8"),
                               ("/app.css", "app.css", "text/css; charset=utf-8")):
        app.get(route, include_in_schema=False)(page_file(name, media))
    return app
