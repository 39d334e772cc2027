"""Every text the line sends, in every language, fits the budget: at most 3 segments, most in 1."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import force_locale

from intake_forms import ERRORS, LANGUAGES, NOTICES, QUESTIONS
from models import AccessPoint, Intake
from services.hotlines import hotline
from services.intake import SubmitResult
from services.routing import CocContact
from services.status import Stage, StatusAnswer
from sms import render
from sms.segments import MAX_SEGMENTS, encoding, is_gsm7, plain, segments, units


@pytest.mark.parametrize(
    ("text", "expected_encoding", "expected_segments"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters count two
        ("€" * 81, "GSM-7", 2),
        ("ñé¿¡ü" * 32, "GSM-7", 1),
        ("á" * 70, "UCS-2", 1),
        ("á" * 71, "UCS-2", 2),
        ("á" * 134, "UCS-2", 2),
        ("\U0001f600" * 35, "UCS-2", 1),  # an emoji is two UTF-16 units
        ("\U0001f600" * 36, "UCS-2", 2),
    ],
)
def test_segment_arithmetic(text: str, expected_encoding: str, expected_segments: int) -> None:
    assert encoding(text) == expected_encoding
    assert segments(text) == expected_segments


def test_plain_keeps_gsm_letters_and_swaps_the_rest() -> None:
    assert plain("¿Dónde durmió? Más “sí” — niño, café…") == "¿Donde durmio? Mas \"si\" - niño, café..."
    assert is_gsm7(plain("Número, teléfono, dirección, ¡ayúdame!"))
    assert plain("\U0001f600") == "\U0001f600"
    assert units("[]") == 4


def all_texts(app: Flask, language: str) -> dict[str, str]:
    """Render every text the line can send in ``language``."""
    ap = AccessPoint(name="Sample: Lawrence Community Shelter Intake", phone="785-555-0108",
                     address="180 Sample Blvd, Suite 100 (sample address)", city="Lawrence", is_remote=False,
                     hours={"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}, closed_dates=[],
                     timezone="America/Chicago")
    intake = Intake(reference_code="7KQ-2MD", confidential=False)
    other = CocContact(code="KS-502", name="Wichita/Sedgwick County CoC", contact=None, phone="316-555-0100")
    texts: dict[str, str] = {}
    with app.test_request_context(), force_locale(language):
        for q in QUESTIONS:
            texts[f"question:{q.key}"] = render.question_text(q, offered_phone="+17855550142")
            for error in ERRORS:
                texts[f"hint:{q.key}:{error}"] = render.hint_text(q, error)
        for key, notice in NOTICES.items():
            texts[f"notice:{key}"] = render.notice_text(notice)
        texts["welcome"] = render.welcome()
        texts["help"] = render.help_text()
        texts["start"] = render.stop_reminder()
        texts["rate_limited"] = render.rate_limited()
        texts["trouble"] = render.trouble()
        texts["withdrawn"] = render.withdrawn()
        result = SubmitResult(intake, ap, other, already=False)
        texts["confirmation"] = render.confirmation(result)
        texts["reminder"] = render.reminder(result)
        # A Sunday evening: closed now, opening on a named day (the longest hours sentence).
        sunday = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
        when = datetime(2026, 12, 2, 14, 30, tzinfo=UTC).astimezone(ZoneInfo("America/Chicago"))
        for stage in Stage:
            answer = StatusAnswer(stage, language, place=ap,
                                  appointment_at=when if stage is Stage.APPOINTMENT else None,
                                  appointment_where="180 Sample Blvd, Suite 100, room 2"
                                  if stage is Stage.APPOINTMENT else None)
            texts[f"status:{stage}"] = render.status(answer, sunday)
        texts["status:confidential"] = render.status(
            StatusAnswer(Stage.RECEIVED, language, advocate=hotline("ks_crisis")), sunday)
        texts["status:not_found"] = render.status_not_found()
        texts["status:too_many"] = render.status_too_many()
        texts["status:how_to"] = render.status_how_to()
        texts["resume:code"] = render.resume_code("7KQ-2MD")
        texts["resume:resumed"] = render.resumed()
        texts["resume:not_found"] = render.resume_not_found()
        # The language menu's first text (GSM-7 always; other scripts follow in their own text) and
        # the "another language" path, said in the bridge languages whatever the language.
        texts["menu"] = render.language_menu()[0]
        texts["interpreter:ask_language"] = render.interpreter_ask_language()
        texts["interpreter:ask_phone"] = render.interpreter_ask_phone()
        texts["interpreter:phone_hint"] = render.interpreter_phone_hint()
        texts["interpreter:queued"] = render.interpreter_queued(result)
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_fits_the_budget(app: Flask, language: str) -> None:
    texts = all_texts(app, language)
    over = {name: segments(text) for name, text in texts.items() if segments(text) > MAX_SEGMENTS}
    assert not over, over
    not_gsm = [name for name, text in texts.items() if not is_gsm7(text)]
    assert not not_gsm, f"these texts would go as UCS-2: {not_gsm}"
    assert all(len(text) <= 1600 for text in texts.values())
    questions = Counter(segments(t) for n, t in texts.items() if n.startswith("question:"))
    assert questions[1] > sum(questions.values()) / 2, questions
    everything = Counter(segments(t) for t in texts.values())
    assert everything[1] > sum(everything.values()) / 2, everything


def segment_table(app: Flask) -> str:
    """Return the figures the README lists (run: python -m pytest tests/sms/test_segments.py -s)."""
    rows = []
    for language in LANGUAGES:
        texts = all_texts(app, language)
        prompts = {n: t for n, t in texts.items() if not n.startswith("hint:")}
        counts = Counter(segments(t) for t in prompts.values())
        rows.append(f"{language}: {len(prompts)} texts, " + ", ".join(
            f"{k} segment(s): {counts[k]}" for k in sorted(counts)) + ", longest: " + max(
            prompts, key=lambda n: units(prompts[n])) + f" ({max(units(t) for t in prompts.values())} chars)")
    return "\n".join(rows)


def test_print_segment_figures(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    table = segment_table(app)
    with capsys.disabled():
        print("\n" + table)
    assert table
