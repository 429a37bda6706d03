"""The outbox: each message as one RFC 5322 ``.eml`` file, for any mail client.

Used when no SMTP server is configured (``UKJP_SMTP_HOST`` unset), and by
``make run`` on a laptop.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from ukjp_monitor.notify.letters import Encoded
from ukjp_monitor.notify.transport import DeliveryError, one_line


class OutboxTransport:
    """Writes each message as one ``.eml`` file in a folder, for a mail client to open.

    File names sort by the message's Date and end in a hash of its Message-ID
    and recipient: sending the same message again replaces its file.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        # File names by message key, read from the folder at the first write:
        # looking for older copies with a glob per message made sending
        # 1,000 digests take time quadratic in the files already there.
        self._copies: dict[str, set[Path]] | None = None

    def send(self, message: Encoded, recipient: str) -> None:
        """Write the file atomically; DeliveryError (temporary) if the disk refuses."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._write(message, recipient)
        except OSError as exc:
            raise DeliveryError(one_line(f"{type(exc).__name__}: {exc}"), permanent=False) from exc

    def close(self) -> None:
        pass

    def _write(self, message: Encoded, recipient: str) -> None:
        key = f"{message.message_id}\n{recipient}".encode()
        digest = hashlib.sha256(key).hexdigest()[:12]
        target = self.folder / f"{_stamp(message.date)}-{_safe(recipient)}-{digest}.eml"
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(message.data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        # A resend may carry a new Date, hence a new name: keep only the newest copy.
        copies = self._index().setdefault(digest, set())
        for older in copies - {target}:
            older.unlink(missing_ok=True)
        copies.clear()
        copies.add(target)
        _sync_folder(self.folder)

    def _index(self) -> dict[str, set[Path]]:
        if self._copies is None:
            self._copies = {}
            for path in self.folder.glob("*.eml"):
                self._copies.setdefault(path.stem.rsplit("-", 1)[-1], set()).add(path)
        return self._copies


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _safe(recipient: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", recipient)[:64]


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder itself is on disk (POSIX).
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
