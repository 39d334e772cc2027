"""Valid answers to the intake questions, for the tests that walk a whole intake (a channel, or the service)."""

from __future__ import annotations

from intake_forms.definition import IDENTIFYING_KINDS, Kind, Option, Question

#: A whole intake as (question, what the household typed), for the service-level tests.
FULL = [
    ("start_choice", "1"), ("safe_now", "yes"), ("fleeing_violence", "no"), ("slept_last_night", "outside"),
    ("adults", "1"), ("children", "2"), ("pregnant", "no"), ("age_band", "3"), ("veteran", "yes"),
    ("health_barrier", "no"), ("safe_place_tonight", "no"), ("could_stay_with", "maybe"), ("help_needed", "1 3"),
    ("location", "67601"), ("contact_method", "text"), ("phone", "(785) 555-0100"), ("safe_to_text", "yes"),
    ("safe_to_voicemail", "no"), ("best_time", "any"), ("contact_name", "Ana"), ("legal_name", "skip"),
    ("dob", "03/25/1980"), ("consent_share", "yes"),
]

#: "Is someone hurting you?" yes leads to the advocate's short path; "no" walks every other question.
NOT_FIRST = {"fleeing_violence": "0"}


def walk_option(q: Question) -> Option:
    """The option a walk picks: the first, or the one ``NOT_FIRST`` names."""
    assert q.options, q.key
    code = NOT_FIRST.get(q.key)
    return next(opt for opt in q.options if opt.code == code) if code else q.options[0]


def walk_reply(q: Question, *, identifying: str) -> str:
    """What a walk texts or keys: one for a count, a ZIP for the place, ``identifying`` for a
    question that would identify the household, else the number of ``walk_option``."""
    if q.kind is Kind.COUNT:
        return "1"
    if q.kind is Kind.LOCATION:
        return "67601"
    if q.kind in IDENTIFYING_KINDS:
        return identifying
    return str(q.options.index(walk_option(q)) + 1)
