"""The HMIS export page: coordinators get their region, admins everything, staff their own access
point; anything else is 404; every download is audited and carries no personal data in its name."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from extensions import db
from models import HmisExport
from models.base import utcnow

from ..conftest import PASSWORD, World, csrf_from

URL = "/staff/exports/"


def post_export(client: FlaskClient, token: str, **extra: Any) -> Any:
    today = utcnow().date()
    data = {"csrf_token": token, "start": (today - timedelta(days=2)).isoformat(),
            "end": (today + timedelta(days=1)).isoformat(), **extra}
    return client.post(URL, data=data)


def names_in(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("Client.csv").decode("utf-8")


def test_a_coordinator_downloads_their_region_and_it_is_audited(
        client: FlaskClient, world: World, signed_in: Callable[[str], str],
        hmis_valid: Callable[[bytes], None]) -> None:
    signed_in("coordinator")
    page = client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Access point Alpha" in html and "Access point Bravo" not in html and "Victor" not in html
    response = post_export(client, csrf_from(html))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=hmis-csv-") and "Maria" not in disposition
    data = response.get_data()
    hmis_valid(data)
    clients = names_in(data)
    assert "Maria" in clients and "Boris" not in clients and "Celia" not in clients
    with world.app.app_context():
        (audit,) = db.session.scalars(select(HmisExport)).all()
        assert (audit.user_id, audit.via, audit.households, audit.access_points) == (
            world.user_id("coordinator"), "staff", 1, ["ap-a"])
    assert "Your recent exports" in client.get(URL).get_data(as_text=True)


def test_another_regions_access_point_is_404_and_not_audited(
        client: FlaskClient, world: World, signed_in: Callable[[str], str]) -> None:
    token = signed_in("coordinator")
    for slug in ("ap-b", "ap-v"):
        assert post_export(client, token, access_points=slug).status_code == 404
    with world.app.app_context():
        assert db.session.scalars(select(HmisExport)).all() == []


@pytest.mark.parametrize(("user", "present", "absent"), [
    ("admin", ["Maria", "Boris"], ["Celia"]),
    ("staff_b", ["Boris"], ["Maria", "Celia"]),
])
def test_admins_get_everything_and_staff_their_own_access_point(
        client: FlaskClient, world: World, signed_in: Callable[[str], str], user: str,
        present: list[str], absent: list[str]) -> None:
    token = signed_in(user)
    clients = names_in(post_export(client, token).get_data())
    assert all(name in clients for name in present) and not any(name in clients for name in absent)


def test_staff_of_one_access_point_cannot_reach_another(
        client: FlaskClient, world: World, signed_in: Callable[[str], str]) -> None:
    token = signed_in("staff")
    assert post_export(client, token, access_points="ap-b").status_code == 404


def test_victim_service_provider_staff_have_nothing_to_export(
        client: FlaskClient, world: World, signed_in: Callable[[str], str]) -> None:
    signed_in("vsp")
    assert client.get(URL).status_code == 404
    assert "HMIS export" not in client.get("/staff/").get_data(as_text=True)


def test_a_start_after_the_end_is_explained_and_nothing_is_exported(
        client: FlaskClient, world: World, signed_in: Callable[[str], str]) -> None:
    token = signed_in("admin")
    today = utcnow().date()
    response = client.post(URL, data={"csrf_token": token, "start": today.isoformat(),
                                      "end": (today - timedelta(days=3)).isoformat()})
    assert response.status_code == 422
    assert "The start date must be on or before the end date." in response.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.scalars(select(HmisExport)).all() == []


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient, world: World) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_a_coordinator_downloads_the_export_in_chromium(
        world: World, live_server: Any, page: Any, artifacts_dir: Path,
        hmis_valid: Callable[[bytes], None]) -> None:
    page.goto(f"{live_server.url}/staff/")
    page.fill("#email", world.users["coordinator"].email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="HMIS export").click()
    page.wait_for_selector("#export-form")
    today = utcnow().date()
    page.fill("#start", (today - timedelta(days=7)).isoformat())
    page.fill("#end", (today + timedelta(days=1)).isoformat())
    page.screenshot(path=str(artifacts_dir / "staff-hmis-export.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the HMIS CSV export").click()
    download = info.value
    assert download.suggested_filename.startswith("hmis-csv-") and "Maria" not in download.suggested_filename
    assert "Maria" not in page.url and "Maria" not in page.title()
    data = Path(download.path()).read_bytes()
    hmis_valid(data)
    assert "Maria" in names_in(data) and "Boris" not in names_in(data)
    with world.app.app_context():
        (audit,) = db.session.scalars(select(HmisExport)).all()
        assert audit.user_id == world.user_id("coordinator") and audit.households == 1
