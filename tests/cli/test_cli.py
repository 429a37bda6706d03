"""The command line: every command, its formats, and its exit statuses."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from conftest import TODAY, snapshot

PILOT = "rare-disease-pilot-start"
AS_OF = ("--as-of", "2026-11-24")


@pytest.fixture
def synced(run_cli):
    result = run_cli("sync")
    assert result.exit_status == 0, result.stderr
    return run_cli


def status_json(run_cli, *args):
    result = run_cli("status", "--format", "json", *AS_OF, *args)
    assert result.exit_status == 0, result.stderr
    return {row["id"]: row for row in json.loads(result.stdout)}


def test_validate_reports_what_it_found(run_cli):
    result = run_cli("validate")
    assert result.exit_status == 0
    assert "8 milestones in 5 workstreams, 3 recipients: valid" in result.stdout


def test_sync_says_what_changed(run_cli):
    assert "8 added" in run_cli("sync").stdout
    assert run_cli("sync").stdout.strip() == (
        "synced: nothing changed (the configuration files are those of the last sync)"
    )
    assert run_cli("sync", "--force").stdout.strip() == "synced: nothing changed"


def test_status_json_has_the_documented_fields(synced):
    rows = status_json(synced)
    pilot = rows[PILOT]
    for field in (
        "id",
        "title",
        "workstream",
        "status",
        "rag",
        "target",
        "forecast",
        "window_start",
        "window_end",
        "completed_on",
        "slip_days",
        "at_risk",
        "depends_on",
    ):
        assert field in pilot
    assert pilot["status"] == "due"
    assert pilot["rag"] == "amber"
    assert pilot["at_risk"] is True
    assert (pilot["window_start"], pilot["window_end"]) == ("2026-07-01", "2026-12-31")
    assert pilot["depends_on"] == ["nanopore-genesis-heads-of-terms"]
    assert pilot["days_to_end"] == 37
    assert rows["joint-committee-meeting"]["target"] is None
    assert rows["joint-committee-meeting"]["status"] == "unscheduled"


def test_status_as_of_replays_an_earlier_day(synced):
    rows = status_json(synced, "--as-of", "2026-06-05")
    assert rows[PILOT]["status"] == "approaching"
    assert rows["package-announced"]["status"] == "completed"
    before = status_json(synced, "--as-of", "2026-02-02")
    assert before["package-announced"]["status"] == "approaching"


def test_status_filters_by_workstream_and_status(synced):
    assert set(status_json(synced, "--workstream", "life-sciences")) == {
        "nanopore-genesis-heads-of-terms",
        PILOT,
        "orchard-lsimf-terms",
    }
    assert set(status_json(synced, "--status", "due")) == {PILOT}


def test_filtering_keeps_dependency_risk_from_outside_the_filter(synced):
    rows = status_json(synced, "--status", "due")
    assert rows[PILOT]["at_risk"] is True


def test_status_csv_has_a_header_and_a_row_per_milestone(synced):
    result = synced("status", "--format", "csv", *AS_OF)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 8
    assert rows[0].keys() >= {"id", "status", "rag", "window_start"}


def test_status_table_shows_rag_days_and_a_summary(synced):
    result = synced("status", *AS_OF)
    assert result.exit_status == 0
    assert "● amber" in result.stdout
    assert "37 days left" in result.stdout
    assert "8 milestones as of 2026-11-24: 1 due, 6 unscheduled, 1 completed, 1 at risk" in (
        result.stdout
    )


def test_an_unknown_workstream_is_bad_input(synced):
    result = synced("status", "--workstream", "biology")
    assert result.exit_status == 2
    assert "no workstream has the id 'biology'" in result.stderr


def test_status_before_any_sync_says_what_to_do(run_cli):
    result = run_cli("status")
    assert result.exit_status == 1
    assert "run 'ukjp-monitor sync' first" in result.stderr


def test_show_json_includes_the_history(synced):
    result = synced("show", PILOT, "--format", "json", *AS_OF)
    data = json.loads(result.stdout)
    assert data["id"] == PILOT
    assert data["amount"] is None
    assert [e["kind"] for e in data["history"]] == ["added"]
    assert {"at", "kind", "details"} <= data["history"][0].keys()


def test_show_table_lists_facts_and_history(synced):
    result = synced("show", "orchard-lsimf-terms")
    assert "around £11m" in result.stdout
    assert "History" in result.stdout
    assert "added to the plan, target TBC" in result.stdout


def test_an_unknown_milestone_is_bad_input_everywhere(synced):
    for args in (
        ("show", "nope"),
        ("complete", "nope", "--on", "2026-01-01"),
        ("forecast", "nope", "2027"),
        ("cancel", "nope", "--reason", "x"),
        ("history", "nope"),
    ):
        result = synced(*args)
        assert result.exit_status == 2, args
        assert "no milestone has the id 'nope'" in result.stderr


def test_complete_records_who_when_why_and_evidence(synced):
    result = synced(
        "complete",
        "nanopore-genesis-heads-of-terms",
        "--on",
        "2026-06-01",
        "--evidence",
        "https://example.org/hot",
        "--note",
        "signed in Tokyo",
    )
    assert result.exit_status == 0
    rows = status_json(synced)
    assert rows["nanopore-genesis-heads-of-terms"]["status"] == "completed"
    assert rows[PILOT]["at_risk"] is False
    data = json.loads(
        synced("history", "nanopore-genesis-heads-of-terms", "--format", "json").stdout
    )
    completed = data[-1]
    assert completed["kind"] == "completed"
    assert completed["actor"] == "tester"
    assert completed["details"]["evidence"] == "https://example.org/hot"
    assert "signed in Tokyo" in completed["summary"]


@pytest.mark.parametrize("bad_date", ["2026-02-30", "tomorrow", "2026-13-01"])
def test_an_impossible_date_is_one_line_and_exit_2(synced, bad_date):
    result = synced("complete", PILOT, "--on", bad_date)
    assert result.exit_status == 2
    assert "Traceback" not in result.stderr
    assert bad_date in result.stderr


def test_a_completion_in_the_future_is_refused(synced):
    tomorrow = TODAY.date() + timedelta(days=1)
    result = synced("complete", PILOT, "--on", tomorrow.isoformat())
    assert result.exit_status == 2
    assert "after today" in result.stderr


def test_forecast_moves_the_window_and_records_the_slip(synced):
    assert synced("forecast", PILOT, "2027-Q1", "--reason", "kit late").exit_status == 0
    pilot = status_json(synced)[PILOT]
    assert (pilot["forecast"], pilot["slip_days"], pilot["status"]) == ("2027-Q1", 90, "planned")
    assert pilot["rag"] == "amber"


def test_forecast_tbc_makes_a_milestone_unscheduled(synced):
    synced("forecast", PILOT, "TBC")
    assert status_json(synced)[PILOT]["status"] == "unscheduled"


def test_a_bad_forecast_names_the_accepted_forms(synced):
    result = synced("forecast", PILOT, "2027-Q5")
    assert result.exit_status == 2
    assert "YYYY-Qn" in result.stderr


def test_cancel_needs_a_reason_and_is_kept_in_history(synced):
    assert synced("cancel", "space-consultation").exit_status == 2
    assert synced("cancel", "space-consultation", "--reason", "merged").exit_status == 0
    rows = status_json(synced)
    assert (rows["space-consultation"]["status"], rows["space-consultation"]["rag"]) == (
        "cancelled",
        "grey",
    )
    again = synced("cancel", "space-consultation", "--reason", "twice")
    assert again.exit_status == 2


def test_cancel_is_dated_today_unless_told_otherwise(synced):
    result = synced("cancel", "space-consultation", "--reason", "merged")
    assert result.stdout.strip() == f"space-consultation: cancelled on {TODAY.date()}"
    [event] = [
        e
        for e in json.loads(synced("history", "space-consultation", "--format", "json").stdout)
        if e["kind"] == "cancelled"
    ]
    assert event["details"]["on"] == TODAY.date().isoformat()
    assert event["details"]["reason"] == "merged"


def test_a_cancellation_can_be_back_dated_and_replays_from_that_day(synced):
    last_week = TODAY.date() - timedelta(days=7)
    result = synced("cancel", PILOT, "--reason", "descoped", "--on", last_week.isoformat())
    assert result.exit_status == 0, result.stderr
    day_before = (last_week - timedelta(days=1)).isoformat()
    assert status_json(synced)[PILOT]["status"] == "cancelled"
    assert status_json(synced, "--as-of", day_before)[PILOT]["status"] != "cancelled"


def test_a_cancellation_in_the_future_is_refused_and_writes_nothing(synced, settings):
    before = snapshot(settings.database_url)
    tomorrow = TODAY.date() + timedelta(days=1)
    result = synced("cancel", PILOT, "--reason", "descoped", "--on", tomorrow.isoformat())
    assert result.exit_status == 2
    assert result.stderr.strip() == (
        f"ukjp-monitor: the cancellation date {tomorrow} is after today ({TODAY.date()}); "
        "record a cancellation once it has been decided"
    )
    assert snapshot(settings.database_url) == before


def test_history_shows_sync_changes_and_progress(synced):
    synced("forecast", PILOT, "2027-Q1", "--reason", "kit late")
    result = synced("history")
    assert result.exit_status == 0
    assert "re-forecast 2026-H2 → 2027-Q1, because kit late" in result.stdout
    rows = json.loads(synced("history", "--format", "json").stdout)
    assert {r["kind"] for r in rows} >= {"added", "completed", "forecast"}


def test_an_unreachable_database_exits_1_without_a_traceback(run_cli, config_dir):
    result = run_cli(
        "status",
        "--db",
        "postgresql://postgres@127.0.0.1:9/nowhere",
        "--config-dir",
        config_dir,
        db=False,
    )
    assert result.exit_status == 1
    assert result.stderr.startswith("ukjp-monitor: cannot reach the database")


def test_an_unknown_option_is_exit_2(run_cli):
    assert run_cli("status", "--colour").exit_status == 2


def test_python_dash_m_runs_the_same_program(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ukjp_monitor", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "ukjp-monitor" in result.stdout


@pytest.mark.parametrize(
    "command", [["status", "--format", "json"], ["status"], ["show", PILOT], ["history"]]
)
def test_the_query_path_imports_neither_prefect_nor_jinja(synced, settings, command):
    probe = (
        "import sys\n"
        "from ukjp_monitor.cli import main\n"
        "try:\n"
        f"    main({[*command, '--db', settings.database_url]!r})\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "    {'prefect', 'jinja2', 'alembic', 'pydantic', 'yaml', 'apscheduler'})\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stderr


@pytest.mark.parametrize("command", [["history"], ["status"], ["show", PILOT]])
def test_a_terminal_that_cannot_show_unicode_gets_question_marks_not_a_traceback(
    synced, settings, command
):
    assert synced("check").exit_status == 0  # alerts sent: "→" and "–" in the history
    result = subprocess.run(
        [sys.executable, "-m", "ukjp_monitor", *command, "--db", settings.database_url],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert result.stdout.isascii()
    if command == ["history"]:
        assert b"[UK?Japan S&T]" in result.stdout


def test_web_refuses_an_address_beyond_this_machine_without_a_token(synced):
    result = synced("web", "--host", "0.0.0.0")
    assert result.exit_status == 2
    assert result.stderr.strip() == (
        "ukjp-monitor: without UKJP_WEB_TOKEN the status page listens on loopback only, "
        "not 0.0.0.0; set UKJP_WEB_TOKEN, or give --public to show it to anyone who can reach it"
    )


def test_web_says_there_is_nothing_to_show_before_the_first_sync(run_cli):
    result = run_cli("web")
    assert result.exit_status == 1
    assert "run 'ukjp-monitor sync' first" in result.stderr


def test_export_html_writes_the_pages_as_linked_static_files(synced, tmp_path):
    out = tmp_path / "site"
    result = synced("export", "--format", "html", "--output", out)
    assert result.exit_status == 0, result.stderr
    assert "wrote 11 files" in result.stderr
    index = (out / "index.html").read_text()
    assert f'href="milestones/{PILOT}.html"' in index
    assert 'href="static/style.css"' in index and (out / "static" / "style.css").is_file()
    page = (out / "milestones" / f"{PILOT}.html").read_text()
    assert 'href="../index.html"' in page and 'href="../timeline.html"' in page
    assert "/api/" not in page and "calendar.ics" not in page  # nothing served offline


def test_export_html_needs_a_folder(synced, tmp_path):
    assert synced("export", "--format", "html").exit_status == 2
    file = tmp_path / "plan.ics"
    file.write_text("")
    assert synced("export", "--format", "html", "--output", file).exit_status == 2


def test_health_json_is_what_healthz_gives(synced):
    result = synced("health", "--format", "json")
    assert result.exit_status == 0
    health = json.loads(result.stdout)
    assert health["ok"] is True
    assert [run["kind"] for run in health["runs"]] == ["check", "digest"]


def test_the_status_page_imports_neither_prefect_nor_apscheduler(synced, settings):
    probe = (
        "import sys\n"
        "from starlette.testclient import TestClient\n"
        "from ukjp_monitor.settings import Settings\n"
        "from ukjp_monitor.web.app import create_app\n"
        f"app = create_app(Settings.from_env().but(database_url={settings.database_url!r}))\n"
        "with TestClient(app) as client:\n"
        "    for path in ('/', '/timeline', '/api/milestones', '/calendar.ics', '/healthz'):\n"
        "        assert client.get(path).status_code == 200, path\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "    {'prefect', 'alembic', 'apscheduler'})\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stderr


def test_run_can_report_in_json_for_the_monitoring_that_watches_it(run_cli):
    result = run_cli("run", "--format", "json")
    assert result.exit_status == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["check"]["as_of"] == TODAY.date().isoformat()
    assert report["check"]["transitions"] == 8
    assert report["check"]["alerts"]["sent"] == 2
    assert report["digests"]["sent"] == 3 and report["digests"]["errors"] == []
    assert report["digests"]["waiting"] == 0
    assert report["sync"]["changes"]["added"] == 8


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["status", "--as-of", "yesterday"], "ukjp-monitor status: invalid value for '--as-of'"),
        (["status", "--format", "xml"], "'xml' is not one of 'table', 'json', 'csv'"),
        (["status", "--nope"], "no such option '--nope'; see 'ukjp-monitor status --help'"),
        (["status", "--form", "json"], "no such option '--form'; did you mean '--format'?"),
        (["statsu"], "ukjp-monitor: no such command 'statsu'; did you mean 'status'?"),
        (["show"], "ukjp-monitor show: missing argument 'ID'; see 'ukjp-monitor show --help'"),
    ],
)
def test_a_mistake_on_the_command_line_is_one_sentence_with_exit_status_2(run_cli, args, said):
    result = run_cli(*args, db=False)
    assert result.exit_status == 2
    assert said in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Usage:" not in result.stderr
