"""Staff see who needs an interpreter, in which language, and can list only those."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from intake_forms import interpreter
from models import Intake
from services.pii import current_cipher

from .conftest import World, make_intake


def test_the_queue_and_the_intake_page_show_the_interpreter_language(
        app: Flask, client: FlaskClient, world: World, signed_in: Callable[[str], str]) -> None:
    with app.app_context():
        ap = db.session.merge(world.aps["A"])
        listed = make_intake(db.session, ap, phone="+17855550144", callback=True)
        listed.interpreter_language = "sw"
        typed = make_intake(db.session, ap, phone="+17855550145", callback=True)
        typed.interpreter_language = interpreter.UNLISTED
        typed.interpreter_said_enc = current_cipher().encrypt("Kirundi ya Burundi")
        db.session.commit()
        ids = (listed.public_id, typed.public_id, listed.reference_code, typed.reference_code)
    signed_in("staff")
    page = client.get("/staff/").get_data(as_text=True)
    assert "Call back with an interpreter in Swahili (Kiswahili)" in page
    assert "Call back with an interpreter<" in page  # the typed words are not listed in the queue
    assert "Kirundi" not in page
    needs = client.get("/staff/?flag=needs_interpreter").get_data(as_text=True)
    assert ids[2] in needs and ids[3] in needs and world.intakes["own"].reference_code not in needs
    assert "Needs interpreter (2)" in needs
    detail = client.get(f"/staff/intakes/{ids[1]}").get_data(as_text=True)
    assert "Call back with an interpreter in Kirundi ya Burundi" in detail
    detail = client.get(f"/staff/intakes/{ids[0]}").get_data(as_text=True)
    assert "Call back with an interpreter in Swahili (Kiswahili)" in detail


def test_a_completed_intake_that_asked_for_an_interpreter_is_flagged_in_its_language(app: Flask) -> None:
    from models import Channel
    from services import intake as intakes

    with app.app_context():
        intake = intakes.start_intake(db.session, channel=Channel.KIOSK, language="es")
        for key, code in (("start_choice", "talk"), ("contact_method", "come_back"), ("interpreter", "1")):
            intakes.set_code(db.session, intake, key, code)
        intakes.submit(db.session, intake, incomplete=True)
        assert db.session.get(Intake, intake.id).interpreter_language == "es"
