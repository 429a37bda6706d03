"""Moves the wall clock of every Python process the test suite starts.

``pytest --wall-clock WHEN`` puts this folder on ``PYTHONPATH`` and names
the moment in ``TEST_WALL_CLOCK``, so a CLI call, ``serve`` or a Prefect
worker started by a test sees the same moved wall clock as the test itself.
The monitor must not notice: it reads only its one pinned clock.
"""

import os

if os.environ.get("TEST_WALL_CLOCK"):
    import time_machine

    time_machine.travel(os.environ["TEST_WALL_CLOCK"], tick=True).start()
