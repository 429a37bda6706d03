"""Screenshot the status page for the shipped programme into docs/:
web-overview.png, web-milestone.png and web-timeline.png at 1000 pixels wide,
and each again at 360 (``-360.png``).

    python scripts/screenshot_pages.py [--config-dir config] [--output docs]

The programme is the shipped config, synced into a scratch database on the
day after the announcement, with the progress the README's examples record
(two re-forecasts of the screening pilot, the Heads of Terms completed),
each on its own day, and looked at on Tuesday 24 November 2026. The page is
served by ``ukjp-monitor web`` on a loopback port and photographed by
Debian's chromium through Playwright (``apt-get install -y chromium``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("ukjp-monitor")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PILOT = "rare-disease-pilot-start"
#: (the moment, the command): the sample programme's year, step by step.
STORY = (
    ("2026-02-04T09:00:00+00:00", ["sync"]),
    (
        "2026-06-01T09:00:00+01:00",
        ["forecast", PILOT, "2026-Q4", "--reason", "Heads of Terms still under negotiation"],
    ),
    (
        "2026-09-15T09:00:00+01:00",
        ["forecast", PILOT, "2027-Q1", "--reason", "First sequencers ship in January"],
    ),
    (
        "2026-10-30T17:00:00+00:00",
        [
            "complete",
            "nanopore-genesis-heads-of-terms",
            "--on",
            "2026-10-30",
            "--evidence",
            "https://example.org/heads-of-terms",
            "--note",
            "Signed at the Tokyo meeting",
        ],
    ),
    ("2026-11-24T07:00:00+00:00", ["check"]),
)
NOW = "2026-11-24T12:00:00+00:00"
PAGES = (
    ("web-overview", ""),
    ("web-milestone", f"milestones/{PILOT}"),
    ("web-timeline", "timeline"),
)
WIDTHS = (("", 1000), ("-360", 360))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-dir", type=Path, default=ROOT / "config")
    parser.add_argument("--output", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ukjp-pages-") as tmp:
        env = {
            **os.environ,
            "UKJP_DATABASE_URL": f"sqlite:///{tmp}/monitor.db",
            "UKJP_CONFIG_DIR": str(args.config_dir),
            "UKJP_OUTBOX_DIR": f"{tmp}/outbox",
            "UKJP_ACTOR": "pmo",
        }
        for moment, command in STORY:
            subprocess.run(
                [CLI, *command], env={**env, "UKJP_NOW": moment}, check=True, capture_output=True
            )
        port = free_port()
        server = subprocess.Popen(
            [CLI, "web", "--port", str(port)],
            env={**env, "UKJP_NOW": NOW},
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            args.output.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
                for suffix, width in WIDTHS:
                    page = browser.new_page(viewport={"width": width, "height": 800})
                    for name, path in PAGES:
                        page.goto(f"http://127.0.0.1:{port}/{path}")
                        shot = args.output / f"{name}{suffix}.png"
                        page.screenshot(path=str(shot), full_page=True)
                        print(shot)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
