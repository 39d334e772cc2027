"""Plain words as a gate: every sentence of the intake reads at grade 6 or below.

English is scored with Flesch-Kincaid grade, Spanish (the catalog's words for the same msgids) with
Fernández-Huerta (70 or more reads easily). Formulas mean little on two or three words, so labels
shorter than ``MIN_WORDS`` are left out; examples (``name@example.com``, ``03/25/1980``) are not
prose and are taken out before scoring.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
from babel.messages.pofile import read_po

from intake_forms import ERRORS, NOTICES, QUESTIONS, Kind, interpreter

ROOT = Path(__file__).resolve().parents[2]
MAX_GRADE = 6.0
MIN_EASE_ES = 70.0
MIN_WORDS = 5
#: An example to copy, not prose: an address, a date, a ZIP code or a phone number.
_EXAMPLE = re.compile(r"\S*(?:[@/]|\d{4,}|\d-\d)\S*")


def intake_texts() -> dict[str, str]:
    """Every English sentence a household reads or hears in the intake: {where: msgid}."""
    texts: dict[str, str] = {}
    for q in QUESTIONS:
        if q.kind is Kind.LANGUAGE:
            continue
        texts[q.key] = q.prompt
        for medium, hint in q.hints.items():
            texts[f"{q.key} hint ({medium.value})"] = hint
        for opt in q.options:
            texts.setdefault(f"{q.key} option {opt.code}", opt.label)
    texts.update({f"notice {key}": notice.message for key, notice in NOTICES.items()})
    texts.update({f"error {key}": message for key, message in ERRORS.items()})
    texts.update({f"another language {key}": words for key, words in interpreter.WORDS.items()})
    return texts


def _prose(text: str) -> str:
    return " ".join(_EXAMPLE.sub("", text).split())


def _scored(text: str) -> bool:
    return len(_prose(text).split()) >= MIN_WORDS


def test_every_english_sentence_of_the_intake_reads_at_grade_6_or_below() -> None:
    textstat.set_lang("en_US")
    grades = {where: textstat.flesch_kincaid_grade(_prose(text))
              for where, text in intake_texts().items() if _scored(text)}
    assert len(grades) > 40  # the prompts, hints, notices and errors are all here
    assert {where: grade for where, grade in grades.items() if grade > MAX_GRADE} == {}


@pytest.mark.parametrize("where", ["health_barrier", "fleeing_violence", "veteran", "consent_share"])
def test_the_four_hard_prompts_now_read_at_grade_6(where: str) -> None:
    textstat.set_lang("en_US")
    assert textstat.flesch_kincaid_grade(intake_texts()[where]) <= MAX_GRADE


def test_every_spanish_sentence_of_the_intake_reads_easily() -> None:
    with (ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        spanish = {m.id: m.string for m in read_po(handle) if m.id}
    textstat.set_lang("es")
    ease = {where: textstat.fernandez_huerta(_prose(spanish[text]))
            for where, text in intake_texts().items() if _scored(spanish[text])}
    assert len(ease) > 40
    assert {where: score for where, score in ease.items() if score < MIN_EASE_ES} == {}
