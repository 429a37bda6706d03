"""A message's language: its catalogue of fixed phrases and its words.

Every fixed phrase of a message is looked up in the gettext catalogue of the
reader's language (``ukjp_monitor/locale/LANG/LC_MESSAGES/ukjp_monitor.mo``,
compiled from the ``.po`` files by ``make messages``); dates, periods and
counts come from ``plan.words``. English is a catalogue too, so its wording
can be changed without touching code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from babel.support import Translations

from ukjp_monitor.plan.words import LANGUAGES, Words, words_for

DOMAIN = "ukjp_monitor"


def catalogues() -> Path:
    """The folder holding each language's compiled catalogue."""
    return Path(__file__).resolve().parents[1] / "locale"


@dataclass(frozen=True)
class Language:
    """One language's phrases (``gettext``, ``ngettext``) and words."""

    code: str
    words: Words
    translations: Translations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        """``message`` as used in ``context``, where the same English differs."""
        return str(self.translations.pgettext(context, message))


@functools.cache
def language(code: str) -> Language:
    """``code``'s language (one of ``plan.words.LANGUAGES``), its catalogue
    loaded once per process."""
    if code not in LANGUAGES:
        raise ValueError(f"no catalogue for {code!r}; languages: {', '.join(LANGUAGES)}")
    found = Translations.load(str(catalogues()), locales=[code], domain=DOMAIN)
    if not isinstance(found, Translations):  # only a NullTranslations: the file is missing
        raise FileNotFoundError(f"the {code} message catalogue is missing under {catalogues()}")
    return Language(code, words_for(code), found)
