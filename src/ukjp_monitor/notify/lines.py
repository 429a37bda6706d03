"""Each entry of a message in words, once, for the text and the HTML part alike.

Pure. ``describe`` gives what a line says (flags, then labelled facts, then
the link and the id); ``summary`` gives a digest's opening sentence. Both
templates print these, so the two parts cannot say different things.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from ukjp_monitor.notify.alerts import Alert
from ukjp_monitor.notify.compose import Digest, Entry
from ukjp_monitor.plan import words
from ukjp_monitor.plan.history import EventKind, describe_change, describe_transition
from ukjp_monitor.plan.periods import PeriodError, parse_day, parse_period
from ukjp_monitor.plan.records import Audience, ChangeLine, TransitionLine
from ukjp_monitor.plan.status import Assessment, Status

#: How many milestones the summary sentence names before counting the rest.
SUMMARY_NAMES = 3


@dataclass(frozen=True)
class Line:
    """One milestone as a message lists it."""

    title: str
    rag: str  # red, amber, green, grey: the badge's colour and its word
    flags: tuple[str, ...]  # "at risk", "slipped 92 days", "now overdue"
    facts: tuple[tuple[str, str], ...]  # (label, text): Owner, Window, Waits on, …
    link: tuple[str, str] | None  # (label, address): Evidence or Source
    id: str


def describe(entry: Entry, news: tuple[str, ...] = ()) -> Line:
    a, m = entry.assessment, entry.assessment.milestone
    flags = [*news]
    if a.at_risk and "now at risk" not in flags:
        flags.append("at risk")
    if a.slip_days > 0:
        flags.append(f"slipped {words.days(a.slip_days)}")
    elif a.slip_days < 0:
        flags.append(f"pulled in {words.days(-a.slip_days)}")
    facts = []
    if m.owner:
        facts.append(("Owner", m.owner))
    facts.append(("Window", window(a)))
    facts.append(("When", when(a)))
    if entry.waits_on:
        facts.append(("Waits on", "; ".join(entry.waits_on)))
    for change in entry.changes:
        facts.append(("Changed", change_words(change)))
    link = None
    if entry.link:
        evidence = a.status is Status.COMPLETED and entry.link != m.source
        link = ("Evidence" if evidence else "Source", entry.link)
    return Line(m.title, a.rag.value, tuple(flags), tuple(facts), link, m.id)


def alert_line(transition: TransitionLine, entry: Entry | None) -> Line:
    news = []
    if transition.entered_alert_status:
        news.append(f"now {transition.new_status}")
    if transition.became_at_risk:
        news.append("now at risk")
    # A milestone's first check has no earlier status to name: its flags
    # ("now due") say it all, and "status new → due" reads as machinery.
    change = (("Change", status_change(transition)),) if transition.old_status is not None else ()
    if entry is None:  # no longer in the plan
        window_text = period_text(transition.window_text)
        facts: tuple[tuple[str, str], ...] = (("Window", window_text), *change)
        return Line(transition.title, "grey", tuple(news), facts, None, transition.milestone_id)
    line = describe(entry, tuple(news))
    facts = (*line.facts, *change)
    return Line(transition.title, line.rag, line.flags, facts, line.link, line.id)


def alert_lines(alert: Alert) -> list[Line]:
    return [alert_line(x.transition, x.entry) for x in alert.lines]


def window(a: Assessment) -> str:
    """'H2 2026', 'TBC', or 'Q1 2027 (was H2 2026)' once re-forecast."""
    m = a.milestone
    if not m.reforecast:
        return words.period(m.target)
    return f"{words.period(m.forecast)} (was {words.period(m.target)})"


def when(a: Assessment) -> str:
    """Days left or overdue, with the date they count to."""
    m, window = a.milestone, a.milestone.window
    if a.status is Status.COMPLETED and m.completed_on:
        return f"completed {words.weekday(m.completed_on)}"
    if a.status is Status.CANCELLED:
        return f"cancelled {words.weekday(m.cancelled_on)}" if m.cancelled_on else "cancelled"
    if window is None:
        return "no date yet"
    to_end, to_start = (window.end - a.as_of).days, (window.start - a.as_of).days
    if a.status is Status.OVERDUE:
        return f"{words.days(-to_end)} overdue (due by {words.day(window.end)})"
    if a.status is Status.DUE:
        left = f"{words.days(to_end)} left" if to_end else "last day"
        return f"due by {words.day(window.end)}, {left}"
    return f"starts {words.day(window.start)}, in {words.days(to_start)}"


def change_words(c: ChangeLine) -> str:
    """A change since the last digest in the audit trail's words (plan.history),
    with periods and dates as readers read them, and the reason given."""
    if c.kind in (EventKind.FORECAST, EventKind.REBASELINED):
        c = dataclasses.replace(c, old=period_text(c.old), new=period_text(c.new))
    elif c.kind != "status":
        new = day_text(c.new) if c.new else None
        if c.kind == EventKind.COMPLETED and new is None:
            new = words.day(c.on)
        c = dataclasses.replace(c, old=day_text(c.old) if c.old else None, new=new)
    text = f"{describe_change(c)} (recorded {words.day(c.on)})"
    return text + (f"; reason given: {c.reason}" if c.reason else "")


def status_change(t: TransitionLine) -> str:
    return describe_transition(t)


def period_text(text: str | None) -> str:
    """A stored period's text in words; as it is if it does not parse."""
    try:
        return words.period(parse_period(text))
    except PeriodError:
        return str(text)


def day_text(text: str | None) -> str:
    try:
        return words.day(parse_day(text))
    except PeriodError:
        return str(text)


def following(audience: Audience, names: Mapping[str, str]) -> str:
    """What a recipient follows, in words, for a message's foot: "all
    workstreams", "the Life Sciences workstream", "milestones owned by X"."""
    if audience.everything:
        return "all workstreams"
    parts = []
    if audience.workstreams:
        titles = [names.get(w, w) for w in audience.workstreams]
        noun = "workstream" if len(titles) == 1 else "workstreams"
        parts.append(f"the {words.listing(titles)} {noun}")
    if audience.owners:
        parts.append(f"milestones owned by {words.listing(list(audience.owners), 'or')}")
    return ", and ".join(parts) if parts else "nothing"


def summary(digest: Digest) -> str:
    """The digest's first sentence, in plain words."""
    urgent = [*digest.overdue, *digest.due, *digest.at_risk]
    total = digest.overdue.total + digest.due.total + digest.at_risk.total
    if total:
        phrases = [_phrase(e) for e in urgent[:SUMMARY_NAMES]]
        if total > len(phrases):
            phrases.append(f"and {words.count(total - len(phrases))} more")
        noun = "milestone needs" if total == 1 else "milestones need"
        return f"{words.count(total)} {noun} attention: " + "; ".join(phrases) + "."
    others = [
        (digest.slipped.total, "slipped"),
        (digest.approaching.total, "approaching"),
        (digest.changed.total, "changed"),
    ]
    listed = [f"{words.counted(n, 'milestone')} {what}" for n, what in others if n]
    if listed:
        return "Nothing is overdue, due or at risk; " + ", ".join(listed) + "."
    return (
        "A quiet week: nothing you follow is overdue, due, at risk or approaching, "
        f"and nothing changed since {words.weekday(digest.since)}."
    )


def _phrase(e: Entry) -> str:
    a = e.assessment
    text = f"“{a.milestone.title}” "
    if a.status is Status.OVERDUE:
        text += f"is {words.days(-(a.days_to_end or 0))} overdue"
    elif a.status is Status.DUE:
        text += f"is due by {words.day(a.milestone.window.end)}" if a.milestone.window else "is due"
    else:
        text += "is at risk"
    if e.waits_on:
        text += " and waits on " + " and ".join(f"“{t}”" for t in e.waits_on[:2])
        text += f" and {words.count(len(e.waits_on) - 2)} more" if len(e.waits_on) > 2 else ""
    return text
