"""Continue an unfinished intake on another channel with its reference code and the same check.

An unfinished intake gets its reference code when the person may leave (``give_code``): a text
conversation when they ask (CODE / CODIGO), a call right after the language is chosen (a call can
drop at any moment). Submitting keeps that code. With the code and a check, the intake continues
on another channel at its next unanswered question; every answer given is kept. The check is a
phone number the intake already knows: the number it was texted from, the caller's number, or the
phone number answered. By text the sender's own number must be one of them; on the web, the last 4
digits of one. A submitted or withdrawn intake cannot be reopened: it is not found. The intake
keeps where it began (``channel``) and where it was finished (``finished_channel``, on submit).
"""

from __future__ import annotations

import hmac

from sqlalchemy import select

from intake_forms import NOT_ASKED, languages
from models import Intake, SmsConversation, VoiceCall
from models.base import utcnow
from models.intake import IntakeStatus
from models.sms import ConversationState
from services import intake as intakes
from services.crypto import PiiCipher
from services.status import keyword_request

from .routing import DbSession

#: The texts that continue an intake here: the keyword, then the code ("RESUME 7KQ-2MD"). Not
#: "continue" / "continuar": those answer a question ("keep going"), and a six-letter word after
#: them can read as a code.
RESUME_WORDS = languages.keyword_languages("resume")
#: The texts that ask for the code of the intake in progress (to finish it elsewhere).
CODE_WORDS = languages.keyword_languages("code")

_OPEN = (IntakeStatus.IN_PROGRESS, IntakeStatus.ABANDONED)


def resume_request(text: str) -> tuple[str, str] | None:
    """Read "RESUME 7KQ-2MD" / "REANUDAR 7KQ-2MD" as (language, code); None unless a code follows."""
    found = keyword_request(text, RESUME_WORDS)
    if found is None or intakes.normalize_reference_code(found[1]) is None:
        return None
    return found


def give_code(session: DbSession, intake: Intake) -> str:
    """Return the intake's reference code, giving it one now if it has none (in the caller's transaction)."""
    if intake.reference_code is None:
        intakes.assign_reference_code(session, intake)
    return intake.reference_code or ""


def _numbers(session: DbSession, intake: Intake, cipher: PiiCipher) -> list[str]:
    """Return the phone numbers this intake knows (decrypted), for the check."""
    found: list[str] = []
    if intakes.codes(intake).get("phone") == "given":
        found.append(intakes.personal_values(intake, cipher).get("phone", ""))
    for conversation in session.scalars(select(SmsConversation).where(SmsConversation.intake_id == intake.id)):
        if conversation.phone_enc is not None:
            found.append(cipher.decrypt(conversation.phone_enc))
    for call in session.scalars(select(VoiceCall).where(VoiceCall.intake_id == intake.id)):
        if call.caller_enc is not None:
            found.append(cipher.decrypt(call.caller_enc))
    return [n for n in found if n]


def find(session: DbSession, code_text: str, cipher: PiiCipher, *, sender: str | None = None,
         phone_last4: str | None = None) -> Intake | None:
    """Return the unfinished intake with this code whose check fits; None for anything else."""
    code = intakes.normalize_reference_code(code_text)
    if code is None or (sender is None and phone_last4 is None):
        return None
    intake = session.scalar(select(Intake).where(Intake.reference_code == code, Intake.status.in_(_OPEN)))
    if intake is None:
        return None
    numbers = _numbers(session, intake, cipher)
    if sender is not None:
        ok = any(hmac.compare_digest(n, sender) for n in numbers)
    else:
        ok = any(hmac.compare_digest(n[-4:], phone_last4 or "") for n in numbers)
    return intake if ok else None


def reopen(session: DbSession, intake: Intake) -> None:
    """Take the intake up again here: open once more if it was left, and no longer held by a text conversation.

    Questions an earlier channel could not ask (a name on the phone keypad) are asked here.
    """
    for key in [a.key for a in intake.answers if a.code == NOT_ASKED]:
        intakes.clear_answer(session, intake, key, commit=False)
    intake.status = IntakeStatus.IN_PROGRESS
    intake.last_activity_at = utcnow()
    for conversation in session.scalars(select(SmsConversation).where(SmsConversation.intake_id == intake.id)):
        conversation.intake_id = None
        conversation.intake = None
        conversation.state = ConversationState.NEW
