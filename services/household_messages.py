"""Messages a household sends after submitting: kept with the intake, encrypted, marked as new.

A text that arrives after the reference code was given belongs to that intake: it is stored
encrypted (``HouseholdMessage.body_enc``) and the intake carries ``new_message_at`` until a staff
member who may read it opens the intake page. Who may read it is ``queue.identity_visible``: a
confidential intake's messages are read only by its victim service provider's staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update

from models import HouseholdMessage, Intake
from models.base import utcnow
from models.intake import Channel

from .crypto import PiiCipher
from .routing import DbSession

#: Twilio joins a long text into one body of at most 1,600 characters; keep a little more.
MAX_LENGTH = 5000


@dataclass(frozen=True)
class MessageLine:
    """One message for the staff page (already decrypted)."""

    received_at: datetime
    channel: str
    body: str


def record(session: DbSession, intake: Intake, body: str, *, channel: Channel, cipher: PiiCipher,
           now: datetime | None = None) -> HouseholdMessage:
    """Add a message to ``intake`` and mark the intake as having a new one; the caller commits."""
    now = now or utcnow()
    message = HouseholdMessage(intake_id=intake.id, channel=channel,
                               body_enc=cipher.encrypt(body.strip()[:MAX_LENGTH]), received_at=now)
    session.add(message)
    intake.new_message_at = now
    return message


def lines(intake: Intake, cipher: PiiCipher) -> tuple[MessageLine, ...]:
    """Return the intake's messages, oldest first, decrypted."""
    return tuple(MessageLine(m.received_at, str(m.channel), cipher.decrypt(m.body_enc))
                 for m in intake.messages)


def mark_read(session: DbSession, intake: Intake, up_to: datetime | None) -> None:
    """Clear the "new message" mark for what was shown (a message that came in since stays new).

    ``up_to`` is the time of the newest message shown; the caller commits.
    """
    if intake.new_message_at is None or up_to is None:
        return
    session.execute(
        update(Intake)
        .where(Intake.id == intake.id,
               or_(Intake.new_message_at.is_(None), Intake.new_message_at <= up_to))
        .values(new_message_at=None)
        .execution_options(synchronize_session=False)
    )
