"""Every intake text is translated, catalogs compile, and the template is not stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from intake_forms import ERRORS, LANGUAGES, NOTICES, QUESTIONS, languages
from intake_forms.outcomes import REASON_LABELS
from translate_cli import IGNORE_DIRS

ROOT = Path(__file__).resolve().parent.parent


def catalog(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh)


def intake_texts() -> set[str]:
    texts: set[str] = set()
    for q in QUESTIONS:
        texts.add(q.prompt)
        texts.update(q.hints.values())
        if q.key != "language":  # language names are shown in their own language
            texts.update(o.label for o in q.options)
            texts.update(o.said for o in q.options if o.said)
    texts.update(n.message for n in NOTICES.values())
    texts.update(ERRORS.values())
    texts.update(REASON_LABELS.values())
    return texts


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_intake_text_is_translated(lang):
    translated = {m.id: m.string for m in catalog(lang) if m.id}
    missing = sorted(t for t in intake_texts() if not translated.get(t))
    assert not missing, f"{lang} is missing {len(missing)} texts, e.g. {missing[:3]}"
    fuzzy = sorted(m.id for m in catalog(lang) if m.id and m.fuzzy)
    assert not fuzzy, f"{lang} has fuzzy entries: {fuzzy[:3]}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != languages.DEFAULT])
def test_every_registered_language_has_a_complete_catalog(lang):
    """Every message of the app, not only the intake: no empty msgstr, no fuzzy entry."""
    empty = sorted(str(m.id) for m in catalog(lang)
                   if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string))))
    assert not empty, f"{lang} has {len(empty)} untranslated messages, e.g. {empty[:3]}"


def test_every_catalog_is_a_registered_language():
    shipped = {po.parent.parent.name for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po")}
    assert shipped == set(LANGUAGES) - {languages.DEFAULT}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_keep_placeholders(lang):
    import re

    for m in catalog(lang):
        if m.id and m.string and isinstance(m.id, str):
            assert set(re.findall(r"%\(\w+\)s|\{\w+\}", m.id)) == set(re.findall(r"%\(\w+\)s|\{\w+\}", m.string)), m.id


def test_template_is_not_stale(tmp_path):
    """Extracting again finds no message that translations/messages.pot lacks."""
    out = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_",
         "--ignore-dirs", IGNORE_DIRS, "-o", str(out), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with out.open("rb") as fh:
        fresh = {m.id for m in read_po(fh) if m.id}
    with (ROOT / "translations" / "messages.pot").open("rb") as fh:
        shipped = {m.id for m in read_po(fh) if m.id}
    missing = sorted(str(m) for m in fresh - shipped)
    assert not missing, f"run `flask translate update`: {len(missing)} new messages, e.g. {missing[:3]}"


def test_no_message_is_defined_twice_in_a_catalog() -> None:
    """An obsolete (#~) entry with the msgid of a live one makes msgfmt --check refuse the catalog."""
    from babel.messages.pofile import read_po

    for po in sorted(Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        twice = [key for key in catalog.obsolete if catalog.get(*(key if isinstance(key, tuple) else (key,)))]
        assert twice == [], f"{po}: {twice}"
