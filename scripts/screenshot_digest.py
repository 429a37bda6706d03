"""Render the shipped programme's weekly digest and first alert, and screenshot
each at 1000 and 360 pixels wide into docs/ (digest.png, digest-360.png,
alert.png, alert-360.png), the digest as a Japanese partner reads it
(digest-ja.png, digest-ja-360.png); then the same for one grant holder of a funder's
generated portfolio (funder-digest.png, funder-digest-360.png,
funder-alert.png, funder-alert-360.png).

    python scripts/screenshot_digest.py [--as-of 2026-11-24] [--config-dir config]
        [--output docs] [--html-only FILE] [--funder-milestones 100000]
        [--funder-holders 1000] [--funder-holder 1] [--no-funder]

The digest is what the shipped config says as of the date given: no database,
no invented changes (the "changes" section is empty because nothing has been
recorded). The alert is what the first check sends: every milestone that is
in an alert status or at risk, new. The funder's portfolio is
``bench/generate.py --owners`` (N milestones owned by R grant holders, each
following their own, the benchmark's funder-digest portfolio), written to a
temporary folder; the pictures are grant holder J's digest and first alert.
Needs Debian's headless chromium (``apt-get install -y chromium``).
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
from ukjp_monitor.notify.alerts import Alert, compose_alert
from ukjp_monitor.notify.compose import Digest, compose_digest
from ukjp_monitor.notify.letters import wire_size
from ukjp_monitor.notify.rendering import Rendered, Renderer
from ukjp_monitor.plan.records import Recipient, TransitionLine
from ukjp_monitor.plan.status import Assessment, Milestone, evaluate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from generate import write_config  # noqa: E402  (bench/generate.py, the funder's portfolio)

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
)
#: (name suffix, window size): a desktop reader and a narrow phone.
WIDTHS = (("", "1000,1900"), ("-360", "360,2600"))


def sample_assessments(config: Config, as_of: date) -> list[Assessment]:
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
            source=spec.source,
            title_ja=spec.title_ja,
            owner_ja=spec.owner_ja,
        )
        for spec in config.milestones
    ]
    return evaluate(milestones, as_of)


def sample_digest(
    config: Config,
    as_of: date,
    recipient: Recipient | None = None,
    assessments: list[Assessment] | None = None,
) -> Digest:
    """A recipient's (the first's) digest for the config as it stands on ``as_of``."""
    return compose_digest(
        programme=config.programme.name,
        recipient=recipient or config.monitor.recipients[0],
        as_of=as_of,
        since=as_of - timedelta(days=7),
        assessments=assessments or sample_assessments(config, as_of),
        changes=[],
    )


def sample_alert(
    config: Config,
    as_of: date,
    recipient: Recipient | None = None,
    assessments: list[Assessment] | None = None,
) -> Alert | None:
    """The first check's alert to a recipient (the first): what is new and alert-worthy."""
    assessments = assessments or sample_assessments(config, as_of)
    lines = [
        TransitionLine(
            i,
            a.milestone.id,
            a.milestone.title,
            a.milestone.workstream,
            as_of,
            None,
            a.status.value,
            None,
            a.at_risk,
            a.milestone.window.text if a.milestone.window else None,
            a.milestone.owner,
        )
        for i, a in enumerate(assessments)
    ]
    return compose_alert(
        programme=config.programme.name,
        recipient=recipient or config.monitor.recipients[0],
        as_of=as_of,
        lines=lines,
        assessments=assessments,
    )


def renderer_for(config: Config) -> Renderer:
    """The renderer ``make run`` would build for this configuration."""
    mail, programme = config.monitor.mail, config.programme
    return Renderer(
        subject_prefix=mail.subject_prefix,
        marking=mail.marking,
        base_url=config.monitor.web.base_url,
        workstream_names={w.id: w.name for w in config.workstreams},
        japanese_names={w.id: w.name_ja for w in config.workstreams if w.name_ja},
        programme_ja=programme.name_ja,
        calendars=programme.calendars,
    )


def screenshot(html: str, output: Path, size: str) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory(prefix="ukjp-shot-") as tmp:
        page = Path(tmp) / "digest.html"
        page.write_text(html, encoding="utf-8")
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--window-size={size}",
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
    parser.add_argument("--output", type=Path, default=ROOT / "docs", help="a folder")
    parser.add_argument("--html-only", type=Path, help="write the HTML here and stop")
    parser.add_argument("--funder-milestones", type=int, default=100_000, metavar="N")
    parser.add_argument("--funder-holders", type=int, default=1_000, metavar="R")
    parser.add_argument(
        "--funder-holder", type=int, default=1, metavar="J", help="whose mail to show (1…R)"
    )
    parser.add_argument("--no-funder", action="store_true", help="the shipped programme only")
    args = parser.parse_args(argv)

    # Read as of the end of the sample day, like the digest it shows.
    now = datetime.combine(args.as_of, time.max, tzinfo=UTC)
    config = load_config(args.config_dir, now=now)
    renderer = renderer_for(config)
    rendered = renderer.digest(sample_digest(config, args.as_of))
    if args.html_only:
        args.html_only.write_text(rendered.html, encoding="utf-8")
        print(rendered.text, end="")
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    alert = sample_alert(config, args.as_of)
    shots = [("digest", rendered)] + ([("alert", renderer.alert(alert))] if alert else [])
    # The same digest as a Japanese partner reads it (language: ja).
    japanese = Recipient("partner@jst.example.jp", "JST", language="ja")
    shots.append(("digest-ja", renderer.digest(sample_digest(config, args.as_of, japanese))))
    if not args.no_funder:
        shots += funder_shots(args, now)
    for name, shown in shots:
        for suffix, size in WIDTHS:
            output = args.output / f"{name}{suffix}.png"
            screenshot(shown.html, output, size)
            print(f"{shown.subject} ({wire_size(shown.text, shown.html):,} bytes)\n{output}")
    return 0


def funder_shots(args: argparse.Namespace, now: datetime) -> list[tuple[str, Rendered]]:
    """Grant holder J's digest and first alert in the generated funder's portfolio."""
    with tempfile.TemporaryDirectory(prefix="ukjp-funder-") as tmp:
        folder = write_config(Path(tmp), args.funder_milestones, args.funder_holders, owners=True)
        config = load_config(folder, now=now)
    holder = config.monitor.recipients[args.funder_holder - 1]
    renderer = renderer_for(config)
    assessments = sample_assessments(config, args.as_of)
    shots = [
        ("funder-digest", renderer.digest(sample_digest(config, args.as_of, holder, assessments)))
    ]
    alert = sample_alert(config, args.as_of, holder, assessments)
    if alert:
        shots.append(("funder-alert", renderer.alert(alert)))
    return shots


if __name__ == "__main__":
    sys.exit(main())
