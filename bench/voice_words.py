"""Count the words the phone line says on a whole call, per language, and what that takes at speaking pace.

    .venv/bin/python bench/voice_words.py

A call answers every question of the full path (a household staying with family, contact by phone),
hears the welcome, each question with its keypad options (a long list's second half only when the
answer is there), and the confirmation. Words are counted
in what Twilio's voice reads (``voice.speech``); minutes are at 150 spoken words a minute, without
the caller's own pauses and answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_babel import force_locale

from app import create_app
from intake_forms import Question, languages, path
from voice import speech

#: A whole intake on the longest common path (codes as stored).
ANSWERS = {
    "language": "en", "start_choice": "questions", "safe_now": "1", "fleeing_violence": "0",
    "slept_last_night": "family", "leave_by": "7d", "adults": "2", "children": "1", "pregnant": "0",
    "age_band": "25_54", "veteran": "0", "health_barrier": "0", "safe_place_tonight": "1",
    "could_return": "maybe", "could_stay_with": "0", "help_needed": "money", "location": "county:ellis",
    "contact_method": "call", "phone": "given", "safe_to_text": "1", "safe_to_voicemail": "1",
    "best_time": "any", "contact_name": "given", "legal_name": "given", "dob": "given", "interpreter": "0",
    "consent_share": "1",
}
WORDS_PER_MINUTE = 150


def words(lines: list[speech.Line]) -> int:
    return sum(len(line.text.split()) for line in lines)


def said(q: Question, code: str) -> int:
    """Words read before the caller can answer: a long list's second half only when the answer is there."""
    first = words(speech.question_lines(q, 1))
    if not speech.is_long(q):
        return first
    number = q.option_number(code.split(",")[0]) or len(q.options)
    return first if number <= (len(q.options) + 1) // 2 else first + words(speech.question_lines(q, 2))


def main() -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        for lang in languages.REGISTRY:
            if lang.voice is None:
                continue
            with force_locale(lang.code):
                answers = {**ANSWERS, "language": lang.code}
                asked = [q for q in path(answers) if q.key != "language"]
                per_question = {q.key: said(q, answers[q.key]) for q in asked}
                total = (words(list(speech.language_menu())) + words(speech.welcome_lines())
                         + sum(per_question.values())
                         + words(speech.confirmation_lines("7KQ2MD", "Sample: Hays Access Point", "785-555-0101",
                                                           callback=True)))
            longest = sorted(per_question.items(), key=lambda item: -item[1])[:3]
            print(f"{lang.code}: {len(asked)} questions, {total} words, "
                  f"{total / WORDS_PER_MINUTE:.1f} min of speech; longest: "
                  + ", ".join(f"{key} {count}" for key, count in longest))


if __name__ == "__main__":
    main()
