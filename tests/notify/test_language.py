"""Messages in the reader's language: every fixed phrase from the catalogue,
dates, periods, weeks and counts in Japanese forms, for a Japanese reader."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from ukjp_monitor.notify.alerts import compose_alert
from ukjp_monitor.notify.compose import compose_digest
from ukjp_monitor.notify.language import language
from ukjp_monitor.notify.rendering import Renderer
from ukjp_monitor.plan.periods import parse_period
from ukjp_monitor.plan.records import ChangeLine, Recipient, TransitionLine
from ukjp_monitor.plan.status import Milestone, evaluate
from ukjp_monitor.plan.words import words_for

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 24)
JST = Recipient("partner@jst.example.jp", "JST", language="ja")
PROGRAMME = "日英科学技術協力"


def milestone(id: str, target: str | None, title: str, **kw) -> Milestone:
    kw.setdefault("workstream", "life-sciences")
    if "forecast" in kw:
        kw["forecast"], kw["reforecast"] = parse_period(kw["forecast"]), True
    return Milestone(id=id, target=parse_period(target), title=title, **kw)


PLAN = [
    milestone("late", "2026-Q3", "日英合同委員会の開催", owner="文部科学省"),
    milestone("now", "2026-H2", "希少疾患スクリーニング試行の開始", depends_on=("terms",)),
    milestone("terms", "2026-12-10", "基本合意書の締結"),
    milestone("moved", "2027-Q1", "量子共同研究の開始", forecast="FY2027"),
    milestone("next", "2026-12-20", "宇宙分野の協議開始"),
    milestone("tbc", None, "接続性プログラムの立ち上げ"),
    milestone("done", "2026-10", "製造基金の条件合意", completed_on=date(2026, 10, 30)),
]
CHANGES = [
    ChangeLine(
        "moved",
        "量子共同研究の開始",
        "life-sciences",
        "forecast",
        "2027-Q1",
        "FY2027",
        AS_OF,
        reason="相手機関の要請",
    ),
]


def japanese_digest():
    return compose_digest(
        programme=PROGRAMME,
        recipient=JST,
        as_of=AS_OF,
        since=date(2026, 11, 17),
        assessments=evaluate(PLAN, AS_OF),
        changes=CHANGES,
    )


def japanese_alert():
    lines = [
        TransitionLine(
            1,
            "late",
            PLAN[0].title,
            "life-sciences",
            AS_OF,
            "due",
            "overdue",
            False,
            False,
            "2026-Q3",
        ),
        TransitionLine(
            2, "now", PLAN[1].title, "life-sciences", AS_OF, None, "due", None, True, "2026-H2"
        ),
    ]
    return compose_alert(
        programme=PROGRAMME,
        recipient=JST,
        as_of=AS_OF,
        lines=lines,
        assessments=evaluate(PLAN, AS_OF),
    )


def visible(html: str) -> str:
    body = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", html, flags=re.S)
    body = re.sub(r'<div class="preheader".*?</div>', " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(
        subject_prefix="[UK–Japan S&T]", workstream_names={"life-sciences": "ライフサイエンス"}
    )


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("2026-H2", "2026年下半期（7～12月）"),
        ("2026-H1", "2026年上半期（1～6月）"),
        ("2027-Q1", "2027年第1四半期（1～3月）"),
        ("FY2026", "2026年度（2026年4月～2027年3月）"),
        ("2026-09", "2026年9月"),
        ("2026", "2026年"),
        ("2026-10-01..2027-01-31", "2026年10月1日～2027年1月31日"),
        (None, "未定"),
    ],
)
def test_periods_read_in_japanese_forms(target, words):
    assert words_for("ja").period(parse_period(target) if target else None) == words


def test_dates_weeks_and_counts_read_in_japanese_forms():
    ja = words_for("ja")
    assert ja.weekday(date(2026, 12, 1)) == "2026年12月1日（火）"
    assert ja.week("2026-W49") == "2026年第49週"
    assert ja.count(100000) == "100,000"
    assert ja.days(12) == "12日"


def test_a_japanese_readers_subject_is_in_japanese(renderer):
    subject = renderer.digest(japanese_digest()).subject
    assert (
        subject == "[UK–Japan S&T] 週次ダイジェスト 2026年第48週："
        "期限超過 1件、予定期間中 1件、遅延のおそれ 1件、開始間近 2件"
    )
    alert = renderer.alert(japanese_alert()).subject
    assert alert == "[UK–Japan S&T] アラート：期限超過 1件、予定期間中 1件、遅延のおそれ 1件"


def test_a_japanese_digest_leaves_no_english_phrase_in_either_part(renderer):
    rendered = renderer.digest(japanese_digest())
    for part in (rendered.text, visible(rendered.html)):
        # What is left in Latin letters is data: the ids, the subject prefix's
        # programme name, and nothing the monitor itself says.
        latin = set(re.findall(r"[A-Za-z]{2,}", part)) - {
            "late",
            "now",
            "terms",
            "moved",
            "next",
            "tbc",
            "done",
        }
        assert latin <= {"UK", "Japan", "JST"}, latin


def unwrapped(text: str) -> str:
    """A Japanese text part's paragraphs on one line each (Japanese wraps with no space)."""
    return "".join(line.strip() for line in text.splitlines())


def test_a_japanese_digest_says_where_each_milestone_stands_in_japanese(renderer):
    text = unwrapped(renderer.digest(japanese_digest()).text)
    assert "対応が必要なマイルストーンが2件あります。" in text
    assert "「日英合同委員会の開催」は期限を55日超過しています" in text
    moved = "時期：2027年第1四半期（1～3月）（当初 2026年下半期（7～12月））"
    assert moved not in text  # not the moved one's
    planned = "予定時期：2027年度（2027年4月～2028年3月）（当初予定：2027年第1四半期（1～3月））"
    assert planned in text
    # The line may break at the space around the arrow.
    slipped = "見通し変更：2027年第1四半期（1～3月）→2027年度（2027年4月～2028年3月）"
    assert slipped in text.replace(" ", "")
    assert "（理由：相手機関の要請）" in text
    assert "完了待ち：基本合意書の締結" in text
    assert "配信対象はすべての分野です。" in text


def test_a_japanese_message_is_marked_as_japanese_with_fonts_that_render_it(renderer):
    html = renderer.digest(japanese_digest()).html
    assert '<html lang="ja">' in html
    assert "Hiragino" in html and "Yu Gothic" in html and "Noto Sans JP" in html


def test_a_japanese_alert_flags_each_change_in_japanese(renderer):
    text = unwrapped(renderer.alert(japanese_alert()).text)
    assert "新たに期限超過" in text
    assert "変更：ステータス：予定期間中 → 期限超過" in text
    assert "新たに遅延のおそれ" in text


def test_readers_of_different_languages_never_share_a_rendering(renderer):
    english = Recipient("pmo@example.org")
    assert english.audience != JST.audience
    digest = compose_digest(
        programme=PROGRAMME,
        recipient=english,
        as_of=AS_OF,
        since=date(2026, 11, 17),
        assessments=evaluate(PLAN, AS_OF),
        changes=CHANGES,
    )
    assert "Weekly digest 2026-W48" in renderer.digest(digest).text


def test_every_phrase_is_in_each_catalogue_translated_and_compiled():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "messages.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_japanese_catalogue_keeps_one_term_for_each_status_and_section():
    _ = language("ja").gettext
    assert _("overdue") == _("Overdue") == "期限超過"
    assert _("due") == _("Due") == "予定期間中"
    assert _("at risk") == _("At risk") == "遅延のおそれ"
    assert _("approaching") == _("Approaching") == "開始間近"
    assert _("unscheduled") == _("Unscheduled") == "日程未定"


def test_the_japanese_text_part_fits_in_72_columns_and_breaks_no_word_or_bracket(renderer):
    from ukjp_monitor.notify.wrapping import width

    for rendered in (renderer.digest(japanese_digest()), renderer.alert(japanese_alert())):
        for line in rendered.text.splitlines():
            assert width(line) <= 72 or " " not in line.strip(), line
            assert not line.lstrip().startswith(("、", "。", "）", "」")), line
            assert not line.endswith(("「", "（")), line


def test_a_japanese_line_breaks_after_punctuation_or_a_particle_rather_than_inside_a_word():
    from ukjp_monitor.notify.wrapping import wrap

    foot = (
        "この週次ダイジェストは、日英科学技術パートナーシップモニターの配信先に登録されている"
        "方にお送りしています。配信対象は「量子技術」分野です。"
    )
    lines = wrap(foot).splitlines()
    # 配信先に｜登録: after the particle, before the next word, not 登｜録.
    assert lines[0].endswith("配信先に") and lines[1].startswith("登録されている")
    quiet = (
        "今週は特段の動きはありません。配信対象のマイルストーンに期限超過・予定期間中・"
        "遅延のおそれ・開始間近に該当するものはありません。"
    )
    first, second = wrap(quiet).splitlines()
    assert first.endswith("期限超過・") and second.startswith("予定期間中・")
    # A line with nowhere good to break still breaks, at the width.
    long_word = "ア" * 50
    assert [len(line) for line in wrap(long_word).splitlines()] == [36, 14]


def test_a_japanese_line_keeps_a_particle_with_its_bracket_and_a_foreign_name_whole():
    from ukjp_monitor.notify.wrapping import wrap

    summary = (
        "対応が必要なマイルストーンが1件あります。「日本における希少疾患スクリーニング"
        "全国パイロット事業の開始」は2026年12月31日が期限です（「オックスフォード・"
        "ナノポアとジェネシスヘルスケアによる基本合意書（Heads of Terms）の締結」の完了待ち）。"
    )
    lines = wrap(summary).splitlines()
    assert not any(line.startswith(("は", "の", "ナノポア")) for line in lines), lines
    foot = "配信内容の変更をご希望の場合は、本モニターの運用担当者までご連絡ください。" * 2
    assert not any(line.endswith(("ご", "お")) for line in wrap(foot).splitlines())
