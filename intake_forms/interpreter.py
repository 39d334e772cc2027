"""The path for households whose language we do not offer: a callback with an interpreter.

Nobody is turned away for their language. Every language menu (the kiosk and phone pages, the SMS
menu, the phone line) ends with "Another language". The household says or types which language
(any words, in any script, or one of ``KANSAS_LANGUAGES``), gives a phone number, and is queued as
a callback requested; staff see "Call back with a <language> interpreter".

A registered language the phone line cannot speak (``Language.keypad_only``) takes the same path
on a call: the phone menu offers it in English words ("For Somali, press 4") and the caller
answers by keypad only. On SMS and the web such a language runs the whole intake (text works).

The path speaks the ``BRIDGE`` languages (plain English and Spanish, with icons on the pages),
because we do not speak the household's. Its words are msgids here, each shown in every bridge
language at once. Nothing here imports Flask or Twilio.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from intake_forms import languages
from intake_forms.parse import normalize


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it."""
    return msgid


#: The languages the "another language" path is written in, each line shown in both.
BRIDGE: tuple[str, ...] = tuple(code for code in ("en", "es") if languages.known(code))

#: The key (and the menu number) for "another language" on every menu: 0, like an operator.
OTHER_KEY = "0"

#: Stored in ``Intake.interpreter_language`` when the words given match no language we know of
#: (staff then read the words themselves).
UNLISTED = "other"

#: The most words kept of what a household typed or said for its language.
MAX_SAID = 60


@dataclass(frozen=True)
class OtherLanguage:
    """A language Kansas households speak that we do not offer yet (research/domain.md section 6)."""

    #: ISO 639 code: what is stored in ``Intake.interpreter_language``.
    code: str
    #: Its name in itself, in its own script (shown on the pages, never translated).
    native_name: str
    #: Its name in English, a msgid, for staff.
    name: str
    #: More words a household may type or say for it (any case or accents: they are folded).
    words: tuple[str, ...] = ()


#: Short list on the pages, in a rough order of how many Kansas households speak it, of languages not
#: in the registry (Vietnamese, Somali, Arabic and Burmese are: they have their own buttons). A
#: language registered later drops off the list by itself (``listed``).
KANSAS_LANGUAGES: tuple[OtherLanguage, ...] = (
    OtherLanguage("pdt", "Plautdietsch", N_("Plautdietsch (Low German)"), ("low german", "mennonite", "deitsch")),
    OtherLanguage("sw", "Kiswahili", N_("Swahili"), ("swahili",)),
    OtherLanguage("rw", "Kinyarwanda", N_("Kinyarwanda"), ("rwanda", "kirundi")),
    OtherLanguage("am", "አማርኛ", N_("Amharic"), ("amharic", "amarinya", "amharigna")),
    OtherLanguage("ti", "ትግርኛ", N_("Tigrinya"), ("tigrinya", "tigrigna")),
    OtherLanguage("om", "Afaan Oromoo", N_("Oromo"), ("oromo", "oromiffa")),
    OtherLanguage("quc", "K'iche'", N_("K'iche'"), ("quiche", "kiche")),
    OtherLanguage("kjb", "Q'anjob'al", N_("Q'anjob'al"), ("kanjobal", "qanjobal")),
    OtherLanguage("mam", "Mam", N_("Mam")),
    OtherLanguage("ksw", "ကညီကျိာ်", N_("Karen"), ("karen", "sgaw", "kayin")),
    OtherLanguage("cnh", "Laiholh", N_("Chin"), ("chin", "hakha", "lai")),
    OtherLanguage("ne", "नेपाली", N_("Nepali"), ("nepali", "nepalese")),
    OtherLanguage("prs", "دری", N_("Dari"), ("dari", "farsi", "persian")),
    OtherLanguage("ps", "پښتو", N_("Pashto"), ("pashto", "pushto")),
    OtherLanguage("fr", "Français", N_("French"), ("french",)),
    OtherLanguage("ht", "Kreyòl ayisyen", N_("Haitian Creole"), ("haitian", "creole", "kreyol")),
    OtherLanguage("lo", "ພາສາລາວ", N_("Lao"), ("lao", "laotian")),
    OtherLanguage("zh", "中文", N_("Chinese"), ("chinese", "mandarin", "cantonese", "普通话", "粵語")),
    OtherLanguage("ko", "한국어", N_("Korean"), ("korean",)),
    OtherLanguage("tl", "Tagalog", N_("Tagalog"), ("filipino",)),
    OtherLanguage("asl", "ASL", N_("American Sign Language"), ("sign language", "deaf")),
)

_BY_CODE = {lang.code: lang for lang in KANSAS_LANGUAGES}

#: Words that pick "another language" on a menu (folded), in the bridge languages.
OTHER_WORDS = frozenset({"other", "other language", "another language", "another", "otro", "otro idioma",
                         "otra lengua", "otro lenguaje", "interpreter", "interprete"})


# The words of the path: each is shown (or said) in every bridge language.
OTHER_LANGUAGE = N_("Other language")
ASK_LANGUAGE_TEXT = N_("What language do you speak? Send its name in any way you can write it.")
ASK_LANGUAGE_SCREEN = N_("What language do you speak? Type its name, or choose it.")
ASK_LANGUAGE_VOICE = N_("After the tone, say the name of your language. Or press pound.")
ASK_PHONE_TEXT = N_("We will call you with an interpreter. Reply YES for this number, or send another.")
SEND = N_("Ask for a call")
QUEUED = N_("We will call you with an interpreter. Your code is %(code)s. Emergency: 911.")
#: The phone line's menu line for a registered language it has no voice for (said in English words).
KEYPAD_PICK = N_("For %(language)s, press %(key)s.")
OTHER_PICK = N_("For another language, press %(key)s.")
VOICE_INTRO = N_("We will call you back with an interpreter.")

#: Every sentence of the path, for the readability gate (tests/intake_forms/test_readability.py).
#: The web page asks for the phone and whether texts and voice messages are safe with the intake's
#: own questions ("phone", "safe_to_text", "safe_to_voicemail").
WORDS: dict[str, str] = {
    "ask_language_text": ASK_LANGUAGE_TEXT, "ask_language_screen": ASK_LANGUAGE_SCREEN,
    "ask_language_voice": ASK_LANGUAGE_VOICE, "ask_phone_text": ASK_PHONE_TEXT, "queued": QUEUED,
    "voice_intro": VOICE_INTRO,
}


def listed() -> tuple[OtherLanguage, ...]:
    """Return the Kansas languages we do not offer (registered ones are left out)."""
    return tuple(lang for lang in KANSAS_LANGUAGES if not languages.known(lang.code))


def other_language(code: str) -> OtherLanguage:
    """Return a listed language by code; ``KeyError`` for any other."""
    return _BY_CODE[code]


def _words(lang: OtherLanguage) -> set[str]:
    return {normalize(w) for w in (lang.native_name, lang.name, *lang.words)} - {""}


_MATCH: dict[str, str] = {}
for _lang in KANSAS_LANGUAGES:
    for _word in _words(_lang):
        _MATCH.setdefault(_word, _lang.code)


def clean_said(text: str | None) -> str | None:
    """Keep what a household typed or said for its language as safe text: no control characters
    or NULs, no emoji or symbols, spaces collapsed, at most ``MAX_SAID`` characters; None if empty."""
    if not text:
        return None
    kept = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if category[0] in "LMN" or ch in " '-.,()/\u2019":
            kept.append(ch)
        elif category[0] in "ZC":
            kept.append(" ")
    words = " ".join("".join(kept).split())
    return words[:MAX_SAID].strip() or None


def match(text: str | None) -> str | None:
    """Return the code a household's words name: a registered language first, else a listed one
    ("Kiswahili", "swahili", "ትግርኛ"), else None. Digits name nothing here: a channel reads them
    against its own menu.
    """
    words = normalize(text or "")
    if not words:
        return None
    registered = languages.names().get(words)
    if registered is not None:
        return registered
    for lang in languages.REGISTRY:
        if words in lang.menu_words or words == normalize(lang.native_name):
            return lang.code
    return _MATCH.get(words)


def is_other(words: str) -> bool:
    """Tell whether folded words on a language menu ask for another language."""
    return words == OTHER_KEY or words in OTHER_WORDS


def english_name(code: str) -> str | None:
    """Return the English name (a msgid) of an interpreter language code, None for ``UNLISTED``."""
    if languages.known(code):
        return languages.language(code).name
    found = _BY_CODE.get(code)
    return found.name if found is not None else None


def native_name(code: str) -> str | None:
    """Return the name in itself of an interpreter language code, None for ``UNLISTED``."""
    if languages.known(code):
        return languages.language(code).native_name
    found = _BY_CODE.get(code)
    return found.native_name if found is not None else None
