"""Exceptions that cross module boundaries.

Each carries the exit status the command line gives it: 2 for bad input that the
user can fix (configuration, arguments, an unknown milestone), 1 for an operation
that failed through no fault of the input (database unreachable, mail server
down). The command line turns them into one sentence on stderr, never a
traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class MonitorError(Exception):
    """Base class; ``exit_status`` is what the command line exits with."""

    exit_status = 1


class InputError(MonitorError):
    """The user asked for something impossible: fix the input and run again."""

    exit_status = 2


class ConfigError(InputError):
    """The configuration is invalid; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class UnknownMilestone(InputError):
    """No milestone has this id; ``known`` (the ids in use) feeds "did you mean"."""

    def __init__(self, milestone_id: str, known: Iterable[str] = ()):
        import difflib

        self.milestone_id = milestone_id
        close = difflib.get_close_matches(milestone_id, list(known), n=3)
        hint = f"did you mean {_either(close)}? " if close else ""
        super().__init__(
            f"no milestone has the id {milestone_id!r}; "
            f"{hint}'ukjp-monitor status' lists the ids in use"
        )


class UnknownRecipient(InputError):
    """No recipient in monitor.yaml has this address; the closest of ``known``
    are named, never all of them (a funder has a thousand)."""

    def __init__(self, email: str, known: Iterable[str] = ()):
        import difflib

        known = list(known)
        # Stricter than for ids: a shared "@example.org" makes any two addresses look alike.
        close = difflib.get_close_matches(email, known, n=3, cutoff=0.85)
        hint = f"did you mean {_either(close)}? " if close else ""
        super().__init__(
            f"{email} is not a recipient in monitor.yaml; "
            f"{hint}it has {len(known):,} recipient{'s' if len(known) != 1 else ''}"
        )


def _either(ids: list[str]) -> str:
    quoted = [repr(i) for i in ids]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


class NotSynced(MonitorError):
    """The database holds no programme yet, or (``missing``) is not there at all.

    ``database`` names it (a file's absolute path, or a URL with the password
    hidden): a command run in the wrong folder should say where it looked.
    """

    def __init__(self, database: str | None = None, *, missing: bool = False):
        self.database = database
        where = f"the database {database}" if database else "the database"
        if missing:
            message = (
                f"there is no database at {database}; run 'ukjp-monitor sync' first to create it"
            )
        else:
            message = f"{where} holds no programme yet; run 'ukjp-monitor sync' first"
        super().__init__(message + ", or choose another with --db or UKJP_DATABASE_URL")


class OperationFailed(MonitorError):
    """An operation could not complete (database unreachable, mail server down)."""
