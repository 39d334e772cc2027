"""In Chromium on a 390x844 phone: an outreach worker logs a contact without a name (the connection
drops on the first send), walks an intake with a household in Spanish sharing an approximate
location, and the coordinator sees it on the map as a county count."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from extensions import db
from models import ContactResult, County, Intake, OutreachContact, User
from models.base import utcnow
from services.accounts import create_user
from services.demo import load_demo
from services.pii import current_cipher

from .conftest import PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
# The test drops connections on purpose; Werkzeug's test server then leaves the static file it was
# sending unclosed (a warning in its thread, not a fault of the app).
pytestmark = [pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning"),
              pytest.mark.filterwarnings("ignore:Exception ignored in:pytest.PytestUnraisableExceptionWarning")]
HAYS = {"latitude": 38.87934, "longitude": -99.32671}
ELLIS = "20051"


def sign_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


@pytest.mark.browser
def test_outreach_on_a_phone_with_a_dropped_connection_ends_on_the_map(
        app: Flask, live_server: Any, new_page: Any, artifacts_dir: Path) -> None:
    with app.app_context():
        load_demo(db.session, users=False)
        ellis = db.session.scalar(select(County).where(County.fips == ELLIS))
        assert ellis is not None and ellis.region is not None
        number = ellis.region.number
        create_user(db.session, "oli@example.org", PASSWORD, "outreach", [], number, display_name="Oli Outreach")
        create_user(db.session, "cora@example.org", PASSWORD, "coordinator", [], number, display_name="Cora Coord")
        db.session.commit()
    shots = artifacts_dir
    page = new_page(**PHONE, geolocation=HAYS, permissions=["geolocation"])
    sign_in(page, live_server.url, "oli@example.org")

    # 1. A contact without a name; the connection drops on the first send.
    follow(page, page.get_by_role("link", name="Outreach", exact=True))
    form = page.locator("#contact-form")
    form.locator("select[name=county]").select_option(ELLIS)
    form.locator("input[name=place]").fill("Behind the grain elevator")
    form.locator("input[name=people]").fill("2")
    form.locator("select[name=language]").select_option("es")
    form.locator("input[name=result][value=declined]").check()
    page.screenshot(path=str(shots / "outreach-1-contact-form.png"), full_page=True)
    page.context.set_offline(True)
    form.get_by_role("button", name="Log contact").click()
    offline = page.locator("[data-offline]")
    offline.wait_for(state="visible")
    assert form.locator("input[name=place]").input_value() == "Behind the grain elevator"
    assert form.locator("input[name=people]").input_value() == "2"
    assert form.locator("input[name=result][value=declined]").is_checked()
    page.screenshot(path=str(shots / "outreach-2-connection-dropped.png"), full_page=True)
    with app.app_context():
        assert db.session.scalars(select(OutreachContact)).first() is None
    page.context.set_offline(False)
    offline.get_by_role("button", name="Try again").click()
    page.wait_for_selector("text=Contact logged. No name was kept.")
    with app.app_context():
        (contact,) = db.session.scalars(select(OutreachContact)).all()
        assert (contact.people, contact.county_fips, contact.result) == (2, ELLIS, ContactResult.DECLINED)
        assert current_cipher().decrypt(contact.place_enc or b"") == "Behind the grain elevator"
    # Sent: nothing is kept in the tab any more.
    assert page.evaluate("sessionStorage.length") == 0

    # 2. An intake with a household in Spanish, with an approximate location.
    follow(page, page.get_by_role("link", name="New intake with a household").first)
    page.locator("button.big[name=lang][value=es]").click()
    page.wait_for_url("**/staff/assist/where")
    share = page.locator("[data-geo]")
    assert share.is_visible() and page.locator("[data-geo-button]").is_disabled()
    page.locator("[data-geo-consent]").check()
    page.locator("[data-geo-button]").click()
    page.wait_for_selector("text=Location noted, rounded to about 100 m.")
    assert page.locator("input[name=latitude]").input_value() == "38.879"
    page.screenshot(path=str(shots / "outreach-3-where-met.png"), full_page=True)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/staff/assist/q/**")
    assert "You are walking this intake with a household" in page.inner_text(".assist-strip")
    assert page.locator("html").get_attribute("lang") == "es"
    page.screenshot(path=str(shots / "outreach-4-question-es.png"), full_page=True)
    for _ in range(40):
        if page.url.endswith("/staff/assist/review"):
            break
        before = page.url
        page.locator("button[value=skip]").click()  # sent in the background, then the next page
        page.wait_for_function("before => window.location.href !== before", arg=before)
        page.wait_for_load_state()
    assert page.url.endswith("/staff/assist/review")
    page.locator("form[action$='/staff/assist/submit'] button[type=submit]").click()
    page.wait_for_url("**/staff/assist/done")
    page.screenshot(path=str(shots / "outreach-5-confirmation.png"), full_page=True)
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        worker = db.session.scalar(select(User).where(User.email == "oli@example.org"))
        assert intake.channel == "assisted" and intake.assisted_by_id == worker.id  # type: ignore[union-attr]
        assert intake.met_county_fips == ELLIS and intake.reference_code in page.content()
        # Five more people met in Ellis this week, so the county's count shows as a number.
        db.session.add(OutreachContact(user_id=worker.id, region_id=worker.region_id,  # type: ignore[union-attr]
                                       met_on=utcnow().date() - timedelta(days=2), county_fips=ELLIS,
                                       people=5, language="en", result=ContactResult.ENGAGED))
        db.session.commit()

    # 3. The coordinator's map: a county count, never a point.
    coordinator = new_page(viewport={"width": 1280, "height": 900})
    sign_in(coordinator, live_server.url, "cora@example.org")
    coordinator.get_by_role("link", name="Outreach map").click()
    row = coordinator.locator("tbody tr", has_text="Ellis")
    assert row.locator("td").all_inner_texts() == ["7", "fewer than 5", "5 or more"]
    assert coordinator.locator("svg.county-map path.band-2").count() == 1
    assert coordinator.locator("svg.county-map circle").count() == 0
    coordinator.screenshot(path=str(shots / "outreach-6-coordinator-map.png"), full_page=True)


def follow(page: Any, link: Any) -> None:
    """Open a link and wait until the new page's script keeps failed sends (a click before that would
    post the plain way, and a cut connection would show the browser's own error page instead)."""
    with page.expect_navigation():
        link.click()
    page.wait_for_selector("html[data-keeps-sends]", state="attached")


def cut_after_the_server(page: Any, pattern: str) -> dict[str, int]:
    """Let the next request to ``pattern`` reach the server, then drop the connection before the answer
    arrives (the browser keeps its cookies as they were: nothing of the answer got through)."""
    seen = {"cut": 0, "passed": 0}

    def handle(route: Any) -> None:
        if seen["cut"]:
            seen["passed"] += 1
            route.continue_()
            return
        cookies = page.context.cookies()
        route.fetch(max_redirects=0)  # the server takes the request and saves
        page.context.clear_cookies()
        page.context.add_cookies(cookies)
        seen["cut"] += 1
        route.abort("connectionreset")

    page.route(pattern, handle)
    return seen


@pytest.mark.browser
def test_try_again_after_an_answer_lost_on_the_way_back_keeps_one_row(
        app: Flask, live_server: Any, new_page: Any, artifacts_dir: Path) -> None:
    with app.app_context():
        load_demo(db.session, users=False)
        ellis = db.session.scalar(select(County).where(County.fips == ELLIS))
        assert ellis is not None and ellis.region is not None
        create_user(db.session, "oli@example.org", PASSWORD, "outreach", [], ellis.region.number,
                    display_name="Oli Outreach")
        db.session.commit()
    page = new_page(**PHONE)
    sign_in(page, live_server.url, "oli@example.org")

    # 1. The contact log: saved, the answer lost, Try again: one contact.
    follow(page, page.get_by_role("link", name="Outreach", exact=True))
    form = page.locator("#contact-form")
    form.locator("select[name=county]").select_option(ELLIS)
    form.locator("input[name=people]").fill("3")
    form.locator("input[name=result][value=engaged]").check()
    contacts = cut_after_the_server(page, "**/staff/outreach/contacts")
    form.get_by_role("button", name="Log contact").click()
    offline = page.locator("[data-offline]")
    offline.wait_for(state="visible")
    with app.app_context():
        assert len(db.session.scalars(select(OutreachContact)).all()) == 1  # the server did save it
    assert form.locator("input[name=people]").input_value() == "3"
    page.screenshot(path=str(artifacts_dir / "outreach-7-answer-lost.png"), full_page=True)
    offline.get_by_role("button", name="Try again").click()
    page.wait_for_selector("text=Contact logged. No name was kept.")
    assert contacts == {"cut": 1, "passed": 1}
    with app.app_context():
        (contact,) = db.session.scalars(select(OutreachContact)).all()
        assert (contact.people, contact.result, contact.submission_key is not None) == (
            3, ContactResult.ENGAGED, True)
    assert page.locator("tbody tr").count() == 1

    # 2. Starting an intake with a household: the answer lost, Try again: one intake.
    starts = cut_after_the_server(page, "**/staff/assist/start")
    follow(page, page.get_by_role("link", name="New intake with a household").first)
    page.locator("button.big[name=lang][value=es]").click()
    strip = page.locator(".assist-strip [data-offline]")
    strip.wait_for(state="visible")
    strip.get_by_role("button", name="Try again").click()
    page.wait_for_url("**/staff/assist/where")
    assert starts == {"cut": 1, "passed": 1}
    with app.app_context():
        (intake,) = db.session.scalars(select(Intake)).all()
        assert intake.language == "es" and intake.start_key is not None

    # 3. "Next" on where we met, then every question skipped; the last page's send is cut on the
    # way back; then sending the intake is cut too; Try again each time.
    page.locator("select[name=county]").select_option(ELLIS)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/staff/assist/q/**")
    for _ in range(40):
        if page.url.endswith("/staff/assist/review"):
            break
        before = page.url
        page.locator("button[value=skip]").click()
        page.wait_for_function("before => window.location.href !== before", arg=before)
        page.wait_for_load_state()
    assert page.url.endswith("/staff/assist/review")
    submits = cut_after_the_server(page, "**/staff/assist/submit")
    page.locator("form[action$='/staff/assist/submit'] button[type=submit]").click()
    strip.wait_for(state="visible")
    page.screenshot(path=str(artifacts_dir / "outreach-8-submit-lost.png"), full_page=True)
    strip.get_by_role("button", name="Try again").click()
    page.wait_for_url("**/staff/assist/done")
    assert submits == {"cut": 1, "passed": 1}
    with app.app_context():
        (intake,) = db.session.scalars(select(Intake)).all()
        assert intake.status == "submitted" and intake.met_county_fips == ELLIS
        assert intake.reference_code and intake.reference_code in page.content()
    page.screenshot(path=str(artifacts_dir / "outreach-9-submitted-once.png"), full_page=True)


@pytest.mark.browser
def test_where_we_met_typed_for_one_household_is_not_offered_to_the_next(
        app: Flask, live_server: Any, new_page: Any) -> None:
    with app.app_context():
        load_demo(db.session, users=False)
        ellis = db.session.scalar(select(County).where(County.fips == ELLIS))
        assert ellis is not None and ellis.region is not None
        create_user(db.session, "oli@example.org", PASSWORD, "outreach", [], ellis.region.number,
                    display_name="Oli Outreach")
        db.session.commit()
    page = new_page(**PHONE)
    sign_in(page, live_server.url, "oli@example.org")
    for household in ("first", "second"):
        page.goto(f"{live_server.url}/staff/assist/")
        page.locator("button.big[name=lang][value=en]").click()
        page.wait_for_url("**/staff/assist/where")
        place = page.locator("input[name=place]")
        if household == "first":
            place.fill("Under the Vine Street bridge")
            page.reload()  # kept in this tab while it is the same household
            assert place.input_value() == "Under the Vine Street bridge"
            page.get_by_role("link", name="Quick exit").click()  # left without sending it
            page.wait_for_url("**/forecast")
        else:
            assert place.input_value() == ""
            assert page.evaluate("sessionStorage.length") == 0
