"""With programme.calendars, lines count the working days left as well."""

from datetime import date

from ukjp_monitor.notify.compose import compose_digest
from ukjp_monitor.notify.rendering import Renderer
from ukjp_monitor.plan.calendars import WorkingDays
from ukjp_monitor.plan.periods import parse_period
from ukjp_monitor.plan.records import Recipient
from ukjp_monitor.plan.status import Milestone, evaluate

AS_OF = date(2026, 11, 24)
BOTH = ("GB-ENG", "JP")
PLAN = [
    Milestone(id="pilot", title="Pilot", workstream="w", target=parse_period("2026-H2")),
    Milestone(id="talks", title="Talks", workstream="w", target=parse_period("2026-12-10")),
]


def digest(language="en"):
    return compose_digest(
        programme="P",
        recipient=Recipient("x@example.org", language=language),
        as_of=AS_OF,
        since=date(2026, 11, 17),
        assessments=evaluate(PLAN, AS_OF),
        changes=[],
    )


def test_lines_count_working_days_left_in_every_listed_calendar():
    left = WorkingDays(BOTH).between(AS_OF, date(2026, 12, 31))
    to_start = WorkingDays(BOTH).between(AS_OF, date(2026, 12, 10))
    text = " ".join(Renderer(subject_prefix="[X]", calendars=BOTH).digest(digest()).text.split())
    assert f"due by 31 Dec 2026, 37 days left ({left} working days)" in text
    assert f"starts 10 Dec 2026, in 16 days ({to_start} working days)" in text
    assert left == 24  # 37 days less weekends, 25 and 28 December and Japan's 31st


def test_in_japanese_the_working_days_read_as_such():
    rendered = Renderer(subject_prefix="[X]", calendars=BOTH).digest(digest("ja"))
    assert "2026年12月31日まで（残り37日、うち営業日24日）" in rendered.text


def test_without_calendars_lines_count_calendar_days_only():
    text = Renderer(subject_prefix="[X]").digest(digest()).text
    assert "working day" not in text
