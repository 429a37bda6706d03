"""A message's sentences about its milestones as a whole, in one language.

Pure. ``Sentences`` is the base of ``lines.Writer``: it holds the language
(``notify.language``) and writes the digest's opening sentence (``summary``),
the counts a subject and heading give (``headline``), the counted remainder
of a long section (``more``) and what a recipient follows (``following``).
``_N`` marks a phrase for the catalogue where it is not translated at once.
"""

from __future__ import annotations

from collections.abc import Mapping

from ukjp_monitor.notify.compose import Digest, Entry
from ukjp_monitor.notify.language import Language
from ukjp_monitor.plan.records import Audience
from ukjp_monitor.plan.status import Milestone, Status

#: How many milestones the summary sentence names before counting the rest.
SUMMARY_NAMES = 3


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


class Sentences:
    """The language a message is written in, and its sentences about the whole."""

    def __init__(self, lang: Language):
        self.lang, self.words = lang, lang.words
        self._, self.n_ = lang.gettext, lang.ngettext

    def days(self, n: int) -> str:
        return self.words.days(n)

    def title(self, m: Milestone) -> str:
        """The milestone's title in the reader's language, else as written."""
        return (m.title_ja if self.lang.code == "ja" else None) or m.title

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
