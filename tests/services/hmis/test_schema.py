"""The FY2026 table schema catches what a broken export gets wrong (so a passing check means something)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.hmis import mapping, writer

from ...conftest import validate_hmis_zip

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
SETTINGS = mapping.Settings(implementation_id="test-impl", source_name="Front Door KS-507", source_id="KS-507",
                            software_version="1")
PROJECT = mapping.ProjectRecord("sample-hays", "Hays", "KS-507", "Kansas Balance of State", "100 Main", "Hays", "KS",
                                "67601", NOW)


def record(**codes: str) -> mapping.IntakeRecord:
    answers = {"start_choice": "questions", "slept_last_night": "other", "leave_by": "1d", "could_return": "1",
               "veteran": "0", "legal_name": "given", "consent_share": "1", **codes}
    return mapping.IntakeRecord(
        public_id="abc", channel="sms", flow_version=1, codes=answers, personal={"legal_name": "Lee Park"},
        created_at=NOW, updated_at=NOW, submitted_at=NOW, project=PROJECT, homeless_category=2, track="homeless",
        priority=1, reasons=("leave_within_7_days",), diversion_candidate=True)


def good_rows() -> mapping.Rows:
    header = mapping.ExportHeader("e" * 32, NOW, NOW.date(), NOW.date())
    return mapping.build_rows([record()], SETTINGS, header)


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_the_built_rows_are_valid(tmp_path: Path) -> None:
    report = validate_hmis_zip(writer.write_zip(good_rows()), tmp_path)
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


def _living_17(rows: mapping.Rows) -> None:
    rows["Enrollment"][0]["LivingSituation"] = 17  # the known trap: 17 is not allowed in 3.917


def _event_17(rows: mapping.Rows) -> None:
    rows["Event"][0]["Event"] = 17  # no Emergency Housing Voucher referral in FY2026


def _orphan_enrollment(rows: mapping.Rows) -> None:
    rows["Enrollment"][0]["PersonalID"] = "nobody"


def _unknown_project(rows: mapping.Rows) -> None:
    rows["Enrollment"][0]["ProjectID"] = "elsewhere"


def _missing_user(rows: mapping.Rows) -> None:
    rows["User"] = []


def _no_name_quality(rows: mapping.Rows) -> None:
    rows["Client"][0]["NameDataQuality"] = None


def _duplicate_client(rows: mapping.Rows) -> None:
    rows["Client"].append(dict(rows["Client"][0]))


def _bad_assessment_type(rows: mapping.Rows) -> None:
    rows["Assessment"][0]["AssessmentType"] = 4


def _orphan_question(rows: mapping.Rows) -> None:
    rows["AssessmentQuestions"][0]["AssessmentID"] = "gone"


def _bad_coc(rows: mapping.Rows) -> None:
    rows["ProjectCoC"][0]["CoCCode"] = "KS507"


BREAKAGES: list[Callable[[mapping.Rows], None]] = [
    _living_17, _event_17, _orphan_enrollment, _unknown_project, _missing_user, _no_name_quality,
    _duplicate_client, _bad_assessment_type, _orphan_question, _bad_coc,
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__.strip("_"))
def test_a_broken_export_fails_validation(tmp_path: Path, breakage: Callable[[mapping.Rows], None]) -> None:
    rows = good_rows()
    breakage(rows)
    assert not validate_hmis_zip(writer.write_zip(rows), tmp_path).valid


def test_a_wrong_or_missing_header_fails_validation(tmp_path: Path) -> None:
    files = writer.render_files(good_rows())
    files["Client.csv"] = files["Client.csv"].replace('"HispanicLatinao"', '"HispanicLatinaeo"', 1)
    assert not validate_hmis_zip(zipped(files), tmp_path / "renamed").valid
    files = writer.render_files(good_rows())
    del files["Exit.csv"]
    (tmp_path / "missing").mkdir()
    assert not validate_hmis_zip(zipped(files), tmp_path / "missing").valid


def test_a_bad_date_format_fails_validation(tmp_path: Path) -> None:
    files = writer.render_files(good_rows())
    files["Enrollment.csv"] = files["Enrollment.csv"].replace(NOW.date().isoformat(), "11/20/2026")
    assert not validate_hmis_zip(zipped(files), tmp_path).valid


def test_question_names_go_through_the_deployments_field_name_map() -> None:
    from dataclasses import replace

    header = mapping.ExportHeader("e" * 32, NOW, NOW.date(), NOW.date())
    settings = replace(SETTINGS, field_names={"veteran": "ce_prescreen_veteran"})
    questions = {r["AssessmentQuestion"]: r["AssessmentAnswer"]
                 for r in mapping.build_rows([record()], settings, header)["AssessmentQuestions"]}
    assert questions["ce_prescreen_veteran"] == "0" and "veteran" not in questions
    assert questions["slept_last_night"] == "17"  # unmapped keys stay as they are


@pytest.mark.parametrize(("raw", "ok"), [('{"veteran": "vet"}', True), ("[1]", False), ('{"veteran": 3}', False)])
def test_the_field_name_map_is_read_from_the_environment(tmp_path: Path, raw: str, ok: bool) -> None:
    from config import Config, ConfigError

    config = Config(str(tmp_path), {"HMIS_FIELD_NAMES": raw})
    if ok:
        assert config.load()["HMIS_FIELD_NAMES"] == {"veteran": "vet"}
    else:
        with pytest.raises(ConfigError, match="HMIS_FIELD_NAMES"):
            config.load()
