"""Opening hours of an access point: open now, or the next opening, in its own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OpenStatus:
    """Whether a place is open at a moment, until when, or when it opens next (local times)."""

    open_now: bool
    closes_at: datetime | None
    opens_at: datetime | None


def _clock(text: str) -> tuple[int, int]:
    hours, _, minutes = text.partition(":")
    return int(hours), int(minutes or 0)


def intervals(hours: dict[str, Any] | None, day: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Return the opening intervals of a weekday as ((h, m), (h, m)) pairs; bad rows are skipped."""
    found = []
    for row in (hours or {}).get(day, []) or []:
        try:
            start, end = _clock(row[0]), _clock(row[1])
        except (ValueError, IndexError, TypeError, AttributeError):
            continue
        if start < end:
            found.append((start, end))
    return sorted(found)


def zone(name: str | None) -> ZoneInfo:
    """Return the time zone, falling back to US Central when the name is unknown."""
    try:
        return ZoneInfo(name or "America/Chicago")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("America/Chicago")


def _at(day: datetime, clock: tuple[int, int]) -> datetime:
    hours, minutes = clock
    midnight = datetime.combine(day.date(), time(0, 0), tzinfo=day.tzinfo)
    return midnight + timedelta(hours=hours, minutes=minutes)


def status(hours: dict[str, Any] | None, tz_name: str | None, now: datetime) -> OpenStatus:
    """Tell whether the place is open at ``now`` (aware), and until when or from when."""
    local = now.astimezone(zone(tz_name))
    for offset in range(8):
        day = local + timedelta(days=offset)
        for start, end in intervals(hours, DAYS[day.weekday()]):
            opens, closes = _at(day, start), _at(day, end)
            if offset == 0 and opens <= local < closes:
                return OpenStatus(True, closes, None)
            if opens > local:
                return OpenStatus(False, None, opens)
    return OpenStatus(False, None, None)
