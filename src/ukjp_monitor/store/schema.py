"""The database schema as SQLAlchemy Core tables.

The schema itself is owned by the Alembic migrations in ``migrations/``;
these tables must match them (a test compares the two). Every query is
written in Core against these tables, with no ORM: importing
``sqlalchemy.orm`` and mapping classes would cost the query path ~60 ms
for objects nothing uses. Nothing is ever deleted: a milestone that leaves
the config is *retired*, and every change, progress report, status
transition and delivery is a row of ``events``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """An instant: stored in UTC, always read back as an aware UTC datetime.

    PostgreSQL keeps ``timestamptz`` as an instant but hands it back in the
    session's time zone; SQLite has no time zone at all, so SQLAlchemy would
    store an aware value's wall-clock digits and drop its offset (10:00+09:00
    and 10:00Z alike as "10:00") and read back a naive datetime. Converting on
    the way in and out gives both backends one behaviour. A naive datetime is
    refused rather than guessed at: every "now" comes from the aware clock.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime ({value}) cannot be stored as an instant")
        value = value.astimezone(UTC)
        # SQLite stores the digits: the UTC ones, without an offset, as before.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


ID = String(100)
SERIAL = BigInteger().with_variant(Integer, "sqlite")
WHEN = UtcDateTime()

metadata = MetaData()


def _serial() -> Column:
    return Column("id", SERIAL, primary_key=True, autoincrement=True)


programme = Table(
    "programme",
    metadata,
    Column("id", Integer, primary_key=True),  # the one programme: a single row, id 1
    Column("name", String(300), nullable=False),
    Column("name_ja", String(300)),
    Column("timezone", String(64), nullable=False),
    # programme.calendars, comma-separated ("GB-ENG,JP"); none: calendar days only.
    Column("calendars", String(100)),
    Column("source", String(2000)),
    Column("lead_days", Integer, nullable=False),
    Column("synced_at", WHEN, nullable=False),
    # Kept here so that ``status`` and ``health`` can tell whether a scheduled
    # run is overdue without reading the configuration.
    Column("check_schedule", String(100)),
    Column("digest_schedule", String(100)),
    # The recipients' distinct digest send times ("08:00 Asia/Tokyo JP; …").
    Column("digest_times", Text),
    # The configuration files as of the last sync (``config.fingerprint``):
    # while they are unchanged, a sync could change nothing and is skipped.
    Column("config_sha256", String(64)),
)

workstreams = Table(
    "workstreams",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("name_ja", String(300)),
    Column("position", Integer, nullable=False),
    Column("retired_at", WHEN),
)

# A promise and where it has got to. ``target_*`` is the baseline as
# announced; ``forecast_*`` is the current expectation when ``reforecast`` is
# true (a forecast may itself be TBC). ``cfg_*`` remember what the config last
# said about progress, so that a re-sync of unchanged config leaves progress
# recorded with the CLI alone. ``checked_*`` is the state the last ``check``
# saw; a transition is recorded when it moves.
milestones = Table(
    "milestones",
    metadata,
    Column("id", ID, primary_key=True),
    Column("title", String(500), nullable=False),
    Column("workstream_id", ForeignKey("workstreams.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("owner", String(500)),
    Column("amount", String(200)),
    Column("source", String(2000)),
    Column("notes", Text),
    # Japanese readers' title, owner and notes (DESIGN §14); none: the English.
    Column("title_ja", String(500)),
    Column("owner_ja", String(500)),
    Column("notes_ja", Text),
    Column("lead_days", Integer, nullable=False),
    Column("target_text", String(40)),
    Column("target_start", Date),
    Column("target_end", Date),
    Column("reforecast", Boolean, nullable=False, default=False),
    Column("forecast_text", String(40)),
    Column("forecast_start", Date),
    Column("forecast_end", Date),
    Column("completed_on", Date),
    Column("cancelled_on", Date),
    Column("cfg_forecast", String(40)),
    Column("cfg_completed_on", Date),
    Column("cfg_cancelled", Boolean, nullable=False, default=False),
    Column("retired_at", WHEN),
    Column("checked_status", String(20)),
    Column("checked_at_risk", Boolean),
    Column("checked_on", Date),
)

dependencies = Table(
    "dependencies",
    metadata,
    Column("milestone_id", ForeignKey("milestones.id"), primary_key=True),
    Column("depends_on_id", ForeignKey("milestones.id"), primary_key=True),
)

# One line of the audit trail: what happened, when, by whom, and details.
# ``kind`` is one of the ``EventKind`` values in ``history.py``; ``details``
# holds the kind's own fields (old and new values, evidence, reason).
events = Table(
    "events",
    metadata,
    _serial(),
    Column("at", WHEN, nullable=False),
    Column("milestone_id", ID),
    Column("kind", String(40), nullable=False),
    Column("actor", String(200)),
    Column("details", JSON, nullable=False, default=dict),
    Index("ix_events_milestone_at", "milestone_id", "at"),
)

# A milestone's status (or risk) changed between two checks. Recorded once:
# the checker locks the programme row, updates ``milestones.checked_*`` and
# records the row in one transaction (two checkers at once never both do).
# ``check_id`` numbers the checks that recorded something (1, 2, …): an
# alert is about one check's transitions.
transitions = Table(
    "transitions",
    metadata,
    _serial(),
    Column("check_id", Integer, nullable=False),
    Column("milestone_id", ForeignKey("milestones.id"), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("recorded_at", WHEN, nullable=False),
    Column("old_status", String(20)),
    Column("new_status", String(20), nullable=False),
    Column("old_at_risk", Boolean),
    Column("new_at_risk", Boolean, nullable=False),
    Column("window_text", String(40)),
    Index("ix_transitions_recorded_at", "recorded_at"),
    Index("ix_transitions_check_id", "check_id"),
)

# The ledger: one row per message, claimed before sending and marked after.
# ``dedupe_key`` is ``check:ID`` for a recipient's alert about one check's
# transitions (``check_id``; which of them are the recipient's is worked out
# at send time) or ``digest:WEEK`` for a weekly digest; the unique constraint
# is what makes a second claim (another process, a retry, a catch-up run) a
# no-op. ``message_id`` is given at the claim, so a resend after a crash
# reuses it and mail clients drop the duplicate.
deliveries = Table(
    "deliveries",
    metadata,
    _serial(),
    Column("kind", String(10), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("dedupe_key", String(120), nullable=False),
    Column("check_id", Integer),
    Column("week", String(10)),
    Column("as_of", Date, nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(200)),
    Column("claimed_at", WHEN),
    Column("sent_at", WHEN),
    Column("subject", String(500)),
    Column("error", String(1000)),
    UniqueConstraint("recipient", "dedupe_key", name="uq_deliveries_recipient_key"),
    Index("ix_deliveries_state", "state"),
    Index("ix_deliveries_message_id", "message_id"),
)

# One check or digest run, however started (CLI, flow, ``serve``).
# ``outcome`` is ``running`` until the run ends, then ``completed`` or
# ``failed``; a ``running`` row whose process died stays so, and health
# judges by the last run that ended.
runs = Table(
    "runs",
    metadata,
    _serial(),
    Column("kind", String(10), nullable=False),
    Column("started_at", WHEN, nullable=False),
    Column("finished_at", WHEN),
    Column("outcome", String(10), nullable=False),
    Column("as_of", Date),
    Column("trigger", String(20)),
    Column("counts", JSON, nullable=False, default=dict),
    Column("error", String(1000)),
    Index("ix_runs_kind_started", "kind", "started_at"),
)
