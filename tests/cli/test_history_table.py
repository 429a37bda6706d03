"""The history table at any width, streamed: every event's time, milestone,
kind, author and summary, wrapped or stacked, never dropped or cut short
(cli/history_table.py); and ``--since`` for what happened lately."""

import json
import re
from datetime import timedelta

import pytest

from conftest import TODAY
from ukjp_monitor.cli.cells import cells

PILOT = "rare-disease-pilot-start"


@pytest.fixture
def progressed(run_cli, clock):
    """The shipped programme synced today, re-forecast two days later."""
    assert run_cli("sync").exit_status == 0
    clock.now = TODAY + timedelta(days=2)
    assert run_cli("forecast", PILOT, "2027-Q1", "--reason", "kit late").exit_status == 0
    return run_cli


def squash(text: str) -> str:
    return re.sub(r"[\s·]+", "", text)


def history(run_cli, monkeypatch, columns: int, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run_cli("history", *args)
    assert result.exit_status == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("columns", [60, 80, 111, 112, 140])
def test_every_event_is_shown_whole_and_no_line_is_wider_than_the_page(
    progressed, monkeypatch, columns
):
    text = history(progressed, monkeypatch, columns)
    assert max(cells(line) for line in text.splitlines()) <= columns
    shown = squash(text)
    for event in json.loads(progressed("history", "--format", "json").stdout):
        whole = (event["at"], event["milestone"] or "", event["kind"], event["actor"] or "")
        assert all(squash(part) in shown for part in (*whole, event["summary"]))


def test_below_112_columns_each_event_is_stacked_under_its_time_and_milestone(
    progressed, monkeypatch
):
    lines = history(progressed, monkeypatch, 80).splitlines()
    assert lines[0] == "At, milestone; event · by · what"
    forecast = next(
        i for i, line in enumerate(lines) if line.endswith(PILOT) and "forecast" in lines[i + 1]
    )
    assert lines[forecast + 1].startswith("    forecast · tester · re-forecast 2026-H2 → 2027-Q1")


def test_from_112_columns_each_event_is_a_row_of_columns(progressed, monkeypatch):
    lines = history(progressed, monkeypatch, 112).splitlines()
    assert lines[0].split() == ["At", "Milestone", "Event", "By", "What"]
    assert any(PILOT in line and "forecast" in line and "tester" in line for line in lines)


def test_one_milestones_history_fits_80_columns_as_columns(progressed, monkeypatch):
    lines = history(progressed, monkeypatch, 80, PILOT).splitlines()
    assert lines[0].split() == ["At", "Event", "By", "What"]
    assert max(cells(line) for line in lines) <= 80
    assert "because kit late" in " ".join(" ".join(lines).split())


def test_since_shows_only_what_happened_from_that_day_on(progressed):
    day = (TODAY + timedelta(days=2)).date().isoformat()
    events = json.loads(progressed("history", "--since", day, "--format", "json").stdout)
    assert [(e["milestone"], e["kind"]) for e in events] == [(PILOT, "forecast")]
    assert progressed("history", PILOT, "--since", day).stdout.count("re-forecast") == 1


def test_since_after_everything_is_an_empty_array_and_a_table_of_headings(progressed):
    later = (TODAY + timedelta(days=30)).date().isoformat()
    assert progressed("history", "--since", later, "--format", "json").stdout == "[]\n"
    assert len(progressed("history", "--since", later).stdout.splitlines()) == 1


def test_a_since_that_is_not_a_date_is_exit_2_and_one_sentence(progressed):
    result = progressed("history", "--since", "last week")
    assert result.exit_status == 2 and "Traceback" not in result.stderr
    assert result.stderr == (
        "ukjp-monitor history: invalid value for '--since': "
        "'last week' is not a date; use YYYY-MM-DD\n"
    )
