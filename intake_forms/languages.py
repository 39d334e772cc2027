"""The one registry of the languages a household can use, on every channel.

Every place that names a language reads it here: the kiosk picker, the SMS language menu and
keywords, the voice language menu and its voices, the staff language choices, the locale
selector and the date order a typed date is read in. Nothing here imports Flask or Twilio.

A language unknown to the registry fails loudly (``language()`` raises ``KeyError``): no channel
falls back to English words or the English voice on its own.

Keyword and menu words are written already folded the way ``intake_forms.normalize`` folds a
reply (lower case, no accents), because that is how every channel compares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it."""
    return msgid


class Direction(StrEnum):
    """Which way the script runs: ``dir`` on the pages."""

    LTR = "ltr"
    RTL = "rtl"


class SmsEncoding(StrEnum):
    """How a text in this language goes out.

    ``GSM-7``: the script fits the GSM-7 alphabet once accents GSM-7 lacks are folded (á -> a), so
    texts are folded and a segment holds 160 characters (153 when joined). ``UCS-2``: the script
    does not fit GSM-7 (tones, other alphabets), so nothing is folded and a segment holds 70 (67).
    """

    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


class Review(StrEnum):
    """Who has read a language's words: honest about translations not yet read by the community."""

    SOURCE = "source"  # the language the msgids are written in
    MACHINE_DRAFTED = "machine-drafted"  # written here, needs review by a native speaker
    COMMUNITY_REVIEWED = "community-reviewed"  # read and signed off by a native speaker


class DateOrder(StrEnum):
    """The order a person in this language writes a date in digits."""

    MDY = "MDY"
    DMY = "DMY"


#: The keyword tables every language has (whole text, folded). ``rejoin`` words also opt a number
#: back in, but only after it opted out (Twilio treats YES/SI so).
#: ``number_changed`` answers 3 to the check-in "Do you still need help?" (services.checkins).
KEYWORDS = ("stop", "start", "rejoin", "help", "back", "restart", "skip", "status", "resume", "code",
            "repeat", "emergency", "number_changed")


@dataclass(frozen=True)
class Voice:
    """How Twilio speaks and hears a language: a ``<Say>`` voice and its BCP-47 tag."""

    language: str  # BCP-47, for <Say language> and <Gather language> (speech recognition)
    voice: str  # a <Say> voice made for that language (Twilio fails a <Say> whose voice does not speak it)


@dataclass(frozen=True)
class Language:
    """One language as every channel needs it."""

    code: str
    #: The language's name in itself, shown on pickers (not translated).
    native_name: str
    #: Its name in English, a msgid, for staff pages and reports.
    name: str
    direction: Direction
    sms_encoding: SmsEncoding
    #: Twilio's voice for it; None: keypad only, the call menu offers text or a person instead.
    voice: Voice | None
    date_order: DateOrder
    #: A day in words (babel date pattern): "Tuesday, March 3" / "martes 3 de marzo".
    day_pattern: str
    #: Keyword tables (see ``KEYWORDS``), folded.
    keywords: dict[str, tuple[str, ...]]
    #: The language's names (in English, in itself, in the other languages), folded: they switch
    #: the language at any question.
    names: tuple[str, ...]
    #: More words that choose this language on the language menu only, folded.
    menu_extra: tuple[str, ...]
    #: Words that mark a first text as written in this language, folded.
    detection_words: tuple[str, ...]
    #: The language menu, in this language (never translated): the line naming the service on the
    #: SMS menu, "choose your language" on the pages, and how to pick it by key on the phone.
    sms_title: str
    #: The SMS menu's last line, in this language: where crisis lines are ("{word}": its HELP word).
    sms_crisis: str
    #: "Sorry, we could not read that." in this language, for the language menu's hint.
    sms_not_read: str
    choose: str
    #: "{key}" is the key or number to press or send.
    sms_pick_hint: str
    voice_pick: str
    voice_status: str
    review: Review

    @property
    def menu_words(self) -> tuple[str, ...]:
        """Words that choose this language on a language menu."""
        return self.names + self.menu_extra

    @property
    def segment_chars(self) -> int:
        """Characters in one SMS segment in this language (a single text; joined ones hold 153 / 67)."""
        return 160 if self.sms_encoding is SmsEncoding.GSM7 else 70

    @property
    def folds(self) -> bool:
        """Tell whether texts in this language are folded to GSM-7 before they are sent."""
        return self.sms_encoding is SmsEncoding.GSM7

    @property
    def keypad_only(self) -> bool:
        """Tell whether the phone line has no voice for this language."""
        return self.voice is None

    def words(self, table: str) -> tuple[str, ...]:
        """Return one keyword table (``KEYWORDS``)."""
        return self.keywords.get(table, ())


ENGLISH = Language(
    code="en",
    native_name="English",
    name=N_("English"),
    direction=Direction.LTR,
    sms_encoding=SmsEncoding.GSM7,
    voice=Voice("en-US", "Polly.Joanna"),
    date_order=DateOrder.MDY,
    day_pattern="EEEE, MMMM d",
    keywords={
        "stop": ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "opt out"),
        "start": ("start", "unstop"),
        "rejoin": ("yes",),
        "help": ("help", "info"),
        "back": ("back", "go back"),
        "restart": ("restart", "start over", "new"),
        "skip": ("skip",),
        "status": ("status",),
        "resume": ("resume",),
        "code": ("code",),
        "repeat": ("repeat", "again", "say again"),
        "emergency": ("emergency", "911", "help"),
        "number_changed": ("my number changed", "number changed", "new number"),
    },
    names=("english", "ingles"),
    menu_extra=("en", "eng"),
    detection_words=("hi", "hello", "hey", "help", "english", "need", "please", "housing", "shelter", "yes"),
    sms_title="Housing help line.",
    sms_crisis="Emergency 911. Crisis lines: text {word}.",
    sms_not_read="Sorry, we could not read that.",
    choose="Choose your language.",
    sms_pick_hint="Reply {key} for English.",
    voice_pick="For English press {key}.",
    voice_status="To check on a request you already made, press {key}.",
    review=Review.SOURCE,
)

SPANISH = Language(
    code="es",
    native_name="Español",
    name=N_("Spanish"),
    direction=Direction.LTR,
    sms_encoding=SmsEncoding.GSM7,
    voice=Voice("es-US", "Polly.Lupe"),
    date_order=DateOrder.DMY,
    day_pattern="EEEE d 'de' MMMM",
    keywords={
        "stop": ("parar", "cancelar", "baja"),
        "start": ("comenzar", "alta"),
        "rejoin": ("si",),
        "help": ("ayuda", "informacion"),
        "back": ("atras", "volver", "regresar", "anterior"),
        "restart": ("reiniciar", "empezar de nuevo", "nuevo", "nueva"),
        "skip": ("saltar", "omitir"),
        "status": ("estado",),
        "resume": ("reanudar",),
        "code": ("codigo",),
        "repeat": ("repetir", "repita", "repite", "otra vez"),
        "emergency": ("emergencia", "ayuda"),
        "number_changed": ("cambio mi numero", "nuevo numero", "mi numero cambio"),
    },
    names=("spanish", "espanol"),
    menu_extra=("es", "esp", "castellano", "hola", "ayuda"),
    detection_words=("hola", "ayuda", "necesito", "buenas", "buenos", "buen", "dia", "dias", "tardes", "noches",
                     "espanol", "gracias", "favor", "quiero", "tengo", "donde", "vivienda", "ayudame", "ayudeme",
                     "si", "alo", "oiga", "informacion"),
    sms_title="Linea de ayuda de vivienda.",
    sms_crisis="Emergencia 911. Lineas de crisis: envie {word}.",
    sms_not_read="No pudimos leer eso.",
    choose="Elija su idioma.",
    sms_pick_hint="Responda {key} para español.",
    voice_pick="Para español oprima {key}.",
    voice_status="Para saber de una solicitud que ya hizo, oprima {key}.",
    review=Review.COMMUNITY_REVIEWED,
)

#: Every language offered, in the order menus list them (the menu number is the position).
REGISTRY: tuple[Language, ...] = (ENGLISH, SPANISH)

_BY_CODE: dict[str, Language] = {lang.code: lang for lang in REGISTRY}

#: The codes, in menu order.
CODES: tuple[str, ...] = tuple(lang.code for lang in REGISTRY)
#: The language the msgids are written in; used only where nothing tells a household's language.
DEFAULT = "en"


def language(code: str) -> Language:
    """Return a registered language; raise ``KeyError`` for any other code (never a silent fallback)."""
    return _BY_CODE[code]


def known(code: str | None) -> bool:
    """Tell whether ``code`` is a registered language."""
    return code in _BY_CODE


def menu_number(code: str) -> int:
    """Return the 1-based number a menu gives a language."""
    return CODES.index(code) + 1


def keyword(table: str, words: str) -> str | None:
    """Return the language whose ``table`` keyword the folded text ``words`` is, else None."""
    for lang in REGISTRY:
        if words in lang.words(table):
            return lang.code
    return None


def keywords(*tables: str) -> frozenset[str]:
    """Return the words of these keyword tables in every language."""
    return frozenset(word for lang in REGISTRY for table in tables for word in lang.words(table))


def keyword_languages(table: str) -> dict[str, str]:
    """Return {word: language} for one keyword table (the first language listing a word wins)."""
    table_words: dict[str, str] = {}
    for lang in REGISTRY:
        for word in lang.words(table):
            table_words.setdefault(word, lang.code)
    return table_words


def names() -> dict[str, str]:
    """Return {word: language} for the words that name a language (they switch it at any question)."""
    return {word: lang.code for lang in REGISTRY for word in lang.names}


def detect(tokens: set[str]) -> str | None:
    """Return the first language (menu order after English) a set of folded words marks, else None."""
    for lang in (*REGISTRY[1:], REGISTRY[0]):
        if tokens & set(lang.detection_words):
            return lang.code
    return None
