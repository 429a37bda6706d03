"""serve's digest trigger: it fires when a recipient's digest falls due.

APScheduler's cron triggers fire at one time in one zone; recipients each
have their own (``plan.sendtimes``), moved past their holidays, so the
digest job has a trigger of its own built on the same pure functions that
``health`` judges the runs by.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger

from ukjp_monitor.config.loader import Config
from ukjp_monitor.plan.sendtimes import DigestSchedule, SendTime, distinct, next_due


class SendTimesTrigger(BaseTrigger):
    """Fires at every moment a recipient's digest falls due (their
    ``send_at`` in their zone, moved past their holidays), and at no other."""

    def __init__(self, times: Iterable[SendTime]):
        self.times = distinct(times)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        after = previous_fire_time + timedelta(microseconds=1) if previous_fire_time else now
        return next_due(self.times, after)


def describe_schedule(config: Config, kind: str) -> str:
    """The schedule as serve prints it: the cron, and any send times besides."""
    text = getattr(config.monitor.schedules, kind)
    if kind != "digest":
        return text
    default = DigestSchedule.from_cron(text).at, config.programme.timezone, None
    others = [
        t.described
        for t in distinct(config.monitor.send_times(config.programme.timezone).values())
        if (t.at, t.zone, t.calendar) != default
    ]
    return "; ".join([text, *others])
