"""An SMTP sink in a process of its own (so it never shares the client's GIL).

    python bench/smtp_sink.py [--save DIR]

Prints "READY PORT" once listening on 127.0.0.1; accepts and counts every
message; on SIGTERM prints "COUNT n" and exits. With --save each message is
written to DIR as <n>.eml, prefixed by two lines (envelope sender, recipient),
for the smtplib floor to resend.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, save: Path | None) -> None:
        self.count = 0
        self.save = save

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.save is not None:
            for rcpt in envelope.rcpt_tos:
                head = f"{envelope.mail_from}\n{rcpt}\n".encode()
                path = self.save / f"{self.count:06d}.eml"
                path.write_bytes(head + bytes(envelope.original_content))
        return "250 2.0.0 accepted"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink(args.save)
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, data_size_limit=2**30, ready_timeout=10
    )
    controller.start()
    signal.signal(signal.SIGTERM, lambda *_: _finish(controller, sink))
    print(f"READY {port}", flush=True)
    signal.pause()


def _finish(controller: Controller, sink: Sink) -> None:
    controller.stop()
    print(f"COUNT {sink.count}", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
