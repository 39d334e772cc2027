"""The one language registry: complete per language, read by every channel, and no channel lists its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from intake_forms import LANGUAGES, languages, normalize, question
from intake_forms.languages import KEYWORDS, REGISTRY

ROOT = Path(__file__).resolve().parent.parent
#: Where languages are presented: channels, the app and its templates. They read the registry.
CHANNEL_CODE = ("kiosk", "sms", "voice", "staff", "admin", "reports", "templates", "app.py", "config.py")


def test_every_language_has_every_keyword_table_folded():
    assert len({lang.code for lang in REGISTRY}) == len(REGISTRY)
    for lang in REGISTRY:
        for table in KEYWORDS:
            words = lang.words(table)
            assert words, f"{lang.code} has no {table} words"
            for word in words:
                assert normalize(word) == word, f"{lang.code} {table} word {word!r} is not folded"
        for word in (*lang.menu_words, *lang.detection_words):
            assert normalize(word) == word
        assert "{key}" in lang.sms_pick_hint and "{key}" in lang.voice_pick and "{key}" in lang.voice_status


def test_a_keyword_means_one_thing():
    """A word cannot both stop texts and answer, or name two languages."""
    stop = languages.keywords("stop")
    for table in ("start", "help", "back", "restart", "skip"):
        assert not stop & languages.keywords(table), table
    assert len(languages.names()) == sum(len(lang.names) for lang in REGISTRY)


def test_an_unknown_language_fails_loudly():
    from voice.speech import voice_for

    with pytest.raises(KeyError):
        languages.language("xx")
    with pytest.raises(KeyError):
        voice_for("xx")
    assert voice_for(None).language == "en-US"  # before a language is chosen: the menu's own


def test_the_intake_and_the_channels_take_their_languages_from_the_registry(app):
    from sms import conversation, render
    from voice import speech

    assert LANGUAGES == languages.CODES
    assert [opt.code for opt in question("language").options] == list(languages.CODES)
    assert app.config["LANGUAGES"] == list(languages.CODES)
    menu = "\n".join(render.language_menu())  # a script GSM-7 lacks is named in the second text
    for lang in REGISTRY:
        assert f"{languages.menu_number(lang.code)} {lang.native_name}" in menu
        assert set(lang.words("stop")) <= conversation.STOP_WORDS
        assert set(lang.words("help")) <= conversation.HELP_WORDS
        if lang.voice is not None:
            assert speech.VOICES[lang.code] == lang.voice
            assert any(line.language == lang.code for line in speech.LANGUAGE_MENU)
        keys = speech.menu_keys()
        assert {**keys.spoken, **keys.keypad}[str(languages.menu_number(lang.code))] == lang.code


def test_segment_budget_follows_the_fold_policy():
    for lang in REGISTRY:
        assert lang.segment_chars == (160 if lang.folds else 70)


def _python_literals(path: Path) -> list[tuple[int, str]]:
    """String constants that are not docstrings, with their line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_channel_hard_codes_a_language_list():
    """Codes other than the default, native names and English names of languages appear only in the
    registry: a channel naming "es" or "Español" would miss every language added later."""
    others = {lang.code for lang in REGISTRY if lang.code != languages.DEFAULT}
    names = {lang.native_name for lang in REGISTRY} | {lang.name for lang in REGISTRY} | {"Spanish", "Español"}
    folded = {word for lang in REGISTRY for word in lang.names}
    found = []
    for place in CHANNEL_CODE:
        target = ROOT / place
        files = [target] if target.is_file() else sorted(target.rglob("*"))
        for path in files:
            if path.suffix == ".py":
                for line, value in _python_literals(path):
                    if value in others or value in names or value in folded:
                        found.append(f"{path.relative_to(ROOT)}:{line} {value!r}")
            elif path.suffix == ".html":
                text = path.read_text(encoding="utf-8")
                for number, row in enumerate(text.splitlines(), start=1):
                    quoted = set(re.findall(r"[\"']([^\"'{}]+)[\"']", row))
                    hits = quoted & (others | names) or {n for n in names - {"English"} if n in row}
                    found.extend(f"{path.relative_to(ROOT)}:{number} {hit!r}" for hit in hits)
    assert found == []


def test_a_voice_speaks_only_its_own_language():
    """Twilio reads a language only with a voice made for it: no language borrows another's voice,
    a keypad-only language has none (``voice_for`` refuses), and <Gather> gets a recognizer tag."""
    from voice.speech import voice_for

    voices = [lang.voice for lang in REGISTRY if lang.voice is not None]
    assert len({v.voice for v in voices}) == len(voices)
    for lang in REGISTRY:
        if lang.voice is None:
            with pytest.raises(KeyError):
                voice_for(lang.code)
            continue
        voice = voice_for(lang.code)
        assert voice == lang.voice
        assert voice.listens_in.split("-")[0] == lang.code
        assert lang.code == "en" or voice.voice != languages.ENGLISH.voice.voice  # type: ignore[union-attr]
    assert languages.language("vi").voice == languages.Voice("vi-VN", "Google.vi-VN-Standard-A")
    assert languages.language("ar").voice.listens_in == "ar-SA"  # type: ignore[union-attr]
    assert languages.language("so").keypad_only and languages.language("my").keypad_only


def test_the_new_languages_are_registered_in_menu_order_and_marked_for_review():
    assert languages.CODES == ("en", "es", "vi", "so", "ar", "my")
    assert [lang.direction for lang in REGISTRY].count(languages.Direction.RTL) == 1
    assert languages.language("ar").direction is languages.Direction.RTL
    assert {lang.code for lang in REGISTRY if lang.folds} == {"en", "es", "so"}
    for code in ("vi", "so", "ar", "my"):
        assert languages.language(code).review is languages.Review.MACHINE_DRAFTED
    assert languages.keyword("stop", normalize("Dừng lại")) == "vi"
    assert languages.keyword("stop", normalize("JOOJI")) == "so"
    assert languages.keyword("stop", normalize("تَوَقَّفْ")) == "ar"
    assert languages.keyword("stop", normalize("ရပ်ပါ")) == "my"
    assert languages.keyword("stop", normalize("đúng")) is None  # "right": an answer, never a stop
    assert languages.names()[normalize("မြန်မာ")] == "my"
    assert languages.names()[normalize("Tiếng Việt")] == "vi"
