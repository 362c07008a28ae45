"""The rows and settings a scenario is made of.

One validated record per table row or settings block, with the limits on each field.
"""

from __future__ import annotations

import re
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

from planner.scenario.countries import ISO_3166_ALPHA3

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
    """The point forecast (``planner forecast`` writes its median)."""
    arrivals_p10: Annotated[float | None, Field(ge=0, le=ARRIVALS_MAX)] = None
    """Optional band: arrivals with a 10 % chance of being fewer (at most ``arrivals``)."""
    arrivals_p90: Annotated[float | None, Field(ge=0, le=ARRIVALS_MAX)] = None
    """Optional band: arrivals with a 10 % chance of being more (at least ``arrivals``)."""

    @model_validator(mode="after")
    def _band_holds_the_point(self) -> Arrival:
        if self.arrivals_p10 is not None and self.arrivals_p10 > self.arrivals:
            raise ValueError(f"arrivals_p10 {self.arrivals_p10:g} is above arrivals "
                             f"{self.arrivals:g}")
        if self.arrivals_p90 is not None and self.arrivals_p90 < self.arrivals:
            raise ValueError(f"arrivals_p90 {self.arrivals_p90:g} is below arrivals "
                             f"{self.arrivals:g}")
        return self


class DemandScenario(Record):
    """One demand scenario of a robust plan, or one scaling of the forecast within it.

    A scenario's forecast is the ``forecast`` table with every row it matches scaled: rows
    of one ``name`` are one scenario, each multiplying the arrivals it matches (all of them
    where ``section_id``, ``nationality_id`` and the periods are empty).
    """

    name: Identifier
    probability: Annotated[float, Field(gt=0, le=1)]
    """The scenario's probability (the same on each of its rows); all sum to 1."""
    scaling: Annotated[float, Field(ge=0, le=RATIO_MAX)] = 1.0
    """What the matched arrivals are multiplied by."""
    section_id: Identifier | None = None
    nationality_id: Identifier | None = None
    from_period: PeriodNumber | None = None
    to_period: PeriodNumber | None = None


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


