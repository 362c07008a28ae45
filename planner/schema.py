"""The scenario schema: every table a joint-operation scenario is made of, and its cross-checks."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from planner.countries import ISO_3166_ALPHA3

SCHEMA_VERSION = "1.0"

ImpactLevel = Literal["low", "medium", "high", "critical"]
IMPACT_LEVELS: tuple[ImpactLevel, ...] = ("low", "medium", "high", "critical")

SHARE_TOLERANCE = 0.01
"""How far a nationality's language shares may sum from 1 (planners type 0.33 for a third)."""


class KindClass(StrEnum):
    """What a resource kind is."""

    OFFICER = "officer"
    VEHICLE = "vehicle"
    INTERPRETER = "interpreter"


class BorderType(StrEnum):
    """The kind of border a section guards."""

    LAND = "land"
    SEA = "sea"
    AIR = "air"
    CROSSING_POINT = "crossing_point"


class Category(StrEnum):
    """Where a contribution comes from: a standing-corps category, the host state or a pool."""

    STATUTORY = "1"
    LONG_TERM = "2"
    SHORT_TERM = "3"
    RESERVE = "4"
    HOST = "host"
    POOL = "pool"
    CONTRACT = "contract"


class ContributorType(StrEnum):
    """What a contributor is to the operation."""

    MEMBER_STATE = "member_state"
    SCHENGEN_ASSOCIATED = "schengen_associated"
    AGENCY = "agency"
    HOST = "host"
    THIRD_COUNTRY = "third_country"


ALLOWED_CATEGORIES: dict[KindClass, frozenset[Category]] = {
    KindClass.OFFICER: frozenset(
        {
            Category.STATUTORY,
            Category.LONG_TERM,
            Category.SHORT_TERM,
            Category.RESERVE,
            Category.HOST,
        }
    ),
    KindClass.VEHICLE: frozenset(
        {Category.STATUTORY, Category.POOL, Category.HOST, Category.RESERVE}
    ),
    KindClass.INTERPRETER: frozenset(
        {
            Category.STATUTORY,
            Category.LONG_TERM,
            Category.SHORT_TERM,
            Category.RESERVE,
            Category.HOST,
            Category.CONTRACT,
        }
    ),
}
"""Which categories each class of resource may be pledged under. Vehicles are equipment:
agency-owned (1), from the technical equipment pool, the host's, or from the rapid reaction
equipment pool (4), which like the rapid reaction reserve serves rapid interventions only."""

SHORT_TERM_DAYS = 120
"""Days a short-term (category 3) or reserve (category 4) officer serves at most in a
calendar year: four months. The default annual cap of a pledge is this times its quantity,
pooled over its units."""

OFFICER_LEAD_DAYS = 5
"""Days from a rapid intervention's decision until officers may arrive."""
EQUIPMENT_LEAD_DAYS = 10
"""Days from a rapid intervention's decision until equipment may arrive."""

PERIOD_DAYS = {"day": 1, "week": 7}

DEFAULT_TIMEZONE = "UTC"
"""The operation's time zone where ``horizon.timezone`` does not name one."""

AGENCY_COUNTRY = "EU"
"""What a contributors row of type ``agency`` has for its country: the agency is the EU's."""

DEFAULT_CHANGE_COST = 100.0
"""Cost per unit-day of a deployment that differs from the baseline plan, when re-planning."""


# --- bounds on values -----------------------------------------------------------------------
# Generous upper bounds: realistic scenarios stay orders of magnitude below them. They keep
# every value one the solver can weigh against the others (HiGHS takes costs from 1e20 for
# infinite), every date sum inside the calendar and every count exact in 64-bit integers;
# the README's scenario format lists them.

MONEY_MAX = 1e9
"""Most money per unit and day (costs, penalties) or per start: a billion."""
ARRIVALS_MAX = 1e9
"""Most arrivals forecast at one section, in one period, of one nationality."""
UNITS_MAX = 10**18
"""Most units of a pledge or a running deployment, beds of a section, or minimum presence:
exact in 64-bit integers, even summed over a few pledges."""
CAP_DAYS_MAX = 366.0 * UNITS_MAX
"""Most unit-days of an annual cap: every unit the pledge may have, every day of a year."""
GATED_UNITS_MAX = 10**9
"""Most units of a pledge of a kind the rapid reaction reserve also pledges (other than
host and contracted units): the reserve waits until such pledges are exhausted, a rule the
solver weighs with their units and caps as coefficients, which it refuses from 1e15."""
GATED_CAP_DAYS_MAX = 366.0 * GATED_UNITS_MAX
"""Most unit-days of the annual cap of such a pledge."""
RATIO_MAX = 1e3
"""Most units (or interpreters) needed per expected arrival."""
CREW_MAX = 1_000
"""Most officers needed aboard one vehicle."""
PERIODS_MAX = 520
"""Most periods in a horizon (ten years of weeks); also bounds every period number and
rotation length."""
LEAD_DAYS_MAX = 3_650
"""Most days of a rapid intervention's lead time: ten years."""
ID_MAX = 64
"""Longest id."""
NAME_MAX = 200
"""Longest name, and longest of any other short text (a contributor, a version)."""
DESCRIPTION_MAX = 10_000
"""Longest description."""

Money = Annotated[float, Field(ge=0, le=MONEY_MAX)]
Units = Annotated[int, Field(ge=0, le=UNITS_MAX)]
Presence = Annotated[float, Field(ge=0, le=UNITS_MAX)]
Ratio = Annotated[float, Field(ge=0, le=RATIO_MAX)]
PeriodNumber = Annotated[int, Field(gt=0, le=PERIODS_MAX)]
LeadDays = Annotated[int, Field(ge=0, le=LEAD_DAYS_MAX)]


def _split_list(value: Any) -> Any:
    """Read a cell such as ``"SRB-HUN; SRB-HRV"`` as a list; leave real lists alone."""
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(";") if item.strip())
    return value


def _no_repeats(items: tuple[Any, ...]) -> tuple[Any, ...]:
    """Reject a list that names the same id twice."""
    repeated = sorted({str(item) for item in items if items.count(item) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} more than once")
    return items


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Control characters (Unicode category Cc): invisible, and they break files and terminals."""
_LINE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab and line breaks, which free text may keep."""


def _control_problem(value: str, pattern: re.Pattern[str], what: str) -> str:
    """``value``, unless it holds a character ``pattern`` matches: then a plain problem."""
    found = pattern.search(value)
    if found is not None:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X} at "
                         f"position {found.start() + 1}; {what}")
    return value


def _plain_text(value: str) -> str:
    """Reject control characters (NUL, escape, tab, line breaks...) in an id or a name."""
    return _control_problem(value, _CONTROL, "ids and names are plain text on one line")


def _plain_lines(value: str) -> str:
    """Reject control characters other than tabs and line breaks in free text."""
    return _control_problem(value, _LINE_CONTROL, "free text may hold only tabs and line "
                            "breaks besides printable characters")


Identifier = Annotated[str, Field(min_length=1, max_length=ID_MAX, pattern=r"^[^;,\s]+$"),
                       AfterValidator(_plain_text)]
"""An id: no spaces, commas or semicolons, so it survives CSV cells and id lists."""

Text = Annotated[str, Field(max_length=NAME_MAX), AfterValidator(_plain_text)]
"""Short text on one line, such as a version."""
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), AfterValidator(_plain_text)]
"""A name: short text on one line, not empty."""
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX), AfterValidator(_plain_lines)]
"""Free text, which may run over several lines."""


def _country_code(code: str) -> str:
    """Accept an officially assigned ISO 3166-1 alpha-3 code, or ``EU`` for the agency."""
    if code == AGENCY_COUNTRY or code in ISO_3166_ALPHA3:
        return code
    if code.upper() == AGENCY_COUNTRY or code.upper() in ISO_3166_ALPHA3:
        raise ValueError(f"write country codes in upper case: '{code.upper()}'")
    raise ValueError(f"not an ISO 3166-1 alpha-3 country code (such as DEU), nor "
                     f"{AGENCY_COUNTRY} for the agency")


CountryCode = Annotated[
    str, AfterValidator(_country_code),
    WithJsonSchema({"type": "string", "enum": sorted({*ISO_3166_ALPHA3, AGENCY_COUNTRY})}),
]
"""A country: its ISO 3166-1 alpha-3 code in upper case (``DEU``), or ``EU`` for the agency."""


def _time_zone(name: str) -> str:
    """Accept the name of a time zone of the IANA database (``Europe/Belgrade``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # Not found, not a normalised name (``../x``), or a file of the database that is
        # no zone (``zone.tab``) or a folder (``Europe``).
        raise ValueError("not an IANA time zone name, such as Europe/Belgrade or UTC"
                         ) from None
    return name


TimeZoneName = Annotated[str, Field(min_length=1, max_length=NAME_MAX,
                                     examples=["Europe/Belgrade", "UTC"]),
                         AfterValidator(_plain_text), AfterValidator(_time_zone)]
"""The name of an IANA time zone, such as ``Europe/Belgrade`` or ``UTC``."""

IdList = Annotated[tuple[Identifier, ...], BeforeValidator(_split_list),
                   AfterValidator(_no_repeats)]
"""A list of ids; in a table cell, separated by semicolons."""

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""How a date is written: ``YYYY-MM-DD``."""


def _strict_date(value: Any) -> date:
    """A date from ISO text (``2024-01-31``) or a date cell; anything else is a problem.

    Numbers are not dates: read as seconds since 1970, ``0`` would silently become
    1970-01-01. A date-and-time is a date only at midnight, as a spreadsheet's date cell is.
    """
    if isinstance(value, datetime):
        if value.time() != time.min or value.tzinfo is not None:
            raise ValueError("expected a date, not a date and time of day")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(f"not a date of the calendar: {error}") from None
    raise ValueError("expected a date written YYYY-MM-DD, such as 2024-01-31")


Date = Annotated[date, BeforeValidator(_strict_date)]
"""A date: ISO text ``YYYY-MM-DD`` or a date cell of a workbook, nothing else."""


def _calendar_problem(start: date | None, days: int, what: str) -> None:
    """Raise if ``days`` after ``start`` falls past the last date there is (9999-12-31)."""
    if start is not None and start.toordinal() + days > date.max.toordinal():
        raise ValueError(f"{what} from {start} ends after {date.max}, the last date the "
                         "calendar has")


class Record(BaseModel):
    """Base of every schema model: unknown fields are errors and values never change."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
        populate_by_name=True,
    )


class Meta(Record):
    """What the scenario is."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    name: Name
    """Short name of the scenario."""
    operation: Name
    """The joint operation it plans, for instance ``JO Terra 2022``."""
    description: Description = ""
    """Free text: purpose, sources, caveats."""
    version: Text = "1"
    """The scenario's own version, chosen by its authors."""


class Horizon(Record):
    """The planning horizon: consecutive periods of equal length from a start date."""

    start: Date
    """First day of the first period."""
    period: Literal["day", "week"]
    """Length of one period."""
    periods: PeriodNumber
    """Number of periods."""
    timezone: TimeZoneName = DEFAULT_TIMEZONE
    """IANA time zone of the operation (such as ``Europe/Belgrade``), whose calendar days
    the dates are; ``UTC`` if not given."""

    @field_validator("periods")
    @classmethod
    def _inside_the_calendar(cls, periods: int, info: ValidationInfo) -> int:
        """The last period must end by the calendar's last date."""
        period = info.data.get("period")
        if period in PERIOD_DAYS:
            _calendar_problem(info.data.get("start"), periods * PERIOD_DAYS[period] - 1,
                              f"a horizon of {periods} {period}s")
        return periods

    @property
    def zone(self) -> ZoneInfo:
        """The operation's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def days_per_period(self) -> int:
        """Days in one period."""
        return PERIOD_DAYS[self.period]

    @property
    def end(self) -> date:
        """Last day of the last period."""
        return self.period_end(self.periods)

    def period_start(self, period: int) -> date:
        """First day of period ``period`` (periods count from 1)."""
        return self.start + timedelta(days=(period - 1) * self.days_per_period)

    def period_end(self, period: int) -> date:
        """Last day of period ``period``."""
        return self.period_start(period) + timedelta(days=self.days_per_period - 1)


class Replanning(Record):
    """How a re-plan weighs departures from the baseline plan it revises."""

    change_cost: Money = DEFAULT_CHANGE_COST
    """Cost per unit-day of a deployment that differs from the baseline plan."""


class BaselineUnits(Record):
    """A baseline's whole units of one pledge at one section in one period."""

    contribution_id: Identifier
    section_id: Identifier
    period: PeriodNumber
    quantity: Annotated[int, Field(ge=0, le=UNITS_MAX)]
    starts: Annotated[int, Field(ge=0, le=UNITS_MAX)] = 0


class BaselineCohort(Record):
    """One deployment (cohort) of a baseline, as its contract issued it."""

    deployment_id: Identifier
    contribution_id: Identifier
    section_id: Identifier
    status: Literal["running", "planned"]
    cohort: Annotated[int, Field(ge=1)]
    """Its number among the cohorts arriving with it: part of its id."""
    quantity: Annotated[int, Field(ge=1, le=UNITS_MAX)]
    first_period: PeriodNumber
    last_period: PeriodNumber


class Baseline(Record):
    """The plan a re-plan revises: kept as it is up to ``freeze_until``, priced after it.

    Not read from scenario files: ``planner run --baseline`` sets it from a recorded run,
    and it is part of the re-plan's inputs (and content hash) from then on.
    """

    run_id: Annotated[int, Field(ge=1)]
    revision: Annotated[int, Field(ge=1)] | None = None
    """The approved revision the run is, if it was chosen as one."""
    freeze_until: Date
    """Up to this day the baseline's deployments stay; its cohorts that arrived by then
    stay to their last day."""
    units: tuple[BaselineUnits, ...] = ()
    cohorts: tuple[BaselineCohort, ...] = ()


class ImpactPenalties(Record):
    """A penalty per uncovered unit and day, for each section impact level."""

    low: Money
    medium: Money
    high: Money
    critical: Money

    def at(self, level: ImpactLevel) -> float:
        """The penalty at impact level ``level``."""
        return float(getattr(self, level))


class Section(Record):
    """A border section (or crossing point) where resources can be deployed."""

    id: Identifier
    name: Name
    host_country: Name
    """The state on whose territory the section lies."""
    border_type: BorderType
    impact_level: ImpactLevel
    """Impact level at the start of the horizon; ``impact_changes`` may change it later."""
    beds: Units | None = None
    """Accommodation for deployed personnel (host-state staff excluded); empty for no limit."""
    access_from: Date | None = None
    """First day other states' units may serve here (a status agreement's start); empty for
    no limit. Host-state units are not bound by it."""
    access_to: Date | None = None
    """Last day other states' units may serve here; empty for no limit."""


class ImpactChange(Record):
    """A section's impact level changes from a period on (until its next change)."""

    section_id: Identifier
    from_period: PeriodNumber
    impact_level: ImpactLevel


class Nationality(Record):
    """A nationality of the people expected to arrive."""

    id: Identifier
    name: Name


class Language(Record):
    """A language interpretation may be needed in."""

    id: Identifier
    name: Name
    need_per_arrival: Ratio
    """Interpreters needed per expected arrival speaking this language, in one period."""
    remote_cost: Money | None = None
    """Cost per interpreter-day of remote interpretation (by phone or video) where no
    interpreter is on site; empty if there is no such fallback."""


class LanguageShare(Record):
    """Share of a nationality's arrivals best interviewed in a language; each sums to 1."""

    nationality_id: Identifier
    language_id: Identifier
    share: float = Field(ge=0, le=1)


class Arrival(Record):
    """Forecast: arrivals (detections) expected at a section in a period, by nationality."""

    section_id: Identifier
    period: PeriodNumber
    """Period number, counted from 1."""
    nationality_id: Identifier
    arrivals: Annotated[float, Field(ge=0, le=ARRIVALS_MAX)]


class Kind(Record):
    """A resource kind: an officer profile, a vehicle type or interpreters."""

    id: Identifier
    name: Name
    kind_class: KindClass = Field(alias="class")
    """``officer``, ``vehicle`` or ``interpreter``."""
    crew_kind: Identifier | None = None
    """For vehicles: the officer kind that crews it."""
    crew_size: Annotated[int, Field(ge=0, le=CREW_MAX)] = 0
    """For vehicles: officers of ``crew_kind`` needed aboard each vehicle."""


class RequirementRule(Record):
    """How the forecast turns into a need for one kind at a section and period.

    The need is the larger of the minimum presence for the section's impact level and
    ``per_arrival`` times the period's expected arrivals there.
    """

    kind_id: Identifier
    min_low: Presence = 0
    min_medium: Presence = 0
    min_high: Presence = 0
    min_critical: Presence = 0
    per_arrival: Ratio = 0
    """Units needed per expected arrival in one period."""
    border_types: Annotated[tuple[BorderType, ...], BeforeValidator(_split_list),
                            AfterValidator(_no_repeats)] = ()
    """Border types the rule applies to; empty for all."""

    def minimum(self, level: ImpactLevel) -> float:
        """The minimum presence at impact level ``level``."""
        return float(getattr(self, f"min_{level}"))


class Penalty(Record):
    """Penalty per uncovered unit of a kind and day, by the section's impact level."""

    kind_id: Identifier
    low: Money
    medium: Money
    high: Money
    critical: Money


class Contributor(Record):
    """Who pledges: a state or the agency; contributions name theirs by ``id`` or ``name``."""

    id: Identifier
    """The contributor's code, such as ``DE``."""
    name: Name
    country: CountryCode
    """ISO 3166-1 alpha-3 code of its country, in upper case (``DEU``); ``EU`` for the
    agency."""
    type: ContributorType
    """``member_state``, ``schengen_associated``, ``agency``, ``host`` or
    ``third_country``."""

    @field_validator("type")
    @classmethod
    def _agency_is_the_eus(cls, kind: ContributorType, info: ValidationInfo) -> ContributorType:
        """The agency, and only the agency, has ``EU`` for its country."""
        country = info.data.get("country")
        if country is None:
            return kind
        if kind is ContributorType.AGENCY and country != AGENCY_COUNTRY:
            raise ValueError(f"the agency's country is {AGENCY_COUNTRY}, not {country}")
        if kind is not ContributorType.AGENCY and country == AGENCY_COUNTRY:
            raise ValueError(f"only the agency has country {AGENCY_COUNTRY}; a contributor of "
                             f"type '{kind}' has its state's code")
        return kind


class Contribution(Record):
    """A pledge: units of one kind that a contributor makes available."""

    id: Identifier
    contributor: Name
    """Who pledges: a member state, the agency or the host state. With a contributors
    table, the ``id`` or ``name`` of exactly one of its rows."""
    category: Category
    """Standing-corps category 1-4, ``host`` (host-state staff and assets), ``pool``
    (technical equipment pool) or ``contract`` (contracted interpreters)."""
    kind_id: Identifier
    quantity: Units
    """Units available in each period of the availability window."""
    daily_cost: Money
    """Cost per unit and day deployed (allowances, running costs)."""
    available_from: Date | None = None
    """First day available; empty for the horizon's start."""
    available_to: Date | None = None
    """Last day available; empty for the horizon's end."""
    sections: IdList = ()
    """Sections the units may be deployed to; empty for all."""
    languages: IdList = ()
    """For interpreters: the languages they interpret."""
    deployment_length: PeriodNumber | None = None
    """Periods a unit stays once it starts (a rotation); empty for no fixed length.
    Category 2 units stay from their start to the end of the window."""
    annual_cap_days: Annotated[float, Field(ge=0, le=CAP_DAYS_MAX)] | None = None
    """Unit-days the pledge may serve in one calendar year; empty for no cap, except for
    categories 3 and 4, whose default is four months (120 days) per unit pledged."""
    start_cost: Money = 0
    """Cost of each unit's start at a section: travel, briefing, handover."""

    def annual_cap(self) -> float | None:
        """The cap in unit-days per calendar year, with the standing-corps default."""
        if self.annual_cap_days is not None:
            return self.annual_cap_days
        if self.category in (Category.SHORT_TERM, Category.RESERVE):
            return float(self.quantity * SHORT_TERM_DAYS)
        return None


class RunningDeployment(Record):
    """Units of a pledge already deployed when the horizon starts; the plan keeps them."""

    contribution_id: Identifier
    section_id: Identifier
    quantity: Annotated[int, Field(gt=0, le=UNITS_MAX)]
    until: Date
    """Last day of the deployment: the units stay in every period that starts by then."""


class RapidIntervention(Record):
    """A rapid border intervention at a section.

    The reserve (category 4) serves only at interventions, once categories 1-3 of its kind
    are exhausted there.
    """

    section_id: Identifier
    decision_date: Date
    """The day the intervention is decided; lead times count from it."""
    end_date: Date | None = None
    """Last day of the intervention; empty for the horizon's end."""
    # Defaults are checked too: ten days after a decision late enough pass the calendar.
    officer_lead_days: LeadDays = Field(OFFICER_LEAD_DAYS, validate_default=True)
    """Days until officers (and interpreters) may arrive."""
    equipment_lead_days: LeadDays = Field(EQUIPMENT_LEAD_DAYS, validate_default=True)
    """Days until vehicles may arrive."""

    @field_validator("officer_lead_days", "equipment_lead_days")
    @classmethod
    def _inside_the_calendar(cls, days: int, info: ValidationInfo) -> int:
        """The day the units may arrive must be in the calendar."""
        _calendar_problem(info.data.get("decision_date"), days, f"a lead time of {days} days")
        return days


@dataclass(frozen=True)
class TableSpec:
    """One table of a scenario: its name, its row model and whether it may be absent."""

    name: str
    row: type[Record]
    required: bool
    description: str
    key: tuple[str, ...] = ("id",)
    """The columns that name a row; none where rows are told apart only by position.
    Unique, except in running deployments, where a name covers every row that has it."""

    @property
    def columns(self) -> list[str]:
        """The table's column headers, in order."""
        return [field.alias or name for name, field in self.row.model_fields.items()]


TABLES: tuple[TableSpec, ...] = (
    TableSpec("sections", Section, True, "Border sections and crossing points."),
    TableSpec("impact_changes", ImpactChange, False, "Impact levels that change in time.",
              ("section_id", "from_period")),
    TableSpec("nationalities", Nationality, False, "Nationalities in the forecast."),
    TableSpec("languages", Language, False, "Languages and interpreter need per arrival."),
    TableSpec("language_shares", LanguageShare, False, "Languages spoken, by nationality.",
              ("nationality_id", "language_id")),
    TableSpec("forecast", Arrival, False, "Expected arrivals by section, period, nationality.",
              ("section_id", "period", "nationality_id")),
    TableSpec("kinds", Kind, True, "Officer profiles, vehicle types and interpreters."),
    TableSpec("requirement_rules", RequirementRule, False, "From forecast to needs, per kind.",
              ("kind_id",)),
    TableSpec("penalties", Penalty, False, "Cost of uncovered need, per kind and impact level.",
              ("kind_id",)),
    TableSpec("contributors", Contributor, False,
              "Who pledges: states and the agency, with their country codes."),
    TableSpec("contributions", Contribution, True, "Pledged capacity."),
    TableSpec("running_deployments", RunningDeployment, False,
              "Units already deployed when the horizon starts.",
              ("contribution_id", "section_id")),
    TableSpec("rapid_interventions", RapidIntervention, False,
              "Rapid border interventions: where and when the reserve may serve.", ()),
)
"""Every table of a scenario, in the order files and sheets are documented and written."""



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
    pledge_by_id = {contribution.id: contribution for contribution in contributions}
    section_by_id = {section.id: section for section in sections}
    running_units: dict[str, int] = defaultdict(int)
    for index, running in enumerate(tables.get("running_deployments", ())):
        problems.extend(_unknown("running_deployments", index, "contribution_id",
                                 running.contribution_id, contribution_ids, "contribution"))
        problems.extend(_unknown("running_deployments", index, "section_id", running.section_id,
                                 section_ids, "section"))
        pledge = pledge_by_id.get(running.contribution_id)
        if pledge is not None and pledge.sections and running.section_id not in pledge.sections:
            problems.append(RowProblem("running_deployments", index, "section_id",
                                       f"section '{running.section_id}' is not among the "
                                       f"sections of contribution '{pledge.id}'"))
        if horizon is not None and running.until < horizon.start:
            problems.append(RowProblem("running_deployments", index, "until",
                                       f"{running.until} is before the horizon starts "
                                       f"({horizon.start})"))
        if pledge is not None and horizon is not None:
            problems.extend(_running_problems(index, running, pledge, horizon,
                                              section_by_id.get(running.section_id)))
            running_units[pledge.id] += running.quantity
            if running_units[pledge.id] > pledge.quantity:
                problems.append(RowProblem("running_deployments", index, "quantity",
                                           f"running units of contribution '{pledge.id}' add "
                                           f"up to {running_units[pledge.id]}, more than its "
                                           f"quantity {pledge.quantity}"))

    for index, intervention in enumerate(tables.get("rapid_interventions", ())):
        problems.extend(_unknown("rapid_interventions", index, "section_id",
                                 intervention.section_id, section_ids, "section"))
        problems.extend(_in_order("rapid_interventions", index, intervention, "decision_date",
                                  "end_date"))
    return problems


def _running_problems(
    index: int, running: RunningDeployment, pledge: Contribution, horizon: Horizon,
    section: Section | None,
) -> Iterable[RowProblem]:
    """A running deployment must be one its pledge and section allow at the horizon's start."""
    # Running units stay in every period that starts by `until`: to that period's end.
    last_period = min((running.until - horizon.start).days // horizon.days_per_period + 1,
                      horizon.periods)
    stays_to = horizon.period_end(max(last_period, 1))
    yield from _window_problems(index, "contribution_id",
                                f"contribution '{pledge.id}' is available",
                                pledge.available_from, pledge.available_to, horizon.start,
                                stays_to)
    if section is not None and pledge.category is not Category.HOST:
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
    reserve_kinds = {pledge.kind_id for pledge in contributions
                     if pledge.category is Category.RESERVE}
    for index, pledge in enumerate(contributions):
        if (pledge.kind_id not in reserve_kinds
                or pledge.category in (Category.HOST, Category.CONTRACT)):
            continue
        subject = (f"the rapid reaction reserve of kind '{pledge.kind_id}' waits for this "
                   "pledge")
        if pledge.quantity > GATED_UNITS_MAX:
            yield RowProblem("contributions", index, "quantity",
                             f"{pledge.quantity} units is more than {GATED_UNITS_MAX:,}, the "
                             f"limit where {subject}")
        if pledge.annual_cap_days is not None and pledge.annual_cap_days > GATED_CAP_DAYS_MAX:
            yield RowProblem("contributions", index, "annual_cap_days",
                             f"{pledge.annual_cap_days:g} unit-days is more than "
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


class Scenario(Record):
    """A whole joint-operation scenario: settings plus one tuple of rows per table."""

    meta: Meta
    horizon: Horizon
    language_penalty: ImpactPenalties
    """Penalty per uncovered interpreter unit and day, by the section's impact level."""
    replanning: Replanning = Replanning()
    """How a re-plan weighs departures from the baseline plan it revises."""
    sections: tuple[Section, ...] = Field(min_length=1)
    impact_changes: tuple[ImpactChange, ...] = ()
    nationalities: tuple[Nationality, ...] = ()
    languages: tuple[Language, ...] = ()
    language_shares: tuple[LanguageShare, ...] = ()
    forecast: tuple[Arrival, ...] = ()
    kinds: tuple[Kind, ...] = Field(min_length=1)
    requirement_rules: tuple[RequirementRule, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    contributors: tuple[Contributor, ...] = ()
    """Who pledges; without it, a contribution's contributor is free text."""
    contributions: tuple[Contribution, ...] = Field(min_length=1)
    running_deployments: tuple[RunningDeployment, ...] = ()
    rapid_interventions: tuple[RapidIntervention, ...] = ()
    baseline: Baseline | None = None
    """A re-plan's baseline (set by ``planner run --baseline``), else ``None``."""

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        problems = reference_problems(self.horizon, self.tables())
        if self.baseline is not None:
            problems.extend(_baseline_problems(self))
        if problems:
            lines = [
                f"{problem.table}[{problem.index}]"
                + (f".{problem.field}" if problem.field else "")
                + f": {problem.message}"
                + (
                    f" (first at [{problem.first_index}])"
                    if problem.first_index is not None
                    else ""
                )
                for problem in problems
            ]
            raise ValueError("; ".join(lines))
        return self

    def tables(self) -> dict[str, tuple[Record, ...]]:
        """The scenario's tables by name."""
        return {spec.name: getattr(self, spec.name) for spec in TABLES}

    def content_hash(self) -> str:
        """A SHA-256 of the scenario's content: equal for the same scenario in any file format.

        Inputs that schema 1.0 did not have (the contributors table, ``horizon.timezone``,
        ``replanning``) count only where they differ from their defaults: a scenario that
        leaves them out keeps the hash it had, and its recorded runs still match it.
        """
        unused: dict[str, Any] = {}
        if not self.contributors:
            unused["contributors"] = True
        if self.replanning == Replanning():
            unused["replanning"] = True
        if self.horizon.timezone == DEFAULT_TIMEZONE:
            unused["horizon"] = {"timezone"}
        if self.baseline is None:
            unused["baseline"] = True
        document = self.model_dump_json(by_alias=True, exclude=unused)
        return hashlib.sha256(document.encode()).hexdigest()

    def kind(self, kind_id: str) -> Kind:
        """The kind with id ``kind_id``."""
        return next(kind for kind in self.kinds if kind.id == kind_id)

    def frozen_periods(self) -> int:
        """How many periods a re-plan freezes: those starting by the freeze date (else 0)."""
        if self.baseline is None:
            return 0
        until = self.baseline.freeze_until
        return sum(self.horizon.period_start(t) <= until
                   for t in range(1, self.horizon.periods + 1))

    def contributor_of(self, contribution: Contribution) -> Contributor | None:
        """The contributors row ``contribution`` names by id or name; ``None`` without the table."""
        return next((row for row in self.contributors
                     if contribution.contributor in (row.id, row.name)), None)


def _baseline_problems(scenario: Scenario) -> list[RowProblem]:
    """Where a re-plan's baseline names what the scenario lacks, or lies outside it."""
    baseline = scenario.baseline
    assert baseline is not None
    problems: list[RowProblem] = []
    horizon = scenario.horizon
    if not horizon.start <= baseline.freeze_until <= horizon.end:
        problems.append(RowProblem("baseline", 0, "freeze_until",
                                   f"{baseline.freeze_until} is outside the horizon "
                                   f"({horizon.start} to {horizon.end})"))
    pledges = {c.id for c in scenario.contributions}
    sections = {s.id for s in scenario.sections}
    rows: list[BaselineUnits | BaselineCohort] = [*baseline.units, *baseline.cohorts]
    for index, row in enumerate(rows):
        table = "baseline.units" if isinstance(row, BaselineUnits) else "baseline.cohorts"
        number = index if isinstance(row, BaselineUnits) else index - len(baseline.units)
        if row.contribution_id not in pledges:
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


SETTINGS_FIELDS = ("meta", "horizon", "language_penalty", "replanning")
"""The scenario's keys that are settings rather than tables."""

