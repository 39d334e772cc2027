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

import re
from dataclasses import dataclass, field
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
    """How Twilio speaks and hears a language: a ``<Say>`` voice, its language tag, and the tag
    speech recognition (``<Gather language>``) takes when it is not the same."""

    language: str  # the tag Twilio lists for this voice, for <Say language>
    voice: str  # a <Say> voice made for that language (Twilio fails a <Say> whose voice does not speak it)
    #: BCP-47 tag for <Gather language> when the voice's tag is not one the recognizer takes
    #: (Twilio's Arabic voice is listed as "arb"; speech recognition wants a country: "ar-SA").
    speech: str | None = None

    @property
    def listens_in(self) -> str:
        """The tag for ``<Gather language>``."""
        return self.speech or self.language


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
    #: Unicode ranges of the language's own script ("\u1000-\u109f"): a first text written in
    #: them marks the language even when its words are not on ``detection_words`` (Burmese is
    #: written without spaces between words). Empty: a Latin script shared with other languages.
    script: str = ""
    #: Words that answer the shared yes / no / not sure / prefer-not options in this language
    #: ("yes", "no", "not_sure", "prefer_not"), beyond the option's own translated label.
    answer_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Numbers written as words ("hai" is 2 in Vietnamese), for counts and numbered options.
    number_words: dict[str, int] = field(default_factory=dict)

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

VIETNAMESE = Language(
    code="vi",
    native_name="Tiếng Việt",
    name=N_("Vietnamese"),
    direction=Direction.LTR,
    # Tones are the words: "dừng" (stop) folded is "dung", also "đúng" (right) and "dùng" (use).
    sms_encoding=SmsEncoding.UCS2,
    voice=Voice("vi-VN", "Google.vi-VN-Standard-A"),
    date_order=DateOrder.DMY,
    day_pattern="EEEE, 'ngày' d 'tháng' M",
    keywords={
        # Not "dung" alone: folded it is also "đúng" (right, yes), a common answer.
        "stop": ("dung lai", "dung nhan tin", "ngung", "ngung nhan tin", "huy dang ky"),
        "start": ("bat dau", "dang ky"),
        "rejoin": ("co",),
        "help": ("giup", "tro giup", "giup do", "thong tin"),
        "back": ("quay lai", "tro lai", "lui lai"),
        "restart": ("bat dau lai", "lam lai", "lam lai tu dau"),
        "skip": ("bo qua",),
        "status": ("tinh trang", "trang thai"),
        "resume": ("tiep tuc",),
        "code": ("ma so", "ma cua toi"),
        "repeat": ("lap lai", "noi lai", "nhac lai"),
        "emergency": ("khan cap", "cap cuu", "911", "giup"),
        "number_changed": ("doi so", "so moi", "so cua toi da doi", "toi doi so"),
    },
    names=("vietnamese", "tieng viet", "vietnamita", "fiitnaamiis", "الفيتنامية"),
    menu_extra=("vi", "vie", "viet nam"),
    detection_words=("chao", "xin", "giup", "toi", "khong", "duoc", "tieng", "viet", "vietnamese", "nha"),
    sms_title="Đường dây giúp đỡ nhà ở.",
    sms_crisis="Khẩn cấp 911. Đường dây khủng hoảng: nhắn {word}.",
    sms_not_read="Xin lỗi, chúng tôi không đọc được.",
    choose="Chọn ngôn ngữ của bạn.",
    sms_pick_hint="Nhắn {key} để chọn tiếng Việt.",
    voice_pick="Để nghe tiếng Việt, bấm {key}.",
    voice_status="Để hỏi về yêu cầu bạn đã gửi, bấm {key}.",
    review=Review.MACHINE_DRAFTED,
    answer_words={
        "yes": ("co", "vang", "da", "dung", "duoc", "dong y"),
        "no": ("khong", "ko", "khong phai", "khong co"),
        "not_sure": ("khong biet", "khong ro", "khong chac"),
        "prefer_not": ("khong muon noi", "khong muon tra loi"),
    },
    number_words={"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7,
                  "tam": 8, "chin": 9, "muoi": 10},
)

SOMALI = Language(
    code="so",
    native_name="Soomaali",
    name=N_("Somali"),
    direction=Direction.LTR,
    sms_encoding=SmsEncoding.GSM7,
    voice=None,  # Twilio has no Somali voice: keypad only
    date_order=DateOrder.DMY,
    day_pattern="EEEE, d MMMM",
    keywords={
        "stop": ("jooji", "joog", "jooji fariimaha", "ka bax"),
        "start": ("bilow", "bilaab"),
        "rejoin": ("haa",),
        "help": ("caawi", "caawimaad", "gargaar", "macluumaad"),
        "back": ("dib u noqo", "dib", "gadaal"),
        "restart": ("dib u bilow", "ka bilow", "cusub"),
        "skip": ("ka bood", "dhaaf"),
        "status": ("xaaladda", "xaalad"),
        "resume": ("sii wad",),
        "code": ("koodh", "kood"),
        "repeat": ("ku celi", "mar kale", "ku celi mar kale"),
        "emergency": ("degdeg", "gurmad", "911", "caawi"),
        "number_changed": ("lambar cusub", "lambarkaygu wuu is beddelay", "lambarka waa la beddelay"),
    },
    names=("somali", "soomaali", "af soomaali", "الصومالية"),
    menu_extra=("so", "som"),
    detection_words=("caawi", "caawimaad", "gargaar", "waxaan", "baahanahay", "guri", "fadlan",
                     "mahadsanid", "soomaali", "somali", "salaan", "haa", "iska"),
    sms_title="Khadka caawimaadda guriyeynta.",
    sms_crisis="Xaalad degdeg ah 911. Khadadka xiisadda: qor {word}.",
    sms_not_read="Waan ka xunnahay, ma akhrin karin.",
    choose="Dooro luqaddaada.",
    sms_pick_hint="Ku jawaab {key} si aad u doorato Soomaali.",
    voice_pick="Soomaali, riix {key}.",
    voice_status="Si aad u ogaato codsi aad hore u dirtay, riix {key}.",
    review=Review.MACHINE_DRAFTED,
    answer_words={
        "yes": ("haa", "haye", "waa haa"),
        "no": ("maya", "may"),
        "not_sure": ("ma hubo", "ma aqaan", "garan maayo"),
        "prefer_not": ("ma rabo", "ma rabo inaan ka jawaabo"),
    },
    number_words={"eber": 0, "kow": 1, "laba": 2, "saddex": 3, "afar": 4, "shan": 5, "lix": 6,
                  "toddoba": 7, "siddeed": 8, "sagaal": 9, "toban": 10},
)

ARABIC = Language(
    code="ar",
    native_name="العربية",
    name=N_("Arabic"),
    direction=Direction.RTL,
    sms_encoding=SmsEncoding.UCS2,
    # Polly's Modern Standard Arabic voice, listed by Twilio as "arb"; the recognizer takes "ar-SA".
    voice=Voice("arb", "Polly.Zeina", speech="ar-SA"),
    date_order=DateOrder.DMY,
    day_pattern="EEEE d MMMM",
    # Written folded: no vowel marks, hamza seats read as the bare letter, alef maqsura as ya.
    keywords={
        "stop": ("توقف", "ايقاف", "الغاء الاشتراك", "الغاء"),
        "start": ("ابدا", "اشتراك"),
        "rejoin": ("نعم",),
        "help": ("مساعدة", "ساعدني", "معلومات"),
        "back": ("رجوع", "ارجع", "السابق"),
        "restart": ("من جديد", "ابدا من جديد", "جديد"),
        "skip": ("تخطي", "تجاوز"),
        "status": ("الحالة", "حالة"),
        "resume": ("متابعة", "استمرار"),
        "code": ("الرمز", "رمز", "كود"),
        "repeat": ("كرر", "اعد", "مرة اخري"),
        "emergency": ("طواري", "نجدة", "911", "مساعدة"),
        "number_changed": ("رقمي تغير", "تغير رقمي", "رقم جديد"),
    },
    names=("arabic", "arabi", "arabe", "العربية", "عربي", "carabi"),
    menu_extra=("ar", "ara"),
    detection_words=("مرحبا", "السلام", "عليكم", "مساعدة", "ساعدني", "احتاج", "سكن", "ماوي", "نعم", "شكرا",
                     "العربية", "عربي", "arabic"),
    sms_title="خط المساعدة في السكن.",
    sms_crisis="الطوارئ 911. خطوط الأزمات: أرسل {word}.",
    sms_not_read="عذرًا، لم نستطع قراءة ذلك.",
    choose="اختر لغتك.",
    sms_pick_hint="أرسل {key} للعربية.",
    voice_pick="للعربية اضغط {key}.",
    voice_status="لمعرفة حالة طلب قدمته من قبل، اضغط {key}.",
    review=Review.MACHINE_DRAFTED,
    answer_words={
        "yes": ("نعم", "ايوه", "اي", "اجل"),
        "no": ("لا", "كلا"),
        "not_sure": ("لا اعرف", "مش عارف", "لست متاكدا"),
        "prefer_not": ("افضل عدم الاجابة", "لا اريد الاجابة"),
    },
    number_words={"صفر": 0, "واحد": 1, "اثنين": 2, "اثنان": 2, "ثلاثة": 3, "اربعة": 4, "خمسة": 5,
                  "ستة": 6, "سبعة": 7, "ثمانية": 8, "تسعة": 9, "عشرة": 10},
    script="\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff",
)

BURMESE = Language(
    code="my",
    native_name="မြန်မာ",
    name=N_("Burmese"),
    direction=Direction.LTR,
    sms_encoding=SmsEncoding.UCS2,
    voice=None,  # Twilio has no Burmese voice: keypad only
    date_order=DateOrder.DMY,
    day_pattern="EEEE၊ d MMMM",
    # Myanmar script keeps its vowel signs, medials and tones through ``normalize``.
    keywords={
        "stop": ("ရပ်", "ရပ်ပါ", "ရပ်တန့်ပါ"),
        "start": ("စတင်", "စတင်ပါ"),
        "rejoin": ("ဟုတ်ကဲ့", "ဟုတ်"),
        "help": ("အကူအညီ", "ကူညီပါ"),
        "back": ("နောက်သို့", "နောက်ပြန်"),
        "restart": ("ပြန်စ", "အစကပြန်စ", "အသစ်"),
        "skip": ("ကျော်", "ကျော်ပါ"),
        "status": ("အခြေအနေ",),
        "resume": ("ဆက်လုပ်",),
        "code": ("ကုဒ်",),
        "repeat": ("ထပ်ပြောပါ", "ပြန်ပြောပါ", "ထပ်"),
        "emergency": ("အရေးပေါ်", "911", "အကူအညီ"),
        "number_changed": ("နံပါတ်ပြောင်းပြီ", "ဖုန်းနံပါတ်ပြောင်းသွားပြီ", "နံပါတ်အသစ်"),
    },
    names=("burmese", "myanmar", "birmano", "မြန်မာ", "မြန်မာစာ", "ဗမာ", "البورمية"),
    menu_extra=("my", "mya", "bur"),
    detection_words=("မင်္ဂလာပါ", "အကူအညီ", "ကူညီပါ", "နေစရာ", "ကျေးဇူးပါ", "ဟုတ်ကဲ့", "burmese", "myanmar"),
    sms_title="အိမ်ရာ အကူအညီ ဖုန်းလိုင်း။",
    sms_crisis="အရေးပေါ် 911။ စိတ်ကျန်းမာရေး အကူအညီ: {word} ပို့ပါ။",
    sms_not_read="စိတ်မကောင်းပါ၊ ဖတ်၍ မရပါ။",
    choose="သင့်ဘာသာစကားကို ရွေးပါ။",
    sms_pick_hint="မြန်မာဘာသာအတွက် {key} ပို့ပါ။",
    voice_pick="မြန်မာဘာသာအတွက် {key} ကို နှိပ်ပါ။",
    voice_status="ယခင် တောင်းဆိုချက်၏ အခြေအနေ သိရန် {key} ကို နှိပ်ပါ။",
    review=Review.MACHINE_DRAFTED,
    answer_words={
        "yes": ("ဟုတ်ကဲ့", "ဟုတ်", "ဟုတ်တယ်", "ရှိတယ်"),
        "no": ("မဟုတ်ဘူး", "မဟုတ်", "ဟင့်အင်း", "မရှိဘူး"),
        "not_sure": ("မသေချာဘူး", "မသိဘူး"),
        "prefer_not": ("မပြောချင်ဘူး",),
    },
    number_words={"သုည": 0, "တစ်": 1, "နှစ်": 2, "သုံး": 3, "လေး": 4, "ငါး": 5, "ခြောက်": 6, "ခုနစ်": 7,
                  "ရှစ်": 8, "ကိုး": 9, "ဆယ်": 10},
    script="\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f",
)

#: Every language offered, in the order menus list them (the menu number is the position).
REGISTRY: tuple[Language, ...] = (ENGLISH, SPANISH, VIETNAMESE, SOMALI, ARABIC, BURMESE)

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


def answer_words(kind: str) -> dict[str, tuple[str, ...]]:
    """Return {language: words} answering one shared option ("yes", "no", "not_sure", "prefer_not")."""
    return {lang.code: lang.answer_words[kind] for lang in REGISTRY if kind in lang.answer_words}


def number_words() -> dict[str, int]:
    """Return every registered language's numbers written as words (as written, not folded)."""
    return {word: n for lang in REGISTRY for word, n in lang.number_words.items()}


def names() -> dict[str, str]:
    """Return {word: language} for the words that name a language (they switch it at any question)."""
    return {word: lang.code for lang in REGISTRY for word in lang.names}


def detect(tokens: set[str]) -> str | None:
    """Return the first language (menu order after English) a set of folded words marks, else None.

    A word in a language's own script (``Language.script``) marks it too.
    """
    for lang in (*REGISTRY[1:], REGISTRY[0]):
        if tokens & set(lang.detection_words):
            return lang.code
        if lang.script and any(re.search(f"[{lang.script}]", token) for token in tokens):
            return lang.code
    return None
