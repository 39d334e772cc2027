"""``flask pii``: key generation, and re-encryption after adding a key."""

from __future__ import annotations

from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select

from extensions import db
from models import Answer, Channel, HouseholdMessage, Intake
from services.cli import register_commands
from services.crypto import PiiCipher, PiiDecryptionError, generate_key
from services.pii import current_cipher

PHONE = "+17855550100"


def test_current_cipher_follows_config(app: Flask) -> None:
    key = generate_key()
    app.config["PII_KEYS"] = [key]
    with app.app_context():
        cipher = current_cipher()
        assert current_cipher() is cipher
        assert PiiCipher([key]).decrypt(cipher.encrypt("x")) == "x"
        app.config["PII_KEYS"] = [generate_key(), key]
        assert current_cipher() is not cipher
        assert current_cipher().key_count == 2


def test_generate_key(app: Flask) -> None:
    register_commands(app)
    result = app.test_cli_runner().invoke(args=["pii", "generate-key"])
    assert result.exit_code == 0
    Fernet(result.output.strip())


def test_reencrypt_after_rotation(app: Flask) -> None:
    register_commands(app)
    old, new = generate_key(), generate_key()
    app.config["PII_KEYS"] = [old]
    with app.app_context():
        cipher = current_cipher()
        for n in range(3):
            intake = Intake(channel=Channel.SMS, contact_phone_index=cipher.phone_index(PHONE))
            intake.answers.append(Answer(key="phone", code="given", value_enc=cipher.encrypt(PHONE)))
            intake.answers.append(
                Answer(key="contact_name", code="given", value_enc=cipher.encrypt(f"Name {n}"))
            )
            intake.answers.append(Answer(key="adults", code="1"))
            intake.messages.append(HouseholdMessage(channel=Channel.SMS, body_enc=cipher.encrypt(f"call me {n}")))
            db.session.add(intake)
        db.session.add(Intake(channel=Channel.KIOSK, contact_phone_index="stale"))
        db.session.commit()
        old_index = cipher.phone_index(PHONE)

    app.config["PII_KEYS"] = [new, old]
    result = app.test_cli_runner().invoke(args=["pii", "reencrypt", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "answers.value_enc: 6" in result.output
    assert "intakes.contact_phone_index: 4" in result.output  # three rotated, one stale cleared
    assert "household_messages.body_enc: 3" in result.output

    app.config["PII_KEYS"] = [new]
    with app.app_context():
        cipher = current_cipher()
        names = sorted(
            cipher.decrypt(a.value_enc)
            for a in db.session.scalars(select(Answer).where(Answer.key == "contact_name"))
            if a.value_enc is not None
        )
        assert names == ["Name 0", "Name 1", "Name 2"]
        bodies = sorted(cipher.decrypt(m.body_enc) for m in db.session.scalars(select(HouseholdMessage)))
        assert bodies == ["call me 0", "call me 1", "call me 2"]
        found = db.session.scalars(
            select(Intake).where(Intake.contact_phone_index.in_(cipher.phone_indexes(PHONE)))
        ).all()
        assert len(found) == 3
        assert old_index not in cipher.phone_indexes(PHONE)
        assert db.session.scalars(
            select(Intake).where(Intake.channel == Channel.KIOSK)
        ).one().contact_phone_index is None
        try:
            PiiCipher([old]).decrypt(db.session.scalars(select(Answer.value_enc).limit(1)).one() or b"")
        except PiiDecryptionError:
            pass
        else:
            raise AssertionError("the old key still decrypts re-encrypted data")
