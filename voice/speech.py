"""What the access line says, in the caller's language: voices, sentences and read-aloud helpers.

Every sentence is an English msgid. Call these functions inside ``force_locale(language)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from intake_forms import ERRORS, Kind, Notice, Question, interpreter, languages
from intake_forms.languages import Voice
from services.hotlines import ALWAYS_REACHABLE, Hotline, emergency_hotlines, hotline
from services.interpreter import bridge


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it."""
    return msgid


#: Twilio's voice per language, from the one registry (``intake_forms.languages``): languages with
#: no voice there are keypad only and are not on this table.
VOICES: dict[str, Voice] = {lang.code: lang.voice for lang in languages.REGISTRY if lang.voice is not None}
DEFAULT_LANGUAGE = languages.DEFAULT


def voice_for(language: str | None) -> Voice:
    """Return the voice for an intake language (the default before a language is chosen).

    A language the registry does not know, or one it has no voice for, raises ``KeyError``: the
    English voice never reads another language's words.
    """
    voice = languages.language(language or DEFAULT_LANGUAGE).voice
    if voice is None:
        raise KeyError(f"no Twilio voice for {language!r}")
    return voice


def speakable(language: str | None, fallback: str) -> str:
    """Return ``language`` when the line has a voice for it, else ``fallback`` (the call's own).

    A keypad-only language (Somali, Burmese) is never read by another language's voice: a status
    asked by phone about an intake made in one is answered in the language the caller chose.
    """
    return language if language is not None and language in VOICES else fallback


@dataclass(frozen=True)
class Line:
    """One thing to say; an empty ``text`` is a one-second pause. ``language`` None: the call's.

    ``names``: proper names inside ``text`` that come from our data in English (an access point, a
    continuum of care); another language's voice reads them as English words (SSML ``<lang>``).
    """

    text: str
    language: str | None = None
    names: tuple[str, ...] = ()


PAUSE = Line("")

@dataclass(frozen=True)
class MenuKeys:
    """The keys of the phone line's language menu for one registry (``menu_keys``)."""

    #: Key -> a language with a voice: the intake goes on in it.
    spoken: dict[str, str]
    #: Key -> a keypad-only language: a callback with an interpreter in it.
    keypad: dict[str, str]
    #: Key -> a language with a voice: check on a request by reference code, in that language.
    status: dict[str, str]
    #: "Another language": a callback with an interpreter.
    other: str
    #: When keys 1-9 cannot give every spoken language its own status key: one key for all, then
    #: the caller picks the language of the lookup (``status_language_menu``). Else None.
    status_any: str | None = None


def menu_keys(registry: tuple[languages.Language, ...] | None = None) -> MenuKeys:
    """Lay out the language menu's keys: each language its registry number (as on the SMS menu and
    the pages), then a status key per language with a voice when keys 1-9 leave one for each, else
    one status key for all (the caller then picks the lookup's language), and 0 for another
    language (0, as for an operator; on this menu it is not the emergency key)."""
    registry = languages.REGISTRY if registry is None else registry
    picks = {str(n): lang for n, lang in enumerate(registry, start=1)}
    free = [str(n) for n in range(len(registry) + 1, 10)]
    if not free:
        raise ValueError("the phone menu needs a key after the languages for status lookups")
    spoken = [lang for lang in registry if lang.voice is not None]
    each = len(spoken) <= len(free)
    return MenuKeys(
        spoken={key: lang.code for key, lang in picks.items() if lang.voice is not None},
        keypad={key: lang.code for key, lang in picks.items() if lang.keypad_only},
        status={key: lang.code for key, lang in zip(free, spoken, strict=False)} if each else {},
        other=interpreter.OTHER_KEY,
        status_any=None if each else free[0],
    )


def language_menu(registry: tuple[languages.Language, ...] | None = None) -> tuple[Line, ...]:
    """Say the language menu: each language with a voice in itself; a keypad-only language in
    English words from ``intake_forms.interpreter`` ("For Somali, press 4.": Twilio has no voice
    to say it in), the status keys, then another language in the bridge languages."""
    registry = languages.REGISTRY if registry is None else registry
    keys = menu_keys(registry)
    lines: list[Line] = []
    for n, lang in enumerate(registry, start=1):
        if lang.voice is not None:
            lines.append(Line(lang.voice_pick.format(key=n), lang.code))
        else:
            with force_locale(DEFAULT_LANGUAGE):
                lines.append(Line(_(interpreter.KEYPAD_PICK, language=_(lang.name), key=n), DEFAULT_LANGUAGE))
    by_code = {lang.code: lang for lang in registry}
    lines += [Line(by_code[code].voice_status.format(key=key), code) for key, code in keys.status.items()]
    if keys.status_any is not None:
        lines += [Line(lang.voice_status.format(key=keys.status_any), lang.code)
                  for lang in registry if lang.voice is not None]
    lines += [Line(words, code) for code, words in bridge(interpreter.OTHER_PICK, key=keys.other)]
    return tuple(lines)


def status_language_menu(registry: tuple[languages.Language, ...] | None = None) -> tuple[Line, ...]:
    """After the shared status key: each language with a voice, in itself, under its menu number."""
    registry = languages.REGISTRY if registry is None else registry
    return tuple(Line(lang.voice_pick.format(key=n), lang.code)
                 for n, lang in enumerate(registry, start=1) if lang.voice is not None)


#: The spoken languages' lines of the menu (read from the registry; ``language_menu`` adds the rest).
_SPOKEN = tuple(lang for lang in languages.REGISTRY if lang.voice is not None)
LANGUAGE_MENU = tuple(Line(lang.voice_pick.format(key=languages.menu_number(lang.code)), lang.code)
                      for lang in _SPOKEN)
#: Words the recognizer should expect on the language menu: each language's names.
LANGUAGE_HINTS = tuple(dict.fromkeys(word for lang in _SPOKEN for word in (lang.native_name, lang.name)))
#: Words the recognizer should expect when a caller names a language we do not offer.
OTHER_LANGUAGE_HINTS = tuple(lang.name for lang in interpreter.listed())

#: The lines read when a caller presses 0 (product rule: 911, 988, the Kansas Crisis Hotline,
#: 211 and the VA homeless veterans line are always one key away).
EMERGENCY_KEYS = ALWAYS_REACHABLE

#: How each help line is named aloud; the numbers come from services.hotlines.
HOTLINE_SENTENCES = {
    "emergency": N_("In an emergency, call %(number)s."),
    "crisis_988": N_("For the suicide and crisis line, call or text %(number)s."),
    "ks_crisis": N_("For the Kansas Crisis Hotline, call %(number)s."),
    "ks_211": N_("For shelter and other help, call %(number)s."),
    "va_homeless": N_("For the VA line for veterans without a home, call %(number)s."),
    "ndvh": N_("For the National Domestic Violence Hotline, call %(number)s."),
    "trafficking": N_("For the National Human Trafficking Hotline, call %(number)s."),
}

#: Spoken words that ask for the question again, or for the emergency numbers.
REPEAT_WORDS = languages.keywords("repeat")
EMERGENCY_WORDS = languages.keywords("emergency")


def spell(text: str) -> str:
    """Read characters one by one, with a pause between groups: "7KQ-2MD" -> "7, K, Q. 2, M, D"."""
    groups = [g for g in re.split(r"[^0-9A-Za-z]+", text) if g]
    return ". ".join(", ".join(group) for group in groups)


def say_number(phone: str) -> str:
    """Read a phone number digit by digit in its groups: "785-555-0100" -> "7 8 5, 5 5 5, 0 1 0 0"."""
    groups = re.findall(r"\d+", phone)
    return ", ".join(" ".join(group) for group in groups)


#: A North American phone number written in a sentence: "785-555-0100", "(785) 555-0100", "+1 785 555 0100".
_PHONE = re.compile(r"(?<![\d+])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?!\d)")


def say_numbers(text: str) -> str:
    """Read every phone number in a sentence digit by digit, leaving the rest as it is.

    A sentence written for a screen or a text ("Salina Rescue Mission, 785-555-0100.") would be read
    "seven hundred eighty-five..."; the call reads "7 8 5, 5 5 5, 0 1 0 0" instead.
    """
    return _PHONE.sub(lambda found: say_number(found.group(0)), text)


def hotline_line(line: Hotline) -> str:
    """Say how to reach one help line."""
    sentence = HOTLINE_SENTENCES.get(line.key)
    if sentence is None:
        return str(_("For %(name)s, call %(number)s.", name=line.name, number=say_number(line.phone)))
    return str(_(sentence, number=say_number(line.phone)))


def hotline_lines(keys: tuple[str, ...]) -> list[Line]:
    """Say how to reach each of these help lines (unknown keys are left out)."""
    lines = []
    for key in keys:
        try:
            lines.append(Line(hotline_line(hotline(key))))
        except KeyError:
            continue
    return lines


def emergency_lines() -> list[Line]:
    """Read the emergency numbers (the caller pressed 0)."""
    known = {line.key for line in emergency_hotlines()}
    return [Line(_("Here are the emergency numbers.")),
            *hotline_lines(tuple(k for k in EMERGENCY_KEYS if k in known)),
            Line(_("Now, back to the question."))]


def notice_lines(notice: Notice) -> list[Line]:
    """Say the help that follows an answer and its help lines."""
    return [Line(_(notice.message)), *hotline_lines(notice.hotlines)]


def welcome_lines() -> list[Line]:
    return [
        Line(_("Welcome to the housing help line. You can press the keys on your phone or say "
               "your answer.")),
        Line(_("At any time, press star to hear the question again, or press 0 to hear the "
               "emergency numbers.")),
    ]


def error_line(error: str | None) -> Line:
    return Line(_(ERRORS.get(error or "", ERRORS["not_understood"])))


def option_lines(q: Question) -> list[Line]:
    """Offer each option by key: "To talk to a person, press 2." where the option says how, else
    "For Emergency shelter, press 2."."""
    return [
        Line(_(opt.said, number=number) if opt.said
             else _("For %(option)s, press %(number)s.", option=_(opt.label), number=number))
        for number, opt in enumerate(q.options, start=1)
    ]


#: A list with more options than this is read in two halves: the first with the question, the
#: second when the caller waits (``is_long``). Every key works on both halves.
LONG_LIST = 7


def is_long(q: Question) -> bool:
    """Tell whether the phone reads this question's options in two halves."""
    return q.kind in (Kind.CHOICE, Kind.MULTI) and len(q.options) > LONG_LIST


def question_lines(q: Question, page: int = 1) -> list[Line]:
    """Say an intake question and how to answer it on the keypad.

    A long list (``is_long``) is said in two halves: ``page`` 1 is the question and the first
    choices, then "stay on the line"; ``page`` 2 the other choices and how to key them.
    """
    options = option_lines(q)
    if is_long(q):
        half = (len(options) + 1) // 2
        how = Line(_("Press the numbers of all that fit, then press the pound key.") if q.kind is Kind.MULTI
                   else _("Press the number, then press the pound key."))
        if page == 1:
            first = [Line(_(q.prompt)), *options[:half]]
            if q.kind is Kind.MULTI:  # several keys: the caller must know to end with pound
                first.append(how)
            return [*first, Line(_("Or stay on the line to hear more choices."))]
        return [Line(_("More choices:")), *options[half:], how]
    lines = [Line(_(q.prompt))]
    if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
        lines += options
        if len(q.options) > 9:
            lines.append(Line(_("Press the number, then press the pound key.")))
    elif q.kind is Kind.MULTI:
        lines += options
        lines.append(Line(_("Press the numbers of all that fit, then press the pound key.")))
    elif q.kind is Kind.COUNT:
        lines.append(Line(_("Press the number, then press the pound key.")))
        if q.minimum == 0:
            lines.append(Line(_("If there are none, press 0.")))
    elif q.kind is Kind.LOCATION:
        lines.append(Line(_("Press the 5 digits of the ZIP code, or say the name of the county.")))
    return lines


def hints_for(q: Question, language: str) -> tuple[str, ...]:
    """Words the speech recognizer should expect: the options' labels and their known words."""
    words: list[str] = []
    for opt in q.options:
        words.append(_(opt.label))
        words.extend(opt.words.get(language, ()))
    return tuple(dict.fromkeys(w for w in words if w))


def phone_confirm_lines(last_four: str) -> list[Line]:
    return [
        Line(_("Can staff call you back at the number you are calling from, ending in "
               "%(digits)s?", digits=spell(last_four))),
        Line(_("For yes, press 1. To give another number, press 2.")),
    ]


def phone_entry_lines() -> list[Line]:
    return [Line(_("Please press the 10 digits of the phone number staff can call, starting "
                   "with the area code."))]


def resume_code_line(code: str) -> Line:
    """Give the code early: if the call drops, the caller can go on by text from this phone."""
    return Line(_("Your code is %(code)s. If the call drops, text RESUME and this code from this phone "
                  "to go on where you stopped.", code=spell(code)))


def status_code_lines() -> list[Line]:
    """Ask for the reference code on the keypad: letters on their keys, as when texting."""
    return [
        Line(_("Please key in your reference code: 6 letters and numbers.")),
        Line(_("For a letter, press the key that shows it, as when you text. For A, B or C, press 2. "
               "For K, press 5. Then press pound.")),
    ]


def status_check_lines() -> list[Line]:
    """Ask for the check: the last 4 digits of the phone number given, else the date of birth."""
    return [
        Line(_("Now key in the last 4 digits of the phone number you gave us.")),
        Line(_("If you gave no phone number, key in your date of birth instead: 2 digits for the month, "
               "2 for the day and 4 for the year. Then press pound.")),
    ]


def skipped_line() -> Line:
    return Line(_("We will skip a few questions here. Staff will ask you about them when they "
                  "contact you."))


def callback_offer_opening() -> Line:
    """Said once, when the offer is made; a re-ask repeats only the offer itself."""
    return Line(_("We could not get an answer to that question."))


def callback_offer_lines() -> list[Line]:
    return [
        Line(_("Do you want staff to call you back to finish? For yes, press 1. To skip this "
               "question and go on, press 2.")),
    ]


def confirmation_lines(reference_code: str, place_name: str | None, place_phone: str | None,
                       *, callback: bool, call_us: str | None = None, hours: str | None = None) -> list[Line]:
    """The last words of a call: the reference code, slowly and twice, and who will call.

    ``call_us``: staff have no way to reach the caller, who asked for it; say so and give this number.
    ``hours``: the named place's hours today or its next opening (``services.status.hours_line``).
    """
    code = spell(reference_code)
    lines = [
        Line(_("Thank you. Staff will call you back.") if callback and not call_us
             else _("Thank you. Your answers have been sent.")),
        Line(_("Your reference code is: %(code)s.", code=code)),
        PAUSE,
        Line(_("Again, your reference code is: %(code)s.", code=code)),
    ]
    if call_us:
        lines.append(Line(_("We have no phone number for you, so staff cannot call you back. "
                            "To talk to someone, call %(phone)s.", phone=say_number(call_us))))
    elif place_name and place_phone:
        lines.append(Line(_("%(place)s will contact you. Their phone number is %(phone)s.",
                            place=place_name, phone=say_number(place_phone)), names=(place_name,)))
    elif place_name:
        lines.append(Line(_("%(place)s will contact you.", place=place_name), names=(place_name,)))
    if place_name and hours:
        lines.append(Line(hours))
    lines += [*hotline_lines(("emergency",)), Line(_("Goodbye."))]
    return lines


def other_coc_line(name: str | None, phone: str) -> Line:
    """Tell an out-of-area caller how to reach their own area's coordinated entry."""
    if name:
        return Line(_("You can also call %(name)s at %(phone)s.", name=name, phone=say_number(phone)),
                    names=(name,))
    return Line(_("You can also call %(phone)s for help where you are.", phone=say_number(phone)))


def no_number_lines(*, caller_id: bool) -> list[Line]:
    """End a call whose callback has no number: say why, truthfully (the caller's number may be known)."""
    return [
        Line(_("We did not hear whether staff may call you back at the number you are calling from, "
               "so staff cannot call you back.") if caller_id
             else _("We could not get a phone number to call you back.")),
        Line(_("Please call again any time.")),
        *hotline_lines(("ks_211", "emergency")),
        Line(_("Goodbye.")),
    ]


def interpreter_name_lines() -> list[Line]:
    """Ask a caller whose language we do not offer to say its name, in the bridge languages."""
    return [Line(words, code) for code, words in bridge(interpreter.ASK_LANGUAGE_VOICE)]


def interpreter_lines() -> list[Line]:
    """Say, in the bridge languages, that staff will call back with an interpreter."""
    return [Line(words, code) for code, words in bridge(interpreter.VOICE_INTRO)]


def goodbye_lines() -> list[Line]:
    return [Line(_("Thank you for calling. Goodbye."))]
