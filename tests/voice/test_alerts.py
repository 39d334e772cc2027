"""A call that ends in an intake alerts its access point, through the outbox to a real SMTP server, with no PII."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select, update

from extensions import db
from models import AccessPoint, Channel, Intake
from services import intake as intakes
from services import outbox
from services.mail import build_mail_sender
from services.sms_sender import FakeSender
from tests.smtp_server import smtp_server

from .conftest import CALLER, Phone
from .test_calls import ENGLISH_KEYS


def test_a_phone_call_alerts_by_email_and_text_without_personal_data(app: Flask, phone: Callable[..., Phone],
                                                                    demo: None) -> None:
    with app.app_context():
        db.session.execute(update(AccessPoint).values(alert_emails=["desk@ap.example"],
                                                      oncall_phone="+17855550999"))
        db.session.commit()
    call = phone()
    call.dial()
    for keys, _ in ENGLISH_KEYS:
        call.press(keys)
    call.press("1")

    texts = FakeSender()
    with smtp_server() as (inbox, port), app.app_context():
        intake = db.session.scalars(select(Intake).where(Intake.channel == Channel.VOICE)).one()
        code = intake.reference_code
        personal = [v for v in intakes.personal_values(intake).values() if v]
        mailer = build_mail_sender({"MAIL_URL": f"smtp://127.0.0.1:{port}"})
        while outbox.deliver_pending(db.session, texts, mailer=mailer):
            pass
    assert code and personal and CALLER in personal
    [mail] = inbox.received
    assert mail.rcpt_tos == ["desk@ap.example"] and code in mail.text
    alerts = [t for t in texts.sent if t.to == "+17855550999"]
    assert len(alerts) == 1 and code in alerts[0].body
    for message in [mail.text, alerts[0].body]:
        for value in [*personal, CALLER[2:], CALLER[-7:]]:
            assert value not in message, (value, message)
