"""Emergency and help lines come from data, in display order."""

from __future__ import annotations

import pytest

from services.hotlines import emergency_hotlines, hotline


def test_display_order() -> None:
    keys = [line.key for line in emergency_hotlines()]
    assert keys[:5] == ["emergency", "crisis_988", "ks_crisis", "ks_211", "va_homeless"]
    assert set(keys[5:]) == {"ndvh", "trafficking"}


@pytest.mark.parametrize(
    ("key", "phone"),
    [
        ("emergency", "911"),
        ("crisis_988", "988"),
        ("ks_crisis", "888-363-2287"),
        ("ks_211", "211"),
        ("va_homeless", "877-424-3838"),
        ("ndvh", "800-799-7233"),
        ("trafficking", "888-373-7888"),
    ],
)
def test_numbers(key: str, phone: str) -> None:
    assert hotline(key).phone == phone


def test_text_and_notes() -> None:
    assert hotline("ndvh").text == "START to 88788"
    assert hotline("emergency").text is None
    assert hotline("trafficking").notes is None


def test_unknown_key() -> None:
    with pytest.raises(KeyError):
        hotline("nope")


def test_how_to_text_a_line_is_read_from_the_data() -> None:
    assert hotline("ndvh").text_word_and_number == ("START", "88788")
    assert hotline("trafficking").text_word_and_number == ("HELP", "233733")
    assert hotline("ks_211").text_word_and_number is None
