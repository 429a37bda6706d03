"""The audit trail's vocabulary: event kinds and how each reads in one line.

One wording per kind, one function each (``reforecast``, ``completed``…),
used wherever an event is put into words: the audit trail (``describe``),
the digest's list of changes (``describe_change``), alerts and the CLI.
Callers pass values already shown as they like them ("none" in the audit
trail, "TBC" in mail).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from ukjp_monitor.plan.records import ChangeLine, TransitionLine

#: A message catalogue's ``gettext``: English text in, the reader's language out.
Gettext = Callable[[str], str]


def as_is(message: str) -> str:
    """The English, as written (the audit trail's and the CLI's language)."""
    return message


#: Marks a string for the message catalogue without translating it here.
N_ = as_is


class EventKind(StrEnum):
    ADDED = "added"  # a milestone appeared in the config
    UPDATED = "updated"  # title, owner, dependencies… changed in the config
    REBASELINED = "rebaselined"  # the announced target changed
    RETIRED = "retired"  # gone from the config; kept, no longer reported
    RESTORED = "restored"  # back in the config after retirement
    FORECAST = "forecast"  # re-forecast (slip or pull-in)
    COMPLETED = "completed"
    REOPENED = "reopened"  # a completion withdrawn
    CANCELLED = "cancelled"
    REINSTATED = "reinstated"  # a cancellation withdrawn
    PROGRAMME = "programme"  # programme settings changed
    TRANSITION = "transition"  # check saw the status (or risk) change
    DELIVERY = "delivery"  # an alert or digest was sent, deferred or refused


def describe(kind: str, details: dict[str, Any]) -> str:
    """One plain line saying what an event did."""
    d = details
    texts: dict[str, Callable[[], str]] = {
        EventKind.ADDED: lambda: f"added to the plan, target {d.get('target') or 'TBC'}",
        EventKind.UPDATED: lambda: "; ".join(
            f"{name} {_show(old)} → {_show(new)}" for name, (old, new) in d["changes"].items()
        ),
        EventKind.REBASELINED: lambda: rebaselined(_show(d["old"]), _show(d["new"])),
        EventKind.RETIRED: lambda: "retired: no longer in the config",
        EventKind.RESTORED: lambda: "restored: back in the config",
        EventKind.FORECAST: lambda: reforecast(_show(d["old"]), _show(d["new"])),
        EventKind.COMPLETED: lambda: completed(d["on"]),
        EventKind.REOPENED: lambda: reopened(d["previous"]),
        EventKind.CANCELLED: lambda: cancelled(),
        EventKind.REINSTATED: lambda: reinstated(),
        EventKind.TRANSITION: lambda: _transition(d),
        EventKind.DELIVERY: lambda: _delivery(d),
        EventKind.PROGRAMME: lambda: (
            "programme settings: "
            + "; ".join(
                f"{name} {_show(old)} → {_show(new)}" for name, (old, new) in d["changes"].items()
            )
        ),
    }
    text = texts.get(kind)
    line = text() if text else kind
    extras = [
        f"{label} {d[key]}"
        for key, label in (("reason", "because"), ("evidence", "evidence"), ("note", "note"))
        if d.get(key)
    ]
    if d.get("source") == "config" and kind in _PROGRESS:
        extras.append("from the config")
    return ", ".join([line, *extras])


_PROGRESS = {
    EventKind.FORECAST,
    EventKind.COMPLETED,
    EventKind.REOPENED,
    EventKind.CANCELLED,
    EventKind.REINSTATED,
}


def describe_change(c: ChangeLine, _: Gettext = as_is) -> str:
    """What a change since the last digest says, in the audit trail's words
    (translated by ``_`` for a message in another language)."""
    tbc = _("TBC")
    old, new = c.old or tbc, c.new or tbc
    match c.kind:
        case "status":
            return status_changed(c.old, c.new, _)
        case EventKind.FORECAST:
            return reforecast(old, new, _)
        case EventKind.REBASELINED:
            return rebaselined(old, new, _)
        case EventKind.COMPLETED:
            return completed(c.new or c.on, was=c.old, _=_)
        case EventKind.REOPENED:
            return reopened(c.old, _)
        case EventKind.CANCELLED:
            return cancelled(c.new, _)
        case EventKind.REINSTATED:
            return reinstated(_)
    return c.kind


def describe_transition(line: TransitionLine, _: Gettext = as_is) -> str:
    """'status due → overdue': the status change an alert reports."""
    return status_changed(line.old_status, line.new_status, _)


# --- one wording per kind ------------------------------------------------------
# Each takes the message catalogue's ``gettext`` as ``_`` (the audit trail
# and the CLI use the English as written here).


def status_name(status: str | None, _: Gettext = as_is) -> str:
    """A status as readers read it; ``new`` before a milestone's first check."""
    return _(status or "new")


def status_changed(old: str | None, new: str | None, _: Gettext = as_is) -> str:
    return _("status %(old)s → %(new)s") % {
        "old": status_name(old, _),
        "new": status_name(new, _),
    }


def reforecast(old: str, new: str, _: Gettext = as_is) -> str:
    return _("re-forecast %(old)s → %(new)s") % {"old": old, "new": new}


def rebaselined(old: str, new: str, _: Gettext = as_is) -> str:
    return _("target re-baselined %(old)s → %(new)s") % {"old": old, "new": new}


def completed(on: object, *, was: object = None, _: Gettext = as_is) -> str:
    """'completed on 2026-10-01', with '(was 2026-09-30)' when it replaces another date."""
    if was:
        return _("completed on %(on)s (was %(was)s)") % {"on": on, "was": was}
    return _("completed on %(on)s") % {"on": on}


def reopened(previous: object = None, _: Gettext = as_is) -> str:
    if previous:
        return _("completion on %(on)s withdrawn") % {"on": previous}
    return _("completion withdrawn")


def cancelled(on: object = None, _: Gettext = as_is) -> str:
    return _("cancelled on %(on)s") % {"on": on} if on else _("cancelled")


def reinstated(_: Gettext = as_is) -> str:
    return _("cancellation withdrawn")


#: The status names, for the message catalogue (``status_name`` looks them up).
STATUS_NAMES = (
    N_("new"),
    N_("planned"),
    N_("approaching"),
    N_("due"),
    N_("overdue"),
    N_("unscheduled"),
    N_("completed"),
    N_("cancelled"),
)


def _transition(d: dict[str, Any]) -> str:
    text = f"{status_changed(d['old'], d['new'])} as of {d['as_of']}"
    if d.get("at_risk") and not d.get("old_at_risk"):
        text += ", now at risk"
    elif d.get("old_at_risk") and not d.get("at_risk"):
        text += ", no longer at risk"
    return text


def _delivery(d: dict[str, Any]) -> str:
    what = f"{d['message']} to {d['recipient']}"
    if d["state"] == "sent":
        return f"{what} sent: {d.get('subject') or ''}".rstrip(": ")
    if d["state"] == "failed":
        return f"{what} refused for good: {d.get('error')}"
    return f"{what} not sent yet, will retry: {d.get('error')}"


def _show(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]" if value else "none"
    return str(value)
