"""Alerts and digests into subject, plain text and HTML: the one Jinja2 module.

Templates live in ``templates/`` (shipped inside the wheel as
``ukjp_monitor/templates``). A folder given as ``template_dir`` is searched
first, so overriding one template means dropping a file of the same name there.
HTML templates are autoescaped; subjects are collapsed to one line whatever
the data holds, so no title can add a header.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import css_inline
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    select_autoescape,
)
from markupsafe import Markup, escape

from ukjp_monitor.notify import lines
from ukjp_monitor.notify.alerts import Alert
from ukjp_monitor.notify.compose import Digest
from ukjp_monitor.notify.language import language
from ukjp_monitor.notify.letters import MAX_BYTES, wire_size
from ukjp_monitor.notify.links import Links
from ukjp_monitor.notify.wrapping import width as columns
from ukjp_monitor.notify.wrapping import wrap
from ukjp_monitor.plan.calendars import WorkingDays
from ukjp_monitor.plan.words import LANGUAGES

TEMPLATES = (
    "alert.subject.j2",
    "alert.txt.j2",
    "alert.html.j2",
    "digest.subject.j2",
    "digest.txt.j2",
    "digest.html.j2",
)
#: Lines a long message is first rendered with, to weigh one line.
PROBE_LINES = 8
#: Filled paragraphs one Renderer remembers.
WRAP_CACHE = 1 << 16
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class _Speaker:
    """One language's writer and compiled templates."""

    writer: lines.Writer
    templates: dict[str, Template]


@dataclass(frozen=True)
class Rendered:
    subject: str  # one line, never contains CR/LF
    text: str
    html: str  # CSS already inlined


def shipped_templates() -> Path:
    """The templates inside the installed package, else the repository's ``templates/``."""
    package = Path(__file__).resolve().parents[1]  # ukjp_monitor/
    packaged = package / "templates"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "templates"  # an editable install: the repository's


class Renderer:
    """Renders alerts and digests; build one and reuse it for every recipient.

    Templates are compiled once, when the Renderer is built, so a broken
    override fails at start-up rather than halfway through a mailing.
    """

    def __init__(
        self,
        *,
        subject_prefix: str,
        marking: str | None = None,
        template_dir: Path | None = None,
        base_url: str | None = None,
        workstream_names: Mapping[str, str] | None = None,
        japanese_names: Mapping[str, str] | None = None,
        programme_ja: str | None = None,
        calendars: tuple[str, ...] = (),
    ):
        """``base_url`` is the status page's (``web.base_url``): messages link
        to it when given. ``workstream_names`` words what a reader follows
        (``japanese_names`` for Japanese readers, where given, as
        ``programme_ja`` names the programme). With ``calendars``
        (``programme.calendars``), lines also count working days left."""
        self.subject_prefix = one_line(subject_prefix)
        self.marking = one_line(marking) if marking else None
        self._folders = [template_dir] if template_dir is not None else []
        self._names = {
            "en": dict(workstream_names or {}),
            "ja": {**(workstream_names or {}), **(japanese_names or {})},
        }
        self._programme_ja = programme_ja
        self._calendar = WorkingDays(calendars) if calendars else None
        self._links = Links(base_url.rstrip("/") if base_url else None)
        # Digests for different audiences repeat the same entries, and
        # filling paragraphs was a third of rendering a digest.
        self._wrap = functools.lru_cache(maxsize=WRAP_CACHE)(wrap)
        self._languages = {code: self._language(code) for code in LANGUAGES}
        self._inliner = css_inline.CSSInliner(load_remote_stylesheets=False)

    def _language(self, code: str) -> _Speaker:
        """The templates compiled for one language, its catalogue installed."""
        lang = language(code)
        writer = lines.Writer(lang, self._calendar)
        env = Environment(
            loader=ChoiceLoader(
                [FileSystemLoader(d) for d in [*self._folders, shipped_templates()]]
            ),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(lang.translations, newstyle=True)  # type: ignore[attr-defined]
        names = self._names[code]
        env.filters.update(
            line=writer.describe,
            count=lang.words.count,
            weekday=lang.words.weekday,
            week=lang.words.week,
            following=lambda audience: writer.following(audience, names),
            more=lambda omitted, noun: writer.more(omitted, noun),
            nowrap_dates=nowrap_dates,
            host=host,
            columns=columns,
            wrap=self._wrap,
        )
        env.globals.update(links=self._links, language=code, sentence_gap=lang.words.sentence_gap)
        templates = {name: env.get_template(name) for name in TEMPLATES}
        return _Speaker(writer, templates)

    def alert(self, alert: Alert) -> Rendered:
        """The alert, listing fewer lines if it would pass ``MAX_BYTES``."""
        return self._fitted(alert, self._alert, len(alert.lines))

    def digest(self, digest: Digest) -> Rendered:
        """The digest, listing fewer per section if it would pass ``MAX_BYTES``."""
        longest = max((len(s.shown) for _, _, s in digest.sections()), default=0)
        return self._fitted(digest, self._digest, longest)

    def _fitted(self, message: Any, render: Any, longest: int) -> Rendered:
        limit = longest
        if longest > PROBE_LINES:
            # Most of a long message is its lines, and rendering one whole only
            # to cut it cost two or three renderings of a funder's: measure
            # what its frame and a few lines weigh, then render it once at
            # about the number that fits (the loop below trims any excess).
            frame = _size(render(message.capped(0)))
            probe = _size(render(message.capped(PROBE_LINES)))
            per_line = max((probe - frame) / PROBE_LINES, 1.0)
            limit = min(longest, int((MAX_BYTES * 0.97 - frame) / per_line))
        rendered = render(message if limit >= longest else message.capped(max(limit, 0)))
        while (size := _size(rendered)) > MAX_BYTES and limit > 0:
            # The worst come first in every section, so the cut keeps them;
            # most of a message is its lines, so they shrink with its size.
            limit = min(limit - 1, int(limit * MAX_BYTES * 0.95 / size))
            rendered = render(message.capped(max(limit, 0)))
        return rendered

    def _alert(self, alert: Alert) -> Rendered:
        speaker = self._languages[alert.audience.language]
        return self._render(
            speaker,
            "alert",
            alert=alert,
            lines=speaker.writer.alert_lines(alert),
            programme=self._programme(alert.programme, alert.audience.language),
            audience=alert.audience,
            as_of=alert.as_of,
            headline=speaker.writer.headline(alert.counts()),
        )

    def _digest(self, digest: Digest) -> Rendered:
        speaker = self._languages[digest.audience.language]
        return self._render(
            speaker,
            "digest",
            digest=digest,
            programme=self._programme(digest.programme, digest.audience.language),
            audience=digest.audience,
            as_of=digest.as_of,
            headline=speaker.writer.headline(digest.counts()),
            summary=speaker.writer.summary(digest),
        )

    def _programme(self, name: str, code: str) -> str:
        return (self._programme_ja if code == "ja" else None) or name

    def _render(self, speaker: _Speaker, kind: str, **context: Any) -> Rendered:
        templates = speaker.templates
        context["subject_prefix"] = self.subject_prefix
        context["marking"] = self.marking
        subject = one_line(templates[f"{kind}.subject.j2"].render(context))
        text = templates[f"{kind}.txt.j2"].render(context)
        html = templates[f"{kind}.html.j2"].render(context, subject=subject)
        return Rendered(subject=subject, text=_tidy(text), html=self._inliner.inline(html))


def _size(rendered: Rendered) -> int:
    return wire_size(rendered.text, rendered.html)


def one_line(text: str) -> str:
    """Line breaks, control characters and runs of spaces become single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


# --- filters -----------------------------------------------------------------


#: Dates and periods as ``plan.words`` writes them, kept on one line in HTML.
_DATES = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?(?:\d{1,2} )?"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
    r"|\b[QH][1-4] \d{4}\b|\b\d{1,3}(?:,\d{3})* days?\b"
    # and as Japanese writes them: 2026年12月1日（火）, 2027年第1四半期（1～3月）,
    # 2026年度, 37日
    r"|\d{4}年(?:\d{1,2}月(?:\d{1,2}日(?:（[月火水木金土日]）)?)?"
    r"|(?:第[1-4]四半期|[上下]半期)(?:（\d{1,2}～\d{1,2}月）)?|第\d{1,2}週|度)?"
    r"|\d{1,3}(?:,\d{3})*日"
    # and ISO weeks: 2026-W49 (2026年第49週 above); a headline's counts: 1 approaching
    r"|\b\d{4}-W\d{2}\b"
    r"|\b\d{1,3}(?:,\d{3})* (?:overdue|due|at risk|approaching)\b"
    r"|(?:期限超過|予定期間中|遅延のおそれ|開始間近) \d{1,3}(?:,\d{3})*件"
)


def nowrap_dates(text: str) -> Markup:
    """``text``, escaped, with each date, period and count of days in a span
    that does not break (class ``nw``)."""
    escaped = str(escape(text))
    return Markup(_DATES.sub(lambda m: f'<span class="nw">{m[0]}</span>', escaped))


def host(url: str) -> str:
    """Where a link goes, short enough for a narrow screen: ``www.gov.uk``."""
    return urlsplit(url).hostname or url


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"
