"""Version 1 of the pre-screen and rapid-resolution conversation, as data.

Keys are storage contracts: never rename one. Prompts and labels are English msgids marked
with `N_` so `pybabel extract -k N_` finds them; channels translate them when they render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from intake_forms import languages

FLOW_VERSION = 1

#: Languages the intake is offered in, in the order a picker lists them (``intake_forms.languages``).
LANGUAGES: tuple[str, ...] = languages.CODES

#: Stored when a person declines a question ("Prefer not to answer"; HUD 9 in exports), on every kind.
#: A word, never a number, so it can never be mistaken for an answer (a count of 9, a choice, a ZIP).
DECLINE = "declined"
#: Stored for "I don't know" / "Not sure" (HUD 8 in exports), on every kind.
DONT_KNOW = "dont_know"
#: Stored when the channel could not ask the question (a phone keypad cannot take a name or a date of
#: birth): HUD 99 "data not collected" in exports, and a channel that resumes the intake asks it.
NOT_ASKED = "not_asked"


def is_non_answer(code: str | None) -> bool:
    """Tell whether a stored code says no value was given (declined, not known, or not asked)."""
    return code in (DECLINE, DONT_KNOW, NOT_ASKED)


def count_value(code: str | None) -> int | None:
    """Return the number a stored count holds; None for a decline, an unknown or no answer."""
    return int(code) if code and code.isascii() and code.isdigit() else None


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it."""
    return msgid


class Kind(StrEnum):
    """How an answer is given and parsed."""

    LANGUAGE = "language"
    CHOICE = "choice"
    MULTI = "multi"
    COUNT = "count"
    LOCATION = "location"
    PHONE = "phone"
    EMAIL = "email"
    NAME = "name"
    DATE = "date"
    TEXT = "text"


class Medium(StrEnum):
    """How a person reads a hint and answers: the words of a hint must fit it ("send", "type", "tap")."""

    TEXT = "text"  # a text message: "send"
    SCREEN = "screen"  # the kiosk and web pages: type or tap


#: Kinds whose values identify a person: stored encrypted, never shown in lists or logs.
IDENTIFYING_KINDS = frozenset({Kind.PHONE, Kind.EMAIL, Kind.NAME, Kind.DATE, Kind.TEXT})


@dataclass(frozen=True)
class Option:
    """One answer a person can pick; `code` is what is stored."""

    code: str
    label: str
    hud: int | None = None
    #: Extra words a person may type or say for this option, per language (normalized).
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: In a pick-any question, this option cannot be combined with others.
    exclusive: bool = False
    #: How the phone line offers it when "For <label>, press N." does not read as a sentence (a label
    #: that is a request or a whole answer): a msgid with %(number)s, "To talk to a person, press %(number)s."
    said: str | None = None


@dataclass(frozen=True)
class Notice:
    """Help shown right after an answer: a short message and the hotlines to offer."""

    key: str
    message: str
    hotlines: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """One question of the intake."""

    key: str
    kind: Kind
    prompt: str
    options: tuple[Option, ...] = ()
    #: Name of a condition in `intake_forms.conditions`; the question is asked only when it holds.
    ask_if: str | None = None
    #: What a skip stores. Every question can be skipped.
    skip_code: str = DECLINE
    minimum: int | None = None
    maximum: int | None = None
    #: A short help line shown with the question again when a reply cannot be read, per medium:
    #: the one place each channel takes its hint from (``Question.hint``).
    hints: dict[Medium, str] = field(default_factory=dict)
    #: Notices to show after an answer, by stored code.
    notices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: HUD data element this answer maps to, for exports.
    hud_element: str | None = None

    @property
    def identifying(self) -> bool:
        """Tell whether the answer identifies a person (stored encrypted)."""
        return self.kind in IDENTIFYING_KINDS

    def hint(self, medium: Medium) -> str | None:
        """Return the help line for this medium (a msgid), if the question has one."""
        return self.hints.get(medium)

    def option(self, code: str) -> Option | None:
        """Return the option with this code, if any."""
        for opt in self.options:
            if opt.code == code:
                return opt
        return None

    def option_number(self, code: str) -> int | None:
        """Return the 1-based number a channel shows for an option."""
        for number, opt in enumerate(self.options, start=1):
            if opt.code == code:
                return number
        return None


# Answers used across many questions -------------------------------------------------------

YES = Option(
    "1",
    N_("Yes"),
    hud=1,
    words={
        "en": ("yes", "y", "yeah", "yep", "yea", "ya", "ok", "okay", "sure", "true"),
        "es": ("si", "s", "claro", "sip", "vale", "bueno", "ok"),
        **languages.answer_words("yes"),
    },
)
NO = Option(
    "0",
    N_("No"),
    hud=0,
    words={"en": ("no", "n", "nope", "nah", "not"), "es": ("no", "n", "nel"), **languages.answer_words("no")},
)
NOT_SURE = Option(
    DONT_KNOW,
    N_("Not sure"),
    hud=8,
    words={
        "en": ("not sure", "dont know", "don't know", "i dont know", "idk", "unsure", "maybe not sure"),
        "es": ("no se", "no estoy seguro", "no estoy segura", "nose", "ni idea"),
        **languages.answer_words("not_sure"),
    },
)
PREFER_NOT = Option(
    DECLINE,
    N_("Prefer not to answer"),
    hud=9,
    words={
        "en": ("prefer not", "prefer not to answer", "rather not", "pass", "skip", "no answer"),
        "es": ("prefiero no", "prefiero no contestar", "prefiero no responder", "paso", "saltar"),
        **languages.answer_words("prefer_not"),
    },
)
#: What a decline or an unknown is called wherever an answer is shown (msgids), on every kind.
NON_ANSWER_LABELS: dict[str, str] = {
    DECLINE: PREFER_NOT.label,
    DONT_KNOW: NOT_SURE.label,
    NOT_ASKED: N_("Not asked (phone call)"),
}

MAYBE = Option(
    "maybe",
    N_("Maybe"),
    words={"en": ("maybe", "possibly", "might", "perhaps"), "es": ("tal vez", "quizas", "quiza", "a lo mejor")},
)

YES_NO = (YES, NO, PREFER_NOT)
YES_NO_UNSURE = (YES, NO, NOT_SURE, PREFER_NOT)
YES_MAYBE_NO = (YES, MAYBE, NO, PREFER_NOT)


def _hints(text: str, screen: str) -> dict[Medium, str]:
    """Write a hint for each medium: what to send in a text message, what to enter on a screen."""
    return {Medium.TEXT: text, Medium.SCREEN: screen}


def _opt(code: str, label: str, hud: int | None = None, en: tuple[str, ...] = (),
         es: tuple[str, ...] = (), exclusive: bool = False, said: str | None = None) -> Option:
    return Option(code, label, hud=hud, words={"en": en, "es": es}, exclusive=exclusive, said=said)


# Help shown after certain answers ----------------------------------------------------------

NOTICES: dict[str, Notice] = {
    notice.key: notice
    for notice in (
        Notice(
            "emergency",
            N_("If you are in danger, call 911. You can also call or text 988. "
               "Or call the Kansas Crisis Hotline."),
            ("emergency", "crisis_988", "ks_crisis"),
        ),
        Notice(
            "dv_hotlines",
            N_("You are not alone. These lines are free, private and open all day and night."),
            ("ks_crisis", "ndvh", "trafficking", "emergency"),
        ),
        Notice(
            "dv_stop",
            N_("We did not save anything about you. You can call these lines any time."),
            ("ks_crisis", "ndvh", "trafficking", "emergency"),
        ),
        Notice(
            "shelter",
            N_("For a place to stay tonight, call 211. They can find shelter near you."),
            ("ks_211", "emergency"),
        ),
        Notice(
            "youth",
            N_("Help for young people is open all day and night. Call 211 or call or text 988."),
            ("ks_211", "crisis_988"),
        ),
        Notice(
            "veteran",
            N_("The VA helps veterans who need housing. Call them any time."),
            ("va_homeless",),
        ),
    )
}


# The questions, in the order they are asked -------------------------------------------------

QUESTIONS: tuple[Question, ...] = (
    Question(
        "language",
        Kind.LANGUAGE,
        N_("Choose your language."),
        options=tuple(Option(lang.code, lang.native_name, words={lang.code: lang.menu_words})
                      for lang in languages.REGISTRY),
        skip_code=languages.DEFAULT,
    ),
    Question(
        "start_choice",
        Kind.CHOICE,
        N_("How do you want to start?"),
        options=(
            _opt("questions", N_("Answer a few short questions (about 5 minutes)"),
                 en=("answer", "questions", "start", "go"), es=("contestar", "preguntas", "empezar"),
                 said=N_("To answer some questions, press %(number)s. By phone it takes about 10 minutes.")),
            _opt("talk", N_("I'd rather talk to a person"),
                 en=("talk", "person", "call me", "human", "someone", "call"),
                 es=("hablar", "persona", "llamenme", "alguien"),
                 said=N_("To talk to a person, press %(number)s.")),
        ),
        skip_code="questions",
    ),
    Question(
        "safe_now",
        Kind.CHOICE,
        N_("Are you safe right now?"),
        options=YES_NO,
        ask_if="started_questions",
        notices={"0": ("emergency",)},
    ),
    Question(
        "keep_going",
        Kind.CHOICE,
        N_("Do you want to keep going with the questions?"),
        options=(
            YES,
            _opt("0", N_("No, have someone contact me"), hud=0,
                 en=("no", "n", "contact me", "call me"), es=("no", "n", "contactenme", "llamenme"),
                 said=N_("To stop and have someone contact you, press %(number)s.")),
        ),
        ask_if="not_safe_now",
        skip_code="1",
    ),
    Question(
        "fleeing_violence",
        Kind.CHOICE,
        N_("Is someone hurting you or making you feel unsafe where you live? "
           "Do you want to get away from them?"),
        options=YES_NO,
        ask_if="questions_path",
        notices={"1": ("dv_hotlines",)},
        hud_element="4.11 CurrentlyFleeing",
    ),
    Question(
        "dv_choice",
        Kind.CHOICE,
        N_("What would you like to do?"),
        options=(
            _opt("advocate", N_("Have an advocate for victims contact me"),
                 en=("advocate", "contact me", "advocate contact me"), es=("defensora", "defensor", "contactenme"),
                 said=N_("To have an advocate for victims contact you, press %(number)s.")),
            _opt("anonymous", N_("Keep going without sharing my name"),
                 en=("keep going", "continue", "without name", "anonymous"),
                 es=("seguir", "continuar", "sin nombre", "anonimo"),
                 said=N_("To keep going without giving your name, press %(number)s.")),
            _opt("stop", N_("Stop here"), en=("stop", "stop here", "end", "quit"),
                 es=("parar", "terminar", "alto", "detener"), said=N_("To stop here, press %(number)s.")),
        ),
        ask_if="fleeing",
        skip_code="anonymous",
        notices={"stop": ("dv_stop",)},
    ),
    Question(
        "slept_last_night",
        Kind.CHOICE,
        N_("Where did you sleep last night?"),
        options=(
            _opt("outside", N_("Outside, in a car or a tent"), hud=116,
                 en=("outside", "street", "car", "tent", "park", "truck", "van", "bridge", "woods", "outdoors"),
                 es=("afuera", "calle", "carro", "coche", "carpa", "parque", "camion", "puente")),
            _opt("shelter", N_("Emergency shelter"), hud=101,
                 en=("shelter", "emergency shelter"), es=("albergue", "refugio")),
            _opt("motel_voucher", N_("Motel paid by a program"), hud=101,
                 en=("voucher", "motel voucher", "program motel"), es=("motel pagado", "motel de programa")),
            _opt("motel_self", N_("Motel I paid for"), hud=314,
                 en=("motel", "hotel", "my motel"), es=("motel", "hotel")),
            _opt("family", N_("With family"), hud=335,
                 en=("family", "relatives", "mom", "dad", "parents", "sister", "brother"),
                 es=("familia", "familiares", "mama", "papa", "padres", "hermana", "hermano")),
            _opt("friends", N_("With friends"), hud=336,
                 en=("friends", "friend", "couch"), es=("amigos", "amigo", "amiga", "amigas")),
            _opt("own_place", N_("My own place (rent or own)"), hud=410,
                 en=("home", "my place", "apartment", "house", "own place", "rent"),
                 es=("casa", "mi casa", "apartamento", "departamento", "renta")),
            _opt("hospital", N_("Hospital"), hud=206, en=("hospital",), es=("hospital",)),
            _opt("jail", N_("Jail or prison"), hud=207,
                 en=("jail", "prison", "detention"), es=("carcel", "prision", "detencion")),
            _opt("treatment", N_("Treatment program"), hud=205,
                 en=("treatment", "rehab", "detox"), es=("tratamiento", "rehabilitacion", "desintoxicacion")),
            _opt("transitional", N_("Transitional housing"), hud=302,
                 en=("transitional",), es=("transitoria", "transitorio", "vivienda transitoria")),
            _opt("other", N_("Somewhere else"), hud=17, en=("other", "somewhere else"), es=("otro", "otro lugar")),
            NOT_SURE,
            PREFER_NOT,
        ),
        ask_if="full_path",
        hud_element="3.917 LivingSituation",
    ),
    Question(
        "leave_by",
        Kind.CHOICE,
        N_("When do you have to leave where you are staying?"),
        options=(
            _opt("1d", N_("Today or tomorrow"), en=("today", "tomorrow", "now", "tonight"),
                 es=("hoy", "manana", "ahora", "esta noche")),
            _opt("7d", N_("Within 7 days"), en=("week", "7 days", "this week"), es=("semana", "7 dias")),
            _opt("14d", N_("Within 14 days"), en=("two weeks", "14 days"), es=("dos semanas", "14 dias")),
            _opt("21d", N_("Within 21 days"), en=("three weeks", "21 days"), es=("tres semanas", "21 dias")),
            _opt("later", N_("More than 21 days from now"), en=("later", "more than 21", "month"),
                 es=("despues", "mas de 21", "mes")),
            NOT_SURE,
            PREFER_NOT,
        ),
        ask_if="not_literally_homeless",
        hud_element="4.12 LeaveSituation14Days",
    ),
    Question(
        "institution_short_stay",
        Kind.CHOICE,
        N_("Were you there 90 days or less, and without a home right before?"),
        options=YES_NO_UNSURE,
        ask_if="left_institution",
        hud_element="3.917 LOSUnderThreshold",
    ),
    Question(
        "adults",
        Kind.COUNT,
        N_("How many adults are with you, including you?"),
        minimum=1,
        maximum=10,
        ask_if="full_path",
        hints=_hints(N_("Please send a number from 1 to 10."), N_("Please enter a number from 1 to 10.")),
    ),
    Question(
        "children",
        Kind.COUNT,
        N_("How many children under 18 are with you?"),
        minimum=0,
        maximum=15,
        ask_if="full_path",
        hints=_hints(N_("Please send a number from 0 to 15."), N_("Please enter a number from 0 to 15.")),
    ),
    Question(
        "pregnant",
        Kind.CHOICE,
        N_("Is anyone with you pregnant?"),
        options=YES_NO_UNSURE,
        ask_if="full_path",
    ),
    Question(
        "age_band",
        Kind.CHOICE,
        N_("How old are you?"),
        options=(
            _opt("under18", N_("Under 18"), en=("under 18", "minor", "teen"), es=("menor", "menos de 18")),
            _opt("18_24", N_("18 to 24"), en=("18-24",), es=("18 a 24",)),
            _opt("25_54", N_("25 to 54"), en=("25-54",), es=("25 a 54",)),
            _opt("55_61", N_("55 to 61"), en=("55-61",), es=("55 a 61",)),
            _opt("62plus", N_("62 or older"), en=("62+", "senior", "62 or older"), es=("62 o mas", "mayor")),
            PREFER_NOT,
        ),
        ask_if="full_path",
        notices={"under18": ("youth",)},
    ),
    Question(
        "veteran",
        Kind.CHOICE,
        N_("Have you ever served in the U.S. military on active duty?"),
        options=YES_NO_UNSURE,
        ask_if="full_path",
        notices={"1": ("veteran",)},
        hud_element="3.07 VeteranStatus",
    ),
    Question(
        "health_barrier",
        Kind.CHOICE,
        N_("Does anyone with you have a health problem or disability? "
           "Does it make it hard to find or keep a home?"),
        options=YES_NO_UNSURE,
        ask_if="full_path",
    ),
    Question(
        "safe_place_tonight",
        Kind.CHOICE,
        N_("Do you have a safe place to stay tonight?"),
        options=YES_NO_UNSURE,
        ask_if="full_path",
        notices={"0": ("shelter",), DONT_KNOW: ("shelter",)},
    ),
    Question(
        "could_return",
        Kind.CHOICE,
        N_("Could you stay where you stayed last night if you had some help?"),
        options=YES_MAYBE_NO,
        ask_if="could_return_applies",
    ),
    Question(
        "could_stay_with",
        Kind.CHOICE,
        N_("Is there someone you could stay with safely for a few days, even in another "
           "town? Family, friends, work or church."),
        options=YES_MAYBE_NO,
        ask_if="full_path",
    ),
    Question(
        "help_needed",
        Kind.MULTI,
        N_("What would help most right now? Choose all that fit."),
        options=(
            _opt("money", N_("Money for rent or bills"), en=("money", "rent", "bills", "deposit"),
                 es=("dinero", "renta", "cuentas", "deposito")),
            _opt("mediation", N_("Help talking with family, friends or landlord"),
                 en=("talking", "landlord", "mediation"), es=("hablar", "arrendador", "dueno", "mediacion")),
            _opt("travel", N_("A bus ticket or gas money"), en=("bus", "ticket", "gas", "travel", "ride"),
                 es=("autobus", "boleto", "gasolina", "viaje", "camion")),
            _opt("id", N_("Help getting ID or papers"), en=("id", "papers", "documents", "license"),
                 es=("identificacion", "papeles", "documentos")),
            _opt("job", N_("Help with a job or benefits"), en=("job", "work", "benefits", "snap"),
                 es=("trabajo", "empleo", "beneficios")),
            _opt("other", N_("Something else"), en=("other", "something else"), es=("otro", "otra cosa")),
            _opt("nothing", N_("Nothing right now"), en=("nothing", "none"), es=("nada", "ninguno"),
                 exclusive=True),
            Option(DECLINE, PREFER_NOT.label, hud=9, words=PREFER_NOT.words, exclusive=True),
        ),
        ask_if="full_path",
        hints=_hints(N_("You can pick more than one. Send the numbers, like 1 3."),
                     N_("You can pick more than one.")),
    ),
    Question(
        "help_other",
        Kind.TEXT,
        N_("Tell us in a few words what would help."),
        ask_if="help_other_applies",
    ),
    Question(
        "location",
        Kind.LOCATION,
        N_("What is the ZIP code or county where you want help?"),
        ask_if="location_applies",
        hints=_hints(N_("Please send a 5-digit ZIP code, like 67601, or a county name."),
                     N_("Please enter a 5-digit ZIP code, like 67601, or a county name.")),
    ),
    Question(
        "contact_method",
        Kind.CHOICE,
        N_("How should staff contact you?"),
        options=(
            _opt("text", N_("Text message"), en=("text", "sms", "message", "txt"), es=("texto", "mensaje", "sms")),
            _opt("call", N_("Phone call"), en=("call", "phone", "voice"), es=("llamada", "llamar", "telefono")),
            _opt("email", N_("Email"), en=("email", "e-mail", "mail"), es=("correo", "email", "correo electronico")),
            _opt("come_back", N_("I'll come back here"), en=("come back", "come here", "in person"),
                 es=("regreso", "vuelvo", "en persona"), said=N_("If you will come back in person, press %(number)s.")),
            _opt("agency", N_("Through the agency I'm at"), en=("agency", "staff here", "case manager"),
                 es=("agencia", "personal de aqui"),
                 said=N_("To be reached through the agency you are at, press %(number)s.")),
            PREFER_NOT,
        ),
        ask_if="contact_applies",
    ),
    Question(
        "phone",
        Kind.PHONE,
        N_("What phone number can staff use?"),
        ask_if="phone_applies",
        hints=_hints(N_("Please send a 10-digit phone number, like 785-555-0100."),
                     N_("Please enter a 10-digit phone number, like 785-555-0100.")),
    ),
    Question(
        "email",
        Kind.EMAIL,
        N_("What email can staff use?"),
        ask_if="email_applies",
        hints=_hints(N_("Please send an email address, like name@example.com."),
                     N_("Please enter an email address, like name@example.com.")),
    ),
    Question(
        "safe_to_text",
        Kind.CHOICE,
        N_("Is it safe for us to send text messages to this number?"),
        options=YES_NO_UNSURE,
        ask_if="phone_given",
    ),
    Question(
        "safe_to_voicemail",
        Kind.CHOICE,
        N_("Is it safe for us to leave a voice message at this number?"),
        options=YES_NO_UNSURE,
        ask_if="phone_given",
    ),
    Question(
        "best_time",
        Kind.CHOICE,
        N_("What is the best time to reach you?"),
        options=(
            _opt("morning", N_("Morning"), en=("morning", "am"), es=("manana", "temprano")),
            _opt("afternoon", N_("Afternoon"), en=("afternoon", "midday", "noon"), es=("tarde", "mediodia")),
            _opt("evening", N_("Evening"), en=("evening", "night", "pm"), es=("noche", "tarde noche")),
            _opt("any", N_("Any time"), en=("any", "anytime", "any time", "whenever"),
                 es=("cualquier", "cualquier hora", "cuando sea")),
            PREFER_NOT,
        ),
        ask_if="reachable",
    ),
    Question(
        "contact_name",
        Kind.NAME,
        N_("What name should staff use for you? Any name is OK."),
        ask_if="contact_applies",
    ),
    Question(
        "legal_name",
        Kind.NAME,
        N_("What is your full legal name? This helps staff find your records. You can skip it."),
        ask_if="identity_applies",
    ),
    Question(
        "dob",
        Kind.DATE,
        N_("What is your date of birth? You can skip it."),
        ask_if="identity_applies",
        hints=_hints(N_("Please send it like 03/25/1980."),
                     N_("Please enter it like 03/25/1980, or as 8 digits: 03251980.")),
        hud_element="3.03 DOB",
    ),
    Question(
        "interpreter",
        Kind.CHOICE,
        N_("Do you want an interpreter when staff contact you?"),
        options=YES_NO,
        ask_if="interpreter_applies",
    ),
    Question(
        "consent_share",
        Kind.CHOICE,
        N_("Can we share your answers with groups near you that help with housing?"),
        options=(
            _opt("1", N_("Yes, you can share"), hud=1, en=YES.words["en"], es=YES.words["es"],
                 said=N_("If we can share them, press %(number)s.")),
            _opt("0", N_("No, keep them private"), hud=0, en=NO.words["en"] + ("private",),
                 es=NO.words["es"] + ("privado",), said=N_("To keep them private, press %(number)s.")),
        ),
        ask_if="consent_applies",
        skip_code="0",
    ),
)

_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}


def question(key: str) -> Question:
    """Return the question with this storage key."""
    return _BY_KEY[key]
