"""Render the shipped programme's weekly digest and screenshot it to docs/digest.png.

    python scripts/screenshot_digest.py [--as-of 2026-11-24] [--config-dir config]
        [--output docs/digest.png] [--html-only FILE]

The digest is what the shipped config says as of the date given: no database,
no invented changes (the "changes" section is empty because nothing has been
recorded). Needs Debian's headless chromium (``apt-get install -y chromium``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from ukjp_monitor.config.loader import Config, load_config
from ukjp_monitor.notify.compose import Digest, compose_digest
from ukjp_monitor.notify.rendering import Renderer
from ukjp_monitor.plan.status import Milestone, evaluate

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=800,1400",
)


def sample_digest(config: Config, as_of: date) -> Digest:
    """The first recipient's digest for the config as it stands on ``as_of``."""
    milestones = [
        Milestone(
            id=spec.id,
            title=spec.title,
            workstream=spec.workstream,
            target=spec.target,
            lead_days=config.lead_days(spec),
            forecast=spec.forecast,
            reforecast=spec.forecast is not None,
            completed_on=spec.completed_on,
            cancelled_on=as_of if spec.cancelled else None,  # the config gives no date
            depends_on=tuple(spec.depends_on),
            owner=spec.owner,
        )
        for spec in config.milestones
    ]
    first = config.monitor.recipients[0]
    return compose_digest(
        programme=config.programme.name,
        recipient=first,
        as_of=as_of,
        since=as_of - timedelta(days=7),
        assessments=evaluate(milestones, as_of),
        changes=[],
    )


def screenshot(html: str, output: Path) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory(prefix="ukjp-shot-") as tmp:
        page = Path(tmp) / "digest.html"
        page.write_text(html, encoding="utf-8")
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={output.resolve()}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--config-dir", type=Path, default=ROOT / "config")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "digest.png")
    parser.add_argument("--html-only", type=Path, help="write the HTML here and stop")
    args = parser.parse_args(argv)

    # Read as of the end of the sample day, like the digest it shows.
    config = load_config(args.config_dir, now=datetime.combine(args.as_of, time.max, tzinfo=UTC))
    rendered = Renderer(subject_prefix=config.monitor.mail.subject_prefix).digest(
        sample_digest(config, args.as_of)
    )
    if args.html_only:
        args.html_only.write_text(rendered.html, encoding="utf-8")
        print(rendered.text, end="")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    screenshot(rendered.html, args.output)
    print(f"{rendered.subject}\n{args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
