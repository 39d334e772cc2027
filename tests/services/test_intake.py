"""Start, answer, submit and purge: the verbs every channel shares."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from extensions import db
from models import AccessPoint, Answer, ConsentRecord, Intake, Kiosk
from models.base import Base, utcnow
from models.intake import Channel, ConsentKind, IntakeStatus
from services import intake as svc
from services.demo import load_demo
from services.pii import current_cipher
from tests.walks import FULL


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(db.session, users=False)
    return app


def run(session, intake, replies):
    for key, raw in replies:
        current = svc.current_question(intake)
        assert current is not None and current.key == key, (current and current.key, key)
        step = svc.answer(session, intake, key, raw)
        assert step.ok, (key, raw, step.error)


def test_full_intake_is_routed_scored_and_coded(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.WEB, language="en")
        run(session, intake, FULL)
        assert svc.current_question(intake) is None
        result = svc.submit(session, intake)
        assert not result.already
        assert result.access_point is not None and result.access_point.slug == "sample-hays"
        stored = session.get(Intake, intake.id)
        assert stored.status == IntakeStatus.SUBMITTED
        assert stored.reference_code and len(stored.reference_code) == 7 and stored.reference_code[3] == "-"
        assert set(stored.reference_code.replace("-", "")) <= set(svc.CROCKFORD)
        assert stored.homeless_category == 1 and stored.track == "homeless"
        assert stored.priority == 3 + 2 + 2 + 1
        assert stored.priority_reasons == ["slept_outside", "no_safe_place_tonight", "children", "veteran"]
        assert stored.diversion_candidate and not stored.confidential and not stored.out_of_area
        assert stored.flow_version == 1 and stored.submitted_at is not None
        codes = svc.codes(stored)
        assert codes["help_needed"] == "money,travel" and codes["age_band"] == "25_54"
        # Identifying answers are codes in the clear and ciphertext at rest.
        row = session.scalar(select(Answer).where(Answer.intake_id == intake.id, Answer.key == "phone"))
        assert row.code == "given" and b"555" not in row.value_enc
        assert svc.personal_values(stored)["phone"] == "+17855550100"
        assert stored.contact_phone_index == current_cipher().phone_index("+17855550100")
        kinds = {(c.kind, c.granted) for c in stored.consents}
        assert (ConsentKind.SHARE_ANSWERS, True) in kinds and (ConsentKind.SMS, True) in kinds


def test_submitting_twice_is_harmless(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.WEB)
        run(session, intake, FULL)
        first = svc.submit(session, intake)
        second = svc.submit(session, intake)
        assert second.already and second.intake.reference_code == first.intake.reference_code
        assert session.scalar(select(func.count()).select_from(ConsentRecord)) == len(first.intake.consents)


def test_unfinished_intake_cannot_be_submitted_unless_incomplete(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.VOICE)
        run(session, intake, FULL[:3])
        with pytest.raises(svc.IntakeError):
            svc.submit(session, intake)
        assert session.get(Intake, intake.id).status == IntakeStatus.IN_PROGRESS
        result = svc.submit(session, intake, incomplete=True)
        assert result.intake.callback_requested and result.intake.status == IntakeStatus.SUBMITTED
        assert result.access_point is not None  # nobody is turned away


def test_out_of_area_is_still_queued_with_the_other_coc(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.SMS)
        run(session, intake, [("start_choice", "talk"), ("location", "67202"), ("contact_method", "come back"),
                              ("contact_name", "J"), ("consent_share", "no")])
        result = svc.submit(session, intake)
        assert result.intake.out_of_area and result.intake.out_of_area_coc_code == "KS-502"
        assert result.out_of_area_coc is not None and result.out_of_area_coc.code == "KS-502"
        assert result.access_point.slug == "kshc-remote"
        assert result.intake.callback_requested
        assert {(c.kind, c.granted) for c in result.intake.consents} == {(ConsentKind.SHARE_ANSWERS, False)}


def test_kiosk_here_goes_to_the_kiosks_access_point(demo):
    with demo.app_context():
        session = db.session
        kiosk = session.scalar(select(Kiosk))
        intake = svc.start_intake(session, channel=Channel.KIOSK, kiosk_id=kiosk.id)
        run(session, intake, [("start_choice", "talk")])
        assert svc.set_code(session, intake, "location", "here").ok
        run(session, intake, [("contact_method", "come back"), ("contact_name", "skip"), ("consent_share", "yes")])
        result = svc.submit(session, intake)
        assert result.intake.routed_access_point_id == kiosk.access_point_id


def test_confidential_intake_goes_to_a_victim_service_provider(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.WEB)
        run(session, intake, [("start_choice", "1"), ("safe_now", "yes"), ("fleeing_violence", "yes"),
                              ("dv_choice", "advocate"), ("contact_method", "call"), ("phone", "785-555-0111"),
                              ("safe_to_text", "no"), ("safe_to_voicemail", "no"), ("best_time", "evening"),
                              ("contact_name", "Sam")])
        result = svc.submit(session, intake)
        assert result.intake.confidential and result.intake.callback_requested
        assert result.access_point.kind == "vsp"
        assert result.intake.homeless_category == 4
        kinds = {c.kind for c in result.intake.consents}
        assert ConsentKind.VSP_REFERRAL in kinds


def test_dv_stop_keeps_nothing_and_queues_nothing(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.WEB)
        run(session, intake, [("start_choice", "1"), ("safe_now", "yes"), ("fleeing_violence", "yes"),
                              ("dv_choice", "stop")])
        intake_id = intake.id
        result = svc.submit(session, intake)
        assert result.intake.status == IntakeStatus.WITHDRAWN
        assert result.intake.routed_access_point_id is None and result.intake.reference_code is None
        # "We did not save anything about you": nothing is.
        assert session.get(Intake, intake_id) is None
        for model in (Intake, Answer, ConsentRecord):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model


def test_changing_an_answer_drops_what_no_longer_applies(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.WEB)
        run(session, intake, FULL[:4])
        svc.clear_answer(session, intake, "slept_last_night")
        assert svc.current_question(intake).key == "slept_last_night"
        run(session, intake, [("slept_last_night", "friends"), ("leave_by", "today")])
        svc.restart(session, intake)
        assert set(svc.codes(intake)) == {"language"}


def test_bad_reply_saves_nothing(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.SMS)
        step = svc.answer(session, intake, "start_choice", "🙂")
        assert not step.ok and step.error == "empty" and step.next.key == "start_choice"
        assert set(svc.codes(intake)) == {"language"}


def test_purge_deletes_only_old_unfinished_intakes(demo):
    with demo.app_context():
        session = db.session
        old = svc.start_intake(session, channel=Channel.WEB)
        run(session, old, FULL[:2])
        fresh = svc.start_intake(session, channel=Channel.WEB)
        done = svc.start_intake(session, channel=Channel.WEB)
        run(session, done, FULL)
        svc.submit(session, done)
        svc.abandon(session, fresh)
        later = utcnow() + timedelta(hours=73)
        old.last_activity_at = utcnow() - timedelta(hours=80)
        session.commit()
        old_id, fresh_id, done_id = old.id, fresh.id, done.id
        assert svc.purge(session, timedelta(hours=72)) == 1
        remaining = set(session.scalars(select(Intake.id)))
        assert old_id not in remaining and {fresh_id, done_id} <= remaining
        assert svc.purge(session, timedelta(hours=72), now=later) == 1  # the abandoned one, later
        assert set(session.scalars(select(Intake.id))) == {done_id}
        assert session.scalar(select(func.count()).select_from(Answer).where(Answer.intake_id == old_id)) == 0


def test_reference_codes_read_back_forgivingly():
    assert svc.normalize_reference_code("7kq2md") == "7KQ-2MD"
    assert svc.normalize_reference_code("o1l-abc") == "011-ABC"
    assert svc.normalize_reference_code("too long code") is None
    assert svc.normalize_reference_code("UUU-UUU") is None


def _concurrent_submits(app, url: str, count: int) -> list[str]:
    """Submit `count` finished intakes from as many threads at once; return their codes."""
    engine = create_engine(url, **({"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {}))
    with app.app_context():
        Base.metadata.create_all(engine)
        make = sessionmaker(engine, expire_on_commit=False)
        with make() as session:
            load_demo(session, users=False)
            ids = []
            for _ in range(count):
                intake = svc.start_intake(session, channel=Channel.WEB)
                run(session, intake, FULL)
                ids.append(intake.id)
        barrier = threading.Barrier(count)
        errors: list[BaseException] = []

        def submit(intake_id: int) -> None:
            with app.app_context(), Session(engine, expire_on_commit=False) as session:
                intake = session.get(Intake, intake_id)
                barrier.wait()
                try:
                    svc.submit(session, intake)
                except BaseException as exc:  # collected and re-raised in the main thread
                    errors.append(exc)

        # Force collisions: every thread draws from a two-code pool first.
        threads = [threading.Thread(target=submit, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        with make() as session:
            codes = list(session.scalars(select(Intake.reference_code).where(Intake.id.in_(ids))))
        engine.dispose()
        return codes


def test_concurrent_submits_never_share_a_reference_code_postgres(app, pg_url, monkeypatch):
    pool = iter(["AAA-AAA", "AAA-AAA", "BBB-BBB"] + [f"C{i:02d}-000".replace("0", "Z") for i in range(100)])
    lock = threading.Lock()

    def colliding_code() -> str:
        with lock:
            return next(pool)

    monkeypatch.setattr(svc, "new_reference_code", colliding_code)
    codes = _concurrent_submits(app, pg_url, 10)
    assert len(codes) == 10 and None not in codes
    assert len(set(codes)) == 10


def test_concurrent_submits_never_share_a_reference_code_sqlite(app, tmp_path):
    codes = _concurrent_submits(app, f"sqlite:///{tmp_path / 'race.sqlite3'}", 8)
    assert len(set(codes)) == 8 and None not in codes


def test_same_intake_submitted_from_two_threads_once(app, pg_url):
    engine = create_engine(pg_url)
    with app.app_context():
        Base.metadata.create_all(engine)
        with Session(engine, expire_on_commit=False) as session:
            load_demo(session, users=False)
            intake = svc.start_intake(session, channel=Channel.WEB)
            run(session, intake, FULL)
            intake_id = intake.id
        barrier = threading.Barrier(6)
        results = []

        def submit() -> None:
            with app.app_context(), Session(engine, expire_on_commit=False) as session:
                target = session.get(Intake, intake_id)
                barrier.wait()
                results.append(svc.submit(session, target))

        threads = [threading.Thread(target=submit) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == 6
        winners = [r for r in results if not r.already]
        assert len(winners) == 1
        assert {r.intake.reference_code for r in results} == {winners[0].intake.reference_code}
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(ConsentRecord)) == len(winners[0].intake.consents)
            assert session.scalar(select(func.count()).select_from(AccessPoint)) > 0
    engine.dispose()


def test_flask_purge_command(demo, runner):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.WEB)
        intake.last_activity_at = utcnow() - timedelta(hours=100)
        session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 unfinished intake" in result.output
    result = runner.invoke(args=["purge", "--hours", "1"])
    assert "Deleted 0" in result.output


def test_purge_keeps_text_conversations_for_the_resume_window(demo):
    with demo.app_context():
        session = db.session
        texting = svc.start_intake(session, channel=Channel.SMS)
        browsing = svc.start_intake(session, channel=Channel.WEB)
        for intake in (texting, browsing):
            intake.last_activity_at = utcnow() - timedelta(days=4)
        session.commit()
        keep = {Channel.SMS: timedelta(days=7)}
        texting_id = texting.id
        assert svc.purge(session, timedelta(hours=72), keep_in_progress=keep) == 1
        assert set(session.scalars(select(Intake.id))) == {texting_id}
        assert svc.purge(session, timedelta(hours=72), now=utcnow() + timedelta(days=4), keep_in_progress=keep) == 1


def test_unknown_county_names_are_asked_again(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.SMS)
        run(session, intake, [("start_choice", "talk")])
        step = svc.answer(session, intake, "location", "si")
        assert not step.ok and step.error == "invalid_location"
        assert svc.answer(session, intake, "location", "Ellis County").ok
        assert svc.codes(intake)["location"] == "county:ellis"


def test_purge_deletes_old_call_records_and_keeps_their_intake(demo, runner):
    from models import VoiceCall, VoiceStep

    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.VOICE)
        svc.submit(session, intake, incomplete=True)
        old, recent = utcnow() - timedelta(hours=100), utcnow()
        session.add_all([
            VoiceCall(call_sid="CA-old", caller_enc=b"x", caller_index="i", intake_id=intake.id,
                      created_at=old, updated_at=old),
            VoiceCall(call_sid="CA-new", caller_enc=b"y", caller_index="j", created_at=recent, updated_at=recent),
            VoiceStep(call_sid="CA-old", step=1, processed_at=old),
            VoiceStep(call_sid="CA-new", step=1, processed_at=recent),
        ])
        session.commit()
        intake_id = intake.id
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 call record(s)" in result.output
    with demo.app_context():
        session = db.session
        assert list(session.scalars(select(VoiceCall.call_sid))) == ["CA-new"]
        assert list(session.scalars(select(VoiceStep.call_sid))) == ["CA-new"]
        assert session.get(Intake, intake_id) is not None  # a submitted intake is not the call record


def test_an_answer_does_not_rewrite_the_intake_row_unless_its_activity_is_old(demo):
    from sqlalchemy import event

    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.SMS, language="en")
        updates = []

        def note(conn, cursor, statement, params, context, executemany):
            if statement.lstrip().upper().startswith("UPDATE INTAKES"):
                updates.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            run(session, intake, FULL[:3])
            assert updates == [], "three answers in a row: only answer rows written"
            stale = utcnow() - svc.ACTIVITY_RESOLUTION - timedelta(seconds=1)
            intake.last_activity_at = stale
            session.commit()
            updates.clear()
            run(session, intake, FULL[3:4])
            assert len(updates) == 1 and session.get(Intake, intake.id).last_activity_at > stale
            updates.clear()
            run(session, intake, FULL[4:16])  # the phone number is answered here: a column of the intake
            assert len(updates) == 1 and intake.contact_phone_index is not None
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
