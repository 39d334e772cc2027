"""Every text we send on our own, in every language, leaves by its language's policy within budget.

A GSM-7 language (``Language.folds``): folded to GSM-7, within each kind's budget. A UCS-2
language (Vietnamese tones, Arabic, Burmese): sent as written, never folded, within 3 segments.
The templates are rendered with long but real values (an access point's full name, a street
address, a date in December) and passed through ``sms_text.outbound`` in strict mode, the one
function ``outbox.enqueue_sms`` runs on every text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from intake_forms import LANGUAGES, languages
from kiosk.presenters import confirmation_text
from models import AccessPoint, Intake, OutboxMessage
from models.intake import Channel
from services import household_texts, outbox, sms_text
from services.pii import current_cipher
from services.sms_text import MAX_SEGMENTS, OverBudget, encoding, is_gsm7, outbound, segments

AP_NAME = "Salina Rescue Mission Coordinated Entry"
ADDRESS = "Room 2, 1716 Summers Road, Salina"
WHEN = datetime(2026, 12, 8, 20, 30, tzinfo=UTC)  # 2:30 PM in Kansas

#: The most segments each kind of text may take.
BUDGETS = {"staff": 2, "reminder": 2, "check_in": 1, "check_in_reply": 2, "confirmation": 2}


def household(language: str, *, confidential: bool = False) -> Intake:
    ap = AccessPoint(slug="salina", name=AP_NAME, phone="785-555-0100", timezone="America/Chicago",
                     address="1716 Summers Road", city="Salina")
    intake = Intake(channel=Channel.SMS, language=language, reference_code="7KQ-2MD", confidential=confidential)
    intake.routed_access_point = ap
    return intake


def every_text(language: str) -> list[tuple[str, str, str]]:
    """Return (kind, name, text) for every outbound template in ``language``."""
    intake = household(language)
    texts = [("staff", name, household_texts.staff_text(name, intake, WHEN, ADDRESS))
             for name in household_texts.STAFF_TEMPLATES]
    hidden = household(language, confidential=True)
    texts += [("staff", f"{name}_confidential", household_texts.staff_text(name, hidden, WHEN, ADDRESS))
              for name in household_texts.STAFF_TEMPLATES]
    texts.append(("reminder", "reminder", household_texts.reminder(intake, WHEN, ADDRESS)))
    texts.append(("check_in", "question", household_texts.checkin_question(intake)))
    for answer in (household_texts.CHECKIN_YES, household_texts.CHECKIN_NO, household_texts.CHECKIN_NUMBER):
        texts.append(("check_in_reply", answer, household_texts.checkin_thanks(intake, answer)))
    texts.append(("check_in_reply", "saved", household_texts.checkin_number_saved(intake)))
    texts.append(("check_in_reply", "not_read", household_texts.checkin_number_not_read(intake)))
    texts.append(("check_in_reply", "not_understood", household_texts.checkin_not_understood(intake)))
    for confidential in (False, True):
        shown = household(language, confidential=confidential)
        info = cast(Any, SimpleNamespace(code="7KQ-2MD", access_point=shown.routed_access_point))
        texts.append(("confirmation", f"text_me_this{'_confidential' if confidential else ''}",
                      confirmation_text(shown, info)))
    return texts


def tidy(text: str) -> str:
    """The spacing ``outbound`` gives every text, without folding."""
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_outbound_template_follows_its_languages_policy_within_budget(app: Flask, language: str) -> None:
    folds = languages.language(language).folds
    with app.test_request_context():
        texts = every_text(language)
    assert len(texts) == 16
    for kind, name, raw in texts:
        assert raw.strip(), f"{language} {name} is empty"
        budget = BUDGETS[kind] if folds else MAX_SEGMENTS
        sent = outbound(raw, language=language, purpose=name, budget=budget, strict=True)
        if folds:
            assert is_gsm7(sent), f"{language} {name}: {[ch for ch in sent if not is_gsm7(ch)]}"
        else:
            assert sent == tidy(raw), f"{language} {name} was folded"
        assert segments(sent) <= budget, f"{language} {name}: {segments(sent)} segments"
        print(f"{language} {name}: {len(sent)} chars, {segments(sent)} segment(s), {encoding(sent)}")


def test_a_vietnamese_appointment_keeps_its_tones(app: Flask) -> None:
    """The day is written by the registry's pattern in Vietnamese whatever the catalog holds."""
    with app.test_request_context():
        raw = household_texts.staff_text("appointment", household("vi"), WHEN, ADDRESS)
    sent = outbound(raw, language="vi", purpose="appointment", strict=True)
    assert "Thứ Ba, ngày 8 tháng 12" in sent
    assert sent == tidy(raw) and sms_text.plain(raw) != raw  # folding would have taken its tones


def test_the_reminder_gives_the_place_s_number_when_it_fits(app: Flask) -> None:
    with app.test_request_context():
        english = household_texts.reminder(household("en"), WHEN, ADDRESS)
        burmese = household_texts.reminder(household("my"), WHEN, ADDRESS)
        near = household("my")
        near.routed_access_point.name = "Salina"
        short = household_texts.reminder(near, WHEN, "Room 2")
    assert "785-555-0100" in english  # GSM-7: two segments hold it
    assert "785-555-0100" not in burmese and segments(outbound(burmese, language="my")) <= MAX_SEGMENTS
    assert "785-555-0100" in short  # a shorter name and address leave room for it


def test_the_templates_are_in_the_households_language(app: Flask) -> None:
    with app.test_request_context():
        english = dict((name, text) for _, name, text in every_text("en"))
        spanish = dict((name, text) for _, name, text in every_text("es"))
    assert "2:30 PM" in english["appointment"] and "Tuesday, December 8" in english["appointment"]
    assert "14:30" in spanish["appointment"] and "diciembre" in spanish["appointment"]
    for name, text in english.items():
        assert spanish[name] != text, f"{name} is not translated"


def test_the_english_appointment_date_has_no_narrow_no_break_space(app: Flask) -> None:
    with app.test_request_context():
        raw = household_texts.staff_text("appointment", household("en"), WHEN, ADDRESS)
    assert "\u202f" not in raw and is_gsm7(raw)


def test_outbound_folds_and_refuses_over_budget_only_when_strict() -> None:
    assert outbound("Cita el martes\u202fa las 2:30 \u2014 «sí»", language="es") == 'Cita el martes a las 2:30 - "si"'
    long = "x" * 400
    with pytest.raises(OverBudget):
        outbound(long, language="en", budget=2, strict=True)
    assert outbound(long, language="en", budget=2) == long  # sent all the same: nothing is lost


def test_outbound_folds_by_the_languages_policy() -> None:
    assert outbound("Dừng lại  nhé", language="vi") == "Dừng lại nhé"  # tones are the words: kept
    assert outbound("توقف", language="ar") == "توقف"
    assert outbound("ရပ်ပါ", language="my") == "ရပ်ပါ"
    assert outbound("Joojí", language="so") == "Jooji"  # Somali is GSM-7: folded
    # A folded language's text that stays UCS-2 anyway (a menu in every script) keeps every tone.
    assert outbound("1 English\n3 Tiếng Việt\n5 العربية", language="en") == "1 English\n3 Tiếng Việt\n5 العربية"
    with pytest.raises(KeyError):
        outbound("hello", language="xx")


def test_enqueue_sms_stores_the_folded_text(app: Flask) -> None:
    with app.app_context():
        outbox.enqueue_sms(db.session, to="+17855550142", body="Su cita: martes\u202f2:30\u00a0p.\u00a0m., área 2",
                           language="es", purpose="test")
        outbox.enqueue_sms(db.session, to="+17855550143", body="Hẹn  ngày Thứ Ba", language="vi", purpose="test")
        db.session.commit()
        bodies = [current_cipher().decrypt(m.body_enc)
                  for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert bodies[0] == "Su cita: martes 2:30 p. m., area 2" and is_gsm7(bodies[0])
    assert bodies[1] == "Hẹn ngày Thứ Ba"


def test_a_confidential_reminder_names_no_agency(app: Flask) -> None:
    with app.test_request_context():
        text = household_texts.reminder(household("en", confidential=True), WHEN, "the place we agreed")
    assert AP_NAME not in text and "785-555-0100" not in text and "the place we agreed" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_texts_to_a_confidential_intake_name_no_agency(app: Flask, language: str) -> None:
    """A phone an abuser may read must not name the victim service provider, nor give its number."""
    with app.test_request_context():
        texts = [household_texts.staff_text(name, household(language, confidential=True), WHEN, ADDRESS)
                 for name in household_texts.STAFF_TEMPLATES]
        shown = [household_texts.staff_text(name, household(language), WHEN, ADDRESS)
                 for name in household_texts.STAFF_TEMPLATES]
    assert all(texts) and all("7KQ-2MD" in text for text in texts)
    assert not [text for text in texts if AP_NAME in text or "785-555-0100" in text]
    assert any(AP_NAME in text for text in shown)  # the same templates name it for everyone else
