"""The status page in a real browser: Debian's chromium, driven by Playwright,
against ``ukjp-monitor web`` started as a reader would start it.

Only loopback traffic: the page is served on 127.0.0.1, and the browser is
the system's chromium (``make install`` installs it), never one downloaded.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PILOT = "rare-disease-pilot-start"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"web exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("web did not start listening")


@pytest.fixture
def page_server(synced_monitor, settings):
    """``ukjp-monitor web`` on a free loopback port (UKJP_NOW pinned by the clock fixture)."""
    port = free_port()
    cli = Path(sys.executable).with_name("ukjp-monitor")
    process = subprocess.Popen(
        [
            cli,
            "web",
            "--port",
            str(port),
            "--db",
            settings.database_url,
            "--config-dir",
            str(settings.config_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        assert process.wait(timeout=15) == 0


@pytest.fixture
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: make install installs it"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_reader_opens_the_overview_follows_a_milestone_and_filters(
    page_server, browser, tmp_path, clock
):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(page_server)
    today = clock.now.date()
    assert page.title().endswith(f"status as of {today.day} {today:%b %Y}")
    assert page.get_by_role("heading", name="What needs attention").is_visible()
    page.get_by_role(
        "link", name="National rare disease screening pilot begins in Japan"
    ).first.click()
    assert page.url.endswith(f"/milestones/{PILOT}")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "National rare disease screening pilot begins in Japan"
    )
    assert page.locator("svg.trend-640").is_visible()  # the wide drawing, at 1000 px

    page.get_by_role("link", name="Overview").first.click()
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Apply filters").click()
    assert "status=completed" in page.url
    rows = page.locator("ul.rows li.row p.id").all_inner_texts()
    assert rows == ["package-announced"]
    shot = tmp_path / "filtered.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_page_scrolls_sideways_at_360_pixels(page_server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 800})
    for path in ("", f"milestones/{PILOT}", "timeline"):
        page.goto(page_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
