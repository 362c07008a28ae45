"""The service's OpenAPI contract, fuzzed: no request it allows gets a 5xx, and every
response matches the schema the service publishes."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks

from planner.runs.store import RunStore
from planner.service.app import create_app
from planner.service.tokens import Role, create_token

ROOT = Path(__file__).resolve().parents[1]
FOLDER = Path(tempfile.mkdtemp(prefix="planner-fuzz-"))
STORE = FOLDER / "runs.sqlite"
with RunStore(STORE) as _runs:
    TOKEN = create_token(_runs, Role.PLANNER)[0]
APP = create_app(STORE, workers=1, scenarios=[ROOT / "scenarios" / "tiny"])
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _running() -> Iterator[None]:
    """The service started for the module (its store, its scenario, its worker), then gone."""
    with TestClient(APP):
        yield
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_request_breaks_the_service(case: Any) -> None:
    # Every check but three. A request the schema allows may still be refused for what it
    # says (an empty upload, a scenario id that names nothing): that is the service's job,
    # not a fault. FastAPI takes any text where the schema says text, which the negative
    # check reads as accepting what it should not. And an OPTIONS request gets a 405 from
    # Starlette without an Allow header.
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, excluded_checks=[
        checks.positive_data_acceptance, checks.negative_data_rejection,
        checks.allow_header_conformance])
