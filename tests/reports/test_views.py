"""Report pages and downloads: who may see which, what they show, what they never show."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient

from extensions import db
from models import Role

from .conftest import World, add_user, login

RANGE = "start=2026-03-09&end=2026-03-11"
ROLES = ("admin", "coordinator", "coordinator_other", "staff", "staff_b", "vsp", "anonymous")


def codes(admin: int, coordinator: int, coordinator_other: int, staff: int, staff_b: int, vsp: int
          ) -> dict[str, int]:
    return {"admin": admin, "coordinator": coordinator, "coordinator_other": coordinator_other, "staff": staff,
            "staff_b": staff_b, "vsp": vsp, "anonymous": 302}


# Every report route, for each scope: coordinator = region 1, coordinator_other = region 2,
# staff = access point A (region 1), staff_b = B (region 2), vsp = V (region 1).
ROUTES = [
    ("/staff/reports/", codes(200, 200, 200, 200, 200, 200)),
    ("/staff/reports/?scope=coc", codes(200, 404, 404, 404, 404, 404)),
    ("/staff/reports/?scope=region-1", codes(200, 200, 404, 404, 404, 404)),
    ("/staff/reports/?scope=region-2", codes(200, 404, 200, 404, 404, 404)),
    ("/staff/reports/?scope=ap-ap-a", codes(200, 200, 404, 200, 404, 404)),
    ("/staff/reports/?scope=ap-ap-b", codes(200, 404, 200, 404, 200, 404)),
    ("/staff/reports/?scope=ap-ap-v", codes(200, 200, 404, 404, 404, 200)),
    ("/staff/reports/?scope=region-99", codes(404, 404, 404, 404, 404, 404)),
    ("/staff/reports/by_channel.csv", codes(200, 200, 200, 200, 200, 200)),
    ("/staff/reports/timings.csv?scope=coc", codes(200, 404, 404, 404, 404, 404)),
    ("/staff/reports/by_county.csv?scope=region-1", codes(200, 200, 404, 404, 404, 404)),
    ("/staff/reports/by_day.csv?scope=ap-ap-b", codes(200, 404, 200, 404, 200, 404)),
    ("/staff/reports/outcomes.csv?scope=ap-ap-v", codes(200, 200, 404, 404, 404, 200)),
    ("/staff/reports/nothing.csv", codes(404, 404, 404, 404, 404, 404)),
    ("/staff/reports/case-conferencing", codes(200, 200, 200, 404, 404, 404)),
    ("/staff/reports/case-conferencing?region=1", codes(200, 200, 404, 404, 404, 404)),
    ("/staff/reports/case-conferencing?region=2", codes(200, 404, 200, 404, 404, 404)),
    ("/staff/reports/case-conferencing.csv?region=1", codes(200, 200, 404, 404, 404, 404)),
    ("/staff/reports/case-conferencing.csv?region=2", codes(200, 404, 200, 404, 404, 404)),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_report_route(client: FlaskClient, known_day: World, role: str) -> None:
    with known_day.app.app_context():
        from models import Region

        r2 = db.session.query(Region).filter_by(number=2).one()
        other = add_user(db.session, "coord2@example.org", Role.COORDINATOR, region=r2, name="Other Coordinator")
        db.session.commit()
        other_email = other.email
    if role != "anonymous":
        email = other_email if role == "coordinator_other" else known_day.users[role].email
        assert login(client, email).status_code == 303
    wrong = []
    for path, expected in ROUTES:
        response = client.get(path)
        if response.status_code != expected[role]:
            wrong.append(f"GET {path}: {response.status_code}, expected {expected[role]}")
        if role == "anonymous":
            assert "/staff/login" in response.headers["Location"]
    assert not wrong, "\n".join(wrong)


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_dashboard_shows_figures_and_small_cells(client: FlaskClient, known_day: World) -> None:
    assert login(client, known_day.users["admin"].email).status_code == 303
    page = client.get(f"/staff/reports/?scope=ap-ap-a&{RANGE}").get_data(as_text=True)
    assert "fewer than 5" in page
    # The same complementary suppression as the downloads: 5 texts beside 2 calls are not shown.
    assert re.search(r"Text message</th><td>not shown</td>", page)
    assert re.search(r"Phone call</th><td>fewer than 5</td>", page)
    assert "30 min" in page and "46 min" in page  # time to claim: median and 90th percentile
    assert "180 min" not in page and "3.0 hours" in page and "4.6 hours" in page  # first contact
    # The strict CSP: no inline script, no inline style attribute (SVG presentation attributes only).
    assert "<svg" in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\sstyle=", page)
    assert "Ellis" in page
    # No household names or phone numbers anywhere.
    for secret in (*known_day.pii["own"], *known_day.pii["confidential"]):
        assert secret not in page


def test_downloads_hide_small_cells(client: FlaskClient, known_day: World) -> None:
    assert login(client, known_day.users["admin"].email).status_code == 303
    response = client.get(f"/staff/reports/by_channel.csv?scope=ap-ap-a&{RANGE}")
    assert response.mimetype == "text/csv"
    assert 'filename="by-channel-ap-ap-a-2026-03-09-2026-03-11.csv"' in response.headers["Content-Disposition"]
    rows = rows_of(response)
    # 7 intakes: 2 calls alone hidden would be 7 - 5 texts, so the texts are not shown either.
    assert ["Text message", "not shown"] in rows
    assert ["Phone call", "fewer than 5"] in rows
    assert ["Kiosk", "0"] in rows
    assert not any(row[1:] == ["5"] or row[1:] == ["2"] for row in rows[6:])
    timings = rows_of(client.get(f"/staff/reports/timings.csv?scope=ap-ap-a&{RANGE}"))
    assert ["Time to claim", "5", "30.0", "46.0"] in timings
    assert ["Time to first contact", "5", "180.0", "276.0"] in timings
    county = rows_of(client.get(f"/staff/reports/by_county.csv?scope=region-1&{RANGE}"))
    # The confidential intake in Ellis is not counted by county; Ellis's 5 would give Allen away.
    assert ["Ellis", "not shown"] in county
    assert ["Allen", "fewer than 5"] in county


def test_bad_dates_get_a_kind_message(client: FlaskClient, known_day: World) -> None:
    assert login(client, known_day.users["coordinator"].email).status_code == 303
    response = client.get("/staff/reports/?start=yesterday&end=2026-03-11")
    assert response.status_code == 200
    assert "Please give both dates as year-month-day" in response.get_data(as_text=True)


def test_case_conferencing_list(client: FlaskClient, known_day: World) -> None:
    assert login(client, known_day.users["coordinator"].email).status_code == 303
    page = client.get("/staff/reports/case-conferencing").get_data(as_text=True)
    # Open in region 1: the two still-open intakes at A and the world's own intake (priority 5);
    # the confidential ones are counted, never listed.
    assert "Slept outside" in page
    assert "fewer than 5" in page  # confidential referrals waiting
    for secret in (*known_day.pii["own"], *known_day.pii["confidential"]):
        assert secret not in page
    rows = rows_of(client.get("/staff/reports/case-conferencing.csv?region=1"))
    header = rows.index(["Priority", "Reference code", "Reasons", "Track", "Flags", "Access point",
                         "Days waiting", "Held by"])
    listed = rows[header + 1:]
    assert [r[0] for r in listed] == ["6", "5", "5"]  # priority first, then the longest waiting
    assert listed[0][2] == "Slept outside" and listed[0][3] == "Prevention"
    assert all(r[5] == "Access point Alpha" for r in listed)
    assert ["Confidential referrals also waiting (not listed)", "fewer than 5"] in rows
    assert rows[0] == ["Case-conferencing list"] and rows[2][0] == "Drawn"
