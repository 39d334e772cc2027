"""Any valid answer to any question comes back unchanged: stored, reviewed, shown to staff, read by the outcomes.

The storage contract (docs/architecture.md): a decline and an unknown are ``DECLINE`` and ``DONT_KNOW`` on
every kind, words that no valid value can ever be, so a household of 8 adults is never "Not sure".
"""

from __future__ import annotations

from datetime import date
from typing import Any

import phonenumbers
import pytest
import zipcodes
from babel.dates import format_date
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions import db
from intake_forms import (
    DECLINE,
    DONT_KNOW,
    NON_ANSWER_LABELS,
    QUESTIONS,
    Kind,
    ParseResult,
    Question,
    compute_outcomes,
    count_value,
    hmis_mapping,
    is_non_answer,
    parse_answer,
    question,
)
from intake_forms.flow import applies
from kiosk.presenters import answer_rows
from kiosk.views import initial_value
from models.intake import Channel
from services import intake as svc
from services import routing
from services.demo import load_demo
from services.staff_actions import answer_lines

PHONE = "+17855550100"
EMAIL = "staff-can-write@example.org"
#: Answers that make each question apply (the question itself is taken out before it is stored).
BASE = {"language": "en", "start_choice": "questions", "safe_now": "1", "fleeing_violence": "0",
        "slept_last_night": "friends", "help_needed": "other", "contact_method": "text", "phone": "given"}
CONTEXTS: list[dict[str, str]] = [
    BASE,
    {**BASE, "slept_last_night": "hospital"},
    {**BASE, "contact_method": "email", "email": "given"},
    {**BASE, "language": "es"},
    {**BASE, "fleeing_violence": "1"},
    {**BASE, "safe_now": "0"},
]
VALUES = {"phone": PHONE, "email": EMAIL}
#: The HMIS element each coded question feeds, by storage key (intake_forms.hmis_mapping).
HMIS_FIELDS = {"slept_last_night": "living_situation", "veteran": "veteran_status",
               "fleeing_violence": "currently_fleeing"}
KS_ZIPS = sorted(z["zip_code"] for z in zipcodes.filter_by(state="KS"))


def context_for(q: Question) -> dict[str, str]:
    for context in CONTEXTS:
        others = {k: v for k, v in context.items() if k != q.key}
        if applies(q, others):
            return others
    raise AssertionError(f"no context asks {q.key}")


def valid_phone(digits: int) -> str | None:
    number = phonenumbers.parse(f"+1{digits}", "US")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) \
        if phonenumbers.is_valid_number(number) else None


def stored(q: Question) -> st.SearchStrategy[tuple[str, str | None]]:
    """Every valid (code, value) a question can store, including its skip and 'not sure'."""
    non_answers = st.sampled_from([(DECLINE, None), (DONT_KNOW, None)])
    if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
        return st.sampled_from([(opt.code, None) for opt in q.options])
    if q.kind is Kind.MULTI:
        plain = [o.code for o in q.options if not o.exclusive]
        several = st.lists(st.sampled_from(plain), min_size=1, unique=True).map(
            lambda picked: ",".join(c for c in plain if c in picked))
        alone = st.sampled_from([o.code for o in q.options if o.exclusive])
        return st.one_of(several, alone).map(lambda code: (code, None))
    if q.kind is Kind.COUNT:
        numbers = st.integers(q.minimum or 0, q.maximum or 99).map(lambda n: (str(n), None))
        return st.one_of(numbers, non_answers)
    if q.kind is Kind.LOCATION:
        places = st.one_of(st.sampled_from(KS_ZIPS).map(lambda z: f"zip:{z}"),
                           st.sampled_from(["county:ellis", "county:sedgwick", "county:douglas"]))
        return st.one_of(places.map(lambda code: (code, None)), non_answers)
    if q.kind is Kind.PHONE:
        phones = st.integers(2002000000, 9899999999).map(valid_phone).filter(bool)
        return st.one_of(phones.map(lambda p: ("given", p)), non_answers)
    if q.kind is Kind.EMAIL:
        emails = st.from_regex(r"[a-z][a-z0-9.]{0,12}[a-z0-9]@example\.(org|com)", fullmatch=True)
        return st.one_of(emails.map(lambda e: ("given", e)), non_answers)
    if q.kind is Kind.DATE:
        dates = st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31))
        return st.one_of(dates.map(lambda d: ("given", d.isoformat())), non_answers)
    # Names and free text: whatever the shared parser accepts is a valid value.
    typed = st.text(min_size=1, max_size=120).map(lambda raw: parse_answer(q, raw)).filter(
        lambda r: r.ok and r.code == "given")
    return st.one_of(typed.map(lambda r: ("given", r.value)), non_answers)


@st.composite
def question_and_answer(draw: Any) -> tuple[Question, str, str | None]:
    q = draw(st.sampled_from(QUESTIONS))
    code, value = draw(stored(q))
    return q, code, value


@pytest.fixture
def demo(app: Flask) -> Flask:
    with app.app_context():
        load_demo(db.session, users=False)
    return app


def test_no_valid_value_of_any_kind_reads_as_a_decline_or_an_unknown():
    """The two non-answers are not numbers, option codes, places or 'given' (checked per question)."""
    for q in QUESTIONS:
        for opt in q.options:
            assert is_non_answer(opt.code) == (opt.hud in (8, 9)), (q.key, opt.code)
    assert not any(count_value(code) is not None for code in (DECLINE, DONT_KNOW))
    for number in range(0, 100):
        assert not is_non_answer(str(number))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question_and_answer())
def test_any_valid_answer_round_trips_through_store_review_staff_and_outcomes(demo, drawn):
    q, code, value = drawn
    with demo.test_request_context("/intake/review"):
        session = db.session
        intake = svc.start_intake(session, channel=Channel.WEB, language="en", commit=False)
        for key, other in context_for(q).items():
            svc.record(session, intake, key, ParseResult(ok=True, code=other, value=VALUES.get(key)), commit=False)
        svc.record(session, intake, q.key, ParseResult(ok=True, code=code, value=value), commit=False)
        session.commit()
        session.expire_all()

        # store: the code (and the value, decrypted) are what was given
        assert svc.codes(intake)[q.key] == code
        assert svc.personal_values(intake).get(q.key) == value

        # review (unmasked, as on a personal phone) and staff
        review = {row["key"]: row["answer"] for row in answer_rows(intake)}[q.key]
        staff = {line.key: line for line in answer_lines(intake, svc.personal_values(intake))}[q.key]
        back, _place = initial_value(intake, q, svc.codes(intake), "web")
        if is_non_answer(code):
            assert review == NON_ANSWER_LABELS[code]
            assert staff.labels == (NON_ANSWER_LABELS[code],)
            # A list shows its "Prefer not to answer" option picked; a typed answer shows an empty box.
            assert back == (code if q.kind is Kind.CHOICE else [code] if q.kind is Kind.MULTI else None)
        elif q.options:
            labels = tuple(opt.label for part in code.split(",") if (opt := q.option(part)) is not None)
            assert review == ", ".join(labels)
            assert staff.labels == labels
            assert back == (code.split(",") if q.kind is Kind.MULTI else code)
        elif q.kind is Kind.COUNT:
            assert review == code and staff.value == code and back == code
        elif q.kind is Kind.LOCATION:
            place = code.partition(":")[2]
            assert place in review.lower()
            assert staff.value == routing.describe_location(code) and back == place
        else:
            assert value is not None
            shown = format_date(date.fromisoformat(value), "short", locale="en") if q.kind is Kind.DATE else value
            assert review == shown and staff.value == value and back == value

        # outcomes and the export readers
        answers = svc.codes(intake)
        outcome = compute_outcomes(answers)
        if q.kind is Kind.COUNT:
            number = count_value(code)
            assert ("children" in outcome.reasons) == (q.key == "children" and bool(number))
            profile = routing.HouseholdProfile.from_answers(answers)
            assert ("families" in profile.populations) == (q.key == "children" and bool(number))
        if q.key in HMIS_FIELDS:
            hud = getattr(hmis_mapping(answers, "web"), HMIS_FIELDS[q.key])
            option = q.option(code)
            assert option is not None and hud == option.hud
        session.rollback()


def test_an_intake_with_every_question_skipped_has_priority_0_and_no_reasons(demo):
    with demo.app_context():
        session = db.session
        intake = svc.start_intake(session, channel=Channel.WEB, language="en")
        while (q := svc.current_question(intake)) is not None:
            assert svc.answer(session, intake, q.key, "skip").ok
        stored_codes = svc.codes(intake)
        assert stored_codes["children"] == DECLINE and stored_codes["adults"] == DECLINE
        result = svc.submit(session, intake)
        assert result.intake.priority == 0
        assert result.intake.priority_reasons == []


@pytest.mark.parametrize(("adults", "children"), [("8", "9"), ("9", "8")])
def test_8_adults_and_9_children_are_numbers_everywhere(demo, adults, children):
    with demo.test_request_context("/intake/review"):
        session = db.session
        intake = svc.start_intake(session, channel=Channel.WEB, language="en")
        for key, other in {**BASE, "slept_last_night": "outside"}.items():
            svc.record(session, intake, key, ParseResult(ok=True, code=other, value=VALUES.get(key)))
        assert svc.answer(session, intake, "adults", adults).ok
        assert svc.answer(session, intake, "children", children).ok
        review = {row["key"]: row["answer"] for row in answer_rows(intake)}
        staff = {line.key: line.value for line in answer_lines(intake, None)}
        assert (review["adults"], review["children"]) == (adults, children)
        assert (staff["adults"], staff["children"]) == (adults, children)
        for key, typed in (("adults", adults), ("children", children)):
            assert initial_value(intake, question(key), svc.codes(intake), "web")[0] == typed
        assert "children" in compute_outcomes(svc.codes(intake)).reasons
