"""The database schema as SQLAlchemy 2 typed models.

The schema itself is owned by the Alembic migrations in ``migrations/``;
these classes must match them (a test compares the two). Nothing is ever
deleted: a milestone that leaves the config is *retired*, and every change,
progress report, status transition and delivery is an ``Event`` row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(100)
SERIAL = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class Programme(Base):
    """The one programme this database tracks (a single row, id 1)."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(2000))
    lead_days: Mapped[int] = mapped_column(Integer)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Kept here so that ``status`` and ``health`` can tell whether a scheduled
    # run is overdue without reading the configuration.
    check_schedule: Mapped[str | None] = mapped_column(String(100))
    digest_schedule: Mapped[str | None] = mapped_column(String(100))


class Workstream(Base):
    __tablename__ = "workstreams"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Milestone(Base):
    """A promise and where it has got to.

    ``target_*`` is the baseline as announced; ``forecast_*`` is the current
    expectation when ``reforecast`` is true (a forecast may itself be TBC).
    ``cfg_*`` remember what the config last said about progress, so that a
    re-sync of unchanged config leaves progress recorded with the CLI alone.
    """

    __tablename__ = "milestones"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    workstream_id: Mapped[str] = mapped_column(ForeignKey("workstreams.id"))
    position: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str | None] = mapped_column(String(500))
    amount: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(2000))
    notes: Mapped[str | None] = mapped_column(Text)
    lead_days: Mapped[int] = mapped_column(Integer)
    target_text: Mapped[str | None] = mapped_column(String(40))
    target_start: Mapped[date | None]
    target_end: Mapped[date | None]
    reforecast: Mapped[bool] = mapped_column(default=False)
    forecast_text: Mapped[str | None] = mapped_column(String(40))
    forecast_start: Mapped[date | None]
    forecast_end: Mapped[date | None]
    completed_on: Mapped[date | None]
    cancelled_on: Mapped[date | None]
    cfg_forecast: Mapped[str | None] = mapped_column(String(40))
    cfg_completed_on: Mapped[date | None]
    cfg_cancelled: Mapped[bool] = mapped_column(default=False)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The state the last ``check`` saw; a transition is recorded when it moves.
    checked_status: Mapped[str | None] = mapped_column(String(20))
    checked_at_risk: Mapped[bool | None]
    checked_on: Mapped[date | None]


class Dependency(Base):
    __tablename__ = "dependencies"

    milestone_id: Mapped[str] = mapped_column(ForeignKey("milestones.id"), primary_key=True)
    depends_on_id: Mapped[str] = mapped_column(ForeignKey("milestones.id"), primary_key=True)


class Event(Base):
    """One line of the audit trail: what happened, when, by whom, and details.

    ``kind`` is one of the ``EventKind`` values in ``history.py``; ``details``
    holds the kind's own fields (old and new values, evidence, reason).
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_milestone_at", "milestone_id", "at"),)

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    milestone_id: Mapped[str | None] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Transition(Base):
    """A milestone's status (or risk) changed between two checks.

    Recorded once: the checker updates ``milestones.checked_*`` with a
    conditional UPDATE first, and only the process whose update matched
    records the row (two checkers at once never both record it).
    """

    __tablename__ = "transitions"
    __table_args__ = (Index("ix_transitions_recorded_at", "recorded_at"),)

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    milestone_id: Mapped[str] = mapped_column(ForeignKey("milestones.id"))
    as_of: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    old_at_risk: Mapped[bool | None]
    new_at_risk: Mapped[bool]
    window_text: Mapped[str | None] = mapped_column(String(40))


class Delivery(Base):
    """The ledger: one row per (recipient, thing to tell them), claimed
    before sending and marked after.

    ``dedupe_key`` is ``transition:ID`` for an alert line or ``digest:WEEK``
    for a weekly digest; the unique constraint is what makes a second claim
    (another process, a retry, a catch-up run) a no-op. Rows sent together
    share ``message_id``, which a resend after a crash reuses so mail
    clients drop the duplicate.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("recipient", "dedupe_key", name="uq_deliveries_recipient_key"),
        Index("ix_deliveries_state", "state"),
        Index("ix_deliveries_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(320))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    transition_id: Mapped[int | None] = mapped_column(ForeignKey("transitions.id"))
    week: Mapped[str | None] = mapped_column(String(10))
    as_of: Mapped[date]
    message_id: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    subject: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(1000))


class Run(Base):
    """One check or digest run, however started (CLI, flow, ``serve``).

    ``outcome`` is ``running`` until the run ends, then ``completed`` or
    ``failed``; a ``running`` row whose process died stays so, and health
    judges by the last run that ended.
    """

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_kind_started", "kind", "started_at"),)

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(10))
    as_of: Mapped[date | None]
    trigger: Mapped[str | None] = mapped_column(String(20))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(String(1000))
