"""Walk the intake: which question comes next, which answers still count."""

from __future__ import annotations

from collections.abc import Mapping

from intake_forms.conditions import CONDITIONS
from intake_forms.definition import NOTICES, QUESTIONS, Notice, Question, question

Answers = Mapping[str, str]


def applies(q: Question, answers: Answers) -> bool:
    """Tell whether a question is asked, given the answers so far."""
    return q.ask_if is None or CONDITIONS[q.ask_if](answers)


def path(answers: Answers) -> list[Question]:
    """Return the questions asked so far and the next one, in order.

    Walking in order means an answer that no longer applies (an earlier answer changed)
    is passed over, and the walk always ends: each question is visited once.
    """
    walked: list[Question] = []
    for q in QUESTIONS:
        if not applies(q, answers):
            continue
        walked.append(q)
        if q.key not in answers:
            break
    return walked


def next_question(answers: Answers) -> Question | None:
    """Return the first question that applies and has no answer, or None when finished."""
    for q in QUESTIONS:
        if q.key not in answers and applies(q, answers):
            return q
    return None


def is_finished(answers: Answers) -> bool:
    """Tell whether every question that applies has an answer."""
    return next_question(answers) is None


def previous_question(answers: Answers, current: str | None = None) -> Question | None:
    """Return the question asked before `current` (default: before the next one)."""
    walked = [q for q in QUESTIONS if q.key in answers and applies(q, answers)]
    if current is None:
        return walked[-1] if walked else None
    keys = [q.key for q in walked]
    if current in keys:
        index = keys.index(current)
        return walked[index - 1] if index > 0 else None
    # The current question is unanswered: the one before it is the last answered before it.
    order = [q.key for q in QUESTIONS]
    position = order.index(current)
    earlier = [q for q in walked if order.index(q.key) < position]
    return earlier[-1] if earlier else None


def relevant_answers(answers: Answers) -> dict[str, str]:
    """Keep only the answers to questions that apply, in question order."""
    return {q.key: answers[q.key] for q in QUESTIONS if q.key in answers and applies(q, answers)}


def notices_for(key: str, code: str) -> tuple[Notice, ...]:
    """Return the help to show right after this answer."""
    q = question(key)
    if q.kind.value == "multi":
        keys: list[str] = []
        for part in code.split(","):
            keys.extend(q.notices.get(part, ()))
        return tuple(NOTICES[k] for k in dict.fromkeys(keys))
    return tuple(NOTICES[k] for k in q.notices.get(code, ()))
