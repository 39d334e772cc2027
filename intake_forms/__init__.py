"""The intake, written once as data, walked by every channel.

Nothing here imports Flask, WTForms or Twilio: channels render these questions and call
`parse_answer` and `next_question`; services store the codes and the outcomes.
"""

from intake_forms.definition import (
    DECLINE,
    DONT_KNOW,
    FLOW_VERSION,
    LANGUAGES,
    NON_ANSWER_LABELS,
    NOT_ASKED,
    NOTICES,
    QUESTIONS,
    Kind,
    Medium,
    Notice,
    Option,
    Question,
    count_value,
    is_non_answer,
    question,
)
from intake_forms.flow import (
    Answers,
    is_finished,
    next_question,
    notices_for,
    path,
    previous_question,
    relevant_answers,
)
from intake_forms.outcomes import (
    DEFAULT_WEIGHTS,
    HmisMapping,
    Outcomes,
    compute_outcomes,
    hmis_mapping,
)
from intake_forms.parse import ERRORS, ParseResult, detect_language, location_parts, normalize, parse_answer

__all__ = [
    "DECLINE",
    "DEFAULT_WEIGHTS",
    "DONT_KNOW",
    "ERRORS",
    "FLOW_VERSION",
    "LANGUAGES",
    "NON_ANSWER_LABELS",
    "NOTICES",
    "NOT_ASKED",
    "QUESTIONS",
    "Answers",
    "HmisMapping",
    "Kind",
    "Medium",
    "Notice",
    "Option",
    "Outcomes",
    "ParseResult",
    "Question",
    "compute_outcomes",
    "count_value",
    "detect_language",
    "hmis_mapping",
    "is_finished",
    "is_non_answer",
    "location_parts",
    "next_question",
    "normalize",
    "notices_for",
    "parse_answer",
    "path",
    "previous_question",
    "question",
    "relevant_answers",
]
