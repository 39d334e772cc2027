"""E-mail: the SMTP backend against a real SMTP server, through the outbox, and the console backend."""

from __future__ import annotations

import ipaddress
import logging
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from sqlalchemy import select

from extensions import db
from models.sms import OutboxChannel, OutboxMessage, OutboxStatus
from services import outbox
from services.mail import (
    ConsoleMailSender,
    MailError,
    SmtpSender,
    SmtpSettings,
    build_mail_sender,
    redact_email,
)
from services.sms_sender import FakeSender
from tests.smtp_server import smtp_server

ADDRESS = "intake-team@shelter.example"


def self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """Return a server context with a fresh certificate for 127.0.0.1 and a client context trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://alerts%40coc.example:s3cret@mail.example:587",
     SmtpSettings("mail.example", 587, False, "alerts@coc.example", "s3cret")),
    ("smtps://u:p@mail.example", SmtpSettings("mail.example", 465, True, "u", "p")),
    ("smtp://127.0.0.1:2525", SmtpSettings("127.0.0.1", 2525, False, None, None)),
])
def test_mail_url_is_read(url: str, expected: SmtpSettings) -> None:
    assert SmtpSettings.from_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://mail.example:port"])
def test_a_bad_mail_url_is_refused_clearly(url: str) -> None:
    with pytest.raises(MailError):
        SmtpSettings.from_url(url)


def test_no_mail_url_means_the_console(caplog: pytest.LogCaptureFixture) -> None:
    sender = build_mail_sender({})
    assert isinstance(sender, ConsoleMailSender)
    with caplog.at_level(logging.INFO, logger="services.mail"):
        result = sender.send(ADDRESS, "New intake", "Reference ABC-123", idempotency_key="outbox-7")
    assert result.ok
    assert ADDRESS not in caplog.text
    assert redact_email(ADDRESS) in caplog.text
    assert "Reference ABC-123" in caplog.text


def test_plain_smtp_delivers_to_a_real_server() -> None:
    with smtp_server() as (inbox, port):
        sender = build_mail_sender({"MAIL_URL": f"smtp://127.0.0.1:{port}", "MAIL_FROM": "alerts@coc.example"})
        result = sender.send(ADDRESS, "New intake", "Reference ABC-123", idempotency_key="outbox-42")
    assert result.ok
    [got] = inbox.received
    assert got.rcpt_tos == [ADDRESS]
    assert got.message["Subject"] == "New intake"
    assert got.message["Message-ID"] == "<outbox-42@coc.example>"
    assert "Reference ABC-123" in got.text


def test_starttls_and_sign_in(tmp_path: Path) -> None:
    server_tls, client_tls = self_signed(tmp_path)
    with smtp_server(user="alerts", password="s3cret", tls_context=server_tls) as (inbox, port):
        sender = SmtpSender(SmtpSettings.from_url(f"smtp://alerts:s3cret@127.0.0.1:{port}"),
                            sender="alerts@coc.example", tls_context=client_tls)
        assert sender.send(ADDRESS, "Hello", "Body").ok
        wrong = SmtpSender(SmtpSettings.from_url(f"smtp://alerts:wrong@127.0.0.1:{port}"),
                           sender="alerts@coc.example", tls_context=client_tls)
        refused = wrong.send(ADDRESS, "Hello", "Body")
    assert inbox.logins == ["alerts"]
    assert len(inbox.received) == 1
    assert not refused.ok and refused.error_code == "535"


def test_no_password_over_a_server_without_starttls() -> None:
    with smtp_server() as (inbox, port):
        sender = SmtpSender(SmtpSettings.from_url(f"smtp://alerts:s3cret@127.0.0.1:{port}"))
        with pytest.raises(Exception, match="STARTTLS"):
            sender.send(ADDRESS, "Hello", "Body")
    assert inbox.received == []


def test_outbox_sends_an_email_once_encrypted_at_rest(app: Flask) -> None:
    with smtp_server() as (inbox, port), app.app_context():
        mailer = build_mail_sender({"MAIL_URL": f"smtp://127.0.0.1:{port}"})
        outbox.enqueue_email(db.session, to=ADDRESS, subject="New intake ABC-123", body="Track: shelter",
                             purpose="alert")
        db.session.commit()
        stored = db.session.scalars(select(OutboxMessage)).one()
        assert stored.channel == OutboxChannel.EMAIL
        assert ADDRESS.encode() not in stored.to_enc and b"ABC-123" not in (stored.subject_enc or b"")
        # Without a mail sender the e-mail waits; texts go on.
        assert outbox.deliver_pending(db.session, FakeSender()) == 0
        assert outbox.deliver_pending(db.session, FakeSender(), mailer=mailer) == 1
        assert outbox.deliver_pending(db.session, FakeSender(), mailer=mailer) == 0
        db.session.refresh(stored)
        assert stored.status == OutboxStatus.SENT and stored.attempts == 1
    [got] = inbox.received
    assert got.message["Subject"] == "New intake ABC-123"
    assert got.message["Message-ID"].startswith(f"<outbox-{stored.id}@")


def test_a_server_that_is_down_is_retried_after_its_back_off_then_delivered(app: Flask) -> None:
    backoff = outbox.Backoff(base=timedelta(minutes=2), cap=timedelta(minutes=30))
    start = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    with app.app_context():
        with smtp_server() as (_inbox, port):
            pass  # the port is now closed: the server is down
        mailer = build_mail_sender({"MAIL_URL": f"smtp://127.0.0.1:{port}"})
        outbox.enqueue_email(db.session, to=ADDRESS, subject="S", body="B", purpose="alert_new")
        db.session.commit()
        assert outbox.deliver_pending(db.session, FakeSender(), mailer=mailer, backoff=backoff, now=start) == 0
        stored = db.session.scalars(select(OutboxMessage)).one()
        assert stored.status == OutboxStatus.QUEUED and stored.attempts == 1
        assert stored.next_attempt_at is not None
        assert stored.next_attempt_at.replace(tzinfo=UTC) == start + timedelta(minutes=2)
        # Still down two minutes later: the next wait is twice as long.
        assert outbox.deliver_pending(db.session, FakeSender(), mailer=mailer, backoff=backoff,
                                      now=start + timedelta(minutes=2)) == 0
        db.session.refresh(stored)
        assert stored.attempts == 2
        assert stored.next_attempt_at.replace(tzinfo=UTC) == start + timedelta(minutes=6)
        # The same server comes back up on the same port.
        with smtp_server(port=port) as (inbox, _port):
            # The worker leaves the message alone until its back-off is over...
            assert outbox.deliver_pending(db.session, FakeSender(), mailer=mailer, backoff=backoff,
                                          now=start + timedelta(minutes=5)) == 0
            assert inbox.received == []
            # ...then delivers it, once.
            assert outbox.deliver_pending(db.session, FakeSender(), mailer=mailer, backoff=backoff,
                                          now=start + timedelta(minutes=6)) == 1
            assert outbox.deliver_pending(db.session, FakeSender(), mailer=mailer, backoff=backoff,
                                          now=start + timedelta(hours=2)) == 0
        db.session.refresh(stored)
        assert stored.status == OutboxStatus.SENT and stored.attempts == 3 and stored.next_attempt_at is None
    assert len(inbox.received) == 1


def test_a_server_down_for_good_ends_in_failed_and_is_counted_for_admins(app: Flask) -> None:
    backoff = outbox.Backoff(base=timedelta(minutes=1), cap=timedelta(minutes=10))
    now = datetime.now(UTC)
    with app.app_context():
        with smtp_server() as (_inbox, port):
            pass
        mailer = build_mail_sender({"MAIL_URL": f"smtp://127.0.0.1:{port}"})
        outbox.enqueue_email(db.session, to=ADDRESS, subject="S", body="B", purpose="alert_escalation")
        db.session.commit()
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.deliver_pending(db.session, FakeSender(), mailer=mailer, backoff=backoff, now=now)
            now += timedelta(minutes=10)
        stored = db.session.scalars(select(OutboxMessage)).one()
        assert stored.status == OutboxStatus.FAILED and stored.attempts == outbox.MAX_ATTEMPTS
        assert outbox.failed_alerts(db.session, now - timedelta(days=7)) == {"alert_escalation": 1}


def test_a_refused_address_fails_without_retrying(app: Flask) -> None:
    with smtp_server() as (inbox, port), app.app_context():
        inbox.refuse.add(ADDRESS)
        mailer = build_mail_sender({"MAIL_URL": f"smtp://127.0.0.1:{port}"})
        outbox.enqueue_email(db.session, to=ADDRESS, subject="S", body="B", purpose="alert")
        db.session.commit()
        assert outbox.deliver_pending(db.session, FakeSender(), mailer=mailer) == 0
        stored = db.session.scalars(select(OutboxMessage)).one()
        assert stored.status == OutboxStatus.FAILED and stored.error_code == "550"


def test_a_worker_that_died_mid_send_is_recovered_with_the_same_message_id(app: Flask) -> None:
    with smtp_server() as (inbox, port), app.app_context():
        mailer = build_mail_sender({"MAIL_URL": f"smtp://127.0.0.1:{port}"})
        message = outbox.enqueue_email(db.session, to=ADDRESS, subject="S", body="B", purpose="alert")
        db.session.commit()
        # A worker claimed it and died before recording anything.
        message.status = OutboxStatus.SENDING
        message.attempts = 1
        message.last_attempt_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()
        message_id = message.id
        assert outbox.deliver_pending(db.session, FakeSender(), mailer=mailer) == 1
    [got] = inbox.received
    assert got.message["Message-ID"].startswith(f"<outbox-{message_id}@")
