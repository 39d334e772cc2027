"""Messages a household sent after submitting: on the intake page, marked new in the queue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from extensions import db
from models import Channel, Intake
from models.base import utcnow
from services import household_messages
from services.pii import current_cipher

from .conftest import World

LONG = "call me after 5pm " + "x" * 1200


def _send(client: FlaskClient, intake_key: str, world: World, body: str, at: datetime | None = None) -> None:
    with client.application.app_context():
        intake = db.session.get(Intake, world.intakes[intake_key].id)
        assert intake is not None
        household_messages.record(db.session, intake, body, channel=Channel.SMS, cipher=current_cipher(),
                                  now=at or utcnow())
        db.session.commit()


def _is_new(client: FlaskClient, intake_key: str, world: World) -> bool:
    with client.application.app_context():
        return db.session.scalar(select(Intake.new_message_at)
                                 .where(Intake.id == world.intakes[intake_key].id)) is not None


def _row(page: str, public_id: str) -> str:
    start = page.index(f'data-public-id="{public_id}"')
    return page[start:page.index("</tr>", start)]


def test_staff_see_the_message_in_local_time_and_the_mark_clears(client: FlaskClient, world: World,
                                                                 signed_in) -> None:
    at = datetime(2026, 11, 29, 23, 30, tzinfo=utcnow().tzinfo)  # 5:30 PM in Kansas (CST)
    _send(client, "own", world, LONG, at)
    signed_in("staff")
    queue_page = client.get("/staff/").get_data(as_text=True)
    assert "New message" in _row(queue_page, world.intakes["own"].public_id)
    assert "New message" not in _row(queue_page, world.intakes["own"].public_id).replace(
        "New message", "", 1)  # once
    page = client.get(f"/staff/intakes/{world.intakes['own'].public_id}").get_data(as_text=True)
    assert "Messages from the household" in page and LONG in page
    assert "5:30" in page and "11:30" not in page
    assert not _is_new(client, "own", world)
    assert "New message" not in _row(client.get("/staff/").get_data(as_text=True), world.intakes["own"].public_id)


def test_a_message_that_arrives_while_the_page_is_read_stays_new(client: FlaskClient, world: World) -> None:
    _send(client, "own", world, "first", utcnow() - timedelta(minutes=5))
    with client.application.app_context():
        intake = db.session.get(Intake, world.intakes["own"].id)
        assert intake is not None
        shown = household_messages.lines(intake, current_cipher())
        # A second text lands after the page was built, before it is marked read.
        intake.new_message_at = utcnow()
        db.session.commit()
        household_messages.mark_read(db.session, intake, max(m.received_at for m in shown))
        db.session.commit()
    assert _is_new(client, "own", world)


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_confidential_messages_are_read_only_by_its_advocates(client: FlaskClient, world: World, signed_in,
                                                              who: str) -> None:
    _send(client, "confidential", world, "He is back, call my work phone only")
    signed_in(who)
    page = client.get(f"/staff/intakes/{world.intakes['confidential'].public_id}").get_data(as_text=True)
    # Others see only that a confidential referral exists: not the message, not even that there is one.
    assert "work phone" not in page
    assert "The household sent" not in page
    assert _is_new(client, "confidential", world)  # not read by someone who may read it


def test_the_advocate_reads_the_confidential_message(client: FlaskClient, world: World, signed_in) -> None:
    _send(client, "confidential", world, "He is back, call my work phone only")
    signed_in("vsp")
    page = client.get(f"/staff/intakes/{world.intakes['confidential'].public_id}").get_data(as_text=True)
    assert "call my work phone only" in page
    assert not _is_new(client, "confidential", world)
