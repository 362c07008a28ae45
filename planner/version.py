"""The installed planner's version, as runs, reports and ``planner --version`` give it."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def planner_version() -> str:
    """The installed planner's version."""
    try:
        return version("border-planner")
    except PackageNotFoundError:
        return "0+unknown"
