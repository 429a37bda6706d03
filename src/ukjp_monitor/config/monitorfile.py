"""Reading ``monitor.yaml``: how the monitor behaves and whom it tells.

``loader`` calls ``MonitorReader`` with the workstreams of the plan (None
when they cannot be known), so that what each recipient and channel follows
is checked against them.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ukjp_monitor.config.sections import Items, Reader, Section
from ukjp_monitor.config.specs import ChannelSpec, MonitorFile, RecipientSpec
from ukjp_monitor.plan.records import Recipient

#: What a folder missing either file is told.
NEEDED = "the configuration folder needs milestones.yaml and monitor.yaml"


class MonitorReader(Reader):
    """monitor.yaml: the settings, the recipients and the channels, each checked."""

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
        self.spec = None
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
