"""Opening hours of an access point: open at a moment, next opening, business minutes.

One reader of ``AccessPoint.hours`` (weekly intervals in local time, several a day),
``AccessPoint.closed_dates`` (local dates closed all day) and ``AccessPoint.timezone``. Routing,
the kiosk confirmation and alerts all ask the same questions here.

Times are local wall-clock times; every computation converts to UTC before subtracting, so a
day on which clocks change (America/Chicago in March and November) has 23 or 25 hours.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_ZONE = "America/Chicago"
#: Look this many days ahead for a next opening before saying there is none.
HORIZON_DAYS = 366

Clock = tuple[int, int]  # (hours, minutes); (24, 0) is the midnight that ends a day
Interval = tuple[Clock, Clock]

_SPAN = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(?:-|\u2013|to|a)\s*(\d{1,2})(?::(\d{2}))?\s*$")


class HoursError(ValueError):
    """Hours typed in a form cannot be read; ``args[0]`` is the piece that could not."""


class HasHours(Protocol):
    hours: dict[str, Any]
    closed_dates: list[str]
    timezone: str


@dataclass(frozen=True)
class Schedule:
    """Weekly intervals, closed dates and the time zone of one place."""

    weekly: Mapping[str, tuple[Interval, ...]]
    closed: frozenset[date]
    zone: ZoneInfo

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """Return the aware (local) opening intervals of a local date; none on a closed date."""
        if day in self.closed:
            return []
        return [
            (_at(day, start, self.zone), _at(day, end, self.zone))
            for start, end in self.weekly.get(DAYS[day.weekday()], ())
        ]


@dataclass(frozen=True)
class OpenStatus:
    """Whether a place is open at a moment, until when, or when it opens next (local times)."""

    open_now: bool
    #: When the place closes next (None while open: open around the clock, never closing in a week).
    closes_at: datetime | None
    opens_at: datetime | None

    @property
    def always_open(self) -> bool:
        """Tell whether the place is open and does not close within a week (open 24 hours)."""
        return self.open_now and self.closes_at is None


# -- reading what is stored ------------------------------------------------------------------


def zone(name: str | None) -> ZoneInfo:
    """Return the time zone, falling back to US Central when the name is unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def is_known_zone(name: str) -> bool:
    """Tell whether ``name`` is an IANA time zone name."""
    return name in available_timezones()


def parse_clock(text: str) -> Clock:
    """Read "9", "09:00" or "24:00" as (hours, minutes); raise HoursError otherwise."""
    hours_text, _, minutes_text = str(text).strip().partition(":")
    try:
        hours, minutes = int(hours_text), int(minutes_text or 0)
    except ValueError:
        raise HoursError(text) from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise HoursError(text)
    return hours, minutes


def weekly_intervals(raw: Mapping[str, Any] | None) -> dict[str, tuple[Interval, ...]]:
    """Return the stored weekly hours as sorted intervals per day; unreadable rows are skipped."""
    result: dict[str, tuple[Interval, ...]] = {}
    for day in DAYS:
        spans: list[Interval] = []
        for row in (raw or {}).get(day) or []:
            try:
                start, end = parse_clock(row[0]), parse_clock(row[1])
            except (HoursError, IndexError, TypeError, KeyError):
                continue
            if start < end:
                spans.append((start, end))
        if spans:
            result[day] = tuple(sorted(spans))
    return result


def closed_dates(raw: Iterable[str] | None) -> frozenset[date]:
    """Return the stored closed dates; unreadable ones are skipped."""
    found = set()
    for text in raw or ():
        try:
            found.add(date.fromisoformat(str(text)))
        except ValueError:
            continue
    return frozenset(found)


def schedule_of(place: HasHours) -> Schedule:
    """Return the schedule of an access point (or anything with hours, closed_dates, timezone)."""
    return Schedule(
        weekly=weekly_intervals(place.hours),
        closed=closed_dates(getattr(place, "closed_dates", None)),
        zone=zone(place.timezone),
    )


# -- questions -------------------------------------------------------------------------------


def _at(day: date, clock: Clock, tz: ZoneInfo) -> datetime:
    hours, minutes = clock
    if hours == 24:
        return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    return datetime.combine(day, time(hours, minutes), tzinfo=tz)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return moment.astimezone(UTC)


def _intervals_from(schedule: Schedule, start: datetime, days: int) -> Iterator[tuple[datetime, datetime]]:
    """Yield the opening intervals (UTC) of the local days from the day before ``start`` on."""
    first = _utc(start).astimezone(schedule.zone).date() - timedelta(days=1)
    for offset in range(days + 1):
        for opens, closes in schedule.intervals_on(first + timedelta(days=offset)):
            yield _utc(opens), _utc(closes)


def is_open(schedule: Schedule, at: datetime) -> bool:
    """Tell whether the place is open at the aware moment ``at``."""
    moment = _utc(at)
    return any(opens <= moment < closes for opens, closes in _intervals_from(schedule, at, 2))


def next_opening(schedule: Schedule, after: datetime) -> datetime | None:
    """Return the first opening strictly after ``after`` (local time), or None within a year."""
    moment = _utc(after)
    for opens, _closes in _intervals_from(schedule, after, HORIZON_DAYS):
        if opens > moment:
            return opens.astimezone(schedule.zone)
    return None


def status(schedule: Schedule, now: datetime) -> OpenStatus:
    """Tell whether the place is open at ``now``, and until when or from when (local times)."""
    moment = _utc(now)
    for opens, closes in _intervals_from(schedule, now, 2):
        if opens <= moment < closes:
            return OpenStatus(True, _closing(schedule, now, closes), None)
    return OpenStatus(False, None, next_opening(schedule, now))


def _closing(schedule: Schedule, now: datetime, closes: datetime) -> datetime | None:
    """Follow intervals that run into each other (24:00 one day, 00:00 the next) to the real closing.

    None when the place stays open for the whole week ahead: it is open around the clock.
    """
    limit = _utc(now) + timedelta(days=7)
    for opens, later in _intervals_from(schedule, now, 9):
        if opens <= closes < later:
            closes = later
    return None if closes >= limit else closes.astimezone(schedule.zone)


def business_minutes(schedule: Schedule, start: datetime, end: datetime) -> int:
    """Return the whole minutes the place is open between two aware moments (0 if end <= start)."""
    a, b = _utc(start), _utc(end)
    if b <= a:
        return 0
    days = (b - a).days + 2
    total = timedelta()
    for opens, closes in _intervals_from(schedule, start, days):
        overlap = min(closes, b) - max(opens, a)
        if overlap > timedelta():
            total += overlap
    return int(total.total_seconds() // 60)


def add_business_minutes(schedule: Schedule, start: datetime, minutes: int) -> datetime | None:
    """Return the moment (UTC) when ``minutes`` of opening time have passed since ``start``.

    The inverse of ``business_minutes``: counting starts at ``start`` if open, else at the next
    opening. None when the place never opens within a year.
    """
    a = _utc(start)
    left = timedelta(minutes=max(minutes, 0))
    for opens, closes in _intervals_from(schedule, start, HORIZON_DAYS):
        if closes <= a:
            continue
        begin = max(opens, a)
        if begin + left <= closes:
            return begin + left
        left -= closes - begin
    return None


def upcoming_closed_dates(schedule: Schedule, now: datetime, days: int = 14) -> list[date]:
    """Return the closed dates from today (local) to ``days`` ahead, in order."""
    today = _utc(now).astimezone(schedule.zone).date()
    return sorted(d for d in schedule.closed if today <= d <= today + timedelta(days=days))


# -- forms: text in, stored shape out ----------------------------------------------------------


def format_clock(clock: Clock) -> str:
    return f"{clock[0]:02d}:{clock[1]:02d}"


def parse_day(text: str) -> list[list[str]]:
    """Read one day's hours as typed: "9:00-12:00, 13:00-17:00" (empty: closed).

    Raise HoursError naming the piece that cannot be read, or that overlaps another.
    """
    spans: list[Interval] = []
    for piece in (p for p in re.split(r"[,;]", text or "") if p.strip()):
        match = _SPAN.match(piece.lower())
        if match is None:
            raise HoursError(piece.strip())
        start = parse_clock(f"{match.group(1)}:{match.group(2) or '00'}")
        end = parse_clock(f"{match.group(3)}:{match.group(4) or '00'}")
        if not start < end:
            raise HoursError(piece.strip())
        spans.append((start, end))
    spans.sort()
    for (_, first_end), (second_start, _) in itertools.pairwise(spans):
        if second_start < first_end:
            raise HoursError(text.strip())
    return [[format_clock(a), format_clock(b)] for a, b in spans]


def format_day(raw: Mapping[str, Any] | None, day: str) -> str:
    """Write one stored day as a form shows it: "09:00-12:00, 13:00-17:00"."""
    return ", ".join(
        f"{format_clock(a)}-{format_clock(b)}" for a, b in weekly_intervals(raw).get(day, ())
    )


def parse_closed_dates(text: str) -> list[str]:
    """Read closed dates, one per line or separated by commas, as YYYY-MM-DD; sorted, unique."""
    found = set()
    for piece in (p.strip() for p in re.split(r"[,\n;]", text or "")):
        if not piece:
            continue
        try:
            found.add(date.fromisoformat(piece))
        except ValueError:
            raise HoursError(piece) from None
    return [d.isoformat() for d in sorted(found)]
