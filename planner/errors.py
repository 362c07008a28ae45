"""The planner's error family and the exit codes the command line maps them to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the command line."""

    OK = 0
    FAILURE = 1
    BAD_INPUT = 2
    INFEASIBLE = 3
    SOLVER_FAILED = 4


@dataclass(frozen=True)
class Problem:
    """One input problem, located as precisely as the input allows."""

    source: str
    """The file (and sheet) the problem is in, for instance ``sections.csv``."""
    row: int | None
    """The row as a spreadsheet shows it (header is row 1), or ``None`` for the whole file."""
    field: str | None
    """The column or key at fault, or ``None`` when the problem concerns the whole row."""
    message: str

    def __str__(self) -> str:
        where = [self.source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


class PlannerError(Exception):
    """Base of every error the planner raises on purpose."""

    exit_code: ExitCode = ExitCode.FAILURE


class ScenarioError(PlannerError):
    """The scenario's input is invalid; carries every problem found, not just the first."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, problems: list[Problem], *, scenario: str = "scenario") -> None:
        self.problems = problems
        self.scenario = scenario
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{scenario}: {count} {noun} found"]
        lines += [f"  - {problem}" for problem in problems]
        super().__init__("\n".join(lines))


class UsageError(PlannerError):
    """A command was asked for something it cannot do (bad path, occupied output folder)."""

    exit_code = ExitCode.BAD_INPUT


class InfeasibleError(PlannerError):
    """The hard constraints cannot all hold; the message says which ones conflict."""

    exit_code = ExitCode.INFEASIBLE


class SolverError(PlannerError):
    """The solver failed or stopped without a usable solution."""

    exit_code = ExitCode.SOLVER_FAILED
