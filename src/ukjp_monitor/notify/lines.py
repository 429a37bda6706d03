"""Each entry of a message in words, once, for the text and the HTML part alike.

Pure. A ``Writer`` writes in one language (``notify.language``): ``describe``
gives what a line says (flags, then labelled facts, then the link and the
id); ``summary`` gives a digest's opening sentence. Both templates print
these, so the two parts cannot say different things.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ukjp_monitor.notify.alerts import Alert
from ukjp_monitor.notify.compose import Digest, Entry
from ukjp_monitor.notify.language import Language
from ukjp_monitor.plan.calendars import WorkingDays
from ukjp_monitor.plan.history import EventKind, describe_change, describe_transition
from ukjp_monitor.plan.periods import PeriodError, parse_day, parse_period
from ukjp_monitor.plan.records import Audience, ChangeLine, TransitionLine
from ukjp_monitor.plan.status import Assessment, Milestone, Status

#: How many milestones the summary sentence names before counting the rest.
SUMMARY_NAMES = 3


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


def _N(message: str) -> str:
    """Marks a phrase for the catalogue; ``Writer`` translates it where it is used."""
    return message


#: What a counted remainder says, by the section (or "changes" in an alert).
_MORE = {
    "overdue": _N("…and %(n)s more overdue, not listed to keep this email short."),
    "due": _N("…and %(n)s more due, not listed to keep this email short."),
    "at risk": _N("…and %(n)s more at risk, not listed to keep this email short."),
    "slipped": _N("…and %(n)s more slipped, not listed to keep this email short."),
    "approaching": _N("…and %(n)s more approaching, not listed to keep this email short."),
    "changed": _N("…and %(n)s more changed, not listed to keep this email short."),
    "unscheduled": _N("…and %(n)s more unscheduled, not listed to keep this email short."),
    "completed": _N("…and %(n)s more completed, not listed to keep this email short."),
    "changes": _N("…and %(n)s more changes, not listed to keep this email short."),
}


#: Words the templates and ``headline`` look up by their English: section
#: headings (notify.compose.SECTIONS) and the names of counts.
CATALOGUED = (
    _N("Overdue"),
    _N("Due"),
    _N("At risk"),
    _N("Slipped"),
    _N("Approaching"),
    _N("Other changes"),
    _N("Unscheduled"),
    _N("Recently completed"),
    _N("at risk"),
)


class Writer:
    """Puts entries, alerts and digests into the words of one language."""

    def __init__(self, lang: Language, calendar: WorkingDays | None = None):
        """``calendar``: the programme's working days (``programme.calendars``),
        when lines should also count working days left."""
        self.lang, self.words, self.calendar = lang, lang.words, calendar
        self._, self.n_ = lang.gettext, lang.ngettext

    def days(self, n: int) -> str:
        return self.words.days(n)

    def title(self, m: Milestone) -> str:
        """The milestone's title in the reader's language, else as written."""
        return (m.title_ja if self.lang.code == "ja" else None) or m.title

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

    def following(self, audience: Audience, names: Mapping[str, str]) -> str:
        """What a recipient follows, in words, for a message's foot: "all
        workstreams", "the Life Sciences workstream", "milestones owned by X"."""
        _, n_, w = self._, self.n_, self.words
        if audience.everything:
            return _("all workstreams")
        parts = []
        if audience.workstreams:
            titles = [names.get(ws, ws) for ws in audience.workstreams]
            noun = n_("the %(names)s workstream", "the %(names)s workstreams", len(titles))
            parts.append(noun % {"names": w.listing(titles)})
        if audience.owners:
            owners = w.listing(list(audience.owners), "or")
            parts.append(_("milestones owned by %(owners)s") % {"owners": owners})
        return _(", and ").join(parts) if parts else _("nothing")

    def more(self, omitted: int, noun: str) -> str:
        """'…and 3,827 more overdue, not listed to keep this email short.'"""
        return self._(_MORE[noun]) % {"n": self.words.count(omitted)}

    def headline(self, counts: Mapping[str, int]) -> str:
        """'1 overdue, 2 due, 1 at risk': the non-zero counts in urgency order."""
        _, w = self._, self.words
        parts = [
            _("%(n)s %(what)s") % {"n": w.count(n), "what": _(name)}
            for name, n in counts.items()
            if n
        ]
        return _(", ").join(parts) if parts else _("nothing needs attention")

    def summary(self, digest: Digest) -> str:
        """The digest's first sentence, in plain words."""
        _, n_, w = self._, self.n_, self.words
        urgent = [*digest.overdue, *digest.due, *digest.at_risk]
        total = digest.overdue.total + digest.due.total + digest.at_risk.total
        if total:
            phrases = [self._phrase(e) for e in urgent[:SUMMARY_NAMES]]
            if total > len(phrases):
                phrases.append(_("and %(n)s more") % {"n": w.count(total - len(phrases))})
            head = n_("%(n)s milestone needs attention", "%(n)s milestones need attention", total)
            return _("%(head)s: %(list)s.") % {
                "head": head % {"n": w.count(total)},
                "list": self.lang.pgettext("summary", "; ").join(phrases),
            }
        others = [
            (
                digest.slipped.total,
                n_("%(n)s milestone slipped", "%(n)s milestones slipped", digest.slipped.total),
            ),
            (
                digest.approaching.total,
                n_(
                    "%(n)s milestone approaching",
                    "%(n)s milestones approaching",
                    digest.approaching.total,
                ),
            ),
            (
                digest.changed.total,
                n_("%(n)s milestone changed", "%(n)s milestones changed", digest.changed.total),
            ),
        ]
        listed = [text % {"n": w.count(n)} for n, text in others if n]
        if listed:
            return _("Nothing is overdue, due or at risk; %(list)s.") % {
                "list": _(", ").join(listed)
            }
        return _(
            "A quiet week: nothing you follow is overdue, due, at risk or approaching, "
            "and nothing changed since %(day)s."
        ) % {"day": w.weekday(digest.since)}

    def _phrase(self, e: Entry) -> str:
        _, w, a = self._, self.words, e.assessment
        title = _("“%(title)s”") % {"title": self.title(a.milestone)}
        if a.status is Status.OVERDUE:
            text = _("%(title)s is %(days)s overdue") % {
                "title": title,
                "days": self.days(-(a.days_to_end or 0)),
            }
        elif a.status is Status.DUE and a.milestone.window:
            text = _("%(title)s is due by %(day)s") % {
                "title": title,
                "day": w.day(a.milestone.window.end),
            }
        elif a.status is Status.DUE:
            text = _("%(title)s is due") % {"title": title}
        else:
            text = _("%(title)s is at risk") % {"title": title}
        if e.waits_on:
            waits = [_("“%(title)s”") % {"title": t} for t in e.waits_on[:2]]
            if len(e.waits_on) > 2:
                waits.append(_("%(n)s more") % {"n": w.count(len(e.waits_on) - 2)})
            text = _("%(phrase)s and waits on %(what)s") % {
                "phrase": text,
                "what": w.listing(waits),
            }
        return text
