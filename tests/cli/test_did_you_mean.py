"""A mistyped milestone id is bad input that suggests the id meant."""

import pytest

MISTYPED = "rare-disease-pilot-strat"
COMMANDS = (
    ("show", MISTYPED),
    ("complete", MISTYPED, "--on", "2026-11-01"),
    ("forecast", MISTYPED, "2027-Q1"),
    ("cancel", MISTYPED, "--reason", "no funding"),
    ("history", MISTYPED),
)


@pytest.fixture
def synced(run_cli):
    assert run_cli("sync").exit_status == 0
    return run_cli


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: args[0])
def test_a_mistyped_id_gets_a_did_you_mean(synced, args):
    result = synced(*args)
    assert result.exit_status == 2
    assert result.stderr.strip() == (
        f"ukjp-monitor: no milestone has the id {MISTYPED!r}; did you mean "
        "'rare-disease-pilot-start'? 'ukjp-monitor status' lists the ids in use"
    )


def test_an_id_like_none_in_use_gets_no_suggestion(synced):
    result = synced("show", "zzz")
    assert result.exit_status == 2
    assert "did you mean" not in result.stderr


def test_a_retired_id_is_not_suggested_for_progress(synced, config_dir):
    milestones = config_dir / "milestones.yaml"
    milestones.write_text(
        milestones.read_text().replace(
            "id: quantum-joint-projects", "id: quantum-joint-projects-2026"
        )
    )
    assert synced("sync").exit_status == 0
    result = synced("complete", "quantum-joint-project", "--on", "2026-11-01")
    assert result.exit_status == 2
    assert "did you mean 'quantum-joint-projects-2026'?" in result.stderr
