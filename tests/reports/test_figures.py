"""Every dashboard figure against the hand-computed day in ``conftest.known_day``."""

from __future__ import annotations

from datetime import date

import pytest

from extensions import db
from models import Channel, User
from services import reports

from .conftest import DAY, World, make_intake


def board_for(world: World, user_key: str, scope_key: str | None) -> reports.Dashboard:
    user = db.session.get(User, world.users[user_key].id)
    assert user is not None
    scope = reports.resolve_scope(db.session, user, scope_key)
    return reports.dashboard(db.session, scope, reports.DateRange(date(2026, 3, 9), date(2026, 3, 11),
                                                                  "America/Chicago"))


def counts(rows: tuple[reports.Row, ...]) -> dict[str, int | None]:
    return {row.code: row.count for row in rows}


def masked(rows: tuple[reports.Row, ...]) -> set[str]:
    return {row.code for row in rows if row.masked}


def test_access_point_figures_by_hand(known_day: World) -> None:
    with known_day.app.app_context():
        board = board_for(known_day, "admin", "ap-ap-a")
        assert board.total == 7 and not board.total_masked
        assert counts(board.by_day) == {"2026-03-09": 0, "2026-03-10": 7, "2026-03-11": 0}
        # 2 voice alone would be 7 - 5 by subtraction: the 5 texts are masked as well.
        assert counts(board.by_channel) == {"kiosk": 0, "web": 0, "sms": None, "voice": None, "assisted": 0}
        assert masked(board.by_channel) == {"sms"}
        assert counts(board.by_track) == {"homeless": None, "prevention": None}
        assert masked(board.by_track) == {"homeless"}
        assert counts(board.by_category) == {"1": None, "2": None}
        assert counts(board.by_language) == {"en": None, "es": None}
        assert counts(board.outcomes) == {"open": None, "assessed_in_hmis": 0, "diverted": None,
                                          "referred_elsewhere": 0, "unable_to_contact": 0, "declined": 0,
                                          "duplicate": 0}
        assert masked(board.outcomes) == {"diverted"}
        assert counts(board.diversion)["candidates"] == 5
        assert counts(board.diversion)["diverted"] == 5
        assert counts(board.diversion_results) == {"1": 5, "0": 0, "99": 0}
        assert counts(board.flags) == {"out_of_area": 0, "callback_requested": 5, "diversion_candidate": 5}
        assert board.out_of_area_share == 0
        assert counts(board.by_county) == {"20051": None, "20001": None}
        assert masked(board.by_county) == {"20051"}
        # Claims after 10..50 minutes; contacts after 60..300 minutes.
        assert board.to_claim == reports.Timing(5, pytest.approx(30 * 60), pytest.approx(46 * 60))
        assert board.to_contact == reports.Timing(5, pytest.approx(180 * 60), pytest.approx(276 * 60))


def test_region_counts_confidential_intakes_but_not_by_county(known_day: World) -> None:
    with known_day.app.app_context():
        board = board_for(known_day, "coordinator", "region-1")
        assert board.total == 8
        # 6 texts shown would give away the 2 calls (8 - 6): the texts are masked too.
        assert counts(board.by_channel)["sms"] is None and masked(board.by_channel) == {"sms"}
        assert counts(board.by_day)["2026-03-10"] == 8
        # The confidential intake is in Ellis too, but counties are below the region.
        assert counts(board.by_county) == {"20051": None, "20001": None}
        # An access point report leaves confidential intakes out, even the VSP's, for others.
        assert board_for(known_day, "admin", "ap-ap-v").total == 0
        # The victim service provider's own staff count their own, as "fewer than 5".
        own = board_for(known_day, "vsp", "ap-ap-v")
        assert own.total is None
        assert counts(own.by_channel)["sms"] is None
        # The other region and the CoC.
        assert board_for(known_day, "admin", "region-2").total == 0
        assert board_for(known_day, "admin", "coc").total == 8


def test_waiting_times_need_five_intakes(known_day: World) -> None:
    with known_day.app.app_context():
        # Staff at B see their access point: nothing claimed, so no median.
        board = board_for(known_day, "staff_b", None)
        assert board.scope.key == "ap-ap-b"
        assert board.to_claim == reports.Timing(0, None, None)


@pytest.mark.parametrize(("durations", "expected"), [
    ([600.0], (600.0, 600.0)),
    ([100.0, 200.0], (150.0, 190.0)),
    ([10.0, 20.0, 30.0, 40.0, 50.0], (30.0, 46.0)),
    ([5.0, 1.0, 3.0, 2.0, 4.0, 6.0], (3.5, 5.5)),
])
def test_percentiles_match_percentile_cont(app, durations: list[float], expected: tuple[float, float]) -> None:
    """The portable method (SQLite) and percentile_cont (PostgreSQL) give the same numbers."""
    from sqlalchemy import literal, select, union_all

    with app.app_context():
        values = union_all(*[select(literal(v).label("d")) for v in durations]).subquery()
        count, found = reports.percentiles(db.session, select(values.c.d))
        assert count == len(durations)
        assert found == [pytest.approx(expected[0]), pytest.approx(expected[1])]
        if db.engine.dialect.name == "postgresql":  # the histogram gives what percentile_cont gives
            from sqlalchemy import func

            direct = db.session.execute(select(*[func.percentile_cont(f).within_group(values.c.d)
                                                 for f in reports.PERCENTILES])).one()
            assert found == [pytest.approx(float(v)) for v in direct]


def test_the_small_cell_rule(known_day: World) -> None:
    assert [reports.shown(n) for n in range(7)] == [0, None, None, None, None, 5, 6]
    with known_day.app.app_context():
        # Three more voice intakes make five: the cell shows.
        for _ in range(3):
            make_intake(db.session, known_day.aps["A"], channel=Channel.VOICE, submitted_at=DAY)
        db.session.commit()
        assert counts(board_for(known_day, "admin", "ap-ap-a").by_channel)["voice"] == 5


def test_the_date_range_is_read_kindly() -> None:
    zone = "America/Chicago"
    assert reports.parse_range("2026-03-01", "2026-03-31", zone) == (
        reports.DateRange(date(2026, 3, 1), date(2026, 3, 31), zone), None)
    assert reports.parse_range("March", "2026-03-31", zone)[1] == "date"
    assert reports.parse_range("2026-04-01", "2026-03-31", zone)[1] == "order"
    assert reports.parse_range("2024-01-01", "2026-03-31", zone)[1] == "long"
    assert reports.parse_range(None, None, zone)[1] is None
