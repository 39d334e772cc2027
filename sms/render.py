"""Turn intake questions, notices and results into short texts in the person's language.

Every function returns text folded by the language's SMS policy (``plain``: GSM-7 friendly for a
language that fits GSM-7, untouched for one that goes as UCS-2) and must be called inside
``force_locale(language)``.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intake_forms import ERRORS, Kind, Medium, Notice, Question, interpreter, languages
from intake_forms import question as question_for
from services import interpreter as interpreter_service
from services import status as status_service
from services.hotlines import ALWAYS_REACHABLE, Hotline, emergency_hotlines
from services.intake import SubmitResult, confirmation_contact, reach_back
from services.sms_text import fold
from services.status import StatusAnswer

from .segments import is_gsm7, segments
from .segments import plain as fold_to_gsm7


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


def _gsm7_name(lang: languages.Language) -> str:
    """Return a language's name as a GSM-7 text can show it honestly: its own name when it is
    written in Latin letters (folded where the language allows it: "Tieng Viet", "Soomaali"),
    else its name in English ("Arabic", "Burmese"), never a row of question marks."""
    folded = fold_to_gsm7(lang.native_name)
    latin = all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in lang.native_name)
    return folded if latin and is_gsm7(folded) else lang.name


#: The first text of the menu is one GSM-7 segment; the second (own scripts) at most two.
MENU_SEGMENTS = 1
SECOND_SEGMENTS = 2


def language_menu(registry: tuple[languages.Language, ...] | None = None) -> tuple[str, ...]:
    """Return the language menu as one or two texts, for any number of languages.

    What a household sees on a basic phone decides the layout:

    1. The first text is GSM-7 and one segment: it costs one text, and every phone shows it, even
       one with no font for Ethiopic, Arabic or Myanmar script. It names the service, numbers
       every language by a name a GSM-7 phone shows honestly (its own name in Latin letters, else
       its English name: "5 Arabic"), offers "0 Other language" in the bridge languages (English
       and Spanish, ``intake_forms.interpreter``), and gives the emergency number with each
       GSM-7 language's crisis-line keyword. One character outside GSM-7 would make the whole
       text UCS-2 (70 characters a segment): a six-language menu would then cost four segments.
    2. A second text, only when some language's own name is not in the first one exactly (a
       script or tones GSM-7 cannot show), lists those names in their own script under the same
       numbers ("3 Tiếng Việt", "5 العربية"): a household that reads only its own script finds its
       number there, and a phone that cannot draw a script garbles only this text. The crisis
       lines left out of the first text follow, then those of the other scripts while the text
       stays within two segments.

    The first layout that fits one segment wins: every language's title, then the first
    language's title alone, then only the first language's crisis line (the others move to the
    second text). The numbers are the registry's order, as on the pages and the phone line.
    """
    registry = languages.REGISTRY if registry is None else registry
    numbered = [f"{n} {_gsm7_name(lang)}" for n, lang in enumerate(registry, start=1)]
    other = f"{interpreter.OTHER_KEY} " + " / ".join(
        fold_to_gsm7(words) for _code, words in interpreter_service.bridge(interpreter.OTHER_LANGUAGE))
    shown = [lang for lang in registry if lang.folds]
    titles = [fold_to_gsm7(lang.sms_title) for lang in shown]
    crises = [fold_to_gsm7(lang.sms_crisis.format(word=lang.words("help")[0].upper())) for lang in shown]
    layouts = (
        ([" ".join(titles)], crises),
        (titles[:1], crises),
        (titles[:1], crises[:1]),
    )
    first, kept = layouts[-1][0], layouts[-1][1]
    for title_lines, crisis_lines in layouts:
        if segments("\n".join((*title_lines, *numbered, other, *crisis_lines))) <= MENU_SEGMENTS:
            first, kept = title_lines, crisis_lines
            break
    text = "\n".join((*first, *numbered, other, *kept))
    second = [f"{n} {lang.native_name}" for n, lang in enumerate(registry, start=1)
              if f"{n} {lang.native_name}" not in text]
    second.extend(c for c in crises if c not in kept)
    for lang in registry:
        line = lang.sms_crisis.format(word=lang.words("help")[0].upper())
        if lang not in shown and segments("\n".join((*second, line))) <= SECOND_SEGMENTS:
            second.append(line)
    return (text, "\n".join(second)) if second else (text,)


def language_question() -> str:
    """Return the first text of the language menu (``language_menu``)."""
    return language_menu()[0]


def language_hint() -> str:
    """Return that a reply to the language menu could not be read, in each language GSM-7 shows.

    The menu follows it again, with every language's number (and, in its second text, the names
    in their own scripts), so the hint stays one GSM-7 text: a line in Vietnamese, Arabic or
    Burmese would turn it into UCS-2 and make it cost several segments for everyone.
    """
    return " ".join(
        _fold(lang, f"{lang.sms_not_read} {lang.sms_pick_hint.format(key=languages.menu_number(lang.code))}")
        for lang in languages.REGISTRY if lang.folds)


def interpreter_ask_language() -> str:
    """Ask, in the bridge languages, which language a household speaks ("another language")."""
    return fold_to_gsm7(interpreter_service.bridge_text(interpreter.ASK_LANGUAGE_TEXT))


def interpreter_ask_phone() -> str:
    """Ask, in the bridge languages, for the number to call back with an interpreter."""
    return fold_to_gsm7(interpreter_service.bridge_text(interpreter.ASK_PHONE_TEXT))


def interpreter_phone_hint() -> str:
    """Say, in the bridge languages, that a reply was not a phone number, and how to send one."""
    return fold_to_gsm7(interpreter_service.bridge_text(question_for("phone").hint(Medium.TEXT) or ""))


def interpreter_queued(result: SubmitResult) -> str:
    """Say, in the bridge languages, that staff will call with an interpreter, and the code."""
    return fold_to_gsm7(interpreter_service.bridge_text(interpreter.QUEUED, sep=" ",
                                                        code=result.intake.reference_code or ""))


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
