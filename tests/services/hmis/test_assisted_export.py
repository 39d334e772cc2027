"""An intake walked with staff (channel assisted) exports as an In Person assessment, valid HMIS CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from extensions import db
from intake_forms import ParseResult
from intake_forms.outcomes import ASSESSMENT_TYPE
from models import Channel, ConsentMethod, Role
from services import intake as intake_service
from services.accounts import create_user

from .conftest import SMS_ANSWERS, rows

ANSWERS = {**SMS_ANSWERS, "phone": "785-555-0188", "contact_name": "Ada", "legal_name": "Ada Assisted"}


def test_every_channel_has_an_hmis_assessment_type_in_the_schema_code_list() -> None:
    assert set(ASSESSMENT_TYPE) == {c.value for c in Channel}
    assert ASSESSMENT_TYPE["assisted"] == 3  # 4.19.3: 3 In Person
    assert set(ASSESSMENT_TYPE.values()) <= {1, 2, 3}


def test_an_assisted_intake_exports_as_in_person(demo: Flask, tmp_path: Path,
                                                 hmis_valid: Callable[[bytes], None]) -> None:
    with demo.app_context():
        s = db.session
        worker = create_user(s, "walker@example.org", "a long enough passphrase", "outreach", [], 1,
                             display_name="Wes Walker")
        s.flush()
        assert worker.role is Role.OUTREACH
        intake = intake_service.start_intake(s, channel=Channel.ASSISTED, language="en", assisted_by_id=worker.id)
        for _ in range(80):
            q = intake_service.current_question(intake)
            if q is None:
                break
            if q.key in ANSWERS:
                assert intake_service.answer(s, intake, q.key, ANSWERS[q.key]).ok, q.key
            else:
                intake_service.record(s, intake, q.key, ParseResult(ok=True, code=q.skip_code))
        intake_service.submit(s, intake)
        assert {c.method for c in intake.consents} == {ConsentMethod.STAFF}
        assert {c.recorded_by_id for c in intake.consents} == {worker.id}
    out = tmp_path / "assisted.zip"
    result = demo.test_cli_runner().invoke(args=["hmis", "export", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    hmis_valid(data)
    (assessment,) = rows(data, "Assessment.csv")
    assert assessment["AssessmentType"] == "3"
    assert assessment["AssessmentLocation"].endswith("(in person with staff)")
