"""Posting to chat channels through Apprise: the transport for ``Post``.

A channel's URL keeps its ``${VAR}`` references until the moment its message
goes: ``AppriseTransport.send`` resolves them from the environment it was
given, hands the URL to Apprise and forgets it. The resolved URL, and every
value put into it, never leaves this module: not in an error, not in a log
record (Apprise's own records are scrubbed while a post is under way), so
neither the ledger nor the history can hold it.

Apprise answers a post with True or False. Why it failed is read from what
it logged meanwhile (``apprise.LogCapture``):

* an HTTP status 4xx, but 408 (timeout) and 429 (too many requests), is the
  service refusing this message or this URL (a revoked webhook, a bad
  token): refused for good, never tried again;
* 408, 429, a 5xx, a connection error or a timeout may pass: pending, tried
  again in this run and then on the next;
* a URL Apprise cannot read once resolved, or a variable that is not set,
  cannot change by trying again: refused for good, saying which.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import quote

from ukjp_monitor.notify.channels import Post
from ukjp_monitor.notify.transport import DeliveryError, one_line

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_STATUS = re.compile(r"error=(\d{3})\b")
#: Statuses that say "not now" rather than "never".
_TRY_AGAIN = {408, 425, 429}
#: The loggers that see a post's URL: Apprise's (``apprise.logger.LOGGER_NAME``)
#: and those of the HTTP client under it, which log each request's path.
URL_LOGGERS = ("apprise", "urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry")


def resolve(url: str, environ: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """``url`` with each ``${VAR}`` replaced by its value in ``environ``, and
    each value by the reference it replaced (to scrub text with).

    DeliveryError (permanent) names the first variable that is not set.
    """
    secrets: dict[str, str] = {}

    def value(found: re.Match[str]) -> str:
        name = found[1]
        if not environ.get(name):
            raise DeliveryError(f"the environment variable {name} is not set", permanent=True)
        secrets[environ[name]] = found[0]
        return environ[name]

    return _REFERENCE.sub(value, url), secrets


def scrub(text: str, secrets: Mapping[str, str]) -> str:
    """``text`` with every secret (as is, or as a URL would quote it)
    replaced by its ``${VAR}`` reference; the longest first, so a value that
    holds another is replaced whole."""
    for secret in sorted(secrets, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(form, secrets[secret])
    return text


class _Scrubber(logging.Filter):
    """Rewrites each record of the ``URL_LOGGERS`` without the secrets,
    before any handler (ours, or the application's through propagation)
    sees it."""

    def __init__(self, secrets: Mapping[str, str]):
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage(), self.secrets), None
        return True


@contextmanager
def _scrubbed(secrets: Mapping[str, str]) -> Iterator[None]:
    # On those loggers only, and only while one post is under way: a logger's
    # filter sees each record it makes, whichever handler would then get it.
    loggers = [logging.getLogger(name) for name in URL_LOGGERS]
    scrubber = _Scrubber(secrets)
    for logger in loggers:
        logger.addFilter(scrubber)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(scrubber)


class AppriseTransport:
    """Posts each ``Post`` to its channel's Apprise URL.

    ``urls`` maps each channel's address (``channel:NAME``) to its URL as
    monitor.yaml writes it; ``environ`` is read for its references at each
    send, so a variable set or changed since start-up is used.
    """

    def __init__(self, urls: Mapping[str, str], environ: Mapping[str, str]):
        self.urls, self.environ = urls, environ

    def send(self, message: Post, recipient: str) -> None:
        """Post ``message`` to ``recipient``'s channel; DeliveryError says
        why it did not go, without a secret in it."""
        url, secrets = resolve(self.urls[recipient], self.environ)
        try:
            with _scrubbed(secrets):
                error = self._post(url, message)
        except Exception as exc:  # Apprise's own fault: its words may hold the URL
            raise DeliveryError(
                scrub(one_line(f"{type(exc).__name__}: {exc}"), secrets), permanent=False
            ) from None
        if error is not None:
            raise _failure(scrub(error, secrets))

    def close(self) -> None:
        pass

    def _post(self, url: str, message: Post) -> str | None:
        """None when Apprise says the service took it, else what it logged."""
        import apprise  # half a second of plugins, paid only when a channel posts

        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            poster = apprise.Apprise()
            if not poster.add(url):
                return "Apprise cannot read the channel's URL; check it in monitor.yaml"
            done = poster.notify(
                body=message.text,
                title=message.subject,
                body_format=apprise.NotifyFormat.MARKDOWN,
            )
        if done:
            return None
        said = captured.getvalue().splitlines()
        return one_line(" ".join(said[-2:])) or "Apprise could not post it and gave no reason"


def _failure(error: str) -> DeliveryError:
    """What Apprise's words mean for trying again (see the module's docstring)."""
    found = _STATUS.search(error)
    status = int(found[1]) if found else None
    if status is not None and 400 <= status < 500 and status not in _TRY_AGAIN:
        return DeliveryError(error, permanent=True)
    if error.startswith("Apprise cannot read"):
        return DeliveryError(error, permanent=True)
    return DeliveryError(error, permanent=False, refused=status in _TRY_AGAIN)
