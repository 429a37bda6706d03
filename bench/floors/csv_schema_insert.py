"""Floor for `sync` from a CSV export with the schema's own rows in it (the
import-rows scenario): the standard library's csv module reads grants.csv,
and the driver writes what a first sync of it writes into the monitor's own
tables, with their keys, indexes and foreign keys, in one transaction:

* a workstream for each distinct workstream named;
* a milestone row of the 14 columns a new milestone fills (the target's
  dates left empty: the floor parses nothing);
* a dependency row for each id in depends_on;
* an event for each milestone added and each completion, its details JSON
  (encoded by orjson, as the monitor's are).

Nothing is validated or converted. The database is a copy of an empty one
that the monitor created, so the tables are exactly the monitor's.

    python csv_schema_insert.py sqlite PATH GRANTS_CSV
    python csv_schema_insert.py postgresql CONNINFO GRANTS_CSV
"""

import csv
import sys

import orjson

MILESTONE = (
    "id, title, workstream_id, position, owner, lead_days, target_text, target_start, "
    "target_end, reforecast, completed_on, cfg_completed_on, cfg_cancelled, notes"
)
EVENT = "at, milestone_id, kind, actor, details"

kind, target, grants = sys.argv[1], sys.argv[2], sys.argv[3]
now = "2026-11-24 07:00:00.000000"  # when the events say they happened: any fixed time
workstreams: dict[str, int] = {}
milestones, dependencies, events = [], [], []
with open(grants, encoding="utf-8-sig", newline="") as source:
    reader = csv.reader(source)
    at = {name: i for i, name in enumerate(next(reader))}
    for position, r in enumerate(reader):
        mid, title, ws = r[at["id"]], r[at["title"]], r[at["workstream"]]
        workstreams.setdefault(ws, len(workstreams))
        done = r[at["completed_on"]] or None
        milestones.append(
            (
                mid,
                title,
                ws,
                position,
                r[at["owner"]] or None,
                int(r[at["lead_days"]] or 30),
                r[at["target"]] or None,
                None,
                None,
                False,
                done,
                done,
                False,
                r[at["notes"]] or None,
            )
        )
        dependencies.extend((mid, d) for d in r[at["depends_on"]].split(";") if d)
        details = {"target": r[at["target"]] or "TBC", "workstream": ws, "title": title}
        events.append((now, mid, "added", "bench", orjson.dumps(details).decode()))
        if done:
            details = {"on": done, "previous": None, "source": "config"}
            events.append((now, mid, "completed", "bench", orjson.dumps(details).decode()))
streams = [(ws, ws, position) for ws, position in workstreams.items()]
tables = [
    ("workstreams", "id, name, position", streams),
    ("milestones", MILESTONE, milestones),
    ("dependencies", "milestone_id, depends_on_id", dependencies),
    ("events", EVENT, events),
]
if kind == "sqlite":
    import sqlite3

    conn = sqlite3.connect(target)
    conn.execute("PRAGMA foreign_keys=ON")  # as the monitor's connections have it
    with conn:  # one transaction
        for table, columns, rows in tables:
            marks = ", ".join("?" * (columns.count(",") + 1))
            conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
    conn.close()
else:
    import psycopg

    with psycopg.connect(target) as conn, conn.cursor() as cur:  # one transaction
        for table, columns, rows in tables:
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
print(len(milestones), len(dependencies), len(events))
