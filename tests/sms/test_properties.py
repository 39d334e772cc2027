"""Any sequence of replies never errors and leaves a valid conversation; kiosk and SMS agree."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from extensions import db
from intake_forms import Kind, question
from models import Channel, Intake, IntakeStatus
from models.sms import ConversationState, SmsConversation
from services import intake as intakes
from services.pii import current_cipher

from .conftest import Phone
from .test_conversation import ENGLISH, SPANISH, current_key, walk

REPLIES = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "14", "0", "99", "yes", "no", "si", "not sure", "skip", "back",
                     "BACK", "restart", "help", "ayuda", "stop", "start", "new", "english", "espanol",
                     "hola", "67601", "Ellis county", "785-555-0101", "sam@example.org", "1 3", "1,3",
                     "Sam", "03/25/1980", "", "\U0001f600", "x" * 1600, "<b>hi</b>", "'; DROP TABLE x;--"]),
    st.text(max_size=40),
)
_numbers = itertools.count(1000)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(replies=st.lists(REPLIES, min_size=1, max_size=25))
def test_any_replies_leave_a_valid_conversation(demo: Flask, replies: list[str]) -> None:
    number = f"+1785555{next(_numbers) % 10000:04d}"
    p = Phone(demo.test_client(), number)
    for reply in replies:
        response = p.send(reply)
        assert response.status_code == 200
    with demo.app_context():
        index = current_cipher().phone_index(number)
        conv = db.session.scalars(select(SmsConversation).where(SmsConversation.phone_index == index)).one()
        assert conv.state in set(ConversationState)
        if conv.state is ConversationState.ACTIVE:
            assert conv.intake is not None and conv.intake.status is IntakeStatus.IN_PROGRESS
            assert conv.intake.channel is Channel.SMS
        if conv.state is ConversationState.DONE:
            assert conv.intake is not None and conv.intake.status is IntakeStatus.SUBMITTED
            assert conv.intake.reference_code
        for intake in db.session.scalars(select(Intake).where(Intake.id == conv.intake_id)):
            # Whatever was stored is a code the flow understands.
            for key, code in intakes.codes(intake).items():
                q = question(key)
                if q.options and q.kind is not Kind.MULTI:
                    assert q.option(code) is not None or code == q.skip_code, (key, code)
                if q.kind is Kind.MULTI:
                    assert all(q.option(part) for part in code.split(",")), (key, code)


def by_kiosk(app: Flask, language: str, sms_codes: dict[str, str], values: dict[str, str]) -> Intake:
    """Answer the same questions the way the kiosk does: codes picked from lists."""
    intake = intakes.start_intake(db.session, channel=Channel.KIOSK, language=language)
    while (q := intakes.current_question(intake)) is not None:
        step = intakes.set_code(db.session, intake, q.key, sms_codes[q.key], values.get(q.key))
        assert step.ok, q.key
    intakes.submit(db.session, intake)
    return intake


def outcome(intake: Intake) -> tuple[object, ...]:
    return (intake.status, intake.homeless_category, intake.track, intake.priority,
            tuple(intake.priority_reasons), intake.diversion_candidate, intake.confidential,
            intake.callback_requested, intake.out_of_area, intake.routed_access_point_id, intake.county_fips)


def test_channel_parity(demo: Flask, phone: Callable[[str], Phone]) -> None:
    for number, first, answers in (("+17855550170", "english", ENGLISH), ("+17855550171", "hola", SPANISH)):
        p = phone(number)
        p.text(first)
        walk(demo, p, answers)
        assert current_key(demo, number) is None
        with demo.app_context():
            sms = db.session.scalars(select(Intake).where(Intake.channel == Channel.SMS)
                                     .order_by(Intake.id.desc())).first()
            assert sms is not None
            sms_codes, sms_values = intakes.codes(sms), intakes.personal_values(sms)
            kiosk = by_kiosk(demo, sms.language, sms_codes, sms_values)
            assert intakes.codes(kiosk) == sms_codes
            assert intakes.personal_values(kiosk) == sms_values
            assert outcome(kiosk) == outcome(sms)
            assert kiosk.reference_code and kiosk.reference_code != sms.reference_code
