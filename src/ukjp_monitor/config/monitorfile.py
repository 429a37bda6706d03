"""The shape of monitor.yaml: schedules, mail, the status page's address,
and who is told (recipients and chat channels), as pydantic models.

Field rules shared with milestones.yaml (ids, emails, time zones, cron,
one-line text) come from ``specs``; recipients and channels validate
straight into ``plan.records``' own dataclasses.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, fields
from datetime import time
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetPydanticSchema,
    PlainValidator,
)
from pydantic_core import core_schema

from ukjp_monitor.config.channels import channel_url
from ukjp_monitor.config.specs import (
    CalendarCode,
    Cron,
    Email,
    LeadDays,
    Mailbox,
    Marking,
    Name,
    OneLine,
    QuietDigest,
    Slug,
    Spec,
    TimeZone,
    Url,
    _one_line,
    _slug,
)
from ukjp_monitor.config.wording import written
from ukjp_monitor.plan.records import Channel, Recipient
from ukjp_monitor.plan.sendtimes import DigestSchedule, SendTime

_CLOCK_TIME = re.compile(r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$")


def _digest_cron(value: str) -> str:
    DigestSchedule.from_cron(value)
    return value


def _send_at(value: Any) -> time:
    if not isinstance(value, str) or not _CLOCK_TIME.match(value.strip()):
        raise ValueError(f'{written(value)} is not a time of day; use HH:MM, such as "08:00"')
    hour, minute = value.strip().split(":")
    return time(int(hour), int(minute))


SendAt = Annotated[time, PlainValidator(_send_at)]


class SchedulesSpec(Spec):
    check: Cron = "0 7 * * mon-fri"
    #: The day of the weekly digest and its default time: each recipient's
    #: ``send_at`` (in their ``timezone``) takes the place of the time.
    digest: Annotated[Cron, AfterValidator(_digest_cron)] = "0 8 * * mon"


class MailSpec(Spec):
    model_config = ConfigDict(populate_by_name=True)

    sender: Mailbox = Field(default="UK–Japan S&T Monitor <monitor@example.org>", alias="from")
    subject_prefix: OneLine = "[UK–Japan S&T]"
    #: A protective marking such as OFFICIAL: it leads the subject and stands
    #: at the top and the foot of every message.
    marking: Marking | None = None
    #: A week with nothing to report: ``send`` a short digest saying so (which
    #: also shows the monitor is alive), or ``skip`` it.
    quiet_digest: QuietDigest = "send"


class WebSpec(Spec):
    #: Where the status page (``ukjp-monitor web``) is published, e.g.
    #: ``https://status.example.org``: messages link each milestone to its
    #: page and each counted remainder to the filtered overview.
    base_url: Annotated[Url, AfterValidator(lambda url: url.rstrip("/"))] | None = None


def _followed(value: Any) -> str | tuple[str, ...]:
    if value == "all":
        return "all"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be 'all' or a list of workstream ids")
    return tuple(_slug(v) for v in value)


Followed = Annotated[str | tuple[str, ...], PlainValidator(_followed)]


def _owners(value: Any) -> tuple[str, ...]:
    # Matched exactly as milestones.yaml writes an owner (stripped, as it is).
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a non-empty list of owner names, as milestones.yaml gives them")
    return tuple(_one_line(v) for v in value)


Owners = Annotated[tuple[str, ...], PlainValidator(_owners)]
#: The language a recipient's messages are written in (DESIGN §14).
MessageLanguage = Literal["en", "ja"]


def _only_owners(data: Any) -> Any:
    # A recipient (or channel) who names owners and no workstreams follows
    # just those owners.
    if isinstance(data, dict) and "owners" in data and "workstreams" not in data:
        return {**data, "workstreams": []}
    return data


def _record_schema(record: type, rules: dict[str, Any]) -> Any:
    """A schema validating a plain frozen dataclass of ``plan.records``
    field by field with ``rules``: a valid item is the record itself,
    unknown keys refused, and each mistake reported at its key."""

    def schema(source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        arguments = []
        for f in fields(record):
            field_schema = handler.generate_schema(rules[f.name])
            if f.default is not MISSING:
                field_schema = core_schema.with_default_schema(field_schema, default=f.default)
            arguments.append(core_schema.dataclass_field(f.name, field_schema))
        validated = core_schema.dataclass_schema(
            record,
            core_schema.dataclass_args_schema(record.__name__, arguments, extra_behavior="forbid"),
            [f.name for f in fields(record)],
            frozen=True,
        )
        return core_schema.no_info_before_validator_function(_only_owners, validated)

    return GetPydanticSchema(schema)


#: A recipient as monitor.yaml gives one; it validates into ``Recipient`` itself.
RecipientSpec = Annotated[
    Recipient,
    _record_schema(
        Recipient,
        {
            "email": Email,
            "name": Name | None,
            "workstreams": Followed,
            "owners": Owners,
            "language": MessageLanguage,
            "timezone": TimeZone | None,
            "send_at": SendAt | None,
            "calendar": CalendarCode | None,
        },
    ),
]

#: A chat channel as monitor.yaml gives one; it validates into ``Channel`` itself.
ChannelSpec = Annotated[
    Channel,
    _record_schema(
        Channel,
        {
            "name": Slug,
            "url": Annotated[
                str, AfterValidator(partial(_one_line, limit=2000)), AfterValidator(channel_url)
            ],
            "workstreams": Followed,
            "owners": Owners,
            "language": MessageLanguage,
        },
    ),
]


class MonitorFile(Spec):
    lead_days: LeadDays = 30
    schedules: SchedulesSpec = SchedulesSpec()
    mail: MailSpec = MailSpec()
    web: WebSpec = WebSpec()
    recipients: list[RecipientSpec] = Field(default_factory=list)
    channels: list[ChannelSpec] = Field(default_factory=list)

    def send_times(self, programme_zone: str) -> dict[str, SendTime]:
        """Each recipient's digest send time, by address (DESIGN §14)."""
        schedule = DigestSchedule.from_cron(self.schedules.digest)
        return {r.email: r.send_time(schedule, programme_zone) for r in self.recipients}
