"""Floor for `status --format json`: import SQLAlchemy, read the 12-column
table of N rows, print it as a JSON array (one object per line, as status does).

    python status_json.py DATABASE_URL
"""

import json
import sys

from sqlalchemy import create_engine, text

engine = create_engine(sys.argv[1])
with engine.connect() as conn:
    rows = conn.execute(text("SELECT * FROM floor_rows ORDER BY id")).mappings().all()
out = sys.stdout
out.write("[\n")
out.write(",\n".join(json.dumps(dict(row), ensure_ascii=False, default=str) for row in rows))
out.write("\n]\n")
