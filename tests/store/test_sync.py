"""sync: validate, then load in one transaction; history is never lost."""

from datetime import date

import pytest

from conftest import snapshot
from ukjp_monitor.config import loader
from ukjp_monitor.errors import ConfigError
from ukjp_monitor.store import bulk, milestonesync, schema

PILOT = "rare-disease-pilot-start"


@pytest.fixture(autouse=True, params=["one chunk", "chunks of 3", "keys checked at the end"])
def chunk_size(request, monkeypatch):
    """Every rule holds whether the portfolio fits in one chunk or spans
    several (the shipped eight milestones in chunks of 3), and when a first
    sync is large enough to check foreign keys once at the end."""
    if request.param != "one chunk":
        monkeypatch.setattr(milestonesync, "CHUNK", 3)
    if request.param == "keys checked at the end":
        monkeypatch.setattr(milestonesync, "BULK_LOAD", 1)


def edit(config_dir, old: str, new: str, file: str = "milestones.yaml") -> None:
    path = config_dir / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


def events(monitor, milestone_id=None, kind=None):
    _, rows = monitor.history(milestone_id)
    return [e for e in rows if kind is None or e["kind"] == kind]


def test_the_first_sync_adds_every_milestone_with_an_event(monitor):
    report = monitor.sync()
    assert report.counts["added"] == 8
    standing = monitor.assess()
    assert len(standing.assessments) == 8
    assert len(events(monitor, kind="added")) == 8


def test_a_dependency_on_a_milestone_further_down_the_file_is_kept(monitor, config_dir):
    first = "nanopore-genesis-heads-of-terms"
    edit(
        config_dir,
        f"  - id: {first}\n",
        f"  - id: {first}\n    depends_on: [joint-committee-meeting]\n",
    )
    monitor.sync()
    assert monitor.show(first).assessment.milestone.depends_on == ("joint-committee-meeting",)


def test_config_progress_is_applied_on_first_sync(monitor):
    monitor.sync()
    [completion] = events(monitor, "package-announced", "completed")
    assert completion["details"]["on"] == "2026-02-03"
    assert completion["details"]["source"] == "config"


@pytest.mark.parametrize("force", [False, True], ids=["skipped", "read again"])
def test_resyncing_unchanged_config_changes_nothing(monitor, database_url, force):
    monitor.sync()
    before = snapshot(database_url)
    report = monitor.sync(force=force)
    assert not report.changed
    assert report.skipped is not force
    assert snapshot(database_url) == before


def test_files_unchanged_since_the_last_sync_are_not_read_again(monitor, config_dir):
    monitor.sync()
    assert monitor.sync().skipped
    edit(config_dir, "target: 2026-H2", "target: 2027-Q1")
    report = monitor.sync()
    assert not report.skipped and report.counts == {"rebaselined": 1}
    assert monitor.sync().skipped


def test_an_edit_to_monitor_yaml_alone_is_read_too(monitor, config_dir):
    monitor.sync()
    edit(config_dir, "lead_days: 30", "lead_days: 45", file="monitor.yaml")
    assert monitor.sync().counts["programme"] == 1


def test_a_database_synced_from_other_files_or_by_another_version_reads_them(
    monitor, config_dir, database_url
):
    monitor.sync()
    with monitor.engine.begin() as conn:
        conn.execute(schema.programme.update().values(config_sha256="0" * 64))
    assert not monitor.sync().skipped
    assert monitor.sync().skipped


def test_a_fingerprint_covers_both_files_and_the_version(config_dir, monkeypatch):
    first = loader.fingerprint(config_dir)
    assert first == loader.fingerprint(config_dir)
    monkeypatch.setattr(loader, "__version__", "99.0")
    assert loader.fingerprint(config_dir) != first
    monkeypatch.undo()
    (config_dir / "monitor.yaml").write_text((config_dir / "monitor.yaml").read_text() + "\n")
    assert loader.fingerprint(config_dir) != first
    (config_dir / "milestones.yaml").unlink()
    assert loader.fingerprint(config_dir) is None


def test_an_invalid_config_is_reported_on_every_sync_not_only_the_first(monitor, config_dir):
    monitor.sync()
    edit(config_dir, "target: 2026-H2", "target: 2026-H3")
    for _ in range(2):
        with pytest.raises(ConfigError, match="2026-H3"):
            monitor.sync()


def test_a_changed_target_is_recorded_as_a_rebaseline_with_old_and_new(monitor, config_dir):
    monitor.sync()
    edit(config_dir, "target: 2026-H2", "target: 2027-Q1")
    report = monitor.sync()
    assert report.counts == {"rebaselined": 1}
    [event] = events(monitor, PILOT, "rebaselined")
    assert (event["details"]["old"], event["details"]["new"]) == ("2026-H2", "2027-Q1")
    pilot = monitor.show(PILOT).assessment
    assert pilot.milestone.window.start == date(2027, 1, 1)


def test_a_changed_title_is_an_update_with_old_and_new(monitor, config_dir):
    monitor.sync()
    edit(
        config_dir,
        "title: New UK–Japan space consultation established",
        "title: UK–Japan space consultation established",
    )
    monitor.sync()
    [event] = events(monitor, "space-consultation", "updated")
    assert event["details"]["changes"]["title"] == [
        "New UK–Japan space consultation established",
        "UK–Japan space consultation established",
    ]


def test_a_milestone_removed_from_config_is_retired_not_deleted(monitor, config_dir, run_cli):
    monitor.sync()
    text = (config_dir / "milestones.yaml").read_text()
    start = text.index("  - id: space-consultation")
    end = text.index("  # --- Governance")
    (config_dir / "milestones.yaml").write_text(text[:start] + text[end:])
    report = monitor.sync()
    assert report.counts == {"retired": 1}
    assert "space-consultation" not in {a.milestone.id for a in monitor.assess().assessments}
    retired = monitor.show("space-consultation")
    assert retired.details.retired
    assert [e["kind"] for e in retired.events] == ["added", "retired"]


def test_a_retired_milestone_that_returns_is_restored_with_its_history(monitor, config_dir):
    monitor.sync()
    original = (config_dir / "milestones.yaml").read_text()
    start = original.index("  - id: space-consultation")
    end = original.index("  # --- Governance")
    (config_dir / "milestones.yaml").write_text(original[:start] + original[end:])
    monitor.sync()
    (config_dir / "milestones.yaml").write_text(original)
    assert monitor.sync().counts == {"restored": 1}
    kinds = [e["kind"] for e in events(monitor, "space-consultation")]
    assert kinds == ["added", "retired", "restored"]


def test_progress_recorded_with_the_cli_survives_a_resync(monitor):
    monitor.sync()
    monitor.complete(
        "nanopore-genesis-heads-of-terms", on=date(2026, 6, 1), evidence="https://example.org/hot"
    )
    monitor.forecast(PILOT, "2027-Q1", reason="waiting for sequencers")
    monitor.cancel("joint-committee-meeting", reason="replaced by a ministerial dialogue")
    monitor.sync(force=True)
    standing = {a.milestone.id: a for a in monitor.assess().assessments}
    assert standing["nanopore-genesis-heads-of-terms"].status == "completed"
    assert standing[PILOT].milestone.forecast.text == "2027-Q1"
    assert standing[PILOT].slip_days == 90
    assert standing["joint-committee-meeting"].status == "cancelled"


def test_a_forecast_added_to_the_config_is_applied_once(monitor, config_dir):
    monitor.sync()
    edit(config_dir, "target: 2026-H2", "target: 2026-H2\n    forecast: 2027-H1")
    assert monitor.sync().counts == {"forecast": 1}
    monitor.forecast(PILOT, "2027-Q3", reason="the cli knows better")
    assert not monitor.sync().changed
    pilot = monitor.show(PILOT).assessment
    assert pilot.milestone.forecast.text == "2027-Q3"


def test_changing_the_configs_forecast_again_overrides_the_cli(monitor, config_dir):
    edit(config_dir, "target: 2026-H2", "target: 2026-H2\n    forecast: 2027-H1")
    monitor.sync()
    monitor.forecast(PILOT, "2027-Q3")
    edit(config_dir, "forecast: 2027-H1", "forecast: 2027-Q4")
    monitor.sync()
    assert monitor.show(PILOT).assessment.milestone.forecast.text == "2027-Q4"


def test_removing_a_completion_from_the_config_reopens_the_milestone(monitor, config_dir):
    monitor.sync()
    edit(config_dir, "    completed_on: 2026-02-03\n", "")
    assert monitor.sync().counts == {"reopened": 1}
    assert monitor.show("package-announced").assessment.status == "overdue"


def test_cancelling_in_the_config_and_reinstating(monitor, config_dir):
    monitor.sync()
    edit(config_dir, "notes: Leaders agreed", "cancelled: true\n    notes: Leaders agreed")
    assert monitor.sync().counts == {"cancelled": 1}
    assert monitor.show("space-consultation").assessment.status == "cancelled"
    edit(config_dir, "cancelled: true", "cancelled: false")
    assert monitor.sync().counts == {"reinstated": 1}
    assert monitor.show("space-consultation").assessment.status == "unscheduled"


def test_changed_dependencies_are_recorded(monitor, config_dir):
    monitor.sync()
    edit(
        config_dir,
        "depends_on: [nanopore-genesis-heads-of-terms]",
        "depends_on: [nanopore-genesis-heads-of-terms, orchard-lsimf-terms]",
    )
    monitor.sync()
    [event] = events(monitor, PILOT, "updated")
    assert event["details"]["changes"]["depends_on"] == [
        ["nanopore-genesis-heads-of-terms"],
        ["nanopore-genesis-heads-of-terms", "orchard-lsimf-terms"],
    ]
    assert monitor.show(PILOT).assessment.milestone.depends_on == (
        "nanopore-genesis-heads-of-terms",
        "orchard-lsimf-terms",
    )


def test_a_changed_default_lead_time_updates_every_milestone_without_its_own(monitor, config_dir):
    monitor.sync()
    edit(config_dir, "lead_days: 30", "lead_days: 45", file="monitor.yaml")
    report = monitor.sync()
    assert report.counts["programme"] == 1
    assert all(a.milestone.lead_days == 45 for a in monitor.assess().assessments)


def test_an_invalid_config_writes_nothing(monitor, config_dir, database_url):
    monitor.sync()
    before = snapshot(database_url)
    edit(config_dir, "target: 2026-H2", "target: 2026-H3")
    with pytest.raises(ConfigError):
        monitor.sync()
    assert snapshot(database_url) == before


def test_sync_is_one_transaction(monitor, config_dir, database_url, monkeypatch):
    """A failure at the last statement (writing the audit trail, in bulk
    through the driver) leaves nothing of the sync behind: no re-baseline,
    no retirement."""
    monitor.sync()
    before = snapshot(database_url)
    edit(config_dir, "target: 2026-H2", "target: 2027-H1")
    edit(config_dir, "name: Governance and dialogue", "name: Governance")
    write_rows = bulk.insert_rows

    def fail_on_audit(conn, table, rows):
        if table.name == "events":
            write_rows(conn, table, rows)  # the rows reach the database first
            raise RuntimeError("disk full")
        write_rows(conn, table, rows)

    monkeypatch.setattr(bulk, "insert_rows", fail_on_audit)
    with pytest.raises(RuntimeError, match="disk full"):
        monitor.sync()
    monkeypatch.undo()
    assert snapshot(database_url) == before
