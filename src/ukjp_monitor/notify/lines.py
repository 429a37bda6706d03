"""Each entry of a message in words, once, for the text and the HTML part alike.

Pure. A ``Writer`` writes in one language (``notify.language``): ``describe``
gives what a line says (flags, then labelled facts, then the link and the
id); ``summary`` gives a digest's opening sentence (the sentences about a
message as a whole are its base, ``notify.sentences``). Both templates print
these, so the two parts cannot say different things.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from ukjp_monitor.notify.alerts import Alert
from ukjp_monitor.notify.compose import Entry
from ukjp_monitor.notify.language import Language
from ukjp_monitor.notify.sentences import _N, Sentences
from ukjp_monitor.plan.calendars import WorkingDays
from ukjp_monitor.plan.history import EventKind, describe_change, describe_transition
from ukjp_monitor.plan.periods import PeriodError, parse_day, parse_period
from ukjp_monitor.plan.records import ChangeLine, TransitionLine
from ukjp_monitor.plan.status import Assessment, Milestone, Status


@dataclass(frozen=True)
class Flag:
    """A word on a line's badge row: ``now overdue`` (red), ``at risk`` (amber)."""

    text: str
    colour: str


@dataclass(frozen=True)
class Line:
    """One milestone as a message lists it."""

    title: str
    rag: str  # red, amber, green, grey: the badge's colour
    rag_word: str  # the RAG in the reader's words: the badge says it, not only its colour
    flags: tuple[Flag, ...]
    facts: tuple[tuple[str, str], ...]  # (label, text): Owner, Window, Waits on, …
    link: tuple[str, str] | None  # (label, address): Evidence or Source
    id: str


class Writer(Sentences):
    """Puts entries, alerts and digests into the words of one language."""

    def __init__(self, lang: Language, calendar: WorkingDays | None = None):
        """``calendar``: the programme's working days (``programme.calendars``),
        when lines should also count working days left."""
        super().__init__(lang)
        self.calendar = calendar

    def owner(self, m: Milestone) -> str | None:
        return (m.owner_ja if self.lang.code == "ja" else None) or m.owner

    def describe(self, entry: Entry, news: tuple[Flag, ...] = ()) -> Line:
        _, a, m = self._, entry.assessment, entry.assessment.milestone
        flags = [*news]
        if a.at_risk and not any(f.text == _("now at risk") for f in flags):
            flags.append(Flag(_("at risk"), "amber"))
        if a.slip_days > 0:
            flags.append(Flag(_("slipped %(days)s") % {"days": self.days(a.slip_days)}, "amber"))
        elif a.slip_days < 0:
            flags.append(Flag(_("pulled in %(days)s") % {"days": self.days(-a.slip_days)}, "amber"))
        facts = []
        if owner := self.owner(m):
            facts.append((_("Owner"), owner))
        facts.append((_("Window"), self.window(a)))
        facts.append((_("When"), self.when(a)))
        if entry.waits_on:
            facts.append((_("Waits on"), _("; ").join(entry.waits_on)))
        for change in entry.changes:
            facts.append((_("Changed"), self.change_words(change)))
        link = None
        if entry.link:
            evidence = a.status is Status.COMPLETED and entry.link != m.source
            link = (_("Evidence") if evidence else _("Source"), entry.link)
        return Line(
            self.title(m),
            a.rag.value,
            self.rag(a.rag.value),
            tuple(flags),
            tuple(facts),
            link,
            m.id,
        )

    def rag(self, colour: str) -> str:
        words = {"red": _N("Red"), "amber": _N("Amber"), "green": _N("Green"), "grey": _N("Grey")}
        return self._(words[colour])

    def alert_line(self, transition: TransitionLine, entry: Entry | None) -> Line:
        _, news = self._, []
        if transition.entered_alert_status:
            news.append(
                Flag(
                    _("now %(status)s") % {"status": _(transition.new_status)},
                    "red" if transition.new_status == Status.OVERDUE else "amber",
                )
            )
        if transition.became_at_risk:
            news.append(Flag(_("now at risk"), "amber"))
        # A milestone's first check has no earlier status to name: its flags
        # ("now due") say it all, and "status new → due" reads as machinery.
        change = (
            ((_("Change"), describe_transition(transition, _)),)
            if transition.old_status is not None
            else ()
        )
        if entry is None:  # no longer in the plan
            facts: tuple[tuple[str, str], ...] = (
                (_("Window"), self.period_text(transition.window_text)),
                *change,
            )
            return Line(
                transition.title,
                "grey",
                self.rag("grey"),
                tuple(news),
                facts,
                None,
                transition.milestone_id,
            )
        line = self.describe(entry, tuple(news))
        # Titled as the check recorded it, unless the reader has it in their language.
        title = self.title(entry.assessment.milestone) if self.lang.code != "en" else None
        return dataclasses.replace(
            line, title=title or transition.title, facts=(*line.facts, *change)
        )

    def alert_lines(self, alert: Alert) -> list[Line]:
        return [self.alert_line(x.transition, x.entry) for x in alert.lines]

    def window(self, a: Assessment) -> str:
        """'H2 2026', 'TBC', or 'Q1 2027 (was H2 2026)' once re-forecast."""
        m, w = a.milestone, self.words
        if not m.reforecast:
            return w.period(m.target)
        return self._("%(now)s (was %(was)s)") % {
            "now": w.period(m.forecast),
            "was": w.period(m.target),
        }

    def when(self, a: Assessment) -> str:
        """Days left or overdue, with the date they count to."""
        _, w, m, window = self._, self.words, a.milestone, a.milestone.window
        if a.status is Status.COMPLETED and m.completed_on:
            return _("completed %(day)s") % {"day": w.weekday(m.completed_on)}
        if a.status is Status.CANCELLED:
            return (
                _("cancelled %(day)s") % {"day": w.weekday(m.cancelled_on)}
                if m.cancelled_on
                else _("cancelled")
            )
        if window is None:
            return _("no date yet")
        to_end, to_start = (window.end - a.as_of).days, (window.start - a.as_of).days
        end = w.day(window.end)
        if a.status is Status.OVERDUE:
            return _("%(days)s overdue (due by %(day)s)") % {"days": self.days(-to_end), "day": end}
        if a.status is Status.DUE:
            if not to_end:
                return _("due by %(day)s, last day") % {"day": end}
            if working := self.working_days(a.as_of, window.end):
                return _("due by %(day)s, %(days)s left (%(working)s)") % {
                    "day": end,
                    "days": self.days(to_end),
                    "working": working,
                }
            return _("due by %(day)s, %(days)s left") % {"day": end, "days": self.days(to_end)}
        values = {"day": w.day(window.start), "days": self.days(to_start)}
        if working := self.working_days(a.as_of, window.start):
            return _("starts %(day)s, in %(days)s (%(working)s)") % {**values, "working": working}
        return _("starts %(day)s, in %(days)s") % values

    def working_days(self, start: date, end: date) -> str | None:
        """'24 working days' from ``start`` to ``end`` in the programme's
        calendars; None without them."""
        if self.calendar is None:
            return None
        n = self.calendar.between(start, end)
        text = self.n_("%(n)s working day", "%(n)s working days", n)
        return text % {"n": self.words.count(n)}

    def change_words(self, c: ChangeLine) -> str:
        """A change since the last digest in the audit trail's words
        (plan.history), with periods and dates as readers read them, and the
        reason given."""
        _, w = self._, self.words
        if c.kind in (EventKind.FORECAST, EventKind.REBASELINED):
            c = dataclasses.replace(c, old=self.period_text(c.old), new=self.period_text(c.new))
        elif c.kind != "status":
            new = self.day_text(c.new) if c.new else None
            if c.kind == EventKind.COMPLETED and new is None:
                new = w.day(c.on)
            c = dataclasses.replace(c, old=self.day_text(c.old) if c.old else None, new=new)
        text = _("%(change)s (recorded %(day)s)") % {
            "change": describe_change(c, _),
            "day": w.day(c.on),
        }
        if c.reason:
            text += _("; reason given: %(reason)s") % {"reason": c.reason}
        return text

    def period_text(self, text: str | None) -> str:
        """A stored period's text in words; as it is if it does not parse."""
        try:
            return self.words.period(parse_period(text))
        except PeriodError:
            return str(text)

    def day_text(self, text: str | None) -> str:
        try:
            return self.words.day(parse_day(text))
        except PeriodError:
            return str(text)
