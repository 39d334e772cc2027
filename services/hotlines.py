"""Emergency and help lines shown on every screen, message and menu (``data/hotlines.csv``)."""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from importlib import resources

from flask_babel import gettext  # type: ignore[import-untyped]


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it."""
    return msgid


# Display order: immediate danger and crisis first, then shelter, veterans, violence.
DISPLAY_ORDER = (
    "emergency",
    "crisis_988",
    "ks_crisis",
    "ks_211",
    "va_homeless",
    "ndvh",
    "trafficking",
)


@dataclass(frozen=True)
class Hotline:
    """A help line: ``phone`` to call, ``text`` how to reach it by text message (if at all)."""

    key: str
    name: str
    phone: str
    text: str | None
    notes: str | None

    @property
    def text_word_and_number(self) -> tuple[str, str] | None:
        """Return (keyword, short code) of ``text`` ("START to 88788"), else None."""
        found = _TEXT_HOW.fullmatch(self.text or "")
        return (found.group(1), found.group(2)) if found else None


#: How the data file writes texting a line: the keyword, "to", the number.
_TEXT_HOW = re.compile(r"\s*(\S+)\s+to\s+(\d+)\s*", re.IGNORECASE)

#: Hotline names are proper names in English in the data file; these msgids let every channel
#: show them in the household's language (``display_name``).
NAMES = {
    "emergency": N_("Emergency"),
    "crisis_988": N_("988 Suicide & Crisis Lifeline"),
    "ks_crisis": N_("Kansas Crisis Hotline (domestic violence and sexual assault)"),
    "ndvh": N_("National Domestic Violence Hotline"),
    "ks_211": N_("211 Kansas (United Way)"),
    "va_homeless": N_("VA National Call Center for Homeless Veterans"),
    "trafficking": N_("National Human Trafficking Hotline"),
}


def display_name(line: Hotline) -> str:
    """Return a line's name in the current language (the data file's name for a line we do not know)."""
    msgid = NAMES.get(line.key)
    return str(gettext(msgid)) if msgid is not None else line.name


def text_how(line: Hotline) -> str | None:
    """Return how to reach a line by text, in the current language ("Text START to 88788")."""
    if line.text is None:
        return None
    parts = line.text_word_and_number
    if parts is None:
        return line.text
    return str(gettext("Text %(word)s to %(number)s", word=parts[0], number=parts[1]))


@functools.cache
def _load() -> dict[str, Hotline]:
    raw = resources.files(__package__).joinpath("data/hotlines.csv").read_text(encoding="utf-8")
    lines: dict[str, Hotline] = {}
    for row in csv.DictReader(io.StringIO(raw)):
        key = row["key"].strip()
        lines[key] = Hotline(
            key=key,
            name=row["name"].strip(),
            phone=row["phone"].strip(),
            text=(row.get("text") or "").strip() or None,
            notes=(row.get("notes") or "").strip() or None,
        )
    return lines


#: The lines every channel keeps one step away (product rule: never gated): 911, 988, the Kansas
#: Crisis Hotline, 211 and the VA homeless veterans line.
ALWAYS_REACHABLE: tuple[str, ...] = ("emergency", "crisis_988", "ks_crisis", "ks_211", "va_homeless")


def emergency_hotlines() -> tuple[Hotline, ...]:
    """Return every hotline in display order (lines missing from the order come last)."""
    lines = _load()
    ordered = [lines[key] for key in DISPLAY_ORDER if key in lines]
    ordered += [line for key, line in lines.items() if key not in DISPLAY_ORDER]
    return tuple(ordered)


def hotline(key: str) -> Hotline:
    """Return the hotline called ``key``; raise ``KeyError`` if there is none."""
    return _load()[key]
