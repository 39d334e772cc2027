"""One valid answer to any intake question, for the tests that walk a whole intake on a channel."""

from __future__ import annotations

from intake_forms.definition import IDENTIFYING_KINDS, Kind, Option, Question

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
