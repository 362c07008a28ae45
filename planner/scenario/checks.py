"""Checks across a scenario's tables.

Duplicate keys, unknown references, periods, language shares, windows, and a re-plan's
baseline against the scenario it revises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from planner.scenario.records import (
    ALLOWED_CATEGORIES,
    GATED_CAP_DAYS_MAX,
    GATED_UNITS_MAX,
    SHARE_TOLERANCE,
    Arrival,
    BaselineCohort,
    BaselineUnits,
    Category,
    Contribution,
    Contributor,
    DemandScenario,
    Horizon,
    ImpactChange,
    Kind,
    KindClass,
    Language,
    LanguageShare,
    Nationality,
    Penalty,
    Record,
    RequirementRule,
    RunningDeployment,
    Section,
)

if TYPE_CHECKING:
    from planner.scenario.schema import Scenario


@dataclass(frozen=True)
class RowProblem:
    """A cross-reference problem in one row of one table (indices count from 0)."""

    table: str
    index: int
    field: str | None
    message: str
    first_index: int | None = None
    """For a duplicate: the earlier row of the same table it repeats."""


def _duplicates(
    table: str, rows: Sequence[Any], key_fields: tuple[str, ...], what: str
) -> Iterable[RowProblem]:
    """Rows whose key repeats an earlier row's."""
    first_seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        key = tuple(getattr(row, name) for name in key_fields)
        if key in first_seen:
            shown = ", ".join(str(part) for part in key)
            yield RowProblem(
                table,
                index,
                key_fields[-1],
                f"duplicate {what} '{shown}'",
                first_index=first_seen[key],
            )
        else:
            first_seen[key] = index


def _unknown(
    table: str, index: int, field: str, value: str, known: set[str] | None, what: str
) -> Iterable[RowProblem]:
    """A problem if ``value`` is not among the ``known`` ids (``None``: not known, no check)."""
    if known is not None and value not in known:
        yield RowProblem(table, index, field, f"unknown {what} '{value}'")


REFERENCED_KEYS: dict[str, tuple[str, ...]] = {
    "sections": ("id",),
    "kinds": ("id",),
    "nationalities": ("id",),
    "languages": ("id",),
    "contributors": ("id", "name"),
    "contributions": ("id",),
    "penalties": ("kind_id",),
    "language_shares": ("nationality_id",),
}
"""Tables other rows refer to (or, for shares, check against), and the columns they use:
a contribution names its contributor by id or by name."""


def reference_problems(
    horizon: Horizon | None,
    tables: Mapping[str, Sequence[Any]],
    known_keys: Mapping[str, set[str] | None] | None = None,
) -> list[RowProblem]:
    """Every cross-table problem: duplicate ids, unknown references, periods, shares.

    Works on whatever rows validated on their own, so a loader can report these along
    with per-row problems in one go. ``known_keys`` adds, per referenced table, the keys of
    rows that failed on their own (so references to them are not reported again), or
    ``None`` for a table that could not be read at all (references to it go unchecked).
    """
    extra = known_keys or {}

    def keys(table: str) -> set[str] | None:
        if table in extra and extra[table] is None:
            return None
        return ({getattr(row, column) for row in tables.get(table, ())
                 for column in REFERENCED_KEYS[table]}
                | (extra.get(table) or set()))

    problems: list[RowProblem] = []
    sections: Sequence[Section] = tables.get("sections", ())
    kinds: Sequence[Kind] = tables.get("kinds", ())
    nationalities: Sequence[Nationality] = tables.get("nationalities", ())
    languages: Sequence[Language] = tables.get("languages", ())
    shares: Sequence[LanguageShare] = tables.get("language_shares", ())
    forecast: Sequence[Arrival] = tables.get("forecast", ())
    rules: Sequence[RequirementRule] = tables.get("requirement_rules", ())
    penalties: Sequence[Penalty] = tables.get("penalties", ())
    contributions: Sequence[Contribution] = tables.get("contributions", ())
    changes: Sequence[ImpactChange] = tables.get("impact_changes", ())
    contributors: Sequence[Contributor] = tables.get("contributors", ())

    for table, rows, key, what in (
        ("sections", sections, ("id",), "section id"),
        ("kinds", kinds, ("id",), "kind id"),
        ("nationalities", nationalities, ("id",), "nationality id"),
        ("languages", languages, ("id",), "language id"),
        ("contributors", contributors, ("id",), "contributor id"),
        ("contributors", contributors, ("name",), "contributor name"),
        ("contributions", contributions, ("id",), "contribution id"),
        ("language_shares", shares, ("nationality_id", "language_id"), "language share"),
        ("forecast", forecast, ("section_id", "period", "nationality_id"), "forecast entry"),
        ("requirement_rules", rules, ("kind_id",), "rule for kind"),
        ("penalties", penalties, ("kind_id",), "penalty for kind"),
        ("impact_changes", changes, ("section_id", "from_period"), "impact change"),
    ):
        problems.extend(_duplicates(table, rows, key, what))

    section_ids = keys("sections")
    kind_ids = keys("kinds")
    kind_by_id = {kind.id: kind for kind in kinds}
    nationality_ids = keys("nationalities")
    language_ids = keys("languages")
    penalised = keys("penalties")
    host_of = {section.id: section.host_country for section in sections}
    last_period = horizon.periods if horizon is not None else None

    def period_problem(table: str, index: int, field: str, period: int) -> Iterable[RowProblem]:
        if last_period is not None and period > last_period:
            yield RowProblem(
                table, index, field, f"period {period} is outside the horizon (1-{last_period})"
            )

    for index, change in enumerate(changes):
        problems.extend(_unknown("impact_changes", index, "section_id", change.section_id,
                                 section_ids, "section"))
        problems.extend(period_problem("impact_changes", index, "from_period", change.from_period))

    for index, arrival in enumerate(forecast):
        problems.extend(_unknown("forecast", index, "section_id", arrival.section_id,
                                 section_ids, "section"))
        problems.extend(_unknown("forecast", index, "nationality_id", arrival.nationality_id,
                                 nationality_ids, "nationality"))
        problems.extend(period_problem("forecast", index, "period", arrival.period))

    problems.extend(_demand_problems(tables.get("demand_scenarios", ()), section_ids,
                                     nationality_ids, period_problem))

    share_sums: dict[str, float] = defaultdict(float)
    for index, share in enumerate(shares):
        problems.extend(_unknown("language_shares", index, "nationality_id", share.nationality_id,
                                 nationality_ids, "nationality"))
        problems.extend(_unknown("language_shares", index, "language_id", share.language_id,
                                 language_ids, "language"))
        share_sums[share.nationality_id] += share.share
    # Shares that failed on their own would make a sum look wrong: those are left unchecked.
    failed_shares = extra.get("language_shares", set())
    for index, nationality in enumerate(nationalities):
        total = share_sums.get(nationality.id, 0.0)
        if failed_shares is None or nationality.id in failed_shares:
            continue
        if not languages and nationality.id not in share_sums:
            continue  # no language is modelled: nobody needs interpreting
        if abs(total - 1.0) > SHARE_TOLERANCE:
            problems.append(RowProblem(
                "nationalities", index, "id",
                f"language shares of nationality '{nationality.id}' sum to {total:.3g}, not 1",
            ))

    for index, kind in enumerate(kinds):
        if kind.crew_kind is None:
            if kind.crew_size:
                problems.append(RowProblem("kinds", index, "crew_kind",
                                           "crew_size is set but crew_kind is empty"))
            continue
        if kind.kind_class is not KindClass.VEHICLE:
            problems.append(RowProblem("kinds", index, "crew_kind",
                                       f"only vehicles have a crew, not a kind of class "
                                       f"'{kind.kind_class}'"))
        crew = kind_by_id.get(kind.crew_kind)
        if crew is None:
            problems.extend(_unknown("kinds", index, "crew_kind", kind.crew_kind, kind_ids,
                                     "kind"))
        elif crew.kind_class is not KindClass.OFFICER:
            problems.append(RowProblem("kinds", index, "crew_kind",
                                       f"crew kind '{crew.id}' is not an officer profile"))

    for index, rule in enumerate(rules):
        problems.extend(_unknown("requirement_rules", index, "kind_id", rule.kind_id,
                                 kind_ids, "kind"))
        if penalised is not None and rule.kind_id in kind_by_id and rule.kind_id not in penalised:
            problems.append(RowProblem("requirement_rules", index, "kind_id",
                                       f"kind '{rule.kind_id}' has a requirement rule but no row "
                                       "in penalties"))
    for index, penalty in enumerate(penalties):
        problems.extend(_unknown("penalties", index, "kind_id", penalty.kind_id,
                                 kind_ids, "kind"))

    # Without a contributors table (or with every row of it failed), contributors are free
    # text; a table that could not be read at all leaves them unchecked.
    contributor_names = keys("contributors") if contributors or extra.get("contributors") else None
    for index, contribution in enumerate(contributions):
        matches = [row for row in contributors if contribution.contributor in (row.id, row.name)]
        problems.extend(_contributor_problems(index, contribution.contributor, matches,
                                              contributor_names))
        aliases = {contribution.contributor, *(name for row in matches
                                               for name in (row.id, row.name))}
        problems.extend(_contribution_problems(index, contribution, kind_by_id, kind_ids,
                                               section_ids, language_ids, host_of, aliases))
    problems.extend(_gated_problems(contributions))

    for index, section in enumerate(sections):
        problems.extend(_in_order("sections", index, section, "access_from", "access_to"))

    contribution_ids = keys("contributions")
    contribution_by_id = {contribution.id: contribution for contribution in contributions}
    section_by_id = {section.id: section for section in sections}
    running_units: dict[str, int] = defaultdict(int)
    for index, running in enumerate(tables.get("running_deployments", ())):
        problems.extend(_unknown("running_deployments", index, "contribution_id",
                                 running.contribution_id, contribution_ids, "contribution"))
        problems.extend(_unknown("running_deployments", index, "section_id", running.section_id,
                                 section_ids, "section"))
        offered = contribution_by_id.get(running.contribution_id)
        if (offered is not None and offered.sections
                and running.section_id not in offered.sections):
            problems.append(RowProblem("running_deployments", index, "section_id",
                                       f"section '{running.section_id}' is not among the "
                                       f"sections of contribution '{offered.id}'"))
        if horizon is not None and running.until < horizon.start:
            problems.append(RowProblem("running_deployments", index, "until",
                                       f"{running.until} is before the horizon starts "
                                       f"({horizon.start})"))
        if offered is not None and horizon is not None:
            problems.extend(_running_problems(index, running, offered, horizon,
                                              section_by_id.get(running.section_id)))
            running_units[offered.id] += running.quantity
            if running_units[offered.id] > offered.quantity:
                problems.append(RowProblem("running_deployments", index, "quantity",
                                           f"running units of contribution '{offered.id}' add "
                                           f"up to {running_units[offered.id]}, more than its "
                                           f"quantity {offered.quantity}"))

    for index, intervention in enumerate(tables.get("rapid_interventions", ())):
        problems.extend(_unknown("rapid_interventions", index, "section_id",
                                 intervention.section_id, section_ids, "section"))
        problems.extend(_in_order("rapid_interventions", index, intervention, "decision_date",
                                  "end_date"))
    return problems


PROBABILITY_TOLERANCE = 1e-6
"""How far the demand scenarios' probabilities may sum from 1."""


def _demand_problems(rows: Sequence[DemandScenario], section_ids: set[str] | None,
                     nationality_ids: set[str] | None,
                     period_problem: Callable[[str, int, str, int], Iterable[RowProblem]]
                     ) -> Iterable[RowProblem]:
    """Demand scenarios name known sections and nationalities, and their chances add up."""
    table = "demand_scenarios"
    probability: dict[str, float] = {}
    for index, row in enumerate(rows):
        if row.section_id is not None:
            yield from _unknown(table, index, "section_id", row.section_id, section_ids,
                                "section")
        if row.nationality_id is not None:
            yield from _unknown(table, index, "nationality_id", row.nationality_id,
                                nationality_ids, "nationality")
        for field in ("from_period", "to_period"):
            if getattr(row, field) is not None:
                yield from period_problem(table, index, field, getattr(row, field))
        if (row.from_period is not None and row.to_period is not None
                and row.to_period < row.from_period):
            yield RowProblem(table, index, "to_period",
                             f"to_period {row.to_period} is before from_period "
                             f"{row.from_period}")
        known = probability.setdefault(row.name, row.probability)
        if abs(known - row.probability) > PROBABILITY_TOLERANCE:
            yield RowProblem(table, index, "probability",
                             f"scenario '{row.name}' has probability {known:g} on an earlier "
                             f"row and {row.probability:g} here")
    total = sum(probability.values())
    if probability and abs(total - 1.0) > PROBABILITY_TOLERANCE:
        yield RowProblem(table, len(rows) - 1, "probability",
                         f"the probabilities of the {len(probability)} demand scenarios sum "
                         f"to {total:.6g}, not 1")


def _running_problems(
    index: int, running: RunningDeployment, contribution: Contribution, horizon: Horizon,
    section: Section | None,
) -> Iterable[RowProblem]:
    """A running deployment must be one its pledge and section allow at the horizon's start."""
    # Running units stay in every period that starts by `until`: to that period's end.
    last_period = min((running.until - horizon.start).days // horizon.days_per_period + 1,
                      horizon.periods)
    stays_to = horizon.period_end(max(last_period, 1))
    yield from _window_problems(index, "contribution_id",
                                f"contribution '{contribution.id}' is available",
                                contribution.available_from, contribution.available_to,
                                horizon.start, stays_to)
    if section is not None and contribution.category is not Category.HOST:
        yield from _window_problems(index, "section_id",
                                    f"section '{section.id}' admits other states' units",
                                    section.access_from, section.access_to, horizon.start,
                                    stays_to)


def _window_problems(
    index: int, field: str, subject: str, first: date | None, last: date | None,
    starts: date, stays_to: date,
) -> Iterable[RowProblem]:
    """Running units present from ``starts`` to ``stays_to`` must lie inside a window."""
    if first is not None and first > starts:
        yield RowProblem("running_deployments", index, field,
                         f"{subject} only from {first}")
    if last is not None and last < stays_to:
        yield RowProblem("running_deployments", index, "until",
                         f"the units stay to the end of their last period, {stays_to}, but "
                         f"{subject} only to {last}")


def _in_order(
    table: str, index: int, row: Record, first: str, last: str
) -> Iterable[RowProblem]:
    """A problem if the date in field ``last`` comes before the one in ``first``."""
    start, end = getattr(row, first), getattr(row, last)
    if start is not None and end is not None and end < start:
        yield RowProblem(table, index, last, f"{end} is before {first} {start}")


def _contributor_problems(
    index: int, contributor: str, matches: Sequence[Contributor], known: set[str] | None
) -> Iterable[RowProblem]:
    """A pledge's contributor must be the id or name of exactly one contributors row."""
    if known is None:
        return
    if not matches and contributor not in known:
        yield RowProblem("contributions", index, "contributor",
                         f"unknown contributor '{contributor}': no row of contributors has it "
                         "as its id or name")
    elif len(matches) > 1:
        rows = ", ".join(f"'{row.id}' ({'id' if row.id == contributor else 'name'})"
                         for row in matches)
        yield RowProblem("contributions", index, "contributor",
                         f"contributor '{contributor}' matches more than one row of "
                         f"contributors: {rows}")


def _gated_problems(contributions: Sequence[Contribution]) -> Iterable[RowProblem]:
    """Pledges the rapid reaction reserve waits for must stay within the gate's bounds."""
    reserve_kinds = {contribution.kind_id for contribution in contributions
                     if contribution.category is Category.RESERVE}
    for index, contribution in enumerate(contributions):
        if (contribution.kind_id not in reserve_kinds
                or contribution.category in (Category.HOST, Category.CONTRACT)):
            continue
        subject = (f"the rapid reaction reserve of kind '{contribution.kind_id}' waits for this "
                   "pledge")
        if contribution.quantity > GATED_UNITS_MAX:
            yield RowProblem("contributions", index, "quantity",
                             f"{contribution.quantity} units is more than {GATED_UNITS_MAX:,}, the "
                             f"limit where {subject}")
        cap_days = contribution.annual_cap_days
        if cap_days is not None and cap_days > GATED_CAP_DAYS_MAX:
            yield RowProblem("contributions", index, "annual_cap_days",
                             f"{cap_days:g} unit-days is more than "
                             f"{GATED_CAP_DAYS_MAX:,.0f}, the limit where {subject}")


def _contribution_problems(
    index: int,
    contribution: Contribution,
    kind_by_id: Mapping[str, Kind],
    kind_ids: set[str] | None,
    section_ids: set[str] | None,
    language_ids: set[str] | None,
    host_of: Mapping[str, str],
    aliases: set[str],
) -> Iterable[RowProblem]:
    """Problems of one pledge: its kind, category, sections, languages and window.

    ``aliases`` are the names its contributor goes by: the one it is given, and the id and
    name of its contributors row, any of which may be a section's host country.
    """
    table = "contributions"
    for section_id in contribution.sections:
        yield from _unknown(table, index, "sections", section_id, section_ids, "section")
    for language_id in contribution.languages:
        yield from _unknown(table, index, "languages", language_id, language_ids, "language")
    yield from _in_order(table, index, contribution, "available_from", "available_to")
    if contribution.category is Category.LONG_TERM and contribution.deployment_length:
        yield RowProblem(table, index, "deployment_length",
                         "category 2 units stay to the end of their window; leave it empty")
    if contribution.category is Category.HOST:
        foreign = sorted(section_id for section_id in (contribution.sections or host_of)
                         if section_id in host_of and host_of[section_id] not in aliases)
        if foreign:
            yield RowProblem(table, index, "sections",
                             f"host-state units of '{contribution.contributor}' serve only "
                             f"sections in that country, not {', '.join(foreign)}")
    kind = kind_by_id.get(contribution.kind_id)
    if kind is None:
        yield from _unknown(table, index, "kind_id", contribution.kind_id, kind_ids, "kind")
        return
    allowed = ALLOWED_CATEGORIES[kind.kind_class]
    if contribution.category not in allowed:
        names = ", ".join(sorted(category.value for category in allowed))
        yield RowProblem(table, index, "category",
                         f"category '{contribution.category}' is not allowed for a kind of "
                         f"class '{kind.kind_class}' (allowed: {names})")
    if kind.kind_class is KindClass.INTERPRETER and not contribution.languages:
        yield RowProblem(table, index, "languages", "interpreters must list their languages")
    if kind.kind_class is not KindClass.INTERPRETER and contribution.languages:
        yield RowProblem(table, index, "languages",
                         f"only interpreters list languages, not a kind of class "
                         f"'{kind.kind_class}'")


def baseline_problems(scenario: Scenario) -> list[RowProblem]:
    """Where a re-plan's baseline names what the scenario lacks, or lies outside it."""
    baseline = scenario.baseline
    assert baseline is not None
    problems: list[RowProblem] = []
    horizon = scenario.horizon
    if not horizon.start <= baseline.freeze_until <= horizon.end:
        problems.append(RowProblem("baseline", 0, "freeze_until",
                                   f"{baseline.freeze_until} is outside the horizon "
                                   f"({horizon.start} to {horizon.end})"))
    contributions = {c.id for c in scenario.contributions}
    sections = {s.id for s in scenario.sections}
    rows: list[BaselineUnits | BaselineCohort] = [*baseline.units, *baseline.cohorts]
    for index, row in enumerate(rows):
        table = "baseline.units" if isinstance(row, BaselineUnits) else "baseline.cohorts"
        number = index if isinstance(row, BaselineUnits) else index - len(baseline.units)
        if row.contribution_id not in contributions:
            problems.append(RowProblem(table, number, "contribution_id",
                                       f"the baseline deploys pledge '{row.contribution_id}', "
                                       "which this scenario does not have"))
        if row.section_id not in sections:
            problems.append(RowProblem(table, number, "section_id",
                                       f"the baseline deploys to section '{row.section_id}', "
                                       "which this scenario does not have"))
        last = row.period if isinstance(row, BaselineUnits) else row.last_period
        if last > horizon.periods:
            problems.append(RowProblem(table, number, None,
                                       f"period {last} is past the horizon's "
                                       f"{horizon.periods}"))
        if len(problems) >= 20:
            break
    return problems


