"""The audit events a sync records: kept until a chunk's worth is ready, then
written in bulk (``bulk.insert_rows``), and counted by kind for the sync's
``SyncReport``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.store import bulk
from ukjp_monitor.store.schema import events


class Audit:
    """The events a sync records, written in bulk a chunk at a time."""

    def __init__(self, conn: Connection, now: datetime, actor: str | None):
        self.conn, self.now, self.actor = conn, now, actor
        self.pending: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()

    def record(self, kind: EventKind, milestone_id: str | None, **details: Any) -> None:
        name = kind.value
        self.counts[name] += 1
        self.pending.append(
            {
                "at": self.now,
                "milestone_id": milestone_id,
                "kind": name,
                "actor": self.actor,
                "details": details,
            }
        )

    def flush(self, *, unless_under: int = 0) -> None:
        if self.pending and len(self.pending) >= unless_under:
            bulk.insert_rows(self.conn, events, self.pending)
            self.pending = []
