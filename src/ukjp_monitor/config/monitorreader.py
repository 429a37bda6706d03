"""Reading ``monitor.yaml``: the settings, the recipients and the channels.

``MonitorReader`` validates the file as ``loader`` validates milestones.yaml,
through the same ``sections.Reader``: every mistake is found and placed on
its line, and a recipient or channel must follow something that exists.
``loader.load_config`` and ``loader.load_monitor`` are its callers.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ukjp_monitor.config.monitorfile import ChannelSpec, MonitorFile, RecipientSpec
from ukjp_monitor.config.sections import Items, Reader, Section
from ukjp_monitor.plan.records import Recipient

MONITOR_FILE = "monitor.yaml"
NEEDED = f"the configuration folder needs milestones.yaml and {MONITOR_FILE}"


class MonitorReader(Reader):
    """monitor.yaml read and checked; ``spec`` is None when it has problems.

    ``workstream_ids`` are the plan's (None when they cannot be known, so
    what recipients follow is not checked against them)."""

    settings = ("lead_days", "schedules", "mail", "web")
    sections = (*settings, "recipients", "channels")
    lists: ClassVar = {
        "recipients": Section("recipient", "email", "email address", True),
        "channels": Section("channel", "name", "name"),
    }
    contents = "it lists the recipients, and may set lead_days, schedules, mail, web and channels"
    needed = NEEDED

    def __init__(self, path: Path, workstream_ids: set[str] | None):
        super().__init__(path)
        self.spec: MonitorFile | None = None
        if not self.check_top():
            return
        settings = {k: v for k, v in self.raw.items() if k in self.settings}
        spec = self.validate(MonitorFile, settings, ())
        recipients = self.read_items("recipients", RecipientSpec) or Items()
        for index, recipient in recipients.specs:
            self._check_followed(("recipients", index), recipient, workstream_ids)
        # A channel's URL is validated (Apprise knows its scheme) but never
        # resolved here: its ${VAR} references are read when a message goes.
        channels = self.read_items("channels", ChannelSpec) or Items()
        for index, channel in channels.specs:
            self._check_followed(("channels", index), channel.reader, workstream_ids)
        if spec is not None:
            self.spec = spec.model_copy(
                update={
                    "recipients": [r for _, r in recipients.specs],
                    "channels": [c for _, c in channels.specs],
                }
            )

    def _check_followed(self, here: tuple, spec: Recipient, known: set[str] | None) -> None:
        if not spec.workstreams and not spec.owners:
            self.problem(
                here,
                "follows nothing; give workstreams (a list or 'all') or owners (a list of names)",
            )
        if spec.workstreams == "all" or known is None:
            return
        for j, w in enumerate(spec.workstreams):
            if w not in known:
                names = ", ".join(sorted(known))
                self.problem(
                    (*here, "workstreams", j),
                    f"follows unknown workstream {w!r}; use 'all' or some of: {names}",
                )
