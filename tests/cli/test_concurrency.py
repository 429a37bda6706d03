"""Two runs at once on a new database both succeed (DESIGN §8), every time.

A race shows itself once in a few tries, or once in a dozen, so each
backend gets many: ``two_at_once.py`` forks the pairs (see there why).
"""

import json
import subprocess
import sys
from collections import Counter
from email import message_from_bytes, policy
from email.utils import parseaddr
from pathlib import Path

HERE = Path(__file__).parent
TRIES = 12
PARTNER = "jst-quantum@example.org"
RECIPIENTS = ("pmo@example.org", "life-sciences-lead@example.org")


def start_two_runs_at_once(database_url, config_dir, tmp_path, monkeypatch, tries):
    monkeypatch.setenv("UKJP_CONFIG_DIR", str(config_dir))
    finished = subprocess.run(
        [sys.executable, str(HERE / "two_at_once.py"), database_url, str(tmp_path), str(tries)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert finished.returncode == 0, finished.stderr
    return [json.loads(line) for line in finished.stdout.splitlines()]


def mail_in(outbox: str) -> Counter:
    """(recipient, alert or digest) for every message in the outbox."""
    found = Counter()
    for path in Path(outbox).glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        digest = any(w in message["Subject"] for w in ("Weekly digest", "週次ダイジェスト"))
        kind = "digest" if digest else "alert"
        found[parseaddr(str(message["To"]))[1], kind] += 1
    return found


def test_two_runs_at_once_on_a_new_database_both_succeed_and_send_everything_once(
    database_url, config_dir, tmp_path, monkeypatch
):
    tries = start_two_runs_at_once(database_url, config_dir, tmp_path, monkeypatch, TRIES)
    assert len(tries) == TRIES
    expected = Counter({(r, kind): 1 for r in RECIPIENTS for kind in ("alert", "digest")})
    expected[PARTNER, "digest"] = 1  # nothing the partner follows calls for an alert
    for n, attempt in enumerate(tries):
        assert attempt["exits"] == [0, 0], f"try {n}: {attempt['stderr']}"
        assert mail_in(attempt["outbox"]) == expected, f"try {n}"
