"""Configuration: every mistake is reported on its own line, and nothing is written.

The corpus below breaks the shipped configuration one small edit at a time.
Each case says where the mistake is (``where``: the text that starts the
line it is on, found in the edited file) and how the report must begin after
``FILE:LINE: ``, so a message on the wrong line, with the wrong subject or
from the wrong file fails.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from conftest import SHIPPED_CONFIG, TODAY, snapshot
from ukjp_monitor.config.cycles import find_cycles
from ukjp_monitor.config.loader import load_config
from ukjp_monitor.config.specs import ConfiguredMilestone
from ukjp_monitor.errors import ConfigError
from ukjp_monitor.plan.records import Recipient

PLAN, MONITOR = "milestones.yaml", "monitor.yaml"
WHOLE_FILE = None
PILOT_TARGET = "    target: 2026-H2\n"
SPACE_TITLE = "    title: New UK–Japan space consultation established\n"
PILOT_DEPENDS = "    depends_on: [nanopore-genesis-heads-of-terms]\n"
PERIOD_FORMS = "use YYYY-MM-DD, YYYY-MM, YYYY-Qn or Qn YYYY, YYYY-Hn or Hn YYYY, YYYY, FYYYYY"
WORKSTREAMS = "connectivity, governance, life-sciences, quantum, space"


def shipped_line(file: str, text: str) -> int:
    """The line of the shipped ``file`` that ``text`` (found once) starts on."""
    return line_in((SHIPPED_CONFIG / file).read_text(encoding="utf-8"), text)


def line_in(text: str, snippet: str) -> int:
    assert text.count(snippet) == 1, f"{snippet!r} must occur once to mark a line"
    return text[: text.index(snippet)].count("\n") + 1


@dataclass(frozen=True)
class Case:
    file: str
    #: (old, new) replacements, applied in order; old WHOLE_FILE replaces the file.
    edits: tuple[tuple[str | None, str], ...]
    #: how the report must begin after "FILE:LINE: " (subject, then message)
    report: str
    #: the text the mistake's line starts with; "" for line 1, None for no line
    where: str | None
    problems: int = 1
    delete: bool = False


def case(sentence, file, edits, report, *, where=None, problems=1, delete=False):
    edits = tuple(edits) if isinstance(edits, list) else (edits,)
    where = edits[0][1] if where is None and edits else where
    return pytest.param(Case(file, edits, report, where, problems, delete), id=sentence)


BROKEN = [
    case(
        "a YAML syntax error points at the bracket left open",
        PLAN,
        ("    workstream: quantum\n", "    workstream: [quantum\n"),
        "not valid YAML: the [ list that starts here is not closed",
    ),
    case(
        "a YAML syntax error points at the quote left open",
        PLAN,
        (SPACE_TITLE, '    title: "New UK–Japan space consultation established\n'),
        "not valid YAML: the quoted text that starts here runs on to line "
        + str(shipped_line(PLAN, '    notes: Leaders agreed "to establish'))
        + "; is its closing quote missing?",
    ),
    case(
        "a quote left open at the end of the file points at the quote",
        MONITOR,
        ("    calendar: JP", '    calendar: "JP'),
        "not valid YAML: the quoted text that starts here is never closed",
    ),
    case(
        "a key repeated in one mapping names the milestone and the first line",
        PLAN,
        (PILOT_TARGET, PILOT_TARGET + "    target: 2026-Q4\n"),
        "milestone rare-disease-pilot-start: key 'target' is repeated "
        f"(first on line {shipped_line(PLAN, PILOT_TARGET)}); give it only once",
        where="    target: 2026-Q4",
    ),
    case(
        "a duplicate milestone id names both lines",
        PLAN,
        ("  - id: space-consultation\n", "  - id: quantum-joint-projects\n"),
        "milestone quantum-joint-projects: the id is already used on line "
        f"{shipped_line(PLAN, '  - id: quantum-joint-projects')}",
        where="  - id: quantum-joint-projects\n    title: New UK–Japan space",
    ),
    case(
        "a duplicate workstream id names both lines",
        PLAN,
        (
            "    name: Governance and dialogue\n",
            "    name: Governance and dialogue\n  - id: quantum\n    name: Quantum again\n",
        ),
        "workstream quantum: the id is already used on line "
        + str(shipped_line(PLAN, "  - id: quantum\n")),
        where="  - id: quantum\n    name: Quantum again",
    ),
    case(
        "an unknown workstream lists the known ones",
        PLAN,
        ("    workstream: quantum\n", "    workstream: quantm\n"),
        f"milestone quantum-joint-projects: unknown workstream 'quantm'; known: {WORKSTREAMS}",
    ),
    case(
        "an unknown dependency is named",
        PLAN,
        (PILOT_DEPENDS, "    depends_on: [nanopore-genesis-heads-of-term]\n"),
        "milestone rare-disease-pilot-start: depends on 'nanopore-genesis-heads-of-term', "
        "which is not a milestone in this file",
    ),
    case(
        "a milestone depending on itself is refused",
        PLAN,
        (PILOT_DEPENDS, "    depends_on: [rare-disease-pilot-start]\n"),
        "milestone rare-disease-pilot-start: depends on itself; "
        "remove 'rare-disease-pilot-start' from depends_on",
    ),
    case(
        "a dependency listed twice is refused",
        PLAN,
        (
            PILOT_DEPENDS,
            "    depends_on: [nanopore-genesis-heads-of-terms,\n"
            "                 nanopore-genesis-heads-of-terms]\n",
        ),
        "milestone rare-disease-pilot-start: lists 'nanopore-genesis-heads-of-terms' twice "
        "in depends_on; give each dependency once",
        where="                 nanopore-genesis-heads-of-terms]",
    ),
    case(
        "a dependency cycle of three is shown whole",
        PLAN,
        [
            (
                "    workstream: life-sciences\n    target: TBC\n    owner: Oxford Nanopore",
                "    workstream: life-sciences\n    depends_on: [space-consultation]\n"
                "    target: TBC\n    owner: Oxford Nanopore",
            ),
            (
                "    workstream: space\n",
                "    workstream: space\n    depends_on: [rare-disease-pilot-start]\n",
            ),
        ],
        "milestone nanopore-genesis-heads-of-terms: dependencies form a cycle, "
        "nanopore-genesis-heads-of-terms → space-consultation → rare-disease-pilot-start → "
        "nanopore-genesis-heads-of-terms; remove one of them",
        where="    depends_on: [space-consultation]",
    ),
    case(
        "an impossible date as target is not a real date",
        PLAN,
        (PILOT_TARGET, "    target: 2026-02-30\n"),
        "milestone rare-disease-pilot-start: target: '2026-02-30' is not a real date",
    ),
    case(
        "a fifth quarter lists the accepted target forms",
        PLAN,
        (PILOT_TARGET, "    target: 2026-Q5\n"),
        f"milestone rare-disease-pilot-start: target: '2026-Q5' is not a period; {PERIOD_FORMS}",
    ),
    case(
        "a target of soon lists the accepted target forms",
        PLAN,
        (PILOT_TARGET, "    target: soon\n"),
        f"milestone rare-disease-pilot-start: target: 'soon' is not a period; {PERIOD_FORMS}",
    ),
    case(
        "an explicit window that ends before it starts is refused",
        PLAN,
        (PILOT_TARGET, "    target: {from: 2026-12-01, to: 2026-10-01}\n"),
        "milestone rare-disease-pilot-start: target: the window ends (2026-10-01) "
        "before it starts (2026-12-01)",
    ),
    case(
        "a completion that is not a date asks for YYYY-MM-DD",
        PLAN,
        ("    completed_on: 2026-02-03\n", "    completed_on: last week\n"),
        "milestone package-announced: completed_on: 'last week' is not a date; use YYYY-MM-DD",
    ),
    case(
        "a completion dated after today has not happened and is refused",
        PLAN,
        (
            "    completed_on: 2026-02-03\n",
            f"    completed_on: {TODAY.date() + timedelta(days=1)}\n",
        ),
        f"milestone package-announced: completed_on {TODAY.date() + timedelta(days=1)} "
        f"is after today ({TODAY.date()}); record a completion once it has happened, "
        "or give a forecast",
    ),
    case(
        "a typo in a milestone key suggests the right one and nothing else",
        PLAN,
        (SPACE_TITLE, SPACE_TITLE.replace("title:", "titel:")),
        "milestone space-consultation: unknown key 'titel'; did you mean 'title'?",
    ),
    case(
        "an unknown top level key lists the accepted ones",
        PLAN,
        ("\nmilestones:\n", "\nowners: []\nmilestones:\n"),
        "unknown key 'owners'; accepted keys: programme, workstreams, milestones",
        where="owners: []",
    ),
    case(
        "a missing title is reported on the milestone's first line",
        PLAN,
        (SPACE_TITLE, ""),
        "milestone space-consultation: 'title' is required",
        where="  - id: space-consultation",
    ),
    case(
        "an id that is not lowercase with dashes says what an id is",
        PLAN,
        ("  - id: space-consultation\n", "  - id: Space_Consultation\n"),
        "milestone Space_Consultation: id: 'Space_Consultation' is not an id; "
        "use lowercase letters, digits and dashes",
    ),
    case(
        "a title with a line break is refused because it could forge a mail header",
        PLAN,
        (SPACE_TITLE, '    title: "Space consultation\\r\\nBcc: victim@example.net"\n'),
        "milestone space-consultation: title: must be one line of text, "
        "without line breaks or control characters",
    ),
    case(
        "a title with a unicode next line character is refused too",
        PLAN,
        (SPACE_TITLE, '    title: "Space consultation\\NBcc: victim@example.net"\n'),
        "milestone space-consultation: title: must be one line of text",
    ),
    case(
        "a title with a unicode line separator is refused too",
        PLAN,
        (SPACE_TITLE, '    title: "Space consultation\\LBcc: victim@example.net"\n'),
        "milestone space-consultation: title: must be one line of text",
    ),
    case(
        "a title longer than the database keeps is refused",
        PLAN,
        (SPACE_TITLE, f"    title: {'x' * 501}\n"),
        "milestone space-consultation: title: is 501 characters long; at most 500 are allowed",
    ),
    case(
        "an alias that contains itself is refused instead of recursing forever",
        PLAN,
        (
            "    notes: Leaders agreed",
            "    amount: &loop [*loop]\n    notes: Leaders agreed",
        ),
        "milestone space-consultation: an alias here refers to itself",
        where="    amount: &loop",
        problems=2,
    ),
    case(
        "a list where text belongs is described as a list, not written out",
        PLAN,
        (
            '    notes: Leaders agreed "to establish a new space consultation". No date announced.',
            "    notes: [a, b]",
        ),
        "milestone space-consultation: notes: must be text, not a list",
    ),
    case(
        "a list among the dependencies is described as a list",
        PLAN,
        (PILOT_DEPENDS, "    depends_on: [[nanopore-genesis-heads-of-terms]]\n"),
        "milestone rare-disease-pilot-start: depends_on: must be text, not a list",
    ),
    case(
        "a mapping as a lead time is described as a mapping",
        PLAN,
        (PILOT_TARGET, PILOT_TARGET + "    lead_days: {days: 30}\n"),
        "milestone rare-disease-pilot-start: lead_days: a mapping is not a lead time; "
        "use a whole number of days from 0 to 3660",
        where="    lead_days: {days: 30}",
    ),
    case(
        "a list as a target is described as a list",
        PLAN,
        (PILOT_TARGET, "    target: [2026-H2]\n"),
        f"milestone rare-disease-pilot-start: target: a list is not a period; {PERIOD_FORMS}",
    ),
    case(
        "a list as the start of an explicit window is described as a list",
        PLAN,
        (PILOT_TARGET, "    target: {from: [2026-10-01], to: 2027-01-31}\n"),
        "milestone rare-disease-pilot-start: target: a list is not a date; use YYYY-MM-DD",
    ),
    case(
        "a mapping as a completion date is described as a mapping",
        PLAN,
        ("    completed_on: 2026-02-03\n", "    completed_on: {on: 2026-02-03}\n"),
        "milestone package-announced: completed_on: a mapping is not a date; use YYYY-MM-DD",
    ),
    case(
        "an alias to an anchor that is never defined is a YAML error on its line",
        PLAN,
        ("    notes: Leaders agreed", "    amount: *nowhere\n    notes: Leaders agreed"),
        "not valid YAML: the alias *nowhere refers to no anchor &nowhere above it",
        where="    amount: *nowhere",
    ),
    case(
        "an anchor defined twice is a YAML error at the second",
        PLAN,
        (
            "    notes: Leaders agreed",
            "    amount: &money one\n    owner: &money two\n    notes: Leaders agreed",
        ),
        "not valid YAML: the anchor &money is already defined on line "
        + str(shipped_line(PLAN, "    notes: Leaders agreed"))
        + "; give each anchor a name of its own",
        where="    owner: &money",
    ),
    case(
        "a second document in the file is refused where it starts",
        MONITOR,
        ("    workstreams: [life-sciences]", "    workstreams: [life-sciences]\n---\nlead_days: 3"),
        "not valid YAML: a second document starts here; the file must hold only one",
        where="---",
    ),
    case(
        "a bad time zone suggests IANA names",
        PLAN,
        ("  timezone: Europe/London\n", "  timezone: Europe/Londres\n"),
        "programme: timezone: 'Europe/Londres' is not a time zone; "
        "use an IANA name such as Europe/London or Asia/Tokyo",
    ),
    case(
        "a negative lead time on a milestone asks for a whole number of days",
        PLAN,
        (PILOT_TARGET, PILOT_TARGET + "    lead_days: -1\n"),
        "milestone rare-disease-pilot-start: lead_days: -1 is not a lead time; "
        "use a whole number of days from 0 to 3660",
        where="    lead_days: -1",
    ),
    case(
        "an empty milestones file says what it needs",
        PLAN,
        (WHOLE_FILE, "# nothing here yet\n"),
        "the file is empty; it needs programme, workstreams and milestones",
        where="",
    ),
    case(
        "a missing milestones file is named",
        PLAN,
        [],
        "no such file; the configuration folder needs milestones.yaml and monitor.yaml",
        where=None,
        delete=True,
    ),
    case(
        "a bad recipient email is named",
        MONITOR,
        ("  - email: pmo@example.org\n", "  - email: pmo.example.org\n"),
        "recipient pmo.example.org: email: 'pmo.example.org' is not an email address",
    ),
    case(
        "a duplicate recipient in other letter case names the first line",
        MONITOR,
        ("  - email: life-sciences-lead@example.org\n", "  - email: PMO@example.org\n"),
        "recipient PMO@example.org: the email address is already used on line "
        f"{shipped_line(MONITOR, '  - email: pmo@example.org')}",
    ),
    case(
        "a recipient following an unknown workstream lists the known ones",
        MONITOR,
        ("    workstreams: [life-sciences]", "    workstreams: [life-sciences, quantm]"),
        "recipient life-sciences-lead@example.org: follows unknown workstream 'quantm'; "
        f"use 'all' or some of: {WORKSTREAMS}",
    ),
    case(
        "a bad cron expression is named",
        MONITOR,
        ('  check: "0 7 * * mon-fri"', '  check: "0 25 * * mon-fri"'),
        "schedules.check: '0 25 * * mon-fri' is not a cron expression",
    ),
    case(
        "a cron with a numbered weekday asks for day names",
        MONITOR,
        ('  digest: "0 8 * * mon"', '  digest: "0 8 * * 1"'),
        "schedules.digest: '0 8 * * 1' numbers the weekday; use day names such as mon-fri",
    ),
    case(
        "a negative default lead time asks for a whole number of days",
        MONITOR,
        ("lead_days: 30 ", "lead_days: -5 "),
        "lead_days: -5 is not a lead time; use a whole number of days from 0 to 3660",
    ),
    case(
        "a fractional default lead time asks for a whole number of days",
        MONITOR,
        ("lead_days: 30 ", "lead_days: 2.5 "),
        "lead_days: 2.5 is not a lead time; use a whole number of days from 0 to 3660",
    ),
    case(
        "a subject prefix with a line break is refused",
        MONITOR,
        ('  subject_prefix: "[UK–Japan S&T]"', '  subject_prefix: "[S&T]\\nBcc: x@example.net"'),
        "mail.subject_prefix: must be one line of text",
    ),
    case(
        "a quiet digest setting other than send or skip names the choices",
        MONITOR,
        ('  subject_prefix: "[UK–Japan S&T]"', '  subject_prefix: "[S&T]"\n  quiet_digest: never'),
        "mail.quiet_digest: 'never' is not a choice; use send or skip",
        where="quiet_digest:",
    ),
    case(
        "a marking with a line break is refused",
        MONITOR,
        (
            '  subject_prefix: "[UK–Japan S&T]"',
            '  subject_prefix: "[S&T]"\n  marking: "OFFICIAL\\nBcc: x@example.net"',
        ),
        "mail.marking: must be one line of text",
        where="marking:",
    ),
    case(
        "a typo in a mail key suggests the right one",
        MONITOR,
        ("  subject_prefix:", "  subject_prefx:"),
        "unknown key 'subject_prefx'; did you mean 'subject_prefix'?",
    ),
    case(
        "an empty monitor file says what it holds",
        MONITOR,
        (WHOLE_FILE, ""),
        "the file is empty; it lists the recipients, and may set lead_days, schedules,"
        " mail, web and channels",
        where="",
    ),
    case(
        "a missing monitor file is named",
        MONITOR,
        [],
        "no such file; the configuration folder needs milestones.yaml and monitor.yaml",
        where=None,
        delete=True,
    ),
]


def break_config(config_dir: Path, broken: Case) -> tuple[Path, int | None]:
    """Apply the case's edits; return the file and the line the mistake is on."""
    path = config_dir / broken.file
    if broken.delete:
        path.unlink()
        return path, None
    text = path.read_text(encoding="utf-8")
    for old, new in broken.edits:
        if old is WHOLE_FILE:
            text = new
        else:
            assert text.count(old) == 1, f"{old!r} must occur once in {broken.file}"
            text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path, line_in(text, broken.where) if broken.where else 1


def closing_line(n: int) -> str:
    return f"{n} problem{'s' if n != 1 else ''} found; nothing was written"


@pytest.mark.parametrize("broken", BROKEN)
def test_a_broken_configuration_is_reported_on_its_line_and_nothing_is_written(
    broken, run_cli, config_dir, database_url
):
    assert run_cli("sync").exit_status == 0
    before = snapshot(database_url)
    path, line = break_config(config_dir, broken)

    result = run_cli("sync")

    assert result.exit_status == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    start = f"{path}:{line}: " if line else f"{path}: "
    assert any(found.startswith(start + broken.report) for found in lines), result.stderr
    assert lines[-1] == closing_line(broken.problems)
    assert len(lines) == broken.problems + 1
    assert snapshot(database_url) == before


def edit(config_dir: Path, file: str, old: str, new: str) -> int:
    """Replace ``old`` (found once) with ``new``; the line the edit starts on."""
    path = config_dir / file
    text = path.read_text(encoding="utf-8")
    line = line_in(text, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def test_several_mistakes_in_both_files_are_all_reported_at_once(run_cli, config_dir, database_url):
    target = edit(config_dir, PLAN, PILOT_TARGET, "    target: 2026-Q5\n")
    workstream = edit(config_dir, PLAN, "    workstream: space\n", "    workstream: spaec\n")
    cron = edit(config_dir, MONITOR, '  check: "0 7 * * mon-fri"', '  check: "0 7 * * 1-5"')
    email = edit(config_dir, MONITOR, "  - email: pmo@example.org", "  - email: pmo@")
    plan, monitor = config_dir / PLAN, config_dir / MONITOR

    result = run_cli("sync")

    assert result.exit_status == 2
    expected = [
        f"{plan}:{target}: milestone rare-disease-pilot-start: target: '2026-Q5' is not a period",
        f"{plan}:{workstream}: milestone space-consultation: unknown workstream 'spaec'",
        f"{monitor}:{cron}: schedules.check: '0 7 * * 1-5' numbers the weekday",
        f"{monitor}:{email}: recipient pmo@: email: 'pmo@' is not an email address",
        "4 problems found; nothing was written",
    ]
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected), result.stderr
    assert all(map(str.startswith, lines, expected)), result.stderr
    assert nothing_written(database_url)


def nothing_written(database_url: str) -> bool:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return not Path(url.database).exists()
    return snapshot(database_url) == {}


def test_validate_accepts_the_shipped_config_and_writes_no_database(run_cli, database_url):
    result = run_cli("validate")
    assert result.exit_status == 0, result.stderr
    assert result.stdout.endswith("8 milestones in 5 workstreams, 3 recipients: valid\n")
    assert nothing_written(database_url)


def test_validate_counts_one_recipient_in_the_singular(run_cli, config_dir):
    (config_dir / MONITOR).write_text("recipients:\n  - email: pmo@example.org\n")
    result = run_cli("validate")
    assert result.stdout.endswith("8 milestones in 5 workstreams, 1 recipient: valid\n")


def test_validate_reports_a_broken_config_with_status_2(run_cli, config_dir, database_url):
    line = edit(config_dir, MONITOR, "lead_days: 30 ", "lead_days: soon ")
    result = run_cli("validate")
    assert result.exit_status == 2
    assert result.stderr.startswith(f"{config_dir / MONITOR}:{line}: lead_days: 'soon' is not")
    assert nothing_written(database_url)


# -- load_config on good input ---------------------------------------------


def milestone(config, milestone_id):
    return next(m for m in config.milestones if m.id == milestone_id)


def test_the_shipped_config_loads_with_the_monitor_defaults(config_dir):
    config = load_config(config_dir, now=TODAY)
    assert config.programme.timezone == "Europe/London"
    assert [w.id for w in config.workstreams][:2] == ["life-sciences", "quantum"]
    assert len(config.milestones) == 8
    assert config.monitor.lead_days == 30
    assert config.monitor.schedules.check == "0 7 * * mon-fri"
    assert config.monitor.schedules.digest == "0 8 * * mon"


def test_a_valid_milestone_is_validated_straight_into_one_compact_frozen_object(config_dir):
    pilot = milestone(load_config(config_dir, now=TODAY), "rare-disease-pilot-start")
    assert type(pilot) is ConfiguredMilestone
    # Slotted: no dict per milestone, and a funder's file holds 100,000.
    assert not hasattr(pilot, "__dict__")
    assert (pilot.target.text, pilot.workstream) == ("2026-H2", "life-sciences")
    assert pilot.depends_on == ("nanopore-genesis-heads-of-terms",)
    with pytest.raises(FrozenInstanceError):
        pilot.title = "Something else"  # type: ignore[misc]


def test_a_forecast_given_even_as_tbc_is_noted_but_is_no_key_of_its_own(config_dir):
    edit(config_dir, PLAN, PILOT_TARGET, PILOT_TARGET + "    forecast: TBC\n")
    config = load_config(config_dir, now=TODAY)
    assert milestone(config, "rare-disease-pilot-start").states_forecast
    assert not milestone(config, "space-consultation").states_forecast

    edit(config_dir, PLAN, "    forecast: TBC\n", "    states_forecast: true\n")
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, now=TODAY)
    [problem] = caught.value.problems
    assert problem.endswith(
        "milestone rare-disease-pilot-start: unknown key 'states_forecast'; accepted keys: "
        "id, title, workstream, target, owner, amount, depends_on, lead_days, source, notes, "
        "title_ja, owner_ja, notes_ja, forecast, completed_on, cancelled"
    )


def test_a_milestone_built_without_a_forecast_has_none_and_states_none():
    given = {"id": "m-1", "title": "Kick-off", "workstream": "quantum"}
    silent = ConfiguredMilestone(**given)
    assert (silent.forecast, silent.states_forecast) == (None, False)
    tbc = ConfiguredMilestone(**given, forecast="TBC")
    assert (tbc.forecast, tbc.states_forecast) == (None, True)
    dated = ConfiguredMilestone(**given, forecast="2027-Q1")
    assert (str(dated.forecast), dated.states_forecast) == ("2027-Q1", True)
    assert silent != tbc and silent == ConfiguredMilestone(**given)


def test_a_title_with_a_no_break_space_is_one_line_and_kept_as_written(config_dir):
    edit(config_dir, PLAN, SPACE_TITLE, "    title: UK–Japan\u00a0space consultation\n")
    config = load_config(config_dir, now=TODAY)
    assert milestone(config, "space-consultation").title == "UK–Japan\u00a0space consultation"


def test_a_monitor_file_with_only_recipients_takes_the_defaults(config_dir):
    (config_dir / MONITOR).write_text("recipients:\n  - email: pmo@example.org\n")
    monitor = load_config(config_dir, now=TODAY).monitor
    assert monitor.lead_days == 30
    assert (monitor.schedules.check, monitor.schedules.digest) == ("0 7 * * mon-fri", "0 8 * * mon")
    assert monitor.mail.sender == "UK–Japan S&T Monitor <monitor@example.org>"
    assert [r.email for r in monitor.recipients] == ["pmo@example.org"]


def test_a_milestone_lead_time_overrides_the_default_and_only_for_itself(config_dir):
    edit(config_dir, PLAN, PILOT_TARGET, PILOT_TARGET + "    lead_days: 45\n")
    edit(config_dir, MONITOR, "lead_days: 30 ", "lead_days: 14 ")
    config = load_config(config_dir, now=TODAY)
    assert config.lead_days(milestone(config, "rare-disease-pilot-start")) == 45
    assert config.lead_days(milestone(config, "space-consultation")) == 14


def test_a_recipient_follows_all_workstreams_or_only_those_listed(config_dir):
    everyone, lead, _ = load_config(config_dir, now=TODAY).monitor.recipients
    assert everyone.workstreams == "all"
    assert everyone.follows("quantum", None) and everyone.follows("life-sciences", "EPSRC")
    assert lead.workstreams == ("life-sciences",)
    assert lead.follows("life-sciences", None) and not lead.follows("quantum", None)


GRANT_HOLDER = (
    "  - email: holder@example.org\n"
    "    owners: [EPSRC / Japan Science and Technology Agency (JST)]\n"
)


def test_a_recipient_may_follow_owners_and_gets_their_milestones_in_any_workstream(config_dir):
    edit(config_dir, MONITOR, "recipients:\n", "recipients:\n" + GRANT_HOLDER)
    holder = load_config(config_dir, now=TODAY).monitor.recipients[0]
    assert holder.owners == ("EPSRC / Japan Science and Technology Agency (JST)",)
    assert holder.workstreams == ()  # owners alone: no workstream besides
    assert holder.follows("quantum", "EPSRC / Japan Science and Technology Agency (JST)")
    assert not holder.follows("quantum", "EPSRC")  # matched exactly as written
    assert not holder.follows("life-sciences", None)


def test_a_recipient_may_follow_workstreams_and_owners_and_gets_either(config_dir):
    both = GRANT_HOLDER + "    workstreams: [space]\n"
    edit(config_dir, MONITOR, "recipients:\n", "recipients:\n" + both)
    holder = load_config(config_dir, now=TODAY).monitor.recipients[0]
    assert holder.follows("space", None)
    assert holder.follows("quantum", "EPSRC / Japan Science and Technology Agency (JST)")
    assert not holder.follows("quantum", None)


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ("    owners: []\n", "owners: must be a non-empty list of owner names"),
        ("    owners: EPSRC\n", "owners: must be a non-empty list of owner names"),
        ("    owners: [EPSRC, 3]\n", "owners: must be a non-empty list of owner names"),
        ("    owners: ['  ']\n", "must not be empty"),
        ("    workstreams: []\n", "follows nothing; give workstreams"),
    ],
)
def test_a_recipient_must_follow_something_and_owners_must_be_names(config_dir, entry, complaint):
    edit(config_dir, MONITOR, "recipients:\n", f"recipients:\n  - email: x@example.org\n{entry}")
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, now=TODAY)
    [problem] = caught.value.problems
    assert "recipient x@example.org" in problem and complaint in problem, problem


def test_a_recipient_is_validated_straight_into_the_record_messages_are_addressed_to(
    config_dir,
):
    everyone, lead, partner = load_config(config_dir, now=TODAY).monitor.recipients
    assert type(everyone) is type(lead) is type(partner) is Recipient
    assert lead == Recipient("life-sciences-lead@example.org", lead.name, ("life-sciences",))
    assert partner == Recipient(
        "jst-quantum@example.org",
        partner.name,
        ("quantum",),
        language="ja",
        timezone="Asia/Tokyo",
        send_at=time(8, 0),
        calendar="JP",
    )


def test_a_typo_in_a_recipient_key_suggests_the_right_one(config_dir):
    line = edit(config_dir, MONITOR, "    name: Programme Office", "    nmae: Programme Office")
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, now=TODAY)
    assert caught.value.problems == [
        f"{config_dir / MONITOR}:{line}: recipient pmo@example.org: unknown key 'nmae'; "
        "did you mean 'name'?"
    ]


@pytest.mark.parametrize(
    ("written", "start", "end", "text"),
    [
        ("FY2026", date(2026, 4, 1), date(2027, 3, 31), "FY2026"),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026-Q3"),
        ("Q1 2027", date(2027, 1, 1), date(2027, 3, 31), "2027-Q1"),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), "2026-H2"),
        ("2026-09", date(2026, 9, 1), date(2026, 9, 30), "2026-09"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("2026-09-30", date(2026, 9, 30), date(2026, 9, 30), "2026-09-30"),
        (
            "{from: 2026-10-01, to: 2027-01-31}",
            date(2026, 10, 1),
            date(2027, 1, 31),
            "2026-10-01..2027-01-31",
        ),
    ],
)
def test_each_target_form_becomes_its_window(config_dir, written, start, end, text):
    edit(config_dir, PLAN, PILOT_TARGET, f"    target: {written}\n")
    target = milestone(load_config(config_dir, now=TODAY), "rare-disease-pilot-start").target
    assert (target.start, target.end, str(target)) == (start, end, text)


def test_tbc_null_and_an_omitted_target_leave_a_milestone_unscheduled(config_dir):
    edit(config_dir, PLAN, PILOT_TARGET, "    target: null\n")
    edit(config_dir, PLAN, "    target: 2026-02-03\n", "")
    config = load_config(config_dir, now=TODAY)
    assert milestone(config, "rare-disease-pilot-start").target is None
    assert milestone(config, "package-announced").target is None
    assert milestone(config, "space-consultation").target is None


def test_progress_keys_are_parsed(config_dir):
    edit(config_dir, PLAN, PILOT_TARGET, PILOT_TARGET + "    forecast: 2027-Q1\n")
    config = load_config(config_dir, now=TODAY)
    pilot = milestone(config, "rare-disease-pilot-start")
    assert (pilot.forecast.start, pilot.forecast.end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert milestone(config, "package-announced").completed_on == date(2026, 2, 3)


def test_a_byte_order_mark_does_not_break_the_first_key(config_dir):
    path = config_dir / PLAN
    path.write_text("\ufeff" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_config(config_dir, now=TODAY).programme.name.startswith("UK–Japan")


def test_an_id_with_a_line_break_cannot_split_a_report_line(config_dir):
    edit(config_dir, PLAN, "  - id: space-consultation\n", '  - id: "space\\nconsultation"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, now=TODAY)
    [problem] = caught.value.problems
    assert "\n" not in problem
    assert ": milestone #6: id: 'space\\nconsultation' is not an id" in problem


def test_find_cycles_reports_each_cycle_once():
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["d"], "e": ["a"]}
    assert find_cycles(graph) == [["a", "b", "c"], ["d"]]
    # An id that is no key of the graph depends on nothing.
    assert find_cycles({"a": ["b", "z"], "b": ["a"], "z0": ["z"]}) == [["a", "b"]]
