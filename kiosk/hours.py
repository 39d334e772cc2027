"""Opening hours of an access point: open now, or when it opens next, in its own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OpenStatus:
    """Whether a place is open at a moment; `until` when open, `next_open` when closed."""

    open_now: bool
    until: datetime | None
    next_open: datetime | None
    next_close: datetime | None


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "America/Chicago")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("America/Chicago")


def _clock(text: str) -> time | None:
    try:
        hours, minutes = (int(part) for part in str(text).split(":", 1))
    except ValueError:
        return None
    if hours == 24 and minutes == 0:
        return time(23, 59, 59)
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return None
    return time(hours, minutes)


def spans(hours: dict[str, Any] | None, day: str) -> list[tuple[time, time]]:
    """Return the (open, close) local times for a weekday key such as "mon"."""
    result: list[tuple[time, time]] = []
    for span in (hours or {}).get(day) or []:
        if not isinstance(span, list | tuple) or len(span) != 2:
            continue
        start, end = _clock(span[0]), _clock(span[1])
        if start is not None and end is not None and start < end:
            result.append((start, end))
    return sorted(result)


def open_status(hours: dict[str, Any] | None, timezone: str | None, now: datetime) -> OpenStatus:
    """Say whether the place is open at `now` (aware) and when it closes or next opens."""
    zone = _zone(timezone)
    local = now.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        for start, end in spans(hours, DAYS[day.weekday()]):
            opens = datetime.combine(day, start, tzinfo=zone)
            closes = datetime.combine(day, end, tzinfo=zone)
            if offset == 0 and opens <= local < closes:
                return OpenStatus(True, closes, None, None)
            if opens > local:
                return OpenStatus(False, None, opens, closes)
    return OpenStatus(False, None, None, None)
