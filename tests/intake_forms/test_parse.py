"""One parser for every channel: the same meaning gives the same code."""

from __future__ import annotations

import pytest

from intake_forms import DECLINE, DONT_KNOW, detect_language, normalize, parse_answer, question

CHOICES = [
    ("veteran", "1", "en", "1"),
    ("veteran", "yes", "en", "1"),
    ("veteran", "Sí", "es", "1"),
    ("veteran", "si claro", "es", "1"),
    ("veteran", "  YES  ", "en", "1"),
    ("veteran", "yse", "en", "1"),
    ("veteran", "2", "es", "0"),
    ("veteran", "dos", "es", "0"),
    ("veteran", "nope", "en", "0"),
    ("veteran", "I don't know", "en", DONT_KNOW),
    ("veteran", "no sé", "es", DONT_KNOW),
    ("veteran", "prefiero no contestar", "es", DECLINE),
    ("veteran", "skip", "en", DECLINE),
    ("slept_last_night", "I slept in my car", "en", "outside"),
    ("slept_last_night", "afuerra", "es", "outside"),
    ("slept_last_night", "shleter", "en", "shelter"),
    ("slept_last_night", "con mi familia", "es", "family"),
    ("slept_last_night", "#2", "en", "shelter"),
    ("language", "2", "en", "es"),
    ("language", "español", "en", "es"),
    ("language", "Espanol", "en", "es"),
    ("language", "english", "es", "en"),
    ("start_choice", "talk to someone", "en", "talk"),
    ("could_stay_with", "tal vez", "es", "maybe"),
    ("dv_choice", "stop", "en", "stop"),
]


@pytest.mark.parametrize(("key", "raw", "locale", "code"), CHOICES)
def test_choices(key, raw, locale, code):
    result = parse_answer(question(key), raw, locale)
    assert result.ok, result
    assert result.code == code
    assert result.value is None


MULTI = [
    ("1 3", "money,travel"),
    ("1,3", "money,travel"),
    ("3, 1", "money,travel"),
    ("1 y 3", "money,travel"),
    ("money and bus", "money,travel"),
    ("dinero y gasolina", "money,travel"),
    ("nothing", "nothing"),
    ("1 7", "money"),
    ("9", ""),
]


@pytest.mark.parametrize(("raw", "code"), MULTI)
def test_pick_any(raw, code):
    result = parse_answer(question("help_needed"), raw, "en")
    if code:
        assert result.ok and result.code == code
    else:
        assert not result.ok and result.error == "not_understood"


@pytest.mark.parametrize(("key", "raw", "ok", "code"), [
    ("adults", "3", True, "3"), ("adults", "three", True, "3"), ("adults", "tres", True, "3"),
    ("adults", "0", False, None), ("adults", "11", False, None), ("children", "ninguno", True, "0"),
    ("children", "2 kids", True, "2"), ("children", "lots", False, None), ("children", "no sé", True, DONT_KNOW),
])
def test_counts(key, raw, ok, code):
    result = parse_answer(question(key), raw, "es")
    assert result.ok is ok
    assert result.code == code


@pytest.mark.parametrize(("raw", "code"), [
    ("67601", "zip:67601"), ("66044-1234", "zip:66044"), ("my zip is 67202", "zip:67202"),
    ("Ellis County", "county:ellis"), ("condado de Sedgwick", "county:sedgwick"), ("McPherson", "county:mcpherson"),
    ("123", None), ("12345678", None), ("!!!", None),
])
def test_location(raw, code):
    result = parse_answer(question("location"), raw, "en")
    assert result.code == code
    assert result.ok is (code is not None)


def test_phone_is_e164_and_identifying():
    result = parse_answer(question("phone"), "(785) 555-0100", "en")
    assert (result.ok, result.code, result.value) == (True, "given", "+17855550100")
    assert not parse_answer(question("phone"), "555", "en").ok
    offered = parse_answer(question("phone"), "sí", "es", offered="+17855550199")
    assert offered.value == "+17855550199"


@pytest.mark.parametrize(("raw", "locale", "value"), [
    ("03/25/1980", "en", "1980-03-25"), ("25/03/1980", "es", "1980-03-25"), ("1980-03-25", "es", "1980-03-25"),
    ("13/13/1980", "en", None), ("01/01/2999", "en", None), ("yesterday", "en", None),
])
def test_dates(raw, locale, value):
    result = parse_answer(question("dob"), raw, locale)
    assert result.value == value


def test_email_and_names():
    assert parse_answer(question("email"), "Ana@Example.COM", "en").value == "Ana@example.com"
    assert not parse_answer(question("email"), "ana at example", "en").ok
    assert parse_answer(question("contact_name"), "  Ana   María ", "es").value == "Ana María"
    assert parse_answer(question("contact_name"), "x" * 101, "es").error == "too_long"
    assert parse_answer(question("contact_name"), "12345", "es").error == "not_understood"


@pytest.mark.parametrize("raw", ["", "   ", "🙂🙂", "\x00\x01"])
def test_empty_replies_are_kind_errors(raw):
    for key in ("veteran", "adults", "location", "phone", "contact_name", "help_needed"):
        result = parse_answer(question(key), raw, "en")
        assert not result.ok and result.error


def test_long_and_hostile_text_is_kept_as_text():
    text = "'; DROP TABLE intakes; -- <script>alert(1)</script> " * 20
    result = parse_answer(question("help_other"), text[:1600], "en")
    assert result.ok and result.value and "<script>" in result.value
    assert not parse_answer(question("veteran"), text, "en").ok


def test_normalize_and_language_detection():
    assert normalize("  ¡Sí, CLARO! ") == "si claro"
    assert detect_language("Hola, necesito ayuda") == "es"
    assert detect_language("hello") == "en"
    assert detect_language("12345") is None


@pytest.mark.parametrize(("code", "parts"), [
    ("zip:67601", ("zip", "67601")), ("county:ellis", ("county", "ellis")),
    ("here", None), (DECLINE, None), ("zip:", None), ("city:hays", None),
])
def test_location_parts(code: str, parts: tuple[str, str] | None) -> None:
    from intake_forms import location_parts

    assert location_parts(code) == parts


@pytest.mark.parametrize(("raw", "locale", "value"), [
    ("03251980", "en", "1980-03-25"),  # a phone keypad has no "/": month, day, year in English
    ("25031980", "es", "1980-03-25"),  # day, month, year in Spanish
    ("12011999", "en", "1999-12-01"),
    ("12011999", "es", "1999-01-12"),
])
def test_a_date_typed_as_8_digits_is_read_in_the_locale_order(raw, locale, value):
    result = parse_answer(question("dob"), raw, locale)
    assert (result.ok, result.value) == (True, value)


@pytest.mark.parametrize(("raw", "error"), [
    ("03/25/1899", "date_too_early"),
    ("01/01/1900", "date_too_early"),
    ("01/01/1066", "date_too_early"),
    ("01/01/1930", None),
    ("03/25/2990", "date_in_future"),
    ("03252990", "date_in_future"),
    ("13251980", "invalid_date"),
    ("01/01/99999999999", "invalid_date"),
    ("1" * 5000, "invalid_date"),
])
def test_impossible_dates_are_refused_with_a_reason(raw, error):
    result = parse_answer(question("dob"), raw, "en")
    assert result.error == error and result.ok is (error is None)


@pytest.mark.parametrize(("key", "raw", "error"), [
    ("adults", "-1", "out_of_range"),
    ("children", "- 2", "out_of_range"),
    ("adults", "2.5", "not_whole_number"),
    ("children", "1,5", "not_whole_number"),
    ("adults", "9" * 5000, "out_of_range"),
    ("children", "0" * 5000 + "1", "out_of_range"),
    ("adults", "3/25/1980", "not_understood"),  # a date typed at the wrong question is not 3 adults
    ("children", "1-2", "not_understood"),  # one or two? ask again rather than guess
    ("adults", "2 / 3", "not_understood"),
])
def test_counts_refuse_negatives_fractions_dates_ranges_and_endless_digits(key, raw, error):
    result = parse_answer(question(key), raw, "en")
    assert (result.ok, result.error) == (False, error)


@pytest.mark.parametrize("key", ["veteran", "help_needed", "slept_last_night", "location", "phone"])
def test_endless_digits_never_raise_on_any_kind(key):
    assert not parse_answer(question(key), "7" * 5000, "en").ok


@pytest.mark.parametrize("raw", ["00000", "99999", "00001-1234"])
def test_zip_codes_that_do_not_exist_are_refused(raw):
    result = parse_answer(question("location"), raw, "en")
    assert (result.ok, result.error) == (False, "invalid_location")


@pytest.mark.parametrize(("raw", "folded"), [
    ("Dừng lại", "dung lai"),  # Vietnamese: tones and accents fold like Spanish ones
    ("ĐỔI SỐ", "doi so"),  # đ has no decomposition; it still reads as d
    ("Tiếng Việt", "tieng viet"),
    ("Soomaali", "soomaali"),
    ("မြန်မာ", "မြန်မာ"),  # Myanmar: medial ra, asat and vowel sign are part of the word
    ("ကျော်ပါ။", "ကျော်ပါ"),  # the sentence mark is punctuation
    ("ဦး", "ဦး"),  # a letter that decomposes comes back whole (NFC)
    ("العربية", "العربية"),
    ("مُسَاعَدَة", "مساعدة"),  # Arabic vowel marks are dropped
    ("عربـــي", "عربي"),  # and the tatweel
    ("أحتاج", "احتاج"),  # a hamza seat reads as the bare letter
    ("\u200fنعم\u200f", "نعم"),  # direction marks copied with the text
    ("٢ ၃", "2 3"),  # Arabic-Indic and Myanmar digits
])
def test_normalize_keeps_the_letters_of_every_script(raw: str, folded: str) -> None:
    assert normalize(raw) == folded
    assert normalize(folded) == folded


def test_myanmar_words_that_differ_by_a_mark_stay_different() -> None:
    """Without its marks "ကျော်" (skip) would be "က" (the first letter) and many words one."""
    assert normalize("ကျော်") != normalize("က")
    assert normalize("ရပ်") != normalize("ရ")
    assert len({normalize(w) for w in ("ကူ", "ကု", "ကို", "ကေ")}) == 4


@pytest.mark.parametrize(("text", "language"), [
    ("Xin chào, tôi cần giúp đỡ", "vi"),
    ("Fadlan i caawi", "so"),
    ("مرحبا، أحتاج مساعدة", "ar"),
    ("ကျွန်တော့်ကို ကူညီပေးပါ", "my"),  # no spaces between words: the script tells
    ("hello I need help", "en"),
])
def test_a_first_text_in_each_language_is_detected(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(("locale", "key", "reply", "code"), [
    # The option's label as the household read it in their language.
    ("vi", "safe_now", "có", "1"), ("vi", "safe_now", "Không", "0"), ("vi", "safe_now", "không muốn nói", "declined"),
    ("vi", "slept_last_night", "Tạm trú", "shelter"),
    ("es", "safe_now", "Sí", "1"),
    # Yes and no words of the registry, and numbers written as words or in the language's digits.
    ("so", "safe_now", "haa", "1"), ("so", "safe_now", "maya", "0"), ("so", "children", "laba", "2"),
    ("ar", "safe_now", "نعم", "1"), ("ar", "safe_now", "لا", "0"), ("ar", "adults", "ثلاثة", "3"),
    ("ar", "adults", "٣", "3"),
    ("my", "safe_now", "ဟုတ်ကဲ့", "1"), ("my", "safe_now", "မဟုတ်ဘူး", "0"), ("my", "adults", "၂", "2"),
    ("vi", "adults", "hai", "2"), ("vi", "children", "không", "0"),
])
def test_replies_in_every_registered_language(locale: str, key: str, reply: str, code: str) -> None:
    result = parse_answer(question(key), reply, locale)
    assert (result.ok, result.code) == (True, code)
