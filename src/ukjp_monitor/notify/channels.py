"""What a chat channel is told: an alert or the weekly summary, short, in Markdown.

Pure, like ``rendering``: an ``Alert`` or a ``Digest`` (composed for the
channel as for any recipient) becomes a ``Post``. An alert posts its headline,
then one line per milestone (its title, linked to its page when
``web.base_url`` is set; what it now is; days left or overdue); the summary
posts the digest's summary sentence and its counts, linked to the overview.
Every fixed phrase comes from the reader's catalogue (``lines.Writer``).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ukjp_monitor.notify.alerts import Alert, AlertLine
from ukjp_monitor.notify.compose import Digest
from ukjp_monitor.notify.language import language
from ukjp_monitor.notify.lines import Writer
from ukjp_monitor.notify.links import Links
from ukjp_monitor.plan.calendars import WorkingDays
from ukjp_monitor.plan.words import LANGUAGES

#: The most milestones one channel alert lists; the rest are counted.
POST_LINES = 20
_MARKUP = re.compile(r"([\\`*_\[\]<>~|])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class Post:
    """One message to a channel: ``subject`` (one line; the post's title,
    and what the ledger and the history keep) and ``text`` (Markdown).
    ``message_id`` is the ledger's, given when the post is addressed."""

    subject: str
    text: str
    message_id: str = ""

    def to(self, message_id: str) -> Post:
        return dataclasses.replace(self, message_id=message_id)


def one_line(text: str) -> str:
    """Line breaks, control characters and runs of spaces become single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def plain(text: str) -> str:
    """``text`` on one line, its Markdown characters escaped: a title
    shows as written and cannot make a link or a mention."""
    return _MARKUP.sub(r"\\\1", one_line(text))


def linked(text: str, url: str | None) -> str:
    return f"[{plain(text)}]({url})" if url else plain(text)


class ChannelWriter:
    """Writes channel posts; build one and reuse it for every channel."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        programme_ja: str | None = None,
        calendars: tuple[str, ...] = (),
    ):
        """As ``rendering.Renderer`` takes them: ``base_url`` is the status
        page's (links when given), ``programme_ja`` the programme's name for
        Japanese readers, ``calendars`` count working days left."""
        calendar = WorkingDays(calendars) if calendars else None
        self._writers = {code: Writer(language(code), calendar) for code in LANGUAGES}
        self._links = Links(base_url.rstrip("/") if base_url else None)
        self._programme_ja = programme_ja

    def alert(self, alert: Alert) -> Post:
        """The headline, then one line per milestone, most severe first."""
        writer = self._writers[alert.audience.language]
        _ = writer._
        headline = _("Alert — %(headline)s") % {"headline": writer.headline(alert.counts())}
        rows = [self._line(writer, line) for line in alert.lines[:POST_LINES]]
        omitted = alert.omitted + max(len(alert.lines) - POST_LINES, 0)
        if omitted:
            more = _("…and %(n)s more changes.") % {"n": writer.words.count(omitted)}
            rows.append(linked(more, self._links.overview(alert.audience)))
        subject = self._subject(writer, alert.programme, headline)
        # The title is the headline: services show it above the text.
        return Post(subject, "\n".join(rows) + "\n")

    def summary(self, digest: Digest) -> Post:
        """The digest's summary sentence and its counts, linked to the overview."""
        writer = self._writers[digest.audience.language]
        _, counts = writer._, writer.headline(digest.counts())
        title = _("Weekly summary %(week)s — %(headline)s") % {
            "week": writer.words.week(digest.week),
            "headline": counts,
        }
        subject = self._subject(writer, digest.programme, title)
        overview = self._links.overview(digest.audience)
        rows = [plain(writer.summary(digest))]
        if overview:
            rows.append(linked(_("Open the status page"), overview))
        return Post(subject, "\n".join(rows) + "\n")

    def _subject(self, writer: Writer, programme: str, what: str) -> str:
        name = (self._programme_ja if writer.lang.code == "ja" else None) or programme
        subject = writer._("%(programme)s: %(message)s") % {"programme": name, "message": what}
        return one_line(subject)

    def _line(self, writer: Writer, item: AlertLine) -> str:
        """'• Title: now overdue — 12 days overdue (due by 30 Nov 2026)'."""
        line = writer.alert_line(item.transition, item.entry)
        if item.entry is not None:
            when = writer.when(item.entry.assessment)
        else:
            when = writer.period_text(item.transition.window_text)
        now = writer._(", ").join(flag.text for flag in line.flags)
        text = writer._("%(title)s: %(now)s — %(when)s") % {
            "title": linked(line.title, self._links.milestone(line.id)),
            "now": plain(now),
            "when": plain(when),
        }
        return f"• {text}"
