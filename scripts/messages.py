"""Refresh the message catalogues: extract every phrase from the code and the
templates, merge it into each language's .po, and compile the .mo files that
ship in the package. ``make messages`` runs it; the suite checks the result.

    python scripts/messages.py [--check]

``--check`` changes nothing and exits 1 when a catalogue is out of date
(a phrase not extracted, a translation missing or not compiled).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "ukjp_monitor" / "locale"
POT = LOCALE / "ukjp_monitor.pot"
LANGUAGES = ("en", "ja")
KEYWORDS = ("-k", "_N", "-k", "N_", "-k", "n_:1,2")


def extract(output: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            *KEYWORDS,
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(output),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def po_path(code: str) -> Path:
    return LOCALE / code / "LC_MESSAGES" / "ukjp_monitor.po"


def write_english(path: Path) -> None:
    """The English catalogue says what the code says until someone edits it:
    each new phrase's translation is the phrase itself."""
    with path.open("rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if message.id and not _done(message):
            message.string = message.id
    with path.open("wb") as f:
        write_po(f, catalog, omit_header=True, width=0)


def compiled(code: str) -> bytes:
    with po_path(code).open("rb") as f:
        catalog = read_po(f, locale=code)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        return check()
    extract(POT)
    for code in LANGUAGES:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "update",
                "-D",
                "ukjp_monitor",
                "-i",
                str(POT),
                "-d",
                str(LOCALE),
                "-l",
                code,
                "--no-fuzzy-matching",
                "--omit-header",
            ],
            check=True,
            capture_output=True,
        )
        if code == "en":
            write_english(po_path(code))
        po_path(code).with_suffix(".mo").write_bytes(compiled(code))
    return check()


def check() -> int:
    """Exit status 1, with the reason, when a catalogue is stale or incomplete."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.pot"
        extract(fresh)
        with fresh.open("rb") as f:
            wanted = {m.id for m in read_po(f) if m.id}
    problems = []
    for code in LANGUAGES:
        with po_path(code).open("rb") as f:
            catalog = read_po(f, locale=code)
        have = {m.id: m for m in catalog if m.id}
        missing = [i for i in wanted if i not in have]
        problems += [f"{code}: {_first(i)!r} is not in the catalogue" for i in missing]
        untranslated = [m.id for m in have.values() if m.id in wanted and not _done(m)]
        problems += [f"{code}: {_first(i)!r} has no translation" for i in untranslated]
        mo = po_path(code).with_suffix(".mo")
        if not mo.is_file() or _said(read_mo(mo.open("rb"))) != _said(catalog):
            problems.append(f"{code}: {mo.name} is not compiled from {po_path(code).name}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run `make messages` and translate what is missing", file=sys.stderr)
    return 1 if problems else 0


def _said(catalog) -> dict:
    """What a catalogue translates, header aside (its dates change on every read)."""

    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {(m.context, key(m.id)): key(m.string) for m in catalog if m.id and _done(m)}


def _first(message_id: str | tuple) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _done(message) -> bool:
    if message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings)


if __name__ == "__main__":
    sys.exit(main())
