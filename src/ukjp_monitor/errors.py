"""Exceptions that cross module boundaries.

Each carries the exit status the command line gives it: 2 for bad input that the
user can fix (configuration, arguments, an unknown milestone), 1 for an operation
that failed through no fault of the input (database unreachable, mail server
down). The command line turns them into one sentence on stderr, never a
traceback.
"""


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
    def __init__(self, milestone_id: str):
        self.milestone_id = milestone_id
        super().__init__(
            f"no milestone has the id {milestone_id!r}; 'ukjp-monitor status' lists the ids in use"
        )


class NotSynced(MonitorError):
    """The database holds no programme yet."""

    def __init__(self):
        super().__init__("the database holds no programme yet; run 'ukjp-monitor sync' first")


class OperationFailed(MonitorError):
    """An operation could not complete (database unreachable, mail server down)."""
