"""Demo data loads once; loading it again changes nothing."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from extensions import db
from models import AccessPoint, AccessPointKind, ContinuumOfCare, County, Kiosk, Region, Role, User
from services.accounts import verify_password
from services.cli import register_commands
from services.demo import load_demo, sample_region_number

MODELS = (ContinuumOfCare, Region, County, AccessPoint, Kiosk, User)


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) or 0 for m in MODELS}


def test_load_twice_changes_nothing(app: Flask) -> None:
    with app.app_context():
        first = load_demo(db.session)
        after_first = counts()
        second = load_demo(db.session)
        assert counts() == after_first
    assert not second.changed and second.credentials == []
    assert first.changed
    assert after_first["ContinuumOfCare"] == 5
    assert after_first["Region"] == 9
    assert after_first["County"] == 105
    assert after_first["Kiosk"] == 1
    assert after_first["User"] == 5
    assert after_first["AccessPoint"] >= 10


def test_demo_contents(app: Flask) -> None:
    with app.app_context():
        result = load_demo(db.session)
        session = db.session
        home = session.scalars(select(ContinuumOfCare).where(ContinuumOfCare.is_home)).one()
        assert home.code == "KS-507"
        others = session.scalars(select(ContinuumOfCare).where(~ContinuumOfCare.is_home)).all()
        assert {c.code for c in others} == {"KS-502", "KS-503", "KS-505", "MO-604"}
        assert all(c.ce_phone is None and c.ce_contact for c in others)  # no invented numbers

        in_home = session.scalar(
            select(func.count()).select_from(County).where(County.coc_id == home.id)
        )
        assert in_home == 101
        sedgwick = session.scalars(select(County).where(County.fips == "20173")).one()
        assert sedgwick.coc.code == "KS-502" and sedgwick.region is None
        assert all(
            c.region is not None
            for c in session.scalars(select(County).where(County.coc_id == home.id))
        )

        aps = session.scalars(select(AccessPoint)).all()
        assert all(ap.is_sample and ap.active for ap in aps)
        assert all(ap.name.startswith("Sample:") for ap in aps if not ap.is_remote)
        assert all(
            ap.phone and "555-01" in ap.phone and ap.lat is not None and ap.lon is not None
            for ap in aps
        )
        remote = [ap for ap in aps if ap.is_remote]
        assert [ap.slug for ap in remote] == ["kshc-remote"]
        assert remote[0].kind == AccessPointKind.VIRTUAL and remote[0].address == "2001 Haskell Ave"
        vsp = [ap for ap in aps if ap.kind == AccessPointKind.VSP]
        assert len(vsp) == 1 and vsp[0].address == "Confidential location"
        assert any(ap.populations == ["youth"] for ap in aps)
        assert any(ap.populations == ["veterans"] for ap in aps)
        assert any("es" in ap.languages for ap in aps)

        roles = {u.role: u for u in session.scalars(select(User))}
        assert set(roles) == set(Role)
        assert len(roles[Role.STAFF].access_points) == 2
        assert roles[Role.COORDINATOR].region is not None
        assert [ap.kind for ap in roles[Role.VSP_STAFF].access_points] == [AccessPointKind.VSP]
        assert all(u.email.endswith("@demo.frontdoor.invalid") for u in roles.values())
        passwords = dict(result.credentials)
        assert len(passwords) == 5 and len(set(passwords.values())) == 5
        admin = roles[Role.ADMIN]
        assert verify_password(admin, passwords[admin.email])


def test_demo_load_command_prints_passwords_once(app: Flask) -> None:
    register_commands(app)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.frontdoor.invalid" in first.output
    assert "Added 105 counties." in first.output
    # The accounts come last, framed, with how to set a new password.
    lines = first.output.rstrip().splitlines()
    assert lines[-1] == lines[-10] == "=" * 72
    assert lines[-9].startswith("Demo staff accounts. WRITE THESE DOWN")
    assert [line.split()[0] for line in lines[-8:-3]] == [
        "staff@demo.frontdoor.invalid", "coordinator@demo.frontdoor.invalid", "outreach@demo.frontdoor.invalid",
        "vsp@demo.frontdoor.invalid", "admin@demo.frontdoor.invalid"]
    assert lines[-2].strip() == "flask --app app users set-password EMAIL"
    assert max(i for i, line in enumerate(lines) if line.startswith("Added ")) < len(lines) - 10
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert "already loaded" in second.output and "users set-password EMAIL" in second.output
    assert "@demo.frontdoor.invalid" not in second.output


def test_sample_regions_cover_one_to_nine() -> None:
    assert sample_region_number(39.8, -101.9) == 1  # north-west corner
    assert sample_region_number(39.8, -94.7) == 3  # north-east
    assert sample_region_number(38.5, -98.3) == 5  # middle
    assert sample_region_number(37.1, -101.9) == 7  # south-west
    assert sample_region_number(37.1, -94.7) == 9  # south-east
    assert sample_region_number(41.0, -105.0) == 1  # clamped
