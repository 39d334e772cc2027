"""The pure mapping and the writer: names, HUD values, hashing, characters, lengths."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from intake_forms import DECLINE, DONT_KNOW, NOT_ASKED, question
from services.hmis import mapping, writer


@pytest.mark.parametrize(("full", "expected"), [
    ("Maria Alpha", ("Maria", None, "Alpha", None)),
    ("Ana María López Jr.", ("Ana", "María", "López", "Jr.")),
    ("  Jo   Ann  Lee  ", ("Jo", "Ann", "Lee", None)),
    ("Prince", ("Prince", None, None, None)),
    ("Sam <Example> {x}", ("Sam", "Example", "x", None)),
])
def test_split_name(full: str, expected: tuple[str | None, ...]) -> None:
    assert mapping.split_name(full) == expected


@pytest.mark.parametrize(("codes", "personal", "quality", "first"), [
    ({"legal_name": "given"}, {"legal_name": "Lee Park"}, 1, "Lee"),
    ({"legal_name": "given"}, {"legal_name": "Lee"}, 2, "Lee"),
    ({"legal_name": DECLINE, "contact_name": "given"}, {"contact_name": "Sunny"}, 2, "Sunny"),
    ({"legal_name": DECLINE}, {}, 9, None),
    ({"legal_name": DONT_KNOW}, {}, 8, None),
    ({"legal_name": NOT_ASKED, "contact_name": NOT_ASKED}, {}, 99, None),  # a phone call cannot ask for a name
    ({}, {}, 99, None),
])
def test_name_data_quality(codes: dict[str, str], personal: dict[str, str], quality: int, first: str | None) -> None:
    name = mapping.client_name(codes, personal)
    assert (name.quality, name.first) == (quality, first)


def test_hud_values_come_from_the_names_and_option_numbers() -> None:
    veteran = question("veteran")
    assert mapping.hud_value(veteran, DECLINE) == 9
    assert mapping.hud_value(veteran, DONT_KNOW) == 8
    assert mapping.hud_value(veteran, "1") == veteran.option("1").hud == 1  # type: ignore[union-attr]
    assert mapping.hud_value(veteran, None) is None
    assert mapping.hud_value(question("dob"), NOT_ASKED) is None  # not asked by the channel: 99
    assert mapping.answer_text(question("dob"), NOT_ASKED) is None
    assert mapping.hud_or_missing({}, "veteran") == 99
    assert mapping.answer_text(question("help_needed"), "money,travel") == "money,travel"
    assert mapping.answer_text(question("slept_last_night"), "motel_voucher") == "101"
    assert mapping.answer_text(question("children"), "3") == "3"
    assert mapping.answer_text(question("children"), "declined") is None  # any non-digit code: a skip, not a count


@pytest.mark.parametrize(("slept", "short", "expected"), [
    ("other", None, (99, 17)),
    ("outside", None, (116, 116)),
    (DONT_KNOW, None, (8, 8)),
])
def test_somewhere_else_is_17_only_in_the_current_living_situation(slept: str, short: str | None,
                                                                     expected: tuple[int, int]) -> None:
    assert mapping.living_situations({"slept_last_night": slept}) == expected


@pytest.mark.parametrize(("answer", "expected"), [
    ("1", (1, 1)), ("0", (99, None)), (DONT_KNOW, (99, None)), (DECLINE, (99, None)),
])
def test_short_stay_never_exports_8_or_9_in_list_1_7(answer: str, expected: tuple[int, int | None]) -> None:
    assert mapping.short_stay({"institution_short_stay": answer}, 207) == expected
    assert mapping.short_stay({}, 116) == (None, None)


@pytest.mark.parametrize(("leave", "expected"), [("1d", 1), ("14d", 1), ("21d", 0), ("later", 0),
                                                  (DONT_KNOW, 8), (DECLINE, 9), (None, 99)])
def test_leave_within_14_days(leave: str | None, expected: int) -> None:
    assert mapping.leave_within_14_days({"leave_by": leave} if leave else {}) == expected


def test_hashed_names_are_sha256_of_soundex() -> None:
    assert mapping.soundex_sha256("Robert") == hashlib.sha256(b"R163").hexdigest()
    assert mapping.soundex_sha256("Rupert") == mapping.soundex_sha256("Robert")
    assert mapping.soundex_sha256("María") == mapping.soundex_sha256("Maria")
    assert mapping.soundex_sha256(None) is None


def test_stable_ids_depend_on_the_implementation_kind_and_key() -> None:
    one = mapping.stable_id("impl", "personal", "abc")
    assert one == mapping.stable_id("impl", "personal", "abc") and len(one) == 32
    assert one != mapping.stable_id("impl", "enrollment", "abc") != mapping.stable_id("other", "personal", "abc")


def test_the_writer_strips_forbidden_characters_quotes_and_caps_lengths() -> None:
    column = writer.Column("AssessmentLocation", "string", 10)
    assert writer.format_value('Hays <"main"> [1] {x}', column) == '"Hays ""main"'
    assert writer.format_value(None, column) == ""
    assert writer.format_value(date(2026, 1, 2), writer.Column("EntryDate", "date", None)) == "2026-01-02"
    with pytest.raises(TypeError):
        writer.format_value("99", writer.Column("VeteranStatus", "integer", None))


def test_the_writer_writes_all_24_files_in_spec_order() -> None:
    files = writer.render_files({})
    assert len(files) == 24 and next(iter(files)) == "Export.csv"
    assert all(text.count("\r\n") == 1 for text in files.values())
    with pytest.raises(KeyError):
        writer.render_files({"Client": [{"NotAColumn": 1}]})
