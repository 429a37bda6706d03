"""Run one command and report its wall time and peak RSS: python measure.py OUT.json -- CMD...

A small process of its own does the fork, so the child's peak RSS (ru_maxrss
from wait4) is the child's alone: Linux carries the forking process's
high-water mark into the child across exec, and the benchmark runner itself
grows to hundreds of MB while it prepares 100,000-milestone fixtures. The
clock starts just before the fork and stops when the child is reaped, so
this wrapper's own start-up is not counted.
"""

import json
import os
import sys
import time

out, cmd = sys.argv[1], sys.argv[3:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(out, "w") as f:
    json.dump(
        {
            "seconds": elapsed,
            "max_rss_kb": usage.ru_maxrss,
            "returncode": os.waitstatus_to_exitcode(status),
        },
        f,
    )
