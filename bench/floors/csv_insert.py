"""Floor for `sync` from a CSV export (the import scenario): the standard
library's csv module reads every row of grants.csv, and the driver inserts N
rows of the 12-column table in one transaction (the standard library's
sqlite3; psycopg 3 on PostgreSQL, which has no standard-library driver).

    python csv_insert.py sqlite PATH GRANTS_CSV
    python csv_insert.py postgresql CONNINFO GRANTS_CSV
"""

import csv
import sys

COLUMNS = 12

kind, target, grants = sys.argv[1], sys.argv[2], sys.argv[3]
with open(grants, encoding="utf-8-sig", newline="") as source:
    reader = csv.reader(source)
    header = next(reader)
    at = {name: i for i, name in enumerate(header)}
    # The cells the 12-column table holds (as backends.COLUMNS orders them).
    rows = [
        (
            r[at["id"]],
            r[at["title"]],
            r[at["workstream"]],
            r[at["target"]],
            None,
            None,
            None,
            r[at["completed_on"]] or None,
            None,
            int(r[at["lead_days"]] or 30),
            r[at["owner"]],
            r[at["depends_on"]],
        )
        for r in reader
    ]
if kind == "sqlite":
    import sqlite3

    conn = sqlite3.connect(target)
    with conn:  # one transaction
        conn.executemany(f"INSERT INTO floor_copy VALUES ({', '.join('?' * COLUMNS)})", rows)
    conn.close()
else:
    import psycopg

    with psycopg.connect(target) as conn, conn.cursor() as cur:  # one transaction
        cur.executemany(f"INSERT INTO floor_copy VALUES ({', '.join(['%s'] * COLUMNS)})", rows)
print(len(rows))
