"""A Japanese-reading recipient gets their alert and digest in Japanese,
through the whole path (config, store, composition, letters, the outbox)."""

from datetime import date

from sample_mail import parsed

NOV_24 = date(2026, 11, 24)
PARTNER = "partner@jst.example.jp"


def with_japanese_partner(config_dir, monitor, language="ja"):
    path = config_dir / "monitor.yaml"
    partner = f"  - email: {PARTNER}\n    name: JST\n    language: {language}\n"
    path.write_text(path.read_text().replace("recipients:\n", f"recipients:\n{partner}"))
    monitor.sync()
    return monitor


def mail_to(settings, address):
    messages = [parsed(p.read_bytes()) for p in sorted(settings.outbox_dir.glob("*.eml"))]
    return [m for m in messages if m["To"].addresses[0].addr_spec == address]


def test_a_japanese_reader_gets_the_alert_and_the_digest_in_japanese(config_dir, monitor, settings):
    m = with_japanese_partner(config_dir, monitor)
    m.check(as_of=NOV_24)
    m.send_digests(as_of=NOV_24)
    mine = mail_to(settings, PARTNER)
    [alert] = [m for m in mine if "アラート" in str(m["Subject"])]
    [digest] = [m for m in mine if "週次ダイジェスト" in str(m["Subject"])]
    assert str(alert["Subject"]).startswith("[UK–Japan S&T] アラート：")
    assert str(digest["Subject"]).startswith("[UK–Japan S&T] 週次ダイジェスト 2026年第48週：")
    for message in (alert, digest):
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert '<html lang="ja">' in html
        assert "配信対象はすべての分野です。" in "".join(text.split())
        assert "2026年11月24日（火）" in text and "2026年11月24日（火）" in html
    english = mail_to(settings, "pmo@example.org")
    assert all(
        "Weekly digest" in str(m["Subject"]) or "Alert" in str(m["Subject"]) for m in english
    )


def test_a_language_the_monitor_does_not_write_is_refused_on_its_line(config_dir, run_cli):
    path = config_dir / "monitor.yaml"
    partner = f"  - email: {PARTNER}\n    language: fr\n"
    path.write_text(path.read_text().replace("recipients:\n", f"recipients:\n{partner}"))
    result = run_cli("validate")
    assert result.exit_status == 2
    assert "monitor.yaml:" in result.stderr and "language" in result.stderr
    assert "'en'" in result.stderr and "'ja'" in result.stderr


def test_japanese_names_and_titles_reach_japanese_readers_and_english_ones_stay(
    config_dir, monitor, settings
):
    m = with_japanese_partner(config_dir, monitor)
    m.check(as_of=NOV_24)
    m.send_digests(as_of=NOV_24)
    for message in mail_to(settings, PARTNER):
        body = "".join(message.get_body(("plain",)).get_content().split())
        assert "日本における希少疾患スクリーニング全国パイロット事業の開始" in body
        assert "担当：オックスフォード・ナノポアテクノロジーズ／ジェネシスヘルスケア" in body
        assert body.startswith("日英科学技術パートナーシップ")
        assert "NationalrarediseasescreeningpilotbeginsinJapan" not in body
    for message in mail_to(settings, "pmo@example.org"):
        body = message.get_body(("plain",)).get_content()
        assert "National rare disease screening pilot begins in Japan" in " ".join(body.split())
        assert "日本" not in body


def test_a_japanese_reader_gets_the_english_where_the_config_gives_no_japanese(
    config_dir, monitor, settings
):
    programme = config_dir / "milestones.yaml"
    text = programme.read_text()
    title_ja = "    title_ja: 日本における希少疾患スクリーニング全国パイロット事業の開始\n"
    assert title_ja in text
    programme.write_text(text.replace(title_ja, ""))
    m = with_japanese_partner(config_dir, monitor)
    m.check(as_of=NOV_24)
    [alert] = [msg for msg in mail_to(settings, PARTNER) if "アラート" in str(msg["Subject"])]
    body = " ".join(alert.get_body(("plain",)).get_content().split())
    assert "National rare disease screening pilot begins in" in body
    assert "担当：オックスフォード・ナノポアテクノロジーズ" in "".join(body.split())
