"""Floor for the funder's first `check` (N milestones, R recipients who get
mail): the read + insert floor (read_insert.py) and then the smtplib floor
(smtp_send.py) sending the very messages the monitor sent, captured byte for
byte in an untimed run, over one connection: both in this one process, one
after the other, so the floor pays one interpreter start-up as the monitor does.

    python read_insert_send.py sqlite PATH HOST PORT MESSAGE_DIR
    python read_insert_send.py postgresql CONNINFO HOST PORT MESSAGE_DIR
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
kind, target, host, port, folder = sys.argv[1:6]
sys.argv = [str(HERE / "read_insert.py"), kind, target]
runpy.run_path(sys.argv[0], run_name="__main__")
sys.argv = [str(HERE / "smtp_send.py"), host, port, folder]
runpy.run_path(sys.argv[0], run_name="__main__")
