"""services.hours: open at a moment, next opening and business minutes, across holidays and DST."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services import hours

CHICAGO = ZoneInfo("America/Chicago")


@dataclass
class Place:
    hours: dict[str, Any]
    closed_dates: list[str] = field(default_factory=list)
    timezone: str = "America/Chicago"


# Monday to Friday with a lunch break, Saturday mornings; closed on 2026-12-25 (a Friday).
SPLIT = Place(
    hours={day: [["09:00", "12:00"], ["13:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [["10:00", "12:00"]]},
    closed_dates=["2026-12-25"],
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


@pytest.mark.parametrize(("moment", "expected"), [
    (local(2026, 12, 21, 9, 0), True),  # Monday, opening minute
    (local(2026, 12, 21, 11, 59), True),
    (local(2026, 12, 21, 12, 0), False),  # lunch
    (local(2026, 12, 21, 12, 30), False),
    (local(2026, 12, 21, 13, 0), True),
    (local(2026, 12, 21, 17, 0), False),  # closing minute is closed
    (local(2026, 12, 25, 10, 0), False),  # the holiday
    (local(2026, 12, 26, 11, 0), True),  # Saturday morning
    (local(2026, 12, 27, 11, 0), False),  # Sunday
])
def test_open_at(moment: datetime, expected: bool) -> None:
    assert hours.is_open(hours.schedule_of(SPLIT), moment) is expected


def test_open_at_reads_any_time_zone_of_the_question() -> None:
    # 15:30 UTC on a Monday in December is 09:30 in Chicago.
    assert hours.is_open(hours.schedule_of(SPLIT), datetime(2026, 12, 21, 15, 30, tzinfo=UTC))
    assert not hours.is_open(hours.schedule_of(SPLIT), datetime(2026, 12, 21, 14, 30, tzinfo=UTC))


@pytest.mark.parametrize(("after", "expected"), [
    (local(2026, 12, 21, 8, 0), local(2026, 12, 21, 9, 0)),
    (local(2026, 12, 21, 12, 15), local(2026, 12, 21, 13, 0)),  # after lunch
    (local(2026, 12, 24, 18, 0), local(2026, 12, 26, 10, 0)),  # skips the holiday
    (local(2026, 12, 26, 12, 0), local(2026, 12, 28, 9, 0)),  # skips Sunday
])
def test_next_opening(after: datetime, expected: datetime) -> None:
    found = hours.next_opening(hours.schedule_of(SPLIT), after)
    assert found == expected
    assert found is not None and found.utcoffset() == expected.utcoffset()


def test_status_gives_closing_time_or_next_opening() -> None:
    schedule = hours.schedule_of(SPLIT)
    open_now = hours.status(schedule, local(2026, 12, 21, 10, 0))
    assert open_now == hours.OpenStatus(True, local(2026, 12, 21, 12, 0), None)
    holiday = hours.status(schedule, local(2026, 12, 25, 10, 0))
    assert holiday == hours.OpenStatus(False, None, local(2026, 12, 26, 10, 0))


def test_never_open_has_no_next_opening() -> None:
    schedule = hours.schedule_of(Place(hours={}))
    assert hours.next_opening(schedule, local(2026, 1, 1, 0, 0)) is None
    assert hours.status(schedule, local(2026, 1, 1, 0, 0)) == hours.OpenStatus(False, None, None)


def test_business_minutes_over_lunch_a_holiday_and_a_weekend() -> None:
    schedule = hours.schedule_of(SPLIT)
    # Monday 11:00 to 14:00: 60 before lunch + 60 after.
    assert hours.business_minutes(schedule, local(2026, 12, 21, 11), local(2026, 12, 21, 14)) == 120
    # Thursday 16:00 to Monday 10:00: 60 Thursday, Friday closed, 120 Saturday, 60 Monday.
    assert hours.business_minutes(schedule, local(2026, 12, 24, 16), local(2026, 12, 28, 10)) == 240
    assert hours.business_minutes(schedule, local(2026, 12, 28, 10), local(2026, 12, 24, 16)) == 0


# America/Chicago: clocks go forward at 02:00 on 2026-03-08 and back at 02:00 on 2026-11-01.
ALL_DAY = Place(hours={day: [["00:00", "24:00"]] for day in hours.DAYS})
NIGHT = Place(hours={"sun": [["01:00", "04:00"]]})


def test_business_minutes_on_the_day_clocks_go_forward() -> None:
    schedule = hours.schedule_of(ALL_DAY)
    assert hours.business_minutes(schedule, local(2026, 3, 8, 0), local(2026, 3, 9, 0)) == 23 * 60
    # 01:00 to 04:00 local that night is only two real hours.
    assert hours.business_minutes(hours.schedule_of(NIGHT), local(2026, 3, 7, 12), local(2026, 3, 9, 0)) == 120


def test_business_minutes_on_the_day_clocks_go_back() -> None:
    schedule = hours.schedule_of(ALL_DAY)
    assert hours.business_minutes(schedule, local(2026, 11, 1, 0), local(2026, 11, 2, 0)) == 25 * 60
    assert hours.business_minutes(hours.schedule_of(NIGHT), local(2026, 10, 31, 12), local(2026, 11, 2, 0)) == 240


def test_open_and_next_opening_across_the_spring_change() -> None:
    schedule = hours.schedule_of(Place(hours={"sun": [["09:00", "17:00"]]}))
    # Saturday 09:00 CST -> Sunday 09:00 CDT is 23 real hours later, and shown as 09:00.
    found = hours.next_opening(schedule, local(2026, 3, 7, 9, 0))
    assert found is not None
    assert (found.hour, found.minute) == (9, 0)
    assert found.utcoffset().total_seconds() == -5 * 3600  # type: ignore[union-attr]
    assert hours.is_open(schedule, datetime(2026, 3, 8, 14, 0, tzinfo=UTC))  # 09:00 CDT
    assert not hours.is_open(schedule, datetime(2026, 3, 8, 13, 30, tzinfo=UTC))  # 08:30 CDT


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        hours.is_open(hours.schedule_of(SPLIT), datetime(2026, 12, 21, 10, 0))  # noqa: DTZ001


@pytest.mark.parametrize(("typed", "stored"), [
    ("9:00-12:00, 13:00-17:00", [["09:00", "12:00"], ["13:00", "17:00"]]),
    ("13-17; 9-12", [["09:00", "12:00"], ["13:00", "17:00"]]),
    ("20:00-24:00", [["20:00", "24:00"]]),
    ("", []),
])
def test_parse_day(typed: str, stored: list[list[str]]) -> None:
    assert hours.parse_day(typed) == stored


@pytest.mark.parametrize("typed", ["9-", "noon-5", "17:00-09:00", "9:00-12:00, 11:00-13:00", "25:00-26:00"])
def test_parse_day_refuses(typed: str) -> None:
    with pytest.raises(hours.HoursError):
        hours.parse_day(typed)


def test_closed_dates_round_trip() -> None:
    assert hours.parse_closed_dates("2026-12-25\n2026-01-01, 2026-12-25") == ["2026-01-01", "2026-12-25"]
    with pytest.raises(hours.HoursError, match="12/25"):
        hours.parse_closed_dates("12/25/2026")


def test_format_day_writes_what_parse_day_reads() -> None:
    text = hours.format_day(SPLIT.hours, "mon")
    assert text == "09:00-12:00, 13:00-17:00"
    assert hours.parse_day(text) == SPLIT.hours["mon"]


@pytest.mark.parametrize(("start", "minutes", "expected"), [
    (local(2026, 12, 21, 10, 0), 60, local(2026, 12, 21, 11, 0)),
    (local(2026, 12, 21, 11, 30), 60, local(2026, 12, 21, 13, 30)),  # over lunch
    (local(2026, 12, 21, 18, 0), 60, local(2026, 12, 22, 10, 0)),  # a closed evening
    (local(2026, 12, 24, 16, 0), 240, local(2026, 12, 28, 10, 0)),  # Thu 1 h, Christmas closed, Sat 2 h, Mon 1 h
    (local(2026, 12, 26, 11, 30), 60, local(2026, 12, 28, 9, 30)),  # Sunday closed
    (local(2026, 12, 21, 9, 0), 0, local(2026, 12, 21, 9, 0)),
])
def test_add_business_minutes(start: datetime, minutes: int, expected: datetime) -> None:
    schedule = hours.schedule_of(SPLIT)
    due = hours.add_business_minutes(schedule, start, minutes)
    assert due == expected
    assert due is not None
    if start.hour >= 9 and start.hour < 17 and start.weekday() < 5:
        assert hours.business_minutes(schedule, start, due) == minutes


def test_add_business_minutes_across_the_autumn_change() -> None:
    always = hours.schedule_of(Place(hours={d: [["00:00", "24:00"]] for d in hours.DAYS}))
    # 2026-11-01: Chicago falls back at 02:00, so this local day has 25 hours.
    start = local(2026, 11, 1, 0, 0)  # 05:00 UTC, still daylight time
    due = hours.add_business_minutes(always, start, 180)
    assert due == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)  # three real hours later
    assert due.astimezone(CHICAGO).hour == 2  # the wall clock shows two, an hour was repeated


def test_add_business_minutes_never_open() -> None:
    assert hours.add_business_minutes(hours.schedule_of(Place(hours={})), local(2026, 12, 21, 9, 0), 60) is None


def test_a_place_open_around_the_clock_never_closes_at_midnight() -> None:
    schedule = hours.schedule_of(ALL_DAY)
    state = hours.status(schedule, local(2026, 12, 21, 22, 0))
    assert state.open_now and state.closes_at is None and state.always_open


def test_hours_that_run_past_midnight_close_when_they_really_close() -> None:
    late = Place(hours={"mon": [["18:00", "24:00"]], "tue": [["00:00", "02:00"]]})
    state = hours.status(hours.schedule_of(late), local(2026, 12, 21, 23, 0))
    assert state.closes_at == local(2026, 12, 22, 2, 0) and not state.always_open


def test_open_24_hours_is_said_so_in_the_households_language(app: Any) -> None:
    from flask_babel import force_locale

    from services.status import hours_line

    with app.app_context():
        with force_locale("en"):
            assert hours_line(ALL_DAY, local(2026, 12, 21, 22, 0)) == "Open 24 hours."  # type: ignore[arg-type]
        with force_locale("es"):
            assert hours_line(ALL_DAY, local(2026, 12, 21, 22, 0)) == "Abierto las 24 horas."  # type: ignore[arg-type]
