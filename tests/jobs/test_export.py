"""export: a calendar that updates instead of duplicating, and the data."""

import csv
import io
import json
from datetime import date, timedelta

import pytest
from icalendar import Calendar

from ukjp_monitor.plan.report import to_json_document

PILOT = "rare-disease-pilot-start"


@pytest.fixture
def synced(run_cli):
    assert run_cli("sync").exit_status == 0
    return run_cli


def calendar(run_cli) -> dict[str, object]:
    result = run_cli("export", "--format", "ics")
    assert result.exit_status == 0, result.stderr
    cal = Calendar.from_ical(result.stdout)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_the_calendar_has_one_all_day_event_per_scheduled_milestone(synced):
    events = calendar(synced)
    assert set(events) == {f"{PILOT}@ukjp-monitor", "package-announced@ukjp-monitor"}
    pilot = events[f"{PILOT}@ukjp-monitor"]
    assert pilot["dtstart"].dt == date(2026, 7, 1)
    assert pilot["dtend"].dt == date(2027, 1, 1)  # exclusive: the window ends 31 Dec
    assert str(pilot["summary"]) == "National rare disease screening pilot begins in Japan"


def test_open_milestones_carry_an_alarm_at_the_lead_time(synced):
    events = calendar(synced)
    [alarm] = events[f"{PILOT}@ukjp-monitor"].walk("VALARM")
    assert alarm["trigger"].dt == timedelta(days=-30)
    assert not events["package-announced@ukjp-monitor"].walk("VALARM")


def test_a_reforecast_updates_the_same_event_with_a_higher_sequence(synced):
    before = calendar(synced)[f"{PILOT}@ukjp-monitor"]
    synced("forecast", PILOT, "2027-Q1", "--reason", "late")
    after = calendar(synced)[f"{PILOT}@ukjp-monitor"]
    assert after["dtstart"].dt == date(2027, 1, 1)
    assert int(after["sequence"]) > int(before["sequence"])


def test_exporting_twice_gives_the_same_calendar(synced):
    first = synced("export", "--format", "ics").stdout
    assert synced("export", "--format", "ics").stdout == first


def test_a_cancelled_milestone_stays_in_the_calendar_marked_cancelled(synced):
    synced("cancel", PILOT, "--reason", "partnership ended")
    pilot = calendar(synced)[f"{PILOT}@ukjp-monitor"]
    assert str(pilot["status"]) == "CANCELLED"


def test_json_export_carries_owner_amount_and_source(synced):
    data = json.loads(synced("export", "--format", "json").stdout)
    rows = {m["id"]: m for m in data["milestones"]}
    assert data["programme"] == "UK–Japan Science and Technology Partnership"
    assert rows["connectivity-programme"]["amount"] == "£6m (£3m DSIT + £3m Japanese Government)"
    assert rows[PILOT]["source"].startswith("https://www.gov.uk/")


def test_json_export_puts_each_milestone_on_a_line_of_its_own(synced):
    """The document reads and diffs by milestone: its header keys indented,
    then one compact object per line, every line valid within the whole."""
    text = synced("export", "--format", "json").stdout
    lines = text.splitlines()
    assert lines[:2] == ["{", '  "programme": "UK–Japan Science and Technology Partnership",']
    assert lines[-2:] == ["  ]", "}"]
    objects = [line.strip().rstrip(",") for line in lines if line.startswith("    {")]
    assert [json.loads(o)["id"] for o in objects] == [
        m["id"] for m in json.loads(text)["milestones"]
    ]
    assert len(objects) == 8


def test_an_empty_list_in_a_json_document_is_written_as_one():
    assert json.loads(to_json_document({"as_of": date(2026, 11, 24)}, "milestones", [])) == {
        "as_of": "2026-11-24",
        "milestones": [],
    }


def test_csv_export_writes_a_file(synced, tmp_path):
    target = tmp_path / "plan.csv"
    result = synced("export", "--format", "csv", "--output", target)
    assert result.exit_status == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == 8
    assert {"id", "status", "owner", "amount"} <= rows[0].keys()


def test_a_csv_for_excel_starts_with_a_byte_order_mark_so_pounds_and_dashes_survive(
    synced, tmp_path
):
    target = tmp_path / "plan.csv"
    assert synced("export", "--format", "csv", "--excel", "--output", target).exit_status == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 8
    assert any("£6m" in row["title"] for row in rows)
    assert any("UK–Japan" in row["title"] for row in rows)


def test_excel_is_only_for_csv(synced):
    result = synced("export", "--format", "json", "--excel")
    assert result.exit_status == 2
    assert "--excel is for --format csv" in result.stderr
