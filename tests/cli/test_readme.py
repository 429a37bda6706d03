"""README.md is the manual: every command is documented with an example."""

import re

import pytest

from conftest import ROOT
from ukjp_monitor.cli import cli

README = (ROOT / "README.md").read_text()


def test_the_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make run" in first_block
    assert "make test" in first_block


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_a_section_and_an_example(command):
    assert f"### {command}\n" in README
    assert re.search(rf"^\$ ukjp-monitor {command}\b", README, re.MULTILINE)


@pytest.mark.parametrize(
    "variable",
    [
        "UKJP_DATABASE_URL",
        "UKJP_CONFIG_DIR",
        "UKJP_OUTBOX_DIR",
        "UKJP_SMTP_HOST",
        "UKJP_SMTP_SECURITY",
        "UKJP_SMTP_TIMEOUT",
        "UKJP_ACTOR",
        "UKJP_TEMPLATES_DIR",
        "UKJP_NOW",
        "UKJP_WEB_TOKEN",
    ],
)
def test_every_environment_variable_is_documented(variable):
    assert f"`{variable}`" in README
