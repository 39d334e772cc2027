"""Emergency and help lines shown on every screen, message and menu (``data/hotlines.csv``)."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

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
