"""The query parameters of the status page, checked: a bad one is a 400 with
one sentence saying what is wrong and what would do.

Empty values mean "not given", as a plain GET form sends its unset fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import QueryParams

from ukjp_monitor.plan.filters import Filters
from ukjp_monitor.plan.periods import PeriodError, parse_day
from ukjp_monitor.plan.status import Status

#: Every parameter any route takes; ``token`` is checked before the route runs.
KNOWN = ("workstream", "status", "owner", "as_of", "page", "token")
#: What a milestone id looks like (lowercase-with-dashes, as the config requires).
MILESTONE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The highest page number worth reading; past it the number is refused.
MAX_PAGE = 1_000_000


class BadParameter(ValueError):
    """A query parameter the page cannot use; the message is the sentence shown."""


def _one(params: QueryParams, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadParameter(f"{name} is given {len(values)} times; give it once")
    value = values[0].strip() if values else ""
    return value or None


def check_known(params: QueryParams, allowed: Iterable[str] = KNOWN) -> None:
    allowed = tuple(allowed)
    for name in params:
        if name not in allowed:
            raise BadParameter(
                f"{name!r} is not a parameter of this page; it takes {', '.join(allowed)}"
            )


def filters(params: QueryParams) -> Filters:
    """``workstream``, ``status``, ``owner`` and ``as_of`` (YYYY-MM-DD)."""
    status = _one(params, "status")
    if status is not None and status not in {s.value for s in Status}:
        raise BadParameter(
            f"{status!r} is not a status; use one of {', '.join(s.value for s in Status)}"
        )
    as_of = _one(params, "as_of")
    try:
        day = parse_day(as_of) if as_of else None
    except PeriodError:
        raise BadParameter(f"as_of {as_of!r} is not a date; use YYYY-MM-DD") from None
    return Filters(
        workstream=_one(params, "workstream"),
        status=Status(status) if status else None,
        owner=_one(params, "owner"),
        as_of=day,
    )


def page(params: QueryParams) -> int:
    """``page``, a whole number from 1 (default 1)."""
    text = _one(params, "page")
    if text is None:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise BadParameter(f"page {text!r} is not a page number; use a whole number from 1")
    return int(text)
