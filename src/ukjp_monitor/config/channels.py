"""A chat channel's URL in monitor.yaml: an Apprise URL, checked without resolving it.

Its ``${VAR}`` references stay as written (``plan.records.Channel``); the
transport reads them from the environment when a message goes.
"""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def channel_url(value: str) -> str:
    """An Apprise URL whose scheme Apprise knows, ``${VAR}`` references
    left unresolved. What a refusal says names the scheme, never the rest
    of the URL: that may hold a secret written into the file."""
    found = _SCHEME.match(_REFERENCE.sub("x", value))
    if not found:
        raise ValueError(
            "is not an Apprise URL; write SCHEME://…, such as slack://, workflows:// or json://"
        )
    scheme = found[1].lower()
    if "$" in _REFERENCE.sub("", value):
        raise ValueError("has a '$' that is not a ${NAME} reference to an environment variable")
    # https:// and http:// are Slack's and Teams' own webhook addresses (and
    # others'): Apprise tells them apart when the message goes, once the
    # references in them are resolved.
    if scheme not in ("http", "https") and not _apprise_knows(scheme):
        raise ValueError(
            f"has the scheme {scheme}://, which Apprise does not know; "
            "use one Apprise supports, such as slack://, workflows:// (Microsoft Teams), "
            "json:// or jsons://"
        )
    return value


def _apprise_knows(scheme: str) -> bool:
    # Imported here: loading Apprise's plugins takes half a second, paid
    # only by a configuration that has channels.
    from apprise.manager_plugins import NotificationManager

    return scheme in NotificationManager()
