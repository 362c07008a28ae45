"""What the rules' sentences are written with: the dates, units and limits they name.

One :class:`Sentences` is made per conflict explained; each family's ``sentence`` reads
it (see :mod:`planner.model.families.base`).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from planner.columns import CONTRIBUTION_ID, DEPLOY_KEY, KIND_ID, NEED_KEY, PERIOD
from planner.model.families.base import mapping
from planner.model.index import ModelIndex


def units(count: float) -> str:
    """``1 unit``, ``3 units``."""
    return f"{count:g} unit" + ("" if count == 1 else "s")


class Sentences:
    """The index's figures as the rules' sentences name them."""

    def __init__(self, index: ModelIndex) -> None:
        self.index = index
        periods = index.periods
        self._dates = {int(t): f"{start} to {end}" for t, start, end in zip(
            periods[PERIOD], periods["period_start"], periods["period_end"], strict=True)}

    def when(self, period: int) -> str:
        """A period with its dates: ``period 3 (2022-01-15 to 2022-01-21)``."""
        return f"period {period} ({self._dates.get(period, '?')})"

    @cached_property
    def _deployments(self) -> list[tuple[Any, ...]]:
        return list(self.index.deploy[DEPLOY_KEY].itertuples(index=False, name=None))

    @cached_property
    def available(self) -> dict[tuple[Any, ...], int]:
        """Units a pledge has at a section and period (its window shut: 0)."""
        return dict(zip(self._deployments, self.index.deploy["available"].tolist(),
                        strict=True))

    @cached_property
    def running(self) -> dict[tuple[Any, ...], int]:
        """Units of a running deployment that stay at a section and period."""
        return dict(zip(self._deployments, self.index.deploy["running"].tolist(), strict=True))

    @cached_property
    def kept(self) -> dict[tuple[Any, ...], tuple[int, int]]:
        """Bounds a re-plan's baseline sets: (least, most) where they are not the usual."""
        deploy = self.index.deploy
        return {key: (least, most) for key, least, most, running, available in zip(
            self._deployments, deploy["least"].tolist(), deploy["most"].tolist(),
            deploy["running"].tolist(), deploy["available"].tolist(), strict=True)
            if (least, most) != (running, available)}

    @cached_property
    def crew(self) -> dict[str, dict[str, Any]]:
        """Per vehicle kind: the kind of officer crewing it and how many."""
        vehicles = self.index.deploy[self.index.deploy["kind_class"] == "vehicle"]
        crews = vehicles.drop_duplicates(KIND_ID).set_index(KIND_ID)[
            ["crew_kind", "crew_size"]]
        return {str(kind): dict(row) for kind, row in crews.iterrows()}

    @cached_property
    def caps(self) -> dict[tuple[str, int], float]:
        """A pledge's cap of unit-days in a year."""
        caps = self.index.caps.drop_duplicates([CONTRIBUTION_ID, "year"])
        return dict(zip(zip(caps[CONTRIBUTION_ID], caps["year"], strict=True),
                        caps["cap"].tolist(), strict=True))

    @cached_property
    def required(self) -> dict[tuple[Any, ...], float]:
        """The need of a kind, or a language, at a section and period."""
        cover, language = self.index.cover, self.index.language
        return {**mapping(cover, [*NEED_KEY, KIND_ID], "required"),
                **mapping(language, [*NEED_KEY, "language_id"], "required")}
