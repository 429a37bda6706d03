"""The use cases tell the meter they are given what they count (jobs/meter.py);
by default they are given one that shows nothing."""

from contextlib import contextmanager
from datetime import date

from ukjp_monitor.jobs.meter import silent
from ukjp_monitor.jobs.monitor import Monitor

AS_OF = date(2026, 11, 24)


class Recording:
    """A meter that keeps each piece of work: its label, total and what was advanced."""

    def __init__(self):
        self.work: list[list] = []

    @contextmanager
    def __call__(self, label, total):
        entry = [label, total, 0]
        self.work.append(entry)

        def advance(n):
            entry[2] += n

        yield advance

    def counted(self) -> dict[str, tuple]:
        return {label: (total, done) for label, total, done in self.work}


def test_a_monitor_shows_nothing_unless_given_a_meter(settings):
    assert Monitor(settings).meter is silent


def test_sync_reports_reading_then_every_milestone_written(settings):
    meter = Recording()
    Monitor(settings, meter=meter).sync()
    assert meter.counted() == {
        "reading the configuration": (None, 0),
        "syncing milestones": (8, 8),
    }


def test_check_reports_its_steps_and_every_alert_sent(settings):
    meter = Recording()
    monitor = Monitor(settings, meter=meter)
    monitor.sync()
    report = monitor.check(as_of=AS_OF)
    counted = meter.counted()
    assert counted["assessing milestones"] == (None, 0)
    assert counted["recording transitions"] == (None, 0)
    sent = report.alerts.counts()["sent"]
    assert sent > 0 and counted["sending alerts"] == (sent, sent)


def test_a_calendar_export_counts_every_milestone(settings):
    meter = Recording()
    monitor = Monitor(settings, meter=meter)
    monitor.sync()
    monitor.export("ics", as_of=AS_OF)
    assert meter.counted()["exporting calendar events"] == (8, 8)
