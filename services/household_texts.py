"""The words of every text we send a household on our own: staff templates, reminders, check-ins.

One place for them, so that each is written once, in the household's language (never the staff
member's), and so that one test can render every template in every language through
``sms_text.outbound`` (GSM-7, within its segment budget). Each function takes the language and
returns the text; ``outbox.enqueue_sms`` folds it on the way out. Needs an application context.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, gettext  # type: ignore[import-untyped]  # ships no type hints

from models import Intake

from . import hours, sms_text


def _(text: str, **values: object) -> str:
    """Translate ``text`` into the current locale (a msgid ``pybabel`` finds by this name)."""
    return str(gettext(text, **values))


#: The templates staff may send from the intake page.
STAFF_TEMPLATES: tuple[str, ...] = ("will_call", "missed_call", "appointment")

#: The check-in replies, as the household types them (after ``intake_forms.normalize``).
CHECKIN_YES = "yes"
CHECKIN_NO = "no"
CHECKIN_NUMBER = "number_changed"


def _values(intake: Intake) -> dict[str, str]:
    ap = intake.routed_access_point
    return {"access_point": ap.name if ap is not None else "", "code": intake.reference_code or "",
            "phone": (ap.phone if ap is not None else "") or ""}


def when_text(intake: Intake, when: datetime, language: str) -> str:
    """Return an appointment time in the access point's zone, in words, as the household reads it.

    "Tuesday, December 1 at 2:30 PM" / "martes 1 de diciembre a las 14:30" (``status.moment_in_words``,
    the day by the language's pattern). CLDR puts a narrow no-break space before AM/PM, which would
    turn the text into UCS-2: it becomes a plain space (and ``outbound`` folds any that remain).
    """
    from . import status  # status reads staff_actions, which renders these texts

    ap = intake.routed_access_point
    local = when.astimezone(hours.zone(ap.timezone if ap is not None else None))
    with force_locale(language):
        return status.moment_in_words(local).replace("\u202f", " ")


def staff_text(template: str, intake: Intake, when: datetime | None = None, where: str | None = None) -> str:
    """Render a staff template in the household's language; empty when it cannot be written."""
    values = _values(intake)
    with force_locale(intake.language):
        if intake.confidential:
            return _confidential_staff_text(template, intake, when, where, values["code"])
        if template == "will_call":
            return _("Hello from %(access_point)s. Staff will call you soon about your request %(code)s. "
                     "Reply STOP to stop texts.", **values)
        if template == "missed_call":
            return _("We tried to call you about your request %(code)s. Please call %(access_point)s "
                     "at %(phone)s.", **values)
        if template == "appointment" and when is not None:
            return _("Your housing assessment with %(access_point)s is on %(when)s at %(where)s. "
                     "Request %(code)s.", when=when_text(intake, when, intake.language), where=where or "",
                     **values)
    return ""


def _confidential_staff_text(template: str, intake: Intake, when: datetime | None, where: str | None,
                             code: str) -> str:
    """The staff templates for a confidential intake: no agency name and no agency number.

    A phone an abuser may read must not name a victim service provider (the rule of every
    confirmation); the household knows who called, and the caller ID carries the number.
    """
    if template == "will_call":
        return _("Hello. Staff will call you soon about your request %(code)s. Reply STOP to stop texts.",
                 code=code)
    if template == "missed_call":
        return _("We tried to call you about your request %(code)s. Please call back the number we "
                 "called from.", code=code)
    if template == "appointment" and when is not None:
        return _("Your appointment is on %(when)s at %(where)s. Request %(code)s.",
                 when=when_text(intake, when, intake.language), where=where or "", code=code)
    return ""


def reminder(intake: Intake, when: datetime, where: str) -> str:
    """Return the reminder the day before the assessment.

    A confidential intake's reminder names no agency and gives no agency number (the rule of every
    confirmation: a phone an abuser may read must not name a victim service provider).
    The access point's number is added when it fits the budget once folded by the language's
    policy: a UCS-2 segment holds 70 characters, and a long place name and address can fill three.
    """
    values = _values(intake)
    with force_locale(intake.language):
        text = _("Reminder: your housing assessment is tomorrow, %(when)s, at %(where)s. Request %(code)s.",
                 when=when_text(intake, when, intake.language), where=where, code=values["code"])
        stop = " " + _("Reply STOP to stop texts.")
        if values["phone"] and not intake.confidential:
            longer = text + " " + _("To change it, call %(access_point)s at %(phone)s.", **values)
            if sms_text.segments(sms_text.fold(longer + stop, intake.language)) <= sms_text.MAX_SEGMENTS:
                text = longer
        return text + stop


def checkin_question(intake: Intake) -> str:
    """Return the check-in sent to an intake still open after CHECKIN_AFTER_DAYS."""
    with force_locale(intake.language):
        return _("Front Door, request %(code)s: do you still need help? Reply 1 yes, 2 no, "
                 "3 my number changed. Reply STOP to stop texts.", code=intake.reference_code or "")


def checkin_thanks(intake: Intake, answer: str) -> str:
    """Return what a check-in answer gets back."""
    with force_locale(intake.language):
        if answer == CHECKIN_YES:
            return _("Thank you. Your request %(code)s stays open and staff will contact you. "
                     "Emergency: 911.", code=intake.reference_code or "")
        if answer == CHECKIN_NO:
            return _("Thank you for telling us. Staff will close your request %(code)s. If you need help "
                     "again, just text us. Emergency: 911.", code=intake.reference_code or "")
        return _("Please send your new phone number with its area code, like 785-555-0100.")


def checkin_number_saved(intake: Intake) -> str:
    """Return the reply once the new number is kept."""
    with force_locale(intake.language):
        return _("Thank you. We saved your new number for request %(code)s. Staff will use it.",
                 code=intake.reference_code or "")


def checkin_number_not_read(intake: Intake) -> str:
    """Return the reply to a new number we could not read."""
    with force_locale(intake.language):
        return _("We could not read that as a phone number. Please send it with its area code, "
                 "like 785-555-0100, or call 211.")


def checkin_not_understood(intake: Intake) -> str:
    """Return the kind reply to a text that is not 1, 2 or 3 while a check-in waits (the text is kept)."""
    with force_locale(intake.language):
        return _("Thank you, we kept your message for staff. Do you still need help? Reply 1 yes, 2 no, "
                 "3 my number changed.")
