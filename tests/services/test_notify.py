"""Alerts about new intakes: who hears, through the outbox to a real SMTP server, never any personal data."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from models import AccessPoint, AccessPointKind, AlertPreference, Intake, Role, User
from models.base import utcnow
from models.intake import Channel, IntakeStatus, Track
from models.sms import OutboxChannel, OutboxMessage
from services import intake as svc
from services import notify, outbox
from services.accounts import hash_password
from services.demo import load_demo
from services.mail import build_mail_sender
from services.pii import current_cipher
from services.sms_sender import FakeSender
from tests.services.test_intake import FULL, run
from tests.smtp_server import Inbox, smtp_server

# What the household said in FULL: none of it may appear in any alert.
PERSONAL = ["Ana", "555-0100", "5550100", "785", "1980", "03/25", "67601"]


def without_links(text: str) -> str:
    """The message without its intake links: a random public id may hold digits such as "785"."""
    return re.sub(r"/intakes/[0-9a-f]{32}", "/intakes/ID", text)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


def _user(email: str, role: Role, preference: AlertPreference, aps: list[AccessPoint],
          region_id: int | None = None, language: str = "en") -> User:
    user = User(email=email, display_name=email.split("@")[0], password_hash=hash_password("x" * 12), role=role,
                alert_preference=preference, access_points=aps, region_id=region_id, language=language)
    db.session.add(user)
    return user


@pytest.fixture
def hays(app: Flask) -> Flask:
    """The demo's access points; Hays has two alert addresses, an on-call phone and four staff."""
    with app.app_context():
        load_demo(db.session, users=False)
        ap = db.session.scalars(select(AccessPoint).where(AccessPoint.slug == "sample-hays")).one()
        ap.alert_emails = ["Intake@Hays.example", "oncall@hays.example"]
        ap.oncall_phone = "+17855550999"
        _user("every@hays.example", Role.STAFF, AlertPreference.EVERY, [ap], language="es")
        _user("urgent@hays.example", Role.STAFF, AlertPreference.URGENT, [ap])
        _user("quiet@hays.example", Role.STAFF, AlertPreference.NONE, [ap])
        _user("digest@hays.example", Role.STAFF, AlertPreference.DIGEST, [ap])
        _user("coord@region.example", Role.COORDINATOR, AlertPreference.EVERY, [], region_id=ap.region_id)
        _user("elsewhere@other.example", Role.STAFF, AlertPreference.EVERY, [])
        db.session.commit()
    return app


def _deliver(app: Flask, port: int) -> FakeSender:
    texts = FakeSender()
    with app.app_context():
        mailer = build_mail_sender({"MAIL_URL": f"smtp://127.0.0.1:{port}"})
        while outbox.deliver_pending(db.session, texts, mailer=mailer):
            pass
    return texts


def test_a_submitted_intake_alerts_its_access_point_without_personal_data(
        hays: Flask, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    with hays.app_context():
        intake = svc.start_intake(db.session, channel=Channel.WEB, language="en")
        run(db.session, intake, FULL)
        result = svc.submit(db.session, intake)
        assert result.access_point is not None and result.access_point.slug == "sample-hays"
        code, public_id = intake.reference_code, intake.public_id
        assert intake.due_at is not None
        queued = db.session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == notify.PURPOSE_NEW)).all()
        assert {m.channel for m in queued} == {OutboxChannel.EMAIL, OutboxChannel.SMS}
    texts = _deliver(hays, port)

    recipients = sorted(r for got in inbox.received for r in got.rcpt_tos)
    # Urgent (priority 8, no safe place tonight): "every" and "urgent" staff, the coordinator with
    # "every", both addresses; not "none", not "digest", not staff of another access point.
    assert recipients == ["coord@region.example", "every@hays.example", "intake@hays.example",
                          "oncall@hays.example", "urgent@hays.example"]
    [text] = texts.sent
    assert text.to == "+17855550999"
    everything = [*inbox.texts(), text.body]
    for message in everything:
        assert code in message
        for value in PERSONAL:
            assert value not in without_links(message), (value, message)
    english = next(r for r in inbox.received if r.rcpt_tos == ["intake@hays.example"])
    assert english.message["Subject"] == f"Urgent new intake {code}"
    assert "Callback requested" not in english.text
    assert "No safe place tonight" in english.text
    assert f"/staff/intakes/{public_id}" in english.text
    spanish = next(r for r in inbox.received if r.rcpt_tos == ["every@hays.example"])
    assert "Código de referencia" in spanish.text and "Sin lugar seguro esta noche" in spanish.text
    assert "No safe place tonight" in text.body


def test_urgent_only_staff_hear_nothing_of_an_ordinary_intake(hays: Flask) -> None:
    with hays.app_context():
        ap = db.session.scalars(select(AccessPoint).where(AccessPoint.slug == "sample-hays")).one()
        intake = Intake(channel=Channel.KIOSK, status=IntakeStatus.SUBMITTED, routed_access_point_id=ap.id,
                        priority=1, priority_reasons=["veteran"], track=Track.PREVENTION, submitted_at=utcnow(),
                        reference_code="ORD-123", callback_requested=True)
        db.session.add(intake)
        db.session.flush()
        notify.alert_new_intake(db.session, intake, ap, hays.config)
        db.session.commit()
        cipher = current_cipher()
        emails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == OutboxChannel.EMAIL)).all()
        to = sorted(cipher.decrypt(m.to_enc) for m in emails)
        bodies = [cipher.decrypt(m.body_enc) for m in emails]
    assert to == ["coord@region.example", "every@hays.example", "intake@hays.example", "oncall@hays.example"]
    assert all("ORD-123" in b for b in bodies)
    assert any("Callback requested" in b for b in bodies)


def test_a_confidential_referral_alerts_only_its_victim_service_provider(hays: Flask,
                                                                         smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    with hays.app_context():
        vsp = db.session.scalars(select(AccessPoint).where(AccessPoint.kind == AccessPointKind.VSP)).first()
        hays_ap = db.session.scalars(select(AccessPoint).where(AccessPoint.slug == "sample-hays")).one()
        assert vsp is not None
        vsp.alert_emails = ["advocates@vsp.example"]
        vsp.oncall_phone = "+17855550888"
        _user("advocate@vsp.example", Role.VSP_STAFF, AlertPreference.EVERY, [vsp])
        _user("desk@vsp.example", Role.STAFF, AlertPreference.EVERY, [vsp])
        for ap in (vsp, hays_ap):
            intake = Intake(channel=Channel.SMS, status=IntakeStatus.SUBMITTED, routed_access_point_id=ap.id,
                            priority=9, priority_reasons=["no_safe_place_tonight"], confidential=True,
                            track=Track.HOMELESS, submitted_at=utcnow(), reference_code=f"CNF-{ap.id:03d}",
                            callback_requested=True)
            db.session.add(intake)
            db.session.flush()
            notify.alert_new_intake(db.session, intake, ap, hays.config)
        db.session.commit()
    texts = _deliver(hays, port)
    assert sorted(r for got in inbox.received for r in got.rcpt_tos) == ["advocate@vsp.example",
                                                                          "advocates@vsp.example"]
    [text] = texts.sent
    assert text.to == "+17855550888"
    for message in [*inbox.texts(), text.body]:
        assert "confidential referral is waiting" in message
        assert "CNF-" not in message and "/staff/intakes/" not in message
        assert "safe place" not in message and "Callback" not in message


def _lonely_intake(ap: AccessPoint | None, code: str, *, confidential: bool = False) -> Intake:
    """A submitted intake with identifying answers, routed to ``ap`` (None: to no access point)."""
    from models import Answer

    cipher = current_cipher()
    intake = Intake(channel=Channel.SMS, status=IntakeStatus.SUBMITTED,
                    routed_access_point_id=ap.id if ap else None, priority=9,
                    priority_reasons=["no_safe_place_tonight"], track=Track.HOMELESS, submitted_at=utcnow(),
                    reference_code=code, out_of_area=ap is None, confidential=confidential,
                    contact_phone_index=cipher.phone_index("+17855550100"))
    for key, value in [("contact_name", "Ana Lopez"), ("phone", "+17855550100"), ("dob", "1980-03-25")]:
        intake.answers.append(Answer(key=key, code="given", value_enc=cipher.encrypt(value)))
    db.session.add(intake)
    db.session.flush()
    return intake


def test_an_intake_nobody_at_its_access_point_would_hear_of_reaches_the_regions_coordinators(
        hays: Flask, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    with hays.app_context():
        hays_ap = db.session.scalars(select(AccessPoint).where(AccessPoint.slug == "sample-hays")).one()
        lonely = AccessPoint(slug="lonely", name="Lonely desk", coc_id=hays_ap.coc_id, region_id=hays_ap.region_id)
        db.session.add(lonely)
        db.session.flush()
        coordinator = db.session.scalars(select(User).where(User.role == Role.COORDINATOR)).one()
        coordinator.alert_preference = AlertPreference.NONE  # chose no new-intake e-mail: this one still comes
        intake = _lonely_intake(lonely, "LON-001")
        assert notify.alert_new_intake(db.session, intake, lonely, hays.config) == 1
        db.session.commit()
    _deliver(hays, port)
    [got] = inbox.received
    assert got.rcpt_tos == ["coord@region.example"]
    assert got.message["Subject"] == "New intake LON-001: no access point staff will hear of it"
    assert "Lonely desk" in got.text and "no staff" in got.text
    for value in PERSONAL:
        assert value not in without_links(got.text), value


def test_an_out_of_area_intake_with_no_access_point_reaches_the_coc_alert_address_else_the_admins(
        hays: Flask, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    with hays.app_context():
        _user("admin@coc.example", Role.ADMIN, AlertPreference.NONE, [])
        _user("gone@coc.example", Role.ADMIN, AlertPreference.EVERY, []).active = False
        first = _lonely_intake(None, "OUT-001")
        # No alert address configured: the CoC's active admins hear of it.
        assert notify.alert_new_intake(db.session, first, None, {**hays.config, "COC_ALERT_EMAILS": ""}) == 1
        second = _lonely_intake(None, "OUT-002")
        config = {**hays.config, "COC_ALERT_EMAILS": "Intake-Lead@coc.example, backup@coc.example"}
        assert notify.alert_new_intake(db.session, second, None, config) == 2
        # A confidential referral never leaves a victim service provider, even when there is none.
        assert notify.alert_new_intake(db.session, _lonely_intake(None, "OUT-003", confidential=True), None,
                                       config) == 0
        db.session.commit()
    _deliver(hays, port)
    by_code = {code: sorted(r for got in inbox.received if code in got.text for r in got.rcpt_tos)
               for code in ("OUT-001", "OUT-002", "OUT-003")}
    assert by_code == {"OUT-001": ["admin@coc.example"],
                       "OUT-002": ["backup@coc.example", "intake-lead@coc.example"], "OUT-003": []}
    for got in inbox.received:
        assert "outside this Continuum of Care" in got.text and "no access point" in got.text.lower()
        for value in PERSONAL:
            assert value not in without_links(got.text), value
