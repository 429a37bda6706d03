"""Floor for `digest --send`: smtplib sends R prebuilt messages (the very bytes
the monitor sent, captured by the sink in an untimed run) over one connection.

    python smtp_send.py HOST PORT MESSAGE_DIR
"""

import smtplib
import sys
from pathlib import Path

host, port, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
files = sorted(folder.glob("*.eml"))
with smtplib.SMTP(host, port, timeout=30) as smtp:
    for path in files:
        sender, recipient, raw = path.read_bytes().split(b"\n", 2)
        smtp.sendmail(sender.decode(), [recipient.decode()], raw)
print(len(files))
