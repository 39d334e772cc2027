"""Read an answer the way a person gives it, on any channel.

One function, `parse_answer`, turns a tap, a typed reply, a keypad digit or a speech result into
the code that is stored: "2", "dos", "yes", "sí" and "Si" all become the same code.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime

import phonenumbers
import zipcodes
from email_validator import EmailNotValidError, validate_email

from intake_forms import catalogs, languages
from intake_forms.definition import DONT_KNOW, N_, NOT_SURE, Kind, Question

#: Why a reply could not be read; channels show the message with the question again.
ERRORS: dict[str, str] = {
    "empty": N_("We did not get an answer."),
    "not_understood": N_("Sorry, we could not read that answer."),
    "out_of_range": N_("That number is outside the range we can take."),
    "invalid_location": N_("We could not find that ZIP code or county."),
    "invalid_phone": N_("That does not look like a phone number."),
    "invalid_email": N_("That does not look like an email address."),
    "invalid_date": N_("We could not read that date."),
    "not_whole_number": N_("Please use a whole number, like 2."),
    "date_too_early": N_("That year looks too early. Please check the year."),
    "date_in_future": N_("That date is in the future. Please check it."),
    "too_long": N_("That answer is too long. Please make it shorter."),
}

MAX_TEXT = 2000
MAX_NAME = 100
#: A reply to a choice longer than this is not searched for option words.
MAX_CHOICE_REPLY = 80
#: No number a person gives (an option, a count, a year) has more digits than this; a longer run of
#: digits is refused before it is converted (Python refuses to convert more than 4,300 digits at all).
MAX_DIGITS = 4
#: No one alive was born longer ago than this many years: an earlier date of birth is a typo.
MAX_AGE_YEARS = 120

NUMBER_WORDS: dict[str, int] = {
    # English
    "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15,
    # Spanish
    "cero": 0, "ninguno": 0, "ninguna": 0, "nadie": 0, "uno": 1, "una": 1, "dos": 2, "tres": 3,
    "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
}

_SKIP_WORDS = frozenset(
    {"skip", "pass", "next", "saltar", "salta", "omitir", "paso", "siguiente"}
    | {"prefer not", "prefer not to answer", "rather not", "prefiero no", "prefiero no contestar"}
    | languages.keywords("skip")
)
_CONNECTORS = frozenset({"and", "y", "e", "&", "plus", "mas"})
_LOCATION_NOISE = frozenset({"county", "co", "cnty", "condado", "de", "del", "ks", "kansas", "the", "in"})


@dataclass(frozen=True)
class ParseResult:
    """What a reply means: a stored code, plus the value itself for identifying answers."""

    ok: bool
    code: str | None = None
    value: str | None = None
    error: str | None = None

    @classmethod
    def fail(cls, error: str) -> ParseResult:
        return cls(ok=False, error=error)


#: Blocks whose combining marks are part of the letter (Myanmar vowel signs, medials, tones, the
#: virama and asat): ``normalize`` keeps them, where it drops Latin accents and Arabic harakat.
#: The Myanmar block less its two sentence marks (U+104A, U+104B), which read as punctuation.
_LETTER_MARKS = "\u1000-\u1049\u104c-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"
_LETTER_MARK = re.compile(f"[{_LETTER_MARKS}]")
#: Latin letters with a stroke have no decomposition to fold them; Vietnamese writes "đ" for "d".
#: Arabic alef maqsura is often written for a final ya: both read as ya.
_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ħ": "h",
                       "\u0131": "i", "\u0649": "\u064a"})
#: Kept by ``normalize``: letters and digits, spaces, + & - and the marks of ``_LETTER_MARKS``.
_NOT_KEPT = re.compile(f"[^\\w\\s+&\\-{_LETTER_MARKS}]")


def _fold_char(ch: str) -> str:
    """Fold one character of an NFKD text (see ``normalize``)."""
    category = unicodedata.category(ch)
    if category.startswith("M"):
        return ch if _LETTER_MARK.match(ch) else ""
    if category == "Cf" or ch == "\u0640":  # direction marks, joiners; the Arabic tatweel
        return ""
    if category == "Nd":  # a digit of any script: Arabic-Indic, Myanmar...
        return str(unicodedata.decimal(ch))
    return ch


def normalize(text: str) -> str:
    """Fold case, accents, apostrophes, punctuation and spacing so replies compare simply.

    Latin letters lose their accents and tones ("dừng" -> "dung", "Sí" -> "si"); Arabic letters
    lose their vowel marks, the tatweel and the hamza seat ("أحمد" -> "احمد"); Myanmar letters keep
    their vowel signs, medials and tones, without which a Burmese word is another word. Digits of
    any script become 0-9. The result is in NFC.
    """
    text = "".join(_fold_char(ch) for ch in unicodedata.normalize("NFKD", text)).translate(_FOLD)
    text = text.casefold()
    text = re.sub(r"['`\u2019\u00b4]", "", text)
    text = _NOT_KEPT.sub(" ", text)
    text = text.replace("_", " ")
    return unicodedata.normalize("NFC", " ".join(text.split()))


#: Numbers written as words in every registered language, folded as replies are.
NUMBER_WORDS.update({normalize(word): n for word, n in languages.number_words().items()})


def detect_language(text: str) -> str | None:
    """Guess the language of a first message ("hola", "ayuda" -> es); None when unsure."""
    return languages.detect(set(normalize(text).split()))


def parse_answer(question: Question, raw: str | None, locale: str = "en", *,
                 offered: str | None = None) -> ParseResult:
    """Turn a reply into the stored code (and value, for identifying answers).

    `offered` is a value the channel suggested (the phone number a person is texting or
    calling from); a yes to it takes that value.
    """
    raw = (raw or "").strip()
    text = normalize(raw)
    if not text:
        return ParseResult.fail("empty")
    if text in _SKIP_WORDS:
        return ParseResult(ok=True, code=question.skip_code)
    if question.kind in (Kind.CHOICE, Kind.LANGUAGE):
        code = _match_choice(question, text, locale)
        return ParseResult(ok=True, code=code) if code else ParseResult.fail("not_understood")
    if question.kind is Kind.MULTI:
        return _parse_multi(question, text, locale)
    if _is_dont_know(text):
        return ParseResult(ok=True, code=DONT_KNOW)
    if question.kind is Kind.COUNT:
        return _parse_count(question, raw, text)
    if question.kind is Kind.LOCATION:
        return _parse_location(raw, text)
    if question.kind is Kind.PHONE:
        return _parse_phone(raw, text, offered)
    if question.kind is Kind.EMAIL:
        return _parse_email(raw)
    if question.kind is Kind.DATE:
        return _parse_date(raw, locale)
    if question.kind is Kind.NAME:
        return _parse_free(raw, MAX_NAME, need_letter=True)
    return _parse_free(raw, MAX_TEXT, need_letter=False)


# Choices ------------------------------------------------------------------------------------

#: ``_phrases`` per question object and locale (the question is kept, so its id stays its own):
#: a question's options are fixed, and every choice answered by text or speech reads the table.
_PHRASES: dict[tuple[int, str], tuple[Question, dict[str, set[str]]]] = {}


def _phrases(question: Question, locale: str) -> dict[str, set[str]]:
    """Map every word or phrase that names an option to the option codes it names (read only)."""
    cached = _PHRASES.get((id(question), locale))
    if cached is None or cached[0] is not question:
        cached = _PHRASES[(id(question), locale)] = (question, _phrase_table(question, locale))
    return cached[1]


def _phrase_table(question: Question, locale: str) -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for opt in question.options:
        # What the option is called where the household read it: its label in their language.
        names = [normalize(opt.label), normalize(catalogs.translate(opt.label, locale))]
        for lang in (locale, *sorted(opt.words)):
            names.extend(normalize(w) for w in opt.words.get(lang, ()))
        for name in names:
            if name:
                table.setdefault(name, set()).add(opt.code)
    return table


def _by_number(question: Question, text: str) -> str | None:
    token = text.lstrip("#").strip()
    number = int(token) if token.isdigit() and len(token) <= MAX_DIGITS else NUMBER_WORDS.get(token)
    if number is not None and 1 <= number <= len(question.options):
        return question.options[number - 1].code
    return None


def _match_choice(question: Question, text: str, locale: str) -> str | None:
    by_number = _by_number(question, text)
    if by_number:
        return by_number
    table = _phrases(question, locale)
    exact = table.get(text)
    if exact and len(exact) == 1:
        return next(iter(exact))
    if len(text) > MAX_CHOICE_REPLY:
        return None
    # The longest known phrase inside the reply wins: "not sure" beats "sure".
    padded = f" {text} "
    found = [(len(p), codes) for p, codes in table.items() if f" {p} " in padded]
    if found:
        longest = max(length for length, _ in found)
        codes = set().union(*(c for length, c in found if length == longest))
        if len(codes) == 1:
            return next(iter(codes))
        return None
    # Small typos: "yse", "afuerra", "shleter". One slip in a short word, two in a long one.
    for probe in (text, *text.split()):
        if len(probe) < 3:
            continue
        allowed = 1 if len(probe) <= 5 else 2
        codes = set()
        for phrase, phrase_codes in table.items():
            if len(phrase) >= 3 and abs(len(phrase) - len(probe)) <= allowed \
                    and _edit_distance(probe, phrase) <= allowed:
                codes |= phrase_codes
        if len(codes) == 1:
            return next(iter(codes))
    return None


def _edit_distance(a: str, b: str) -> int:
    """Count the edits (insert, delete, change, swap two neighbours) between two words."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def _parse_multi(question: Question, text: str, locale: str) -> ParseResult:
    tokens = [t for t in re.split(r"[\s,;/]+", text) if t and t not in _CONNECTORS]
    picked: list[str] = []
    if tokens and all(t.isdigit() or t in NUMBER_WORDS for t in tokens):
        for token in tokens:
            code = _by_number(question, token)
            if code is None:
                return ParseResult.fail("not_understood")
            picked.append(code)
    else:
        parts = [p.strip() for p in re.split(r"\s*(?:,|;|/| and | y | & )\s*", f" {text} ") if p.strip()]
        matched = [_match_choice(question, part, locale) for part in parts]
        if len(parts) > 1 and all(matched):
            picked.extend(code for code in matched if code)
        else:
            whole = _match_choice(question, text, locale)
            if whole is None:
                return ParseResult.fail("not_understood")
            picked.append(whole)
    chosen = set(picked)
    exclusive = {o.code for o in question.options if o.exclusive}
    if chosen - exclusive:
        chosen -= exclusive
    elif len(chosen) > 1:
        # Only exclusive answers were given, such as "nothing" and "prefer not": keep the first.
        chosen = {picked[0]}
    ordered = [o.code for o in question.options if o.code in chosen]
    return ParseResult(ok=True, code=",".join(ordered))


def _is_dont_know(text: str) -> bool:
    return text in _dont_know_words()


@functools.cache
def _dont_know_words() -> frozenset[str]:
    """Every language's words for "not sure", normalized (the registry is fixed at import)."""
    return frozenset(normalize(w) for ws in NOT_SURE.words.values() for w in ws)


# Numbers, places, contact details ------------------------------------------------------------

def _parse_count(question: Question, raw: str, text: str) -> ParseResult:
    number: int | None = None
    match = re.search(r"\d+", text)
    if re.search(r"\d\s*[.,]\s*\d", raw):
        return ParseResult.fail("not_whole_number")  # "2.5" is not 2
    if re.search(r"\d\s*[/-]\s*\d", raw):
        return ParseResult.fail("not_understood")  # "3/25/1980" (a date) or "1-2" (which one?) is not 1 or 3
    if re.search(r"(?<![\w])-\s*\d", raw) or (match and len(match.group()) > MAX_DIGITS):
        return ParseResult.fail("out_of_range")  # "-1" is not 1; 5,000 digits are not a household
    if match:
        number = int(match.group())
    else:
        for token in text.split():
            if token in NUMBER_WORDS:
                number = NUMBER_WORDS[token]
                break
        if number is None and text in {"no", "nope", "n"}:
            number = 0
    if number is None:
        return ParseResult.fail("not_understood")
    low = question.minimum if question.minimum is not None else 0
    high = question.maximum if question.maximum is not None else 99
    if not low <= number <= high:
        return ParseResult.fail("out_of_range")
    return ParseResult(ok=True, code=str(number))


def location_parts(code: str) -> tuple[str, str] | None:
    """Split a stored location code: "zip:67601" -> ("zip", "67601"), "county:ellis" -> ("county", "ellis").

    None for anything else ("here" on a kiosk, a skip code).
    """
    kind, sep, rest = code.partition(":")
    return (kind, rest) if sep and kind in ("zip", "county") and rest else None


@functools.lru_cache(maxsize=4096)
def _real_zip(zip5: str) -> bool:
    """Whether a 5-digit ZIP code exists. ``zipcodes`` scans all 42,000 for each question (up to a
    millisecond); the few hundred a CoC's households give are remembered."""
    return bool(zipcodes.is_real(zip5))  # type: ignore[no-untyped-call]


def _parse_location(raw: str, text: str) -> ParseResult:
    zip_match = re.search(r"(?<!\d)(\d{5})(?:[-\s]?\d{4})?(?!\d)", raw)
    if zip_match:
        if not _real_zip(zip_match.group(1)):
            return ParseResult.fail("invalid_location")  # "00000", "99999": no such ZIP code
        return ParseResult(ok=True, code=f"zip:{zip_match.group(1)}")
    if re.search(r"\d", text):
        return ParseResult.fail("invalid_location")
    words = [w for w in text.split() if w not in _LOCATION_NOISE]
    name = " ".join(words)
    if 2 <= len(name) <= 40 and re.fullmatch(r"[a-z][a-z .-]*", name):
        return ParseResult(ok=True, code=f"county:{name}")
    return ParseResult.fail("invalid_location")


def _parse_phone(raw: str, text: str, offered: str | None) -> ParseResult:
    if offered and text.split()[0] in {"yes", "y", "si", "s", "ok", "1", "this", "same", "este", "ese"}:
        return ParseResult(ok=True, code="given", value=offered)
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return ParseResult.fail("invalid_phone")
    if not phonenumbers.is_valid_number(number):
        return ParseResult.fail("invalid_phone")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return ParseResult(ok=True, code="given", value=e164)


def _parse_email(raw: str) -> ParseResult:
    try:
        info = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        return ParseResult.fail("invalid_email")
    return ParseResult(ok=True, code="given", value=info.normalized)


def _parse_date(raw: str, locale: str) -> ParseResult:
    """Read a date of birth: 03/25/1980, 1980-03-25, or 8 digits from a phone keypad (03251980).

    Numbers run in the language's order (``Language.date_order``): month/day/year in English,
    day/month/year in Spanish.
    """
    parts = re.findall(r"\d+", raw)
    if len(parts) == 1 and len(parts[0]) == 8:
        digits = parts[0]
        parts = [digits[:2], digits[2:4], digits[4:]]
    if len(parts) != 3 or any(len(p) > MAX_DIGITS for p in parts):
        return ParseResult.fail("invalid_date")
    a, b, c = (int(p) for p in parts)
    if len(parts[0]) == 4:
        year, month, day = a, b, c
    elif _date_order(locale) is languages.DateOrder.DMY:
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    today = datetime.now(UTC).date()
    if len(parts[2]) == 2 and len(parts[0]) != 4:
        year += 2000 if year <= today.year % 100 else 1900
    try:
        born = date(year, month, day)
    except ValueError:
        return ParseResult.fail("invalid_date")
    if born.year < today.year - MAX_AGE_YEARS:
        return ParseResult.fail("date_too_early")  # 1900, 1066: older than anyone alive
    if born > today:
        return ParseResult.fail("date_in_future")
    return ParseResult(ok=True, code="given", value=born.isoformat())


def _date_order(locale: str) -> languages.DateOrder:
    code = locale.replace("-", "_").split("_")[0]
    return languages.language(code).date_order if languages.known(code) else languages.DateOrder.MDY


def _parse_free(raw: str, limit: int, *, need_letter: bool) -> ParseResult:
    cleaned = "".join(ch for ch in raw if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        return ParseResult.fail("empty")
    if len(cleaned) > limit:
        return ParseResult.fail("too_long")
    if need_letter and not any(ch.isalpha() for ch in cleaned):
        return ParseResult.fail("not_understood")
    return ParseResult(ok=True, code="given", value=cleaned)


