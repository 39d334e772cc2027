"""A callback with an interpreter: the short path for households whose language we do not offer.

Every channel walks the same steps (``intake_forms.interpreter``): which language, a phone number,
then the intake is queued as a callback requested with ``Intake.interpreter_language`` set. The
intake's ``language`` stays a registered code (the words the household was shown), so exports and
reports count it as before.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import force_locale  # type: ignore[import-untyped]  # ships no type hints
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from intake_forms import interpreter, languages
from intake_forms.parse import ParseResult
from models.intake import Channel, ConsentMethod, Intake
from services import intake as intakes
from services.crypto import PiiCipher
from services.pii import current_cipher


def bridge(msgid: str, **values: object) -> list[tuple[str, str]]:
    """Return ``msgid`` in every bridge language, as (language, words), without repeats."""
    said: list[tuple[str, str]] = []
    for code in interpreter.BRIDGE:
        with force_locale(code):
            words = str(_(msgid, **values)) if values else str(_(msgid))
        if words not in (w for _c, w in said):
            said.append((code, words))
    return said


def bridge_text(msgid: str, sep: str = "\n", **values: object) -> str:
    """Return ``msgid`` in every bridge language, joined."""
    return sep.join(words for _code, words in bridge(msgid, **values))


def start(session: Session, *, channel: Channel, language: str = languages.DEFAULT,
          interpreter_language: str | None = None, kiosk_id: int | None = None,
          source_index: str | None = None, device_index: str | None = None, commit: bool = True) -> Intake:
    """Start an intake on the interpreter path: a person, not the questions, with an interpreter.

    ``language`` is a registered code (the words shown; for a keypad-only language on a call, that
    language itself); ``interpreter_language`` the code to call back in, None while not yet said.
    """
    intake = intakes.start_intake(session, channel=channel, language=language, kiosk_id=kiosk_id,
                                  source_index=source_index, device_index=device_index, commit=False)
    intakes.set_code(session, intake, "start_choice", "talk", commit=False)
    intake.interpreter_language = interpreter_language
    if commit:
        session.commit()
    return intake


def name_language(intake: Intake, said: str | None, *, chosen: str | None = None,
                  cipher: PiiCipher | None = None) -> str:
    """Record the language a household named: ``chosen`` from a list when it is one we know of, else
    the language its words name (or UNLISTED); the words are kept, encrypted. Return the code."""
    words = interpreter.clean_said(said)
    known = chosen is not None and (languages.known(chosen) or chosen in {
        lang.code for lang in interpreter.KANSAS_LANGUAGES})
    code = chosen if known and chosen is not None else interpreter.match(words) or interpreter.UNLISTED
    intake.interpreter_language = code
    intake.interpreter_said_enc = (cipher or current_cipher()).encrypt(words) if words else None
    return code


def finish(session: Session, intake: Intake, *, phone: str | None, safe_to_text: str | None = None,
           safe_to_voicemail: str | None = None, method: ConsentMethod | None = None,
           channel: Channel | None = None, weights: Mapping[str, int] | None = None) -> intakes.SubmitResult:
    """Keep the number to call (E.164) and whether texts and voice messages are safe, then queue the
    intake as a callback requested with an interpreter."""
    if intake.interpreter_language is None:
        intake.interpreter_language = interpreter.UNLISTED
    if phone:
        intakes.record(session, intake, "phone", ParseResult(ok=True, code="given", value=phone), commit=False)
        for key, code in (("safe_to_text", safe_to_text), ("safe_to_voicemail", safe_to_voicemail)):
            if code is not None:
                intakes.set_code(session, intake, key, code, commit=False)
    return intakes.submit(session, intake, incomplete=True, method=method, channel=channel, weights=weights)


def code_label(code: str | None) -> str | None:
    """Return a language to call back in by its code, in the reader's words and its own ("Swahili
    (Kiswahili)"); None for no code or for ``UNLISTED`` (only the household's words name it)."""
    name = interpreter.english_name(code) if code else None
    if name is None:
        return None
    shown = str(_(name))
    native = interpreter.native_name(code or "")
    return f"{shown} ({native})" if native and native != shown else shown


def label(intake: Intake, cipher: PiiCipher | None = None) -> str | None:
    """Return the language staff call back in, for the intake page: its name, else the words the
    household gave for it (decrypted); None if no interpreter was asked for."""
    code = intake.interpreter_language
    if not code:
        return None
    named = code_label(code)
    if named is not None:
        return named
    said = (cipher or current_cipher()).decrypt(intake.interpreter_said_enc) if intake.interpreter_said_enc else None
    return said or str(_("a language not given"))
