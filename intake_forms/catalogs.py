"""The app's translated words, read without Flask: what an option is called in a household's language.

A reply is matched against the option's label as the household saw it ("Có", "نعم"), so the
compiled catalogs under ``translations/`` are read here with Babel, once per language and process.
A language with no compiled catalog reads as the English msgids.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from intake_forms.languages import DEFAULT

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@cache
def _catalog(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [locale], domain="messages")


def translate(msgid: str, locale: str) -> str:
    """Return ``msgid`` in ``locale`` (the msgid itself when there is no translation)."""
    if not msgid or locale == DEFAULT:
        return msgid
    return _catalog(locale).gettext(msgid)
