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
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import css_inline
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ukjp_monitor.notify.compose import Alert, Digest, headline
from ukjp_monitor.plan.history import describe_change, describe_transition
from ukjp_monitor.plan.records import TransitionLine
from ukjp_monitor.plan.report import when
from ukjp_monitor.plan.status import Assessment

TEMPLATES = (
    "alert.subject.j2",
    "alert.txt.j2",
    "alert.html.j2",
    "digest.subject.j2",
    "digest.txt.j2",
    "digest.html.j2",
)
#: Filled paragraphs one Renderer remembers.
WRAP_CACHE = 1 << 16
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


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

    def __init__(self, *, subject_prefix: str, template_dir: Path | None = None):
        self.subject_prefix = one_line(subject_prefix)
        folders = [template_dir] if template_dir is not None else []
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(d) for d in [*folders, shipped_templates()]]),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.env.filters.update(
            when=when,
            window=window,
            slip=slip,
            change=describe_change,
            transition=describe_transition,
            news=news,
            following=following,
            longdate=longdate,
            # Digests for different audiences repeat the same entries, and
            # filling paragraphs was a third of rendering a digest.
            wrap=functools.lru_cache(maxsize=WRAP_CACHE)(wrap),
        )
        self._templates = {name: self.env.get_template(name) for name in TEMPLATES}
        self._inliner = css_inline.CSSInliner(load_remote_stylesheets=False)

    def alert(self, alert: Alert) -> Rendered:
        return self._render(
            "alert",
            alert=alert,
            programme=alert.programme,
            audience=alert.audience,
            as_of=alert.as_of,
            headline=headline(alert.counts()),
        )

    def digest(self, digest: Digest) -> Rendered:
        sections = (digest.overdue, digest.due, digest.at_risk, digest.approaching)
        shown = [*sections, digest.unscheduled, digest.completed]
        return self._render(
            "digest",
            digest=digest,
            programme=digest.programme,
            audience=digest.audience,
            as_of=digest.as_of,
            headline=headline(digest.counts()),
            titles={a.milestone.id: a.milestone.title for group in shown for a in group.shown},
        )

    def _render(self, kind: str, **context: Any) -> Rendered:
        context["subject_prefix"] = self.subject_prefix
        subject = one_line(self._templates[f"{kind}.subject.j2"].render(context))
        text = self._templates[f"{kind}.txt.j2"].render(context)
        html = self._templates[f"{kind}.html.j2"].render(context, subject=subject)
        return Rendered(subject=subject, text=_tidy(text), html=self._inliner.inline(html))


def one_line(text: str) -> str:
    """Line breaks, control characters and runs of spaces become single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


# --- filters -----------------------------------------------------------------


def window(a: Assessment) -> str:
    """'2026-H2', 'TBC', or '2027-Q1 (re-forecast from 2026-H2)'."""
    m = a.milestone
    target = m.target.text if m.target else "TBC"
    if not m.reforecast:
        return target
    forecast = m.forecast.text if m.forecast else "TBC"
    return f"{forecast} (re-forecast from {target})"


def slip(a: Assessment) -> str:
    """'slipped 92 days', 'pulled in 10 days', or '' when on target."""
    days = a.slip_days
    if not days:
        return ""
    unit = "day" if abs(days) == 1 else "days"
    return f"slipped {days} {unit}" if days > 0 else f"pulled in {-days} {unit}"


def news(line: TransitionLine) -> list[str]:
    """What makes a transition alert-worthy: 'now overdue', 'now at risk'."""
    out = []
    if line.entered_alert_status:
        out.append(f"now {line.new_status}")
    if line.became_at_risk:
        out.append("now at risk")
    return out


def following(workstreams: str | tuple[str, ...]) -> str:
    return "all workstreams" if workstreams == "all" else ", ".join(workstreams)


def longdate(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def wrap(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """Fill ``text`` to ``width`` columns; ``first`` prefixes line one, ``indent`` the rest."""
    return textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"
