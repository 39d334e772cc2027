"""HSDS 3.0 in and out, checked against the specification's own example data and data package.

Both live in ../shared/data/hsds/ beside the repository (read from there, never copied in; a
git worktree one level deeper looks one more level up).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from frictionless import Package
from sqlalchemy import select

from extensions import db
from models import AccessPoint, AccessPointKind, AdminChange
from services import hsds
from services.demo import load_demo

ROOT = Path(__file__).resolve().parents[2]
SPEC = next((p for p in (ROOT.parent / "shared" / "data" / "hsds", ROOT.parents[1] / "shared" / "data" / "hsds")
             if p.exists()), ROOT.parent / "shared" / "data" / "hsds")
SPEC_PACKAGE = SPEC / "datapackage.json"
EXAMPLES = SPEC / "examples-csv"



@pytest.fixture(autouse=True)
def specification() -> None:
    if not SPEC_PACKAGE.exists():
        from ..conftest import unavailable

        unavailable("../shared/data/hsds is not beside the repository")


def zipped(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


@pytest.fixture
def demo(app: Flask) -> Flask:
    with app.app_context():
        load_demo(db.session, users=False)
    return app


def validate(directory: Path) -> object:
    """Validate CSVs in ``directory`` against the specification's own data package."""
    shutil.copy(SPEC_PACKAGE, directory / "datapackage.json")
    return Package(str(directory / "datapackage.json")).validate()


def error_types(report: object) -> set[str]:
    return {row[0] for row in report.flatten(["type"])}  # type: ignore[attr-defined]


def test_the_check_reads_the_specification_package(tmp_path: Path) -> None:
    # The specification's example breaks only its own foreign keys (rows of tables it leaves out);
    # a required field emptied in a copy of it is caught as well.
    good = tmp_path / "good"
    shutil.copytree(EXAMPLES, good)
    assert error_types(validate(good)) == {"foreign-key"}
    broken = tmp_path / "broken"
    shutil.copytree(EXAMPLES, broken)
    text = (broken / "services.csv").read_text(encoding="utf-8").replace(",active,", ",,")
    (broken / "services.csv").write_text(text, encoding="utf-8")
    assert "constraint-error" in error_types(validate(broken))


def test_our_export_is_valid_hsds(demo: Flask, tmp_path: Path) -> None:
    with demo.app_context():
        written = hsds.write_export(db.session, tmp_path)
        active = db.session.scalars(select(AccessPoint).where(AccessPoint.active.is_(True))).all()
    assert {p.name for p in written} == set(hsds.TABLES)
    report = validate(tmp_path)
    errors = report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])  # type: ignore[attr-defined]
    assert report.valid, errors[:20]  # type: ignore[attr-defined]
    locations = (tmp_path / "locations.csv").read_text(encoding="utf-8").splitlines()
    assert len(locations) == 1 + len(active)
    schedules = (tmp_path / "schedules.csv").read_text(encoding="utf-8")
    assert ",WEEKLY,," in schedules and "09:00:00" in schedules


def test_the_export_gives_no_address_or_position_of_a_victim_service_provider(demo: Flask) -> None:
    with demo.app_context():
        vsp = db.session.scalar(select(AccessPoint).where(AccessPoint.kind == AccessPointKind.VSP))
        assert vsp is not None and vsp.address and vsp.lat is not None
        tables = hsds.export_tables(db.session)
    location_id = hsds.stable_id("location", vsp.slug)
    row = next(r for r in tables["locations.csv"] if r["id"] == location_id)
    assert row["location_type"] == "virtual" and row["latitude"] == "" and row["longitude"] == ""
    assert not [r for r in tables["addresses.csv"] if r["location_id"] == location_id]
    assert vsp.address not in str(tables)


def test_ids_stay_the_same_from_one_export_to_the_next(demo: Flask) -> None:
    with demo.app_context():
        assert hsds.export_tables(db.session) == hsds.export_tables(db.session)


def test_the_specification_example_imports(demo: Flask) -> None:
    data = zipped(EXAMPLES)
    with demo.app_context():
        before = db.session.scalar(select(AccessPoint.id).order_by(AccessPoint.id.desc()))
        plan = hsds.plan_import(db.session, None, "example.zip", data)
        assert plan.ok, plan.problems
        assert plan.added == ["MyCity Civic Center"] and plan.changed == []
        assert db.session.scalar(select(AccessPoint).where(AccessPoint.name == "MyCity Civic Center")) is None
        plan = hsds.apply_import(db.session, None, "example.zip", data)
        assert plan.ok
        ap = db.session.scalar(select(AccessPoint).where(AccessPoint.name == "MyCity Civic Center"))
        assert ap is not None and ap.id != before
        # Thursday and Friday 10:00-18:00 from schedules.csv, Urdu from languages.csv, the phone number.
        assert ap.hours == {"thu": [["10:00", "18:00"]], "fri": [["10:00", "18:00"]]}
        assert ap.languages == ["ur"]
        assert ap.phone == "+44 1234 234567"
        # Latitude 100 is not on Earth and the postcode is not a US ZIP: no map position.
        assert ap.lat is None and ap.zip is None
        assert db.session.scalar(select(AdminChange).where(AdminChange.entity == "directory_import")) is not None


def test_our_export_imports_back_as_unchanged(demo: Flask, tmp_path: Path) -> None:
    with demo.app_context():
        hsds.write_export(db.session, tmp_path)
        count = len(db.session.scalars(select(AccessPoint)).all())
        plan = hsds.plan_import(db.session, None, "ours.zip", zipped(tmp_path))
    assert plan.ok, plan.problems
    assert plan.added == []
    assert len(plan.unchanged) + len(plan.changed) == count


def test_own_csv_round_trip_and_a_change(demo: Flask) -> None:
    with demo.app_context():
        text = hsds.own_csv(db.session)
        plan = hsds.plan_import(db.session, None, "aps.csv", text.encode("utf-8"))
        assert plan.ok and not plan.added and not plan.changed, (plan.problems, plan.changed)
        edited = text.replace("Sample: Hays Community Resource Center", "Hays Community Resource Center")
        plan = hsds.apply_import(db.session, None, "aps.csv", edited.encode("utf-8"))
        assert plan.changed == [("Hays Community Resource Center", ["name"])]


def test_a_bad_row_means_nothing_is_imported(demo: Flask) -> None:
    header = ",".join(hsds.OWN_COLUMNS)
    good = "new-one,New One,physical,,,,67601,,,,,America/Chicago,en,all,,,no" + ",9-17" * 7
    bad_hours = "new-two,New Two,physical,,,,67601,,,,,America/Chicago,en,all,,,no" + ",9 to 5" * 7
    bad_zip = "new-three,New Three,physical,,,,00000,,,,,America/Chicago,en,all,,,no" + "," * 7
    bad_zone = "new-four,New Four,physical,,,,67601,,,,,Mars/Olympus,en,all,,,no" + "," * 7
    text = "\n".join([header, good, bad_hours, bad_zip, bad_zone]) + "\n"
    with demo.app_context():
        plan = hsds.apply_import(db.session, None, "aps.csv", text.encode("utf-8"))
        assert not plan.ok
        where = {p.where: p.reason for p in plan.problems}
        assert "9 to 5" in where["line 3"]
        assert where["line 4"] == "zip: unknown"
        assert "Mars/Olympus" in where["line 5"]
        assert db.session.scalar(select(AccessPoint).where(AccessPoint.slug == "new-one")) is None


def test_a_file_that_is_not_a_package_is_refused(demo: Flask) -> None:
    with demo.app_context(), pytest.raises(hsds.ImportFileError, match="bad_zip"):
        hsds.plan_import(db.session, None, "x.zip", b"PK not a zip")


def test_the_command_line_import_and_export(demo: Flask, tmp_path: Path) -> None:
    runner = demo.test_cli_runner()
    example = tmp_path / "example.zip"
    example.write_bytes(zipped(EXAMPLES))
    dry = runner.invoke(args=["access-points", "import", str(example), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "add       MyCity Civic Center" in dry.output and "dry run" in dry.output
    done = runner.invoke(args=["access-points", "import", str(example)])
    assert done.exit_code == 0 and "imported" in done.output
    out = tmp_path / "out"
    exported = runner.invoke(args=["access-points", "export", "--hsds", str(out)])
    assert exported.exit_code == 0, exported.output
    assert validate(out).valid  # type: ignore[attr-defined]
    assert "MyCity Civic Center" in (out / "locations.csv").read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("slug,name\nx,\n", encoding="utf-8")
    refused = runner.invoke(args=["access-points", "import", str(bad)])
    assert refused.exit_code != 0 and "line 2" in refused.output
