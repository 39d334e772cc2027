"""flask hmis export after a day of intakes: 24 valid files, what never leaves, stable ids, ranges, audit."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import jellyfish
import pytest
from sqlalchemy import select

from extensions import db
from models import HmisExport, Role
from services import queue, staff_actions
from services.accounts import create_user
from services.hmis.mapping import stable_id
from services.pii import current_cipher

from .conftest import IMPLEMENTATION_ID, Day, csv_files, rows

FILES = {
    "Export.csv", "Organization.csv", "User.csv", "Project.csv", "Funder.csv", "ProjectCoC.csv", "Inventory.csv",
    "Affiliation.csv", "HMISParticipation.csv", "CEParticipation.csv", "Client.csv", "Enrollment.csv", "Exit.csv",
    "IncomeBenefits.csv", "HealthAndDV.csv", "EmploymentEducation.csv", "Disabilities.csv", "Services.csv",
    "CurrentLivingSituation.csv", "Assessment.csv", "AssessmentQuestions.csv", "AssessmentResults.csv", "Event.csv",
    "YouthEducationStatus.csv",
}


def export(day: Day, tmp_path: Path, *args: str) -> bytes:
    out = tmp_path / f"export-{len(list(tmp_path.iterdir()))}.zip"
    result = day.app.test_cli_runner().invoke(args=["hmis", "export", str(out), *args])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_a_day_by_kiosk_text_and_voice_exports_24_valid_hashed_files(
        day: Day, tmp_path: Path, hmis_valid: Callable[[bytes], None]) -> None:
    data = export(day, tmp_path, "--hashed")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert set(archive.namelist()) == FILES  # at the root, no folder
    hmis_valid(data)
    files = csv_files(data)
    # Headers are exact and in spec order (the FY2026 changes: Sex after DOBDataQuality, HispanicLatinao,
    # MentalHealthConsultation as Enrollment's last data column).
    client_header = files["Client.csv"].splitlines()[0].split(",")
    assert client_header[9:12] == ['"DOBDataQuality"', '"Sex"', '"AmIndAKNative"'] and len(client_header) == 38
    assert '"HispanicLatinao"' in client_header
    enrollment_header = files["Enrollment.csv"].splitlines()[0].split(",")
    assert enrollment_header[60:63] == ['"ThresholdScore"', '"MentalHealthConsultation"', '"DateCreated"']
    assert len(enrollment_header) == 67
    for header_only in ("Exit.csv", "HealthAndDV.csv", "IncomeBenefits.csv", "Funder.csv", "Inventory.csv"):
        assert len(files[header_only].splitlines()) == 1

    (exp,) = rows(data, "Export.csv")
    assert (exp["CSVVersion"], exp["SourceType"], exp["HashStatus"]) == ("2026 v1.0", "2", "4")
    assert exp["ImplementationID"] == IMPLEMENTATION_ID and exp["SourceName"]
    for name in FILES - {"Export.csv"}:
        assert {r["ExportID"] for r in rows(data, name)} <= {exp["ExportID"]}
    # One enrollment and one assessment per household, typed by channel: kiosk 3, text/web 2, phone 1.
    assessments = {r["AssessmentLocation"].rsplit("(", 1)[1].rstrip(")"): r["AssessmentType"]
                   for r in rows(data, "Assessment.csv")}
    assert assessments == {"kiosk": "3", "text messages": "2", "phone call": "1", "web form": "2"}
    assert len(rows(data, "Enrollment.csv")) == len(day.exported) == len(rows(data, "Client.csv"))
    assert {r["RelationshipToHoH"] for r in rows(data, "Enrollment.csv")} == {"1"}
    projects = {r["ProjectID"]: r for r in rows(data, "Project.csv")}
    assert set(projects) == {"sample-hays", "sample-lawrence"}
    assert {r["ProjectType"] for r in projects.values()} == {"14"}
    # Hashed: names are the SHA-256 of their SOUNDEX, and nothing else is hashed.
    kim = next(r for r in rows(data, "Client.csv") if r["DOB"] == "1980-03-25")
    assert kim["FirstName"] == hashlib.sha256(jellyfish.soundex("Kim").encode()).hexdigest()
    assert kim["LastName"] == hashlib.sha256(jellyfish.soundex("KioskWalker").encode()).hexdigest()
    assert kim["NameDataQuality"] == "1"
    assert "Kim" not in "".join(files.values())


def test_what_never_leaves_is_in_no_file(day: Day, tmp_path: Path, hmis_valid: Callable[[bytes], None]) -> None:
    data = export(day, tmp_path)  # unhashed: names would show if they leaked
    hmis_valid(data)
    everything = "\n".join(csv_files(data).values())
    assert "Kiosk-Walker" in everything and "Texter" in everything  # the households that may leave do
    for label, public_id in day.kept.items():
        for secret in day.secrets[label]:
            assert secret not in everything, (label, secret)
        for kind in ("personal", "enrollment", "household", "assessment", "cls"):
            assert stable_id(IMPLEMENTATION_ID, kind, public_id) not in everything, (label, kind)
        assert public_id not in everything
    # Phones, emails and the VSP access point never leave, even for households that may.
    for secret in ("+1785555", "785-555-01", "ana@example.org", "sample-vsp", "Safe Harbor"):
        assert secret not in everything
    questions = {r["AssessmentQuestion"] for r in rows(data, "AssessmentQuestions.csv")}
    assert not questions & {"fleeing_violence", "dv_choice", "phone", "email", "legal_name", "contact_name", "dob"}
    assert len(rows(data, "HealthAndDV.csv")) == 0


def test_mapping_traps_and_missing_values(day: Day, tmp_path: Path) -> None:
    data = export(day, tmp_path)
    with day.app.app_context():
        ids = {label: stable_id(IMPLEMENTATION_ID, "enrollment", pid) for label, pid in day.exported.items()}
    enrollments = {r["EnrollmentID"]: r for r in rows(data, "Enrollment.csv")}
    situations = {r["EnrollmentID"]: r for r in rows(data, "CurrentLivingSituation.csv")}
    # "Somewhere else" (text): 17 only in CurrentLivingSituation, 99 in Enrollment; leave tomorrow -> 1.
    sms = enrollments[ids["sms"]]
    assert (sms["LivingSituation"], situations[ids["sms"]]["CurrentLivingSituation"]) == ("99", "17")
    # Jail with "not sure" on the short stay (web): LOSUnderThreshold 99, PreviousStreetESSH null.
    web = enrollments[ids["web"]]
    assert (web["LivingSituation"], web["LOSUnderThreshold"], web["PreviousStreetESSH"]) == ("207", "99", "")
    assert situations[ids["web"]]["LeaveSituation14Days"] == "0"  # 21 days
    # Outside (kiosk): literally homeless, the history questions not asked -> 99; no leave question.
    kiosk = enrollments[ids["kiosk"]]
    assert (kiosk["LivingSituation"], kiosk["TimesHomelessPastThreeYears"], kiosk["LOSUnderThreshold"]) == (
        "116", "99", "")
    assert situations[ids["kiosk"]]["LeaveSituation14Days"] == ""
    assert {r["DisablingCondition"] for r in enrollments.values()} == {"99"}
    clients = {r["PersonalID"]: r for r in rows(data, "Client.csv")}
    ana = clients[web["PersonalID"]]
    assert (ana["FirstName"], ana["MiddleName"], ana["LastName"], ana["NameSuffix"]) == ("Ana", "María", "López", "Jr.")
    assert (ana["SSN"], ana["SSNDataQuality"], ana["RaceNone"], ana["Sex"], ana["VeteranStatus"]) == (
        "", "99", "99", "", "8")
    voice = clients[enrollments[ids["voice"]]["PersonalID"]]
    assert (voice["FirstName"], voice["DOB"], voice["VeteranStatus"]) == ("", "", "1")
    events = sorted((r["EnrollmentID"], r["Event"], r["ProbSolDivRRResult"]) for r in rows(data, "Event.csv"))
    assert (ids["kiosk"], "2", "99") in events and (ids["kiosk"], "4", "") in events


def test_a_reexport_keeps_the_ids_and_uses_the_hmis_client_id_staff_recorded(
        day: Day, tmp_path: Path, hmis_valid: Callable[[bytes], None]) -> None:
    first = export(day, tmp_path)
    with day.app.app_context():
        s = db.session
        worker = create_user(s, "pat@example.org", "a long enough password", "staff", ["sample-hays"],
                             display_name="Pat Worker")
        s.commit()
        kiosk, sms = day.intake("kiosk"), day.intake("sms")
        for intake in (kiosk, sms):
            assert queue.claim(s, intake, worker)
            s.refresh(intake)
        staff_actions.record_outcome(s, kiosk, worker, outcome="assessed_in_hmis", cipher=current_cipher(),
                                     hmis_client_id="CL-4411")
        staff_actions.record_outcome(s, sms, worker, outcome="diverted", cipher=current_cipher(), diversion_result=1)
    second = export(day, tmp_path)
    hmis_valid(second)
    assert rows(first, "Export.csv")[0]["ExportID"] != rows(second, "Export.csv")[0]["ExportID"]
    for name, key in (("Enrollment.csv", "EnrollmentID"), ("Assessment.csv", "AssessmentID"),
                      ("AssessmentQuestions.csv", "AssessmentQuestionID"), ("Event.csv", "EventID")):
        assert {r[key] for r in rows(first, name)} == {r[key] for r in rows(second, name)}, name
    before = {r["EnrollmentID"]: r["PersonalID"] for r in rows(first, "Enrollment.csv")}
    after = {r["EnrollmentID"]: r["PersonalID"] for r in rows(second, "Enrollment.csv")}
    kiosk_enrollment = stable_id(IMPLEMENTATION_ID, "enrollment", day.exported["kiosk"])
    assert after[kiosk_enrollment] == "CL-4411" and before[kiosk_enrollment] != "CL-4411"
    assert {k: v for k, v in after.items() if k != kiosk_enrollment} == {
        k: v for k, v in before.items() if k != kiosk_enrollment}
    assert "CL-4411" in {r["PersonalID"] for r in rows(second, "Client.csv")}
    sms_enrollment = stable_id(IMPLEMENTATION_ID, "enrollment", day.exported["sms"])
    diversion = next(r for r in rows(second, "Event.csv") if r["EnrollmentID"] == sms_enrollment and r["Event"] == "2")
    assert diversion["ProbSolDivRRResult"] == "1"
    assert diversion["UserID"] in {r["UserID"] for r in rows(second, "User.csv")} and diversion["UserID"] != "frontdoor"


def test_a_date_range_exports_only_the_intakes_submitted_in_it(
        day: Day, tmp_path: Path, hmis_valid: Callable[[bytes], None]) -> None:
    with day.app.app_context():
        kiosk = day.intake("kiosk")
        kiosk.submitted_at = kiosk.submitted_at - timedelta(days=10)  # type: ignore[operator]
        db.session.commit()
        moved = kiosk.submitted_at.astimezone(day.zone).date()  # type: ignore[union-attr]
    data = export(day, tmp_path, "--start", moved.isoformat(), "--end", moved.isoformat())
    hmis_valid(data)
    (enrollment,) = rows(data, "Enrollment.csv")
    assert enrollment["EnrollmentID"] == stable_id(IMPLEMENTATION_ID, "enrollment", day.exported["kiosk"])
    assert enrollment["EntryDate"] == moved.isoformat()
    (exp,) = rows(data, "Export.csv")
    assert (exp["ExportStartDate"], exp["ExportEndDate"]) == (moved.isoformat(), moved.isoformat())
    later = export(day, tmp_path, "--start", (moved + timedelta(days=1)).isoformat())
    assert len(rows(later, "Enrollment.csv")) == len(day.exported) - 1
    only_lawrence = export(day, tmp_path, "--access-point", "sample-lawrence")
    assert [r["ProjectID"] for r in rows(only_lawrence, "Enrollment.csv")] == ["sample-lawrence"]


def test_every_export_is_audited_without_personal_data(day: Day, tmp_path: Path) -> None:
    data = export(day, tmp_path, "--hashed", "--access-point", "sample-hays")
    with day.app.app_context():
        (audit,) = db.session.scalars(select(HmisExport)).all()
        assert (audit.via, audit.user_id, audit.hashed, audit.access_points) == ("cli", None, True, ["sample-hays"])
        assert audit.households == len(rows(data, "Enrollment.csv")) == 3
        assert audit.export_id == rows(data, "Export.csv")[0]["ExportID"]


@pytest.mark.parametrize("slug", ["sample-vsp", "no-such-place"])
def test_a_victim_service_provider_or_unknown_access_point_is_refused(day: Day, tmp_path: Path, slug: str) -> None:
    result = day.app.test_cli_runner().invoke(args=["hmis", "export", str(tmp_path / "x.zip"), "--access-point", slug])
    assert result.exit_code != 0 and "No such access point" in result.output
    assert not (tmp_path / "x.zip").exists()


def test_staff_roles_are_scoped(day: Day) -> None:
    from services.hmis.export import exportable_access_points

    with day.app.app_context():
        s = db.session
        vsp = create_user(s, "vsp@example.org", "a long enough password", Role.VSP_STAFF.value, ["sample-vsp"])
        staff = create_user(s, "one@example.org", "a long enough password", "staff", ["sample-hays"])
        assert exportable_access_points(s, vsp) == []
        assert [ap.slug for ap in exportable_access_points(s, staff)] == ["sample-hays"]
        assert "sample-vsp" not in {ap.slug for ap in exportable_access_points(s, None)}


def test_the_audit_rows_cannot_be_changed(day: Day, tmp_path: Path) -> None:
    from models import AppendOnlyError

    export(day, tmp_path)
    with day.app.app_context():
        audit = db.session.scalars(select(HmisExport)).one()
        audit.households = 0
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()


def test_both_survivor_paths_were_confidential_and_routed_to_the_victim_service_provider(day: Day) -> None:
    with day.app.app_context():
        for label in ("survivor_advocate", "survivor_anonymous"):
            intake = day.intake(label)
            assert intake.confidential and intake.routed_access_point is not None
            assert intake.routed_access_point.slug == "sample-vsp"
