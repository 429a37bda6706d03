"""The shape of the configuration files, as pydantic models.

Field-level rules live here (types, id syntax, dates, emails, cron, time
zones, text that may not carry line breaks); rules that span items
(duplicates, references, cycles) live in ``config.py``. Every model forbids
unknown keys, so a typo is an error instead of a silently ignored setting.
"""

from __future__ import annotations

import re
from datetime import date
from email.utils import parseaddr
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator

from ukjp_monitor.periods import Period, parse_day, parse_period

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_NUMERIC_WEEKDAY = re.compile(r"\d")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"{value!r} is not an id; use lowercase letters, digits and dashes")
    return value


def _one_line(value: str) -> str:
    # Titles, owners and names end up in mail headers and table cells; a line
    # break there could forge a header, so none are allowed.
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if _CONTROL.search(value):
        raise ValueError("must be one line of text, without line breaks or control characters")
    return value


def _text(value: str) -> str:
    value = value.strip()
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        raise ValueError("must not contain control characters")
    return value


def _url(value: str) -> str:
    value = _one_line(value)
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
    return parse_period(value)


Slug = Annotated[str, AfterValidator(_slug)]
OneLine = Annotated[str, AfterValidator(_one_line)]
Text = Annotated[str, AfterValidator(_text)]
Url = Annotated[str, AfterValidator(_url)]
Email = Annotated[str, AfterValidator(_email)]
Mailbox = Annotated[str, AfterValidator(_mailbox)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Cron = Annotated[str, AfterValidator(_cron)]
Target = Annotated[Period | None, PlainValidator(_period)]
Day = Annotated[date, PlainValidator(parse_day)]
LeadDays = Annotated[int, Field(ge=0, le=3660, strict=True)]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class ProgrammeSpec(Spec):
    name: OneLine
    timezone: TimeZone = "Europe/London"
    source: Url | None = None


class WorkstreamSpec(Spec):
    id: Slug
    name: OneLine


class MilestoneSpec(Spec):
    """One promise. ``forecast``, ``completed_on`` and ``cancelled`` are
    progress: applied at sync when the config's value changes."""

    id: Slug
    title: OneLine
    workstream: Slug
    target: Target = None
    owner: OneLine | None = None
    amount: OneLine | None = None
    depends_on: list[Slug] = []
    lead_days: LeadDays | None = None
    source: Url | None = None
    notes: Text | None = None
    forecast: Target = None
    completed_on: Day | None = None
    cancelled: Annotated[bool, Field(strict=True)] = False

    @property
    def states_forecast(self) -> bool:
        """True when the config says something about the forecast (even TBC)."""
        return "forecast" in self.model_fields_set


class MilestonesFile(Spec):
    programme: ProgrammeSpec
    workstreams: list[WorkstreamSpec] = Field(min_length=1)
    milestones: list[MilestoneSpec]


class SchedulesSpec(Spec):
    check: Cron = "0 7 * * mon-fri"
    digest: Cron = "0 8 * * mon"


class MailSpec(Spec):
    model_config = ConfigDict(populate_by_name=True)

    sender: Mailbox = Field(
        default="UK–Japan S&T Monitor <monitor@example.org>", alias="from"
    )
    subject_prefix: OneLine = "[UK–Japan S&T]"


def _followed(value: Any) -> str | tuple[str, ...]:
    if value == "all":
        return "all"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("workstreams must be 'all' or a list of workstream ids")
    return tuple(_slug(v) for v in value)


class RecipientSpec(Spec):
    email: Email
    name: OneLine | None = None
    workstreams: Annotated[str | tuple[str, ...], PlainValidator(_followed)] = "all"

    def follows(self, workstream: str) -> bool:
        return self.workstreams == "all" or workstream in self.workstreams


class MonitorFile(Spec):
    lead_days: LeadDays = 30
    schedules: SchedulesSpec = SchedulesSpec()
    mail: MailSpec = MailSpec()
    recipients: list[RecipientSpec] = []
