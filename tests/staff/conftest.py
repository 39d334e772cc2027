"""A small world for the staff tests: two regions, three access points, one user per role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from extensions import db
from models import (
    AccessPoint,
    AccessPointKind,
    Answer,
    Channel,
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    ContinuumOfCare,
    Intake,
    IntakeStatus,
    Region,
    Role,
    Track,
    User,
)
from models.base import utcnow
from services.pii import current_cipher

PASSWORD = "correct horse battery staple"
# Hash once: argon2 is deliberately slow.
PASSWORD_HASH = PasswordHasher().hash(PASSWORD)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class World:
    app: Flask
    aps: dict[str, AccessPoint] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    intakes: dict[str, Intake] = field(default_factory=dict)
    pii: dict[str, list[str]] = field(default_factory=dict)

    def user_id(self, name: str) -> int:
        return self.users[name].id


def add_user(session: Session, email: str, role: Role, aps: list[AccessPoint] = (),  # type: ignore[assignment]
             region: Region | None = None, language: str = "en", name: str | None = None) -> User:
    user = User(email=email, display_name=name or email.split("@")[0], password_hash=PASSWORD_HASH,
                role=role, region=region, language=language, access_points=list(aps))
    session.add(user)
    session.flush()
    return user


def make_intake(session: Session, ap: AccessPoint, *, channel: Channel = Channel.KIOSK, language: str = "en",
                priority: int = 0, reasons: tuple[str, ...] = (), submitted_at: datetime | None = None,
                confidential: bool = False, share: bool = True, phone: str | None = None,
                name: str | None = None, dob: str | None = None, safe_to_text: str = "1",
                safe_to_voicemail: str = "1", track: Track = Track.HOMELESS, callback: bool = False,
                diversion: bool = False) -> Intake:
    """Add a submitted intake routed to ``ap`` with encrypted identifying answers."""
    cipher = current_cipher()
    intake = Intake(channel=channel, language=language, status=IntakeStatus.SUBMITTED,
                    routed_access_point_id=ap.id, coc_id=ap.coc_id, priority=priority,
                    priority_reasons=list(reasons), confidential=confidential, track=track,
                    submitted_at=submitted_at or utcnow(), callback_requested=callback,
                    diversion_candidate=diversion)
    codes: list[tuple[str, str, str | None]] = [
        ("language", language, None), ("slept_last_night", "outside", None), ("adults", "1", None),
        ("children", "2", None), ("veteran", "0", None),
    ]
    if phone:
        codes += [("phone", "given", phone), ("safe_to_text", safe_to_text, None),
                  ("safe_to_voicemail", safe_to_voicemail, None)]
        intake.contact_phone_index = cipher.phone_index(phone)
    if name:
        codes.append(("contact_name", "given", name))
        codes.append(("legal_name", "given", name))
    if dob:
        codes.append(("dob", "given", dob))
    codes.append(("consent_share", "1" if share else "0", None))
    for key, code, value in codes:
        intake.answers.append(Answer(key=key, code=code, value_enc=cipher.encrypt(value) if value else None))

    def consent(kind: ConsentKind, granted: bool) -> ConsentRecord:
        return ConsentRecord(kind=kind, granted=granted, method=ConsentMethod.TAP, channel=channel,
                             flow_version=1)

    intake.consents.append(consent(ConsentKind.SHARE_ANSWERS, share))
    if phone:
        intake.consents.append(consent(ConsentKind.CONTACT, True))
        intake.consents.append(consent(ConsentKind.SMS, safe_to_text == "1"))
    session.add(intake)
    session.flush()
    intake.reference_code = f"T{intake.id:02d}-{intake.id:03d}"[:7]
    session.flush()
    return intake


@pytest.fixture
def world(app: Flask) -> World:
    """Build: region 1 (access point A, victim service provider V), region 2 (access point B)."""
    w = World(app)
    with app.app_context():
        s = db.session
        coc = ContinuumOfCare(code="KS-507", name="Kansas Balance of State", is_home=True)
        s.add(coc)
        s.flush()
        r1 = Region(coc_id=coc.id, number=1, name="Region one")
        r2 = Region(coc_id=coc.id, number=2, name="Region two")
        s.add_all([r1, r2])
        s.flush()
        for key, name, region, kind in [
            ("A", "Access point Alpha", r1, AccessPointKind.PHYSICAL),
            ("B", "Access point Bravo", r2, AccessPointKind.PHYSICAL),
            ("V", "Victim services Victor", r1, AccessPointKind.VSP),
        ]:
            ap = AccessPoint(slug=f"ap-{key.lower()}", name=name, coc_id=coc.id, region_id=region.id, kind=kind,
                             phone="785-555-0100", timezone="America/Chicago")
            s.add(ap)
            s.flush()
            w.aps[key] = ap
        w.users["staff"] = add_user(s, "staff@example.org", Role.STAFF, [w.aps["A"]], name="Sam Staff")
        w.users["staff_b"] = add_user(s, "staffb@example.org", Role.STAFF, [w.aps["B"]], name="Bea Bravo")
        w.users["staff2"] = add_user(s, "staff2@example.org", Role.STAFF, [w.aps["A"]], name="Sky Second")
        # Plain staff at the victim service provider's access point: sees that its confidential
        # intakes exist, may do nothing with them.
        w.users["staff_v"] = add_user(s, "staffv@example.org", Role.STAFF, [w.aps["V"]], name="Vic Desk")
        w.users["vsp"] = add_user(s, "vsp@example.org", Role.VSP_STAFF, [w.aps["V"]], name="Val Advocate")
        w.users["coordinator"] = add_user(s, "coord@example.org", Role.COORDINATOR, region=r1, name="Cor Dinator")
        w.users["admin"] = add_user(s, "admin@example.org", Role.ADMIN, name="Ada Admin")
        w.intakes["own"] = make_intake(s, w.aps["A"], phone="+17855550111", name="Maria Alpha",
                                       dob="1980-03-25", priority=5, reasons=("slept_outside", "children"))
        w.intakes["other"] = make_intake(s, w.aps["B"], phone="+17855550122", name="Boris Bravo",
                                         dob="1975-01-02", priority=3)
        w.intakes["confidential"] = make_intake(s, w.aps["V"], phone="+17855550133", name="Celia Secret",
                                                dob="1990-07-07", confidential=True, priority=4)
        w.pii = {
            "own": ["Maria Alpha", "+17855550111", "1980-03-25"],
            "other": ["Boris Bravo", "+17855550122", "1975-01-02"],
            "confidential": ["Celia Secret", "+17855550133", "1990-07-07"],
        }
        s.commit()
        for obj in [*w.aps.values(), *w.users.values(), *w.intakes.values()]:
            s.refresh(obj)
        s.expunge_all()
    return w


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    return client.post("/staff/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def signed_in(client: FlaskClient, world: World) -> Callable[[str], str]:
    """Return ``signed_in(user_key)``: sign that user in and return a CSRF token."""

    def sign(user_key: str) -> str:
        response = login(client, world.users[user_key].email)
        assert response.status_code == 303, response.get_data(as_text=True)
        return csrf_from(client.get("/staff/").get_data(as_text=True))

    return sign


def minutes_ago(n: int) -> datetime:
    return utcnow() - timedelta(minutes=n)


#: The most threads a race test runs at once (each holds a connection).
RACERS = 20


@pytest.fixture(params=["sqlite", "postgresql"])
def race_app(request: pytest.FixtureRequest, make_app: Callable[..., Flask], tmp_path: Path) -> Iterator[Flask]:
    """A migrated app on its own database of each engine, with a connection for every racer."""
    if request.param == "sqlite":
        app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'race.sqlite3'}", SQLALCHEMY_ENGINE_OPTIONS={})
    else:
        app = make_app(SQLALCHEMY_DATABASE_URI=request.getfixturevalue("pg_url"),
                       SQLALCHEMY_ENGINE_OPTIONS={"pool_size": RACERS + 2})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
        assert db.engine.dialect.name == request.param
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
