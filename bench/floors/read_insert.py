"""Floor for `sync` and `check`: read N rows of the 12-column table and insert
N rows into another table in one transaction, with nothing but the driver
(the standard library's sqlite3; psycopg 3 on PostgreSQL, which has no
standard-library driver).

    python read_insert.py sqlite PATH
    python read_insert.py postgresql CONNINFO
"""

import sys

COLUMNS = 12
SELECT = "SELECT * FROM floor_rows"

kind, target = sys.argv[1], sys.argv[2]
if kind == "sqlite":
    import sqlite3

    conn = sqlite3.connect(target)
    rows = conn.execute(SELECT).fetchall()
    with conn:  # one transaction
        conn.executemany(f"INSERT INTO floor_copy VALUES ({', '.join('?' * COLUMNS)})", rows)
    conn.close()
else:
    import psycopg

    with psycopg.connect(target) as conn:  # one transaction, committed on exit
        rows = conn.execute(SELECT).fetchall()
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO floor_copy VALUES ({', '.join(['%s'] * COLUMNS)})", rows)
print(len(rows))
