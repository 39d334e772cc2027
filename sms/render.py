"""Turn intake questions, notices and results into short texts in the person's language.

Every function returns text folded by the language's SMS policy (``plain``: GSM-7 friendly for a
language that fits GSM-7, untouched for one that goes as UCS-2) and must be called inside
``force_locale(language)``.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intake_forms import ERRORS, Kind, Medium, Notice, Question, languages
from services import status as status_service
from services.hotlines import ALWAYS_REACHABLE, Hotline, emergency_hotlines
from services.intake import SubmitResult, confirmation_contact, reach_back
from services.sms_text import fold
from services.status import StatusAnswer


def plain(text: str) -> str:
    """Fold ``text`` to GSM-7 when the current language's policy says so (``sms_text.fold``).

    A language whose script is not GSM-7 (tones, other alphabets) is sent as it is, as UCS-2:
    folding would strip its tones or marks. The menus in several languages fold each line by
    its own language's policy before they are joined.
    """
    return fold(text, str(get_locale() or languages.DEFAULT).split("_")[0])

#: The help lines HELP always lists (product rule: never gated).
HELP_LINES = ALWAYS_REACHABLE

#: Short names for help lines in texts (the CSV names are long and English only).
LINE_NAMES = {
    "emergency": _l("Emergency"),
    "crisis_988": _l("Crisis line, call or text"),
    "ks_crisis": _l("Kansas Crisis Hotline"),
    "ks_211": _l("Shelter and help"),
    "va_homeless": _l("Veterans"),
    "ndvh": _l("Domestic violence hotline"),
    "trafficking": _l("Trafficking hotline"),
}


def line(item: Hotline) -> str:
    """Return one help line as "Name: number"."""
    name = LINE_NAMES.get(item.key)
    return f"{name if name is not None else item.name}: {item.phone}"


def lines(keys: tuple[str, ...]) -> str:
    """Return help lines, one per row, in the order given (unknown keys are left out)."""
    known = {h.key: h for h in emergency_hotlines()}
    return "\n".join(line(known[k]) for k in keys if k in known)


def _fold(lang: languages.Language, text: str) -> str:
    return fold(text, lang.code)


def language_question() -> str:
    """Return the first question, each language in its own words, with the emergency number."""
    registry = languages.REGISTRY
    return "\n".join((
        " ".join(_fold(lang, lang.sms_title) for lang in registry),
        *(_fold(lang, f"{languages.menu_number(lang.code)} {lang.native_name}") for lang in registry),
        *(_fold(lang, lang.sms_crisis.format(word=lang.words("help")[0].upper())) for lang in registry),
    ))


def language_hint() -> str:
    """Return, in every language, that a reply to the language menu could not be read."""
    return " ".join(
        _fold(lang, f"{lang.sms_not_read} {lang.sms_pick_hint.format(key=languages.menu_number(lang.code))}")
        for lang in languages.REGISTRY)


def welcome() -> str:
    """Return the first text after the language is chosen."""
    return plain(_("Welcome. We will ask a few questions to connect you with housing help. "
                   "You can skip any question. Text HELP any time for emergency numbers."))


def _option_label(label: str) -> str:
    return _(label)


def question_text(q: Question, *, offered_phone: str | None = None) -> str:
    """Return a question as one text: the prompt, then numbered choices."""
    if q.kind is Kind.LANGUAGE:
        return language_question()
    parts = [_(q.prompt)]
    if q.options:
        parts.extend(f"{number} {_option_label(opt.label)}" for number, opt in enumerate(q.options, start=1))
    if q.kind is Kind.MULTI:
        parts.append(_("Send all the numbers that fit, like 1 3."))
    elif q.kind is Kind.PHONE and offered_phone:
        parts.append(_("Reply YES to use the number you are texting from, or send another number."))
    elif not q.options:
        parts.append(_("Text SKIP to skip."))
    return plain("\n".join(parts))


def hint_text(q: Question, error: str | None) -> str:
    """Return why a reply could not be read and how to answer."""
    if q.kind is Kind.LANGUAGE:
        return language_hint()
    reason = _(ERRORS.get(error or "not_understood", ERRORS["not_understood"]))
    hint = q.hint(Medium.TEXT)
    if hint:
        how = _(hint)
    elif q.options:
        how = _("Please reply with a number from 1 to %(last)d.", last=len(q.options))
    else:
        how = _("Please try again, or text SKIP to skip this question.")
    return plain(f"{reason} {how}")


def notice_text(notice: Notice) -> str:
    """Return help shown after an answer, with its phone numbers."""
    body = _(notice.message)
    numbers = lines(notice.hotlines)
    return plain(f"{body}\n{numbers}" if numbers else body)


def help_text() -> str:
    """Return who we are and the emergency numbers (the HELP keyword)."""
    intro = _("Housing help line for people in Kansas who need a place to stay. "
              "Text BACK, SKIP, RESTART or STOP.")
    status = _("Text STATUS and your code to see where your request is.")
    return plain(f"{intro} {status}\n{lines(HELP_LINES)}")


def stop_reminder() -> str:
    """Return what START says back."""
    return plain(_("You will get texts from us again. Text STOP to end them."))


def rate_limited() -> str:
    """Return the kind reply when someone texts faster than we take."""
    return plain(_("You are sending texts very fast. Please wait a minute, then send your answer again. "
                   "In an emergency call 911."))


def trouble() -> str:
    """Return the reply when something went wrong on our side."""
    return plain(_("Sorry, something went wrong on our side. Please text again in a few minutes. "
                   "In an emergency call 911."))


def confirmation(result: SubmitResult) -> str:
    """Return the final text: the reference code and who will contact them."""
    intake = result.intake
    code = intake.reference_code or ""
    parts = [_("Thank you. Your reference code is %(code)s.", code=code)]
    contact = confirmation_contact(intake, result.access_point)
    reach = reach_back(intake)
    if reach.call_us:
        parts.append(_("We have no phone number or email for you, so staff cannot contact you. "
                       "To talk to someone, call %(phone)s.", phone=reach.call_us))
    elif contact.name is None:
        parts.append(_("A staff member will contact you soon."))
    else:
        parts.append(_("%(name)s will contact you soon.", name=contact.name))
    if contact.phone and contact.phone != reach.call_us:
        parts.append(_("Their phone: %(phone)s.", phone=contact.phone))
    if contact.address:
        parts.append(_("Address: %(address)s.", address=contact.address))
    if contact.name is not None and result.access_point is not None:
        opening = status_service.hours_line(result.access_point)
        if opening:
            parts.append(opening)
    other = result.out_of_area_coc
    if other is not None:
        parts.append(_("You can also call %(phone)s for help where you are.", phone=other.phone))
    parts.append(_("Emergency: 911."))
    return plain(" ".join(parts))


def status(answer: StatusAnswer, now: datetime | None = None) -> str:
    """Return the reply to STATUS <code>: the stage, where, the hours and the emergency number."""
    return plain(" ".join(status_service.sentences(answer, now)))


def status_not_found() -> str:
    """Return the one reply to a wrong code and to a code asked from another number."""
    return plain(status_service.not_found())


def status_too_many() -> str:
    """Return the reply once the wrong tries are used up."""
    return plain(status_service.too_many_tries())


def status_how_to() -> str:
    """Return how to ask for a status (STATUS came without a code)."""
    return plain(status_service.how_to_ask())


def reminder(result: SubmitResult) -> str:
    """Return what a new text gets after submitting: the code again, and how to start over."""
    return plain(confirmation(result) + " " + _("To start a new form, text NEW."))


def message_received(result: SubmitResult) -> str:
    """Return the reply to a message sent after submitting: it is kept and staff will see it."""
    intake = result.intake
    ap = result.access_point
    parts = [_("Thank you. We added your message to your request %(code)s.", code=intake.reference_code or "")]
    if intake.confidential or ap is None:
        parts.append(_("Staff will see it."))
    else:
        parts.append(_("Staff at %(name)s will see it.", name=ap.name))
    parts.append(_("To start a new form, text NEW."))
    parts.append(_("Emergency: 911."))
    return plain(" ".join(parts))


def withdrawn() -> str:
    """Return the last text when a person stopped on the confidential path."""
    return plain(_("If you need us again, just send a text."))



def resume_code(code: str) -> str:
    """Return the code of the form in progress, and how to go on with it elsewhere."""
    return plain(_("Your code is %(code)s. To finish on a computer, a phone browser or a kiosk, choose "
                   "\"Continue a form\" and enter this code and the last 4 digits of this phone number. "
                   "Or keep texting here.", code=code))


def resumed() -> str:
    """Return the first line when a form begun elsewhere goes on by text."""
    return plain(_("Welcome back. We kept your answers. Here is the next question."))


def resume_not_found() -> str:
    """Return the one reply to a wrong code, another number, or a form already sent."""
    return plain(_("We could not find an unfinished form with that code for this phone number. "
                   "A form that was sent cannot be opened again: text STATUS and your code to see where it is."))
