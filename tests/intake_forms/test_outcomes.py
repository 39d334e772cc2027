"""Outcome rules from intake.md, as tables."""

from __future__ import annotations

import pytest

from intake_forms import compute_outcomes, hmis_mapping
from intake_forms.outcomes import DEFAULT_WEIGHTS

BASE = {"language": "en", "start_choice": "questions", "safe_now": "1", "fleeing_violence": "0"}


def outcome(**answers):
    return compute_outcomes({**BASE, **answers})


@pytest.mark.parametrize(("answers", "category", "track"), [
    ({"slept_last_night": "outside"}, 1, "homeless"),
    ({"slept_last_night": "shelter"}, 1, "homeless"),
    ({"slept_last_night": "motel_voucher"}, 1, "homeless"),
    ({"slept_last_night": "jail", "institution_short_stay": "1"}, 1, "homeless"),
    ({"slept_last_night": "jail", "institution_short_stay": "0", "leave_by": "later"}, None, "prevention"),
    ({"slept_last_night": "friends", "leave_by": "7d", "could_stay_with": "0"}, 2, "homeless"),
    ({"slept_last_night": "friends", "leave_by": "14d", "could_stay_with": "maybe"}, 2, "homeless"),
    ({"slept_last_night": "friends", "leave_by": "14d", "could_stay_with": "1"}, None, "prevention"),
    ({"slept_last_night": "own_place", "leave_by": "later"}, None, "prevention"),
    ({"slept_last_night": "own_place", "leave_by": "21d"}, None, "prevention"),
    ({"fleeing_violence": "1", "dv_choice": "advocate"}, 4, "homeless"),
    ({"fleeing_violence": "1", "dv_choice": "anonymous", "slept_last_night": "outside"}, 1, "homeless"),
    ({"start_choice": "talk"}, None, None),
])
def test_category_and_track(answers, category, track):
    result = outcome(**answers)
    assert result.homeless_category == category
    assert result.track == track


@pytest.mark.parametrize(("answers", "candidate"), [
    ({"slept_last_night": "outside", "could_stay_with": "1"}, True),
    ({"slept_last_night": "outside", "could_stay_with": "maybe"}, True),
    ({"slept_last_night": "outside", "could_stay_with": "0"}, False),
    ({"slept_last_night": "friends", "leave_by": "1d", "could_return": "maybe", "could_stay_with": "0"}, True),
    ({"slept_last_night": "friends", "leave_by": "14d", "could_return": "1"}, False),
    ({"fleeing_violence": "1", "dv_choice": "anonymous", "slept_last_night": "outside", "could_stay_with": "1"},
     False),
])
def test_diversion_candidate(answers, candidate):
    assert outcome(**answers).diversion_candidate is candidate


@pytest.mark.parametrize(("answers", "score", "reasons"), [
    ({"slept_last_night": "outside"}, 3, ("slept_outside",)),
    ({"slept_last_night": "outside", "safe_place_tonight": "0", "children": "2", "adults": "1"}, 7,
     ("slept_outside", "no_safe_place_tonight", "children")),
    ({"slept_last_night": "shelter", "pregnant": "1", "veteran": "1", "age_band": "62plus", "health_barrier": "1"},
     4, ("pregnant", "veteran", "age_62_plus", "health_barrier")),
    ({"slept_last_night": "friends", "leave_by": "1d", "adults": "1", "children": "0", "age_band": "18_24"}, 2,
     ("youth_alone", "leave_within_7_days")),
    ({"slept_last_night": "friends", "leave_by": "7d", "adults": "2", "age_band": "18_24"}, 1,
     ("leave_within_7_days",)),
    ({"slept_last_night": "own_place", "leave_by": "later"}, 0, ()),
])
def test_priority_and_reasons(answers, score, reasons):
    result = outcome(**answers)
    assert result.priority == score
    assert result.reasons == reasons


def test_priority_weights_come_from_config():
    answers = {**BASE, "slept_last_night": "outside", "veteran": "1"}
    assert compute_outcomes(answers).priority == DEFAULT_WEIGHTS["slept_outside"] + DEFAULT_WEIGHTS["veteran"]
    assert compute_outcomes(answers, {"veteran": 5}).priority == 8
    assert compute_outcomes(answers, {"veteran": 0}).reasons == ("slept_outside",)


@pytest.mark.parametrize(("answers", "confidential", "callback", "withdrawn"), [
    ({"fleeing_violence": "1", "dv_choice": "advocate"}, True, True, False),
    ({"fleeing_violence": "1", "dv_choice": "anonymous"}, True, False, False),
    ({"fleeing_violence": "1", "dv_choice": "stop"}, False, False, True),
    ({"start_choice": "talk"}, False, True, False),
    ({"safe_now": "0", "keep_going": "0"}, False, True, False),
])
def test_flags(answers, confidential, callback, withdrawn):
    result = outcome(**answers)
    assert (result.confidential, result.callback_requested, result.withdrawn) == (confidential, callback, withdrawn)


@pytest.mark.parametrize(("channel", "kind"), [("voice", 1), ("sms", 2), ("web", 2), ("kiosk", 3)])
def test_hmis_mapping(channel, kind):
    answers = {**BASE, "slept_last_night": "outside", "veteran": "1", "could_stay_with": "0"}
    mapped = hmis_mapping(answers, channel)
    assert mapped.assessment_type == kind
    assert (mapped.assessment_level, mapped.prioritization_status) == (1, 2)
    assert mapped.events == (2, 4)
    assert (mapped.living_situation, mapped.veteran_status, mapped.currently_fleeing) == (116, 1, 0)
    assert hmis_mapping({**BASE}, channel, queued=False).living_situation == 99


@pytest.mark.parametrize("answers", [
    {"start_choice": "talk"},
    {"safe_now": "0", "keep_going": "0"},
    {"fleeing_violence": "1", "dv_choice": "advocate"},
])
def test_a_callback_request_is_a_priority_reason_of_its_own(answers):
    result = outcome(**answers)
    assert result.callback_requested
    assert result.reasons == ("callback_requested",)
    assert result.priority == DEFAULT_WEIGHTS["callback_requested"] > 0
    assert compute_outcomes({**BASE, **answers}, {"callback_requested": 4}).priority == 4
