"""Every question is reachable, every path ends, and the conditions do what intake.md says."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_forms import QUESTIONS, Kind, next_question, parse_answer, path, previous_question, question
from intake_forms.conditions import CONDITIONS
from intake_forms.flow import relevant_answers

FULL = {
    "language": "en", "start_choice": "questions", "safe_now": "1", "fleeing_violence": "0",
    "slept_last_night": "family", "leave_by": "7d", "adults": "1", "children": "0", "pregnant": "0",
    "age_band": "18_24", "veteran": "0", "health_barrier": "0", "safe_place_tonight": "1",
    "could_return": "maybe", "could_stay_with": "1", "help_needed": "money,other", "help_other": "given",
    "location": "zip:67601", "contact_method": "text", "phone": "given", "safe_to_text": "1",
    "safe_to_voicemail": "0", "best_time": "any", "contact_name": "given", "legal_name": "given",
    "dob": "given", "consent_share": "1",
}


def walk(answers: dict[str, str]) -> list[str]:
    """Answer with the given codes (or the skip code) until the flow ends; return the keys asked."""
    given_: dict[str, str] = {}
    asked = []
    while (q := next_question(given_)) is not None:
        asked.append(q.key)
        given_[q.key] = answers.get(q.key, q.skip_code)
        assert len(asked) <= len(QUESTIONS)
    return asked


def test_every_condition_name_exists():
    for q in QUESTIONS:
        assert q.ask_if is None or q.ask_if in CONDITIONS, q.key


def test_keys_are_unique_and_options_have_unique_codes():
    keys = [q.key for q in QUESTIONS]
    assert len(keys) == len(set(keys))
    for q in QUESTIONS:
        codes = [o.code for o in q.options]
        assert len(codes) == len(set(codes)), q.key


def test_every_choice_question_can_be_declined():
    for q in QUESTIONS:
        result = parse_answer(q, "skip", "en")
        assert result.ok and result.code == q.skip_code, q.key
        if q.kind in (Kind.CHOICE, Kind.MULTI):
            assert q.skip_code in {o.code for o in q.options}, q.key


def test_full_path_asks_the_whole_conversation():
    asked = walk(FULL)
    assert asked[:4] == ["language", "start_choice", "safe_now", "fleeing_violence"]
    assert "dv_choice" not in asked and "keep_going" not in asked and "interpreter" not in asked
    assert {"help_other", "phone", "legal_name", "dob", "consent_share"} <= set(asked)


SCENARIOS = [
    # (answers, must ask, must not ask)
    ({"start_choice": "talk"}, {"location", "contact_method", "contact_name", "consent_share"},
     {"safe_now", "slept_last_night", "help_needed"}),
    ({"safe_now": "0", "keep_going": "0"}, {"keep_going", "contact_method"}, {"fleeing_violence", "slept_last_night"}),
    ({"safe_now": "0", "keep_going": "1"}, {"keep_going", "fleeing_violence", "slept_last_night"}, set()),
    ({"fleeing_violence": "1", "dv_choice": "advocate", "contact_method": "call", "phone": "given"},
     {"dv_choice", "contact_name", "safe_to_text", "safe_to_voicemail", "best_time"},
     {"slept_last_night", "location", "legal_name", "dob", "consent_share", "help_needed"}),
    ({"fleeing_violence": "1", "dv_choice": "anonymous", "help_needed": "other"},
     {"slept_last_night", "help_needed", "location", "consent_share"}, {"legal_name", "dob", "help_other"}),
    ({"fleeing_violence": "1", "dv_choice": "stop"}, {"dv_choice"}, {"contact_name", "location", "slept_last_night"}),
    ({"slept_last_night": "outside"}, {"could_stay_with"}, {"leave_by", "could_return", "institution_short_stay"}),
    ({"slept_last_night": "jail"}, {"leave_by", "institution_short_stay", "could_return"}, set()),
    ({"language": "es"}, {"interpreter"}, set()),
    ({"contact_method": "email", "email": "given"}, {"email", "best_time"}, {"phone", "safe_to_text"}),
    ({"contact_method": "come_back"}, {"contact_name"}, {"phone", "email", "best_time"}),
]


@pytest.mark.parametrize(("answers", "asked", "skipped"), SCENARIOS)
def test_branching(answers, asked, skipped):
    keys = set(walk(answers))
    assert asked <= keys
    assert not (skipped & keys)


def test_every_question_is_reachable():
    reached: set[str] = set()
    for answers, _, _ in SCENARIOS:
        reached.update(walk(answers))
    reached.update(walk(FULL))
    assert reached == {q.key for q in QUESTIONS}


def test_previous_question_and_path():
    answers = {"language": "en", "start_choice": "questions", "safe_now": "1"}
    assert [q.key for q in path(answers)] == ["language", "start_choice", "safe_now", "fleeing_violence"]
    assert previous_question(answers).key == "safe_now"
    assert previous_question(answers, "safe_now").key == "start_choice"
    assert previous_question(answers, "language") is None


def test_changing_an_earlier_answer_drops_answers_that_no_longer_apply():
    answers = dict(FULL, slept_last_night="outside")
    kept = relevant_answers(answers)
    assert "leave_by" not in kept and "could_return" not in kept
    assert kept["slept_last_night"] == "outside"


# Random replies, valid or not, never break the flow ------------------------------------------

replies = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["1", "2", "3", "9", "14", "0", "yes", "no", "sí", "skip", "67601", "Ellis", "785-555-0100",
                     "a@b.co", "01/02/1990", "🙂", " ", "1 3", "dos", "talk", "stop", "advocate"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(replies, min_size=0, max_size=80), st.sampled_from(["en", "es"]))
def test_random_replies_always_end_and_never_raise(sequence, locale):
    answers: dict[str, str] = {}
    feed = iter(sequence)
    steps = 0
    while (q := next_question(answers)) is not None:
        raw = next(feed, "skip")
        result = parse_answer(q, raw, locale)
        if result.ok:
            assert result.code is not None
            answers[q.key] = result.code
        else:
            assert result.error
        steps += 1
        if steps > len(sequence) + len(QUESTIONS):
            pytest.fail("the flow did not end")
    assert set(answers) <= {q.key for q in QUESTIONS}
    # Every stored choice code is one of the question's options.
    for key, code in answers.items():
        q = question(key)
        if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
            assert q.option(code) is not None
        if q.kind is Kind.MULTI:
            assert all(q.option(part) for part in code.split(","))
