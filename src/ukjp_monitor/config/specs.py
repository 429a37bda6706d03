"""The shape of the configuration files, as pydantic models, and
``ConfiguredMilestone``, the compact pydantic dataclass a milestone is
validated into.

Field-level rules live here (types, id syntax, dates, emails, cron, time
zones, text that may not carry line breaks); rules that span items
(duplicates, references, cycles) live in ``loader``. Every model forbids
unknown keys, so a typo is an error instead of a silently ignored setting.
Text limits are the database's column sizes, so whatever validates can be
stored on PostgreSQL too. ``wording`` turns pydantic's errors into the
plain sentences the command line prints.
"""

from __future__ import annotations

import re
from datetime import date
from email.utils import parseaddr
from functools import partial
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass

from ukjp_monitor.config.wording import written
from ukjp_monitor.plan.periods import ACCEPTED_FORMS, Period, parse_day, parse_period

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# C0 and C1 controls (NEL, U+0085, is a line break to str.splitlines) and the
# Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NUMERIC_WEEKDAY = re.compile(r"\d")
#: The longest id the database keeps (``schema.ID``).
ID_LENGTH = 100
MAX_LEAD_DAYS = 3660


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"{value!r} is not an id; use lowercase letters, digits and dashes")
    if len(value) > ID_LENGTH:
        raise ValueError(f"is {len(value)} characters long; an id may have at most {ID_LENGTH}")
    return value


def _one_line(value: str, limit: int = 500) -> str:
    # Titles, owners and names end up in mail headers and table cells; a line
    # break there could forge a header, so none are allowed.
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    # Printable text has none of them (the test is quicker than the search).
    if not value.isprintable() and _CONTROL.search(value):
        raise ValueError("must be one line of text, without line breaks or control characters")
    # The limits are the database's column sizes; PostgreSQL refuses longer text.
    if len(value) > limit:
        raise ValueError(f"is {len(value)} characters long; at most {limit} are allowed")
    return value


def _text(value: str) -> str:
    value = value.strip()
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        raise ValueError("must not contain control characters")
    return value


def _url(value: str) -> str:
    value = _one_line(value, 2000)
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"{value!r} is not a web address; use http:// or https://")
    return value


def _email(value: str) -> str:
    try:
        return validate_email(_one_line(value), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not an email address ({exc})") from None


def _mailbox(value: str) -> str:
    """``Name <address>`` or a bare address; the address must be valid."""
    value = _one_line(value)
    _, address = parseaddr(value)
    if not address:
        raise ValueError(f"{value!r} is not an email address or 'Name <address>'")
    _email(address)
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not a time zone; use an IANA name such as Europe/London or Asia/Tokyo"
        ) from None
    return value


def _cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    fields = value.split()
    if len(fields) != 5:
        raise ValueError(
            f"{value!r} is not a cron expression; use five fields: minute hour day month weekday"
        )
    if _NUMERIC_WEEKDAY.search(fields[4]):
        # Cron counts Sunday as 0, APScheduler counts Monday as 0: names
        # mean the same day in both.
        raise ValueError(f"{value!r} numbers the weekday; use day names such as mon-fri")
    try:
        CronTrigger.from_crontab(value, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a cron expression ({exc})") from None
    return value


def _period(value: Any) -> Period | None:
    # The period parser writes out what it was given; a list or mapping is
    # named by its kind instead (``wording.written``).
    if isinstance(value, str):  # as nearly every target is
        return parse_period(value)
    if isinstance(value, list):
        raise ValueError(f"a list is not a period; use {ACCEPTED_FORMS}")
    if isinstance(value, dict):
        for bound in ("from", "to"):
            if bound in value:
                _day(value[bound])
    return parse_period(value)


def _day(value: Any) -> date:
    if isinstance(value, list | dict):
        raise ValueError(f"{written(value)} is not a date; use YYYY-MM-DD")
    return parse_day(value)


def _lead_days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LEAD_DAYS:
        raise ValueError(
            f"{written(value)} is not a lead time; "
            f"use a whole number of days from 0 to {MAX_LEAD_DAYS}"
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]
# OneLine checks each milestone's title and owner: _one_line is called bare
# (its default limit), as a partial with a keyword costs more than the check.
#: Text on one line of at most so many characters.
OneLine = Annotated[str, AfterValidator(_one_line)]
Name = Annotated[str, AfterValidator(partial(_one_line, limit=300))]
Amount = Annotated[str, AfterValidator(partial(_one_line, limit=200))]
Text = Annotated[str, AfterValidator(_text)]
Url = Annotated[str, AfterValidator(_url)]
Email = Annotated[str, AfterValidator(_email)]
Mailbox = Annotated[str, AfterValidator(_mailbox)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Cron = Annotated[str, AfterValidator(_cron)]
Marking = Annotated[str, AfterValidator(partial(_one_line, limit=60))]
QUIET_DIGEST = ("send", "skip")


def _quiet_digest(value: Any) -> str:
    if value not in QUIET_DIGEST:
        raise ValueError(f"{written(value)} is not a choice; use send or skip")
    return str(value)


QuietDigest = Annotated[str, PlainValidator(_quiet_digest)]
Target = Annotated[Period | None, PlainValidator(_period)]
#: The default of ConfiguredMilestone.forecast until ``__post_init__`` tells
#: a forecast not given from one given as TBC; never seen outside.
_UNSTATED: Any = object()
Day = Annotated[date, PlainValidator(_day)]
LeadDays = Annotated[int, PlainValidator(_lead_days)]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


#: A public-holiday calendar (``plan.calendars``).
CalendarCode = Literal["GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR", "JP"]


class ProgrammeSpec(Spec):
    name: Name
    name_ja: Name | None = None  # the name in Japanese messages
    timezone: TimeZone = "Europe/London"
    source: Url | None = None
    #: Public-holiday calendars: with them, status and messages also count
    #: working days left (a working day in every one listed).
    calendars: tuple[CalendarCode, ...] = ()


class WorkstreamSpec(Spec):
    id: Slug
    name: Name
    name_ja: Name | None = None


@pydantic_dataclass(
    frozen=True, slots=True, config=ConfigDict(extra="forbid", arbitrary_types_allowed=True)
)
class ConfiguredMilestone:
    """One promise, validated straight into a compact object: frozen and
    slotted, a quarter of the memory of a pydantic model, which carries a
    dict and the set of keys given (a funder's file holds 100,000
    milestones). ``forecast``, ``completed_on`` and ``cancelled`` are
    progress: applied at sync when the config's value changes."""

    id: Slug
    title: OneLine
    workstream: Slug
    target: Target = None
    owner: OneLine | None = None
    amount: Amount | None = None
    depends_on: tuple[Slug, ...] = ()
    lead_days: LeadDays | None = None
    source: Url | None = None
    notes: Text | None = None
    #: The same in Japanese, for Japanese readers; each falls back to the English.
    title_ja: OneLine | None = None
    owner_ja: OneLine | None = None
    notes_ja: Text | None = None
    forecast: Target = _UNSTATED
    completed_on: Day | None = None
    cancelled: Annotated[bool, Field(strict=True)] = False
    #: True when the config says something about the forecast (even TBC);
    #: not a key of the file.
    states_forecast: bool = Field(default=False, init=False)

    def __post_init__(self) -> None:
        # A forecast not given keeps the marker default (defaults are not
        # validated); any given value, TBC included, has been parsed.
        if self.forecast is _UNSTATED:
            object.__setattr__(self, "forecast", None)
        else:
            object.__setattr__(self, "states_forecast", True)
