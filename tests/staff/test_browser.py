"""In Chromium: a staff member signs in, claims an intake that came in by SMS, logs a call and
records the outcome."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from extensions import db
from intake_forms import ParseResult
from models import Channel
from services import intake as intake_service
from services.accounts import create_user
from services.demo import load_demo

from .conftest import PASSWORD

REPLIES = {
    "language": "1",
    "start_choice": "1",
    "safe_now": "yes",
    "fleeing_violence": "no",
    "slept_last_night": "1",
    "adults": "1",
    "children": "2",
    "veteran": "no",
    "location": "67601",
    "contact_method": "call",
    "phone": "785-555-0199",
    "safe_to_text": "yes",
    "safe_to_voicemail": "no",
    "contact_name": "Dana Test",
    "consent_share": "yes",
}


def sms_intake(app: Flask) -> tuple[str, str]:
    """Walk an SMS intake through services.intake and submit it; return its code and id."""
    with app.app_context():
        s = db.session
        intake = intake_service.start_intake(s, channel=Channel.SMS, language="en")
        for _ in range(80):
            q = intake_service.current_question(intake)
            if q is None:
                break
            if q.key in REPLIES:
                step = intake_service.answer(s, intake, q.key, REPLIES[q.key])
                assert step.ok, (q.key, step.error)
            else:
                intake_service.record(s, intake, q.key, ParseResult(ok=True, code=q.skip_code))
        result = intake_service.submit(s, intake)
        assert result.access_point is not None and result.access_point.slug == "sample-hays"
        return intake.reference_code or "", intake.public_id


def test_staff_claims_an_sms_intake_logs_a_call_and_records_the_outcome(
    app: Flask, live_server, page, artifacts_dir: Path
) -> None:
    with app.app_context():
        load_demo(db.session)
        create_user(db.session, "pat@example.org", PASSWORD, "staff", ["sample-hays"], display_name="Pat Worker")
        db.session.commit()
    code, public_id = sms_intake(app)

    page.goto(f"{live_server.url}/staff/")
    page.fill("#email", "pat@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("table.queue")
    row = page.locator(f'tr[data-public-id="{public_id}"]')
    assert code in row.inner_text()
    assert "Text message" in row.inner_text()
    page.screenshot(path=str(artifacts_dir / "staff-1-queue.png"), full_page=True)

    row.get_by_role("button", name="Claim").click()
    page.wait_for_selector("text=You have claimed this intake.")
    assert "Claimed by Pat Worker" in page.inner_text("#status")
    # The safety flag cannot be missed: no voicemail for this household.
    assert page.locator("#safety .no-voicemail").is_visible()
    assert "Dana Test" in page.content()
    page.screenshot(path=str(artifacts_dir / "staff-2-claimed.png"), full_page=True)

    form = page.locator("#contact-form")
    form.locator("select[name=method]").select_option("phone")
    form.locator("select[name=result]").select_option("reached")
    form.locator("textarea[name=note]").fill("Talked about staying with her aunt.")
    form.get_by_role("button", name="Log contact attempt").click()
    page.wait_for_selector("text=The contact attempt has been logged.")
    assert "Talked about staying with her aunt." in page.inner_text("ol.events")

    outcome = page.locator("#outcome-form")
    outcome.locator("select[name=outcome]").select_option("assessed_in_hmis")
    outcome.locator("input[name=hmis_client_id]").fill("CL-4411")
    outcome.get_by_role("button", name="Record outcome").click()
    page.wait_for_selector("text=The outcome has been recorded")
    assert "Assessment done in HMIS" in page.inner_text("#status")
    page.screenshot(path=str(artifacts_dir / "staff-3-outcome.png"), full_page=True)

    page.click("text=Back to the queue")
    assert page.locator(f'tr[data-public-id="{public_id}"]').count() == 0
    # Titles and addresses never carry personal data.
    assert "Dana" not in page.title() and "Dana" not in page.url
