"""The programme's holiday calendars, from milestones.yaml to the digest."""

from datetime import date

from sample_mail import parsed

NOV_24 = date(2026, 11, 24)


def test_programme_calendars_make_the_digest_count_working_days_left(config_dir, monitor, settings):
    path = config_dir / "milestones.yaml"
    path.write_text(
        path.read_text().replace(
            "  timezone: Europe/London\n", "  timezone: Europe/London\n  calendars: [GB-ENG, JP]\n"
        )
    )
    monitor.sync()
    monitor.send_digests(as_of=NOV_24)
    [message] = [
        parsed(p.read_bytes()) for p in settings.outbox_dir.glob("*.eml") if "pmo@" in p.name
    ]
    text = " ".join(message.get_body(("plain",)).get_content().split())
    assert "due by 31 Dec 2026, 37 days left (24 working days)" in text


def test_an_unknown_calendar_is_refused_on_its_line(config_dir, run_cli):
    path = config_dir / "milestones.yaml"
    path.write_text(
        path.read_text().replace(
            "  timezone: Europe/London\n", "  timezone: Europe/London\n  calendars: [JP-TOKYO]\n"
        )
    )
    result = run_cli("validate")
    assert result.exit_status == 2
    assert "milestones.yaml:" in result.stderr and "calendars" in result.stderr
    assert "'GB-ENG'" in result.stderr and "'JP'" in result.stderr


def with_calendars(config_dir):
    path = config_dir / "milestones.yaml"
    path.write_text(
        path.read_text().replace(
            "  timezone: Europe/London\n", "  timezone: Europe/London\n  calendars: [GB-ENG, JP]\n"
        )
    )


def test_status_and_show_count_working_days_left_with_the_programmes_calendars(config_dir, run_cli):
    import json

    with_calendars(config_dir)
    assert run_cli("sync").exit_status == 0
    rows = {r["id"]: r for r in json.loads(run_cli("status", "--format", "json").stdout)}
    pilot = rows["rare-disease-pilot-start"]
    assert (pilot["days_to_end"], pilot["working_days_to_end"]) == (37, 24)
    assert rows["joint-committee-meeting"]["working_days_to_end"] is None  # TBC
    shown = json.loads(run_cli("show", "rare-disease-pilot-start", "--format", "json").stdout)
    assert shown["working_days_to_end"] == 24
    assert "37 days left (24 working)" in run_cli("status").stdout
    assert "(24 working)" in run_cli("show", "rare-disease-pilot-start").stdout


def test_without_calendars_the_json_has_no_working_days(run_cli):
    import json

    assert run_cli("sync").exit_status == 0
    rows = json.loads(run_cli("status", "--format", "json").stdout)
    assert all("working_days_to_end" not in r for r in rows)
