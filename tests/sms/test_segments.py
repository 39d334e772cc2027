"""Every text the line sends, in every language, fits the budget: at most 3 segments, most in 1."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import force_locale

from intake_forms import ERRORS, LANGUAGES, NOTICES, QUESTIONS, languages
from models import AccessPoint, Intake
from services.hotlines import hotline
from services.intake import SubmitResult
from services.routing import CocContact
from services.sms_text import outbound, split
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
    """By the language's policy: a GSM-7 language sends every text as GSM-7 and most in one
    segment; a UCS-2 language (tones, other scripts) sends every text unfolded within 3 segments.
    The language menu, in every language at once, has its own test below."""
    texts = {name: text for name, text in all_texts(app, language).items() if not is_language_menu(name)}
    assert all(len(text) <= 1600 for text in texts.values())
    if not languages.language(language).folds:
        # What is sent: a long text goes as two messages, cut between sentences, each within budget.
        sent = {name: [outbound(part, language=language) for part in split(text, language=language)]
                for name, text in texts.items()}
        over = {name: [segments(m) for m in parts] for name, parts in sent.items()
                if any(segments(m) > MAX_SEGMENTS for m in parts)}
        assert not over, over
        assert all(len(parts) <= 2 for parts in sent.values()), {n: len(p) for n, p in sent.items() if len(p) > 2}
        folded = [name for name, text in texts.items() if outbound(text, language=language) != tidy(text)]
        assert not folded, f"these texts would lose their tones or marks: {folded}"
        return
    over = {name: segments(text) for name, text in texts.items() if segments(text) > MAX_SEGMENTS}
    assert not over, over
    assert all(split(text, language=language) == [text] for text in texts.values())  # one message each
    not_gsm = [name for name, text in texts.items() if not is_gsm7(text)]
    assert not not_gsm, f"these texts would go as UCS-2: {not_gsm}"
    questions = Counter(segments(t) for n, t in texts.items() if n.startswith("question:"))
    assert questions[1] > sum(questions.values()) / 2, questions
    everything = Counter(segments(t) for t in texts.values())
    assert everything[1] > sum(everything.values()) / 2, everything


def is_language_menu(name: str) -> bool:
    return name == "question:language" or name.startswith("hint:language:")


def test_the_language_menu_fits_the_budget(app: Flask) -> None:
    """The menu and its hint name every language in its own script: within 3 segments."""
    menus = {name: text for name, text in all_texts(app, languages.DEFAULT).items() if is_language_menu(name)}
    assert menus
    over = {name: segments(text) for name, text in menus.items() if segments(text) > MAX_SEGMENTS}
    assert not over, over


def tidy(text: str) -> str:
    """The spacing ``outbound`` gives every text, without folding."""
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines())


@pytest.mark.parametrize("language", [lang.code for lang in languages.REGISTRY if not lang.folds])
def test_a_ucs2_language_keeps_its_tones_and_marks(app: Flask, language: str) -> None:
    words = {"vi": "Dừng lại, Tiếng Việt", "ar": "مُسَاعَدَة «العربية»", "my": "ကျော်ပါ။ မြန်မာ"}[language]
    with app.test_request_context(), force_locale(language):
        assert render.plain(words) == words
    with app.test_request_context(), force_locale("es"):
        assert render.plain("Dừng lại") == "Dung lai"  # a folded language would lose them


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


def test_a_long_ucs2_reply_goes_as_two_texts_cut_between_sentences(app: Flask) -> None:
    from xml.etree import ElementTree

    from sms.views import twiml

    sentences = ["Cảm ơn bạn. Mã số của bạn là 7KQ-2MD.",
                 "Salina Rescue Mission Coordinated Entry sẽ liên lạc với bạn sớm.",
                 "Điện thoại: 785-555-0100. Địa chỉ: 1716 Summers Road, Salina, phòng 2.",
                 "Giờ mở cửa: thứ Hai đến thứ Sáu, 9 giờ sáng đến 5 giờ chiều.", "Khẩn cấp: 911."]
    text = " ".join(sentences)
    assert segments(text) > MAX_SEGMENTS
    parts = split(text, language="vi")
    assert len(parts) == 2 and " ".join(parts) == text  # nothing lost, nothing cut mid-sentence
    assert all(segments(part) <= MAX_SEGMENTS for part in parts)
    with app.test_request_context():
        body = twiml([text], "vi").get_data(as_text=True)
    messages = [m.text for m in ElementTree.fromstring(body).iter("Message")]  # noqa: S314 (our own reply)
    assert messages == parts  # tones kept, in two texts
    assert split("Khẩn cấp: 911.", language="vi") == ["Khẩn cấp: 911."]
