"""monitor.yaml's channels: validated at their lines, their ${VAR} references never resolved."""

from pathlib import Path

import pytest

from conftest import TODAY
from ukjp_monitor.config.loader import load_config
from ukjp_monitor.errors import ConfigError
from ukjp_monitor.plan.records import Channel


def with_channels(config_dir, body: str) -> int:
    """Append ``channels:`` with ``body``; the line its first item is on."""
    path = config_dir / "monitor.yaml"
    text = path.read_text().rstrip("\n") + "\n"
    path.write_text(text + "channels:\n" + body)
    return text.count("\n") + 2


def problems(config_dir) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_config(config_dir, now=TODAY)
    return [p.split("monitor.yaml:", 1)[1] for p in raised.value.problems]


def test_a_channel_validates_into_a_channel_with_its_references_unresolved(config_dir, monkeypatch):
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-secret")
    with_channels(
        config_dir,
        "  - name: pmo-slack\n    url: slack://${SLACK_TOKEN}/#pmo\n"
        "  - name: partners\n    url: workflows://${TEAMS_HOST}/${TEAMS_WORKFLOW}/${TEAMS_SIG}\n"
        "    owners: [JST]\n    language: ja\n",
    )
    channels = load_config(config_dir, now=TODAY).monitor.channels
    assert channels == [
        Channel("pmo-slack", "slack://${SLACK_TOKEN}/#pmo"),
        Channel(
            "partners",
            "workflows://${TEAMS_HOST}/${TEAMS_WORKFLOW}/${TEAMS_SIG}",
            workstreams=(),
            owners=("JST",),
            language="ja",
        ),
    ]


def test_an_unknown_scheme_is_refused_on_its_line_without_showing_the_url(config_dir):
    first = with_channels(config_dir, "  - name: team\n    url: nosuch://hook/SECRETPART\n")
    (problem,) = problems(config_dir)
    assert problem.startswith(f"{first + 1}: channel team: url: has the scheme nosuch://")
    assert "SECRETPART" not in problem


def test_a_name_used_twice_is_refused(config_dir):
    first = with_channels(
        config_dir, "  - {name: team, url: 'json://a/hook'}\n  - {name: team, url: 'json://b/x'}\n"
    )
    assert problems(config_dir) == [
        f"{first + 1}: channel team: the name is already used on line {first}"
    ]


def test_a_channel_follows_known_workstreams_in_a_language_it_has(config_dir):
    first = with_channels(
        config_dir,
        "  - {name: a, url: 'json://a/h', workstreams: [nope]}\n"
        "  - {name: b, url: 'json://a/h', language: fr}\n"
        "  - {name: c, url: 'json://a/${oops'}\n",
    )
    found = problems(config_dir)
    assert found[0].startswith(f"{first}: channel a: follows unknown workstream 'nope'")
    assert found[1].startswith(f"{first + 1}: channel b: language:")
    assert found[2].startswith(f"{first + 2}: channel c: url: has a '$' that is not a ${{NAME}}")


def test_the_readmes_channels_example_validates(config_dir):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\nchannels:\n", 1)[1].split("```", 1)[0]
    with_channels(config_dir, example)
    channels = load_config(config_dir, now=TODAY).monitor.channels
    assert [c.name for c in channels] == ["pmo-slack", "partners-teams"]
    assert all("${" in c.url for c in channels)
