"""What the answers mean: HUD category, track, diversion, priority with reasons, HMIS mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from intake_forms import conditions
from intake_forms.definition import N_, count_value, question
from intake_forms.flow import relevant_answers

Answers = Mapping[str, str]

#: Priority weights (configurable): reason key -> points. No hidden score: every point has a reason.
DEFAULT_WEIGHTS: dict[str, int] = {
    "slept_outside": 3,
    "no_safe_place_tonight": 2,
    "children": 2,
    "pregnant": 1,
    "veteran": 1,
    "age_62_plus": 1,
    "youth_alone": 1,
    "health_barrier": 1,
    "leave_within_7_days": 1,
    # The person asked for a person (or for a victim advocate): someone has to call them.
    "callback_requested": 1,
}

#: Staff-facing labels for the reasons (msgids).
REASON_LABELS: dict[str, str] = {
    "slept_outside": N_("Slept outside"),
    "no_safe_place_tonight": N_("No safe place tonight"),
    "children": N_("Children"),
    "pregnant": N_("Pregnant"),
    "veteran": N_("Veteran"),
    "age_62_plus": N_("62 or older"),
    "youth_alone": N_("Youth on their own"),
    "health_barrier": N_("Health barrier"),
    "leave_within_7_days": N_("Must leave within 7 days"),
    "callback_requested": N_("Asked to be contacted"),
}

HOMELESS = "homeless"
PREVENTION = "prevention"

_LEAVE_SOON = frozenset({"1d", "7d"})
_LEAVE_WITHIN_14 = frozenset({"1d", "7d", "14d"})
_LEAVE_LATER = frozenset({"21d", "later"})
_HOUSED = frozenset({"family", "friends", "own_place", "motel_self", "transitional", "other"})
_YES_OR_MAYBE = frozenset({"1", "maybe"})


@dataclass(frozen=True)
class Outcomes:
    """The results staff see beside an intake."""

    homeless_category: int | None
    track: str | None
    diversion_candidate: bool
    priority: int
    reasons: tuple[str, ...]
    confidential: bool
    callback_requested: bool
    withdrawn: bool
    #: How staff can reach the person (``conditions.contact_route``).
    contact_route: str = "none"
    #: Asked to be contacted, and no way to do it: the channel says so plainly and gives a number to call.
    unreachable: bool = False


def _count(answers: Answers, key: str) -> int:
    """Read a count; a decline, an unknown or no answer counts as none (no reason is given for it)."""
    return count_value(answers.get(key)) or 0


def homeless_category(answers: Answers) -> int | None:
    """Return the HUD homeless category (1, 2 or 4), or None."""
    slept = answers.get("slept_last_night")
    if slept in conditions.LITERALLY_HOMELESS_PLACES:
        return 1
    if slept in conditions.INSTITUTIONS and answers.get("institution_short_stay") == "1":
        return 1
    if answers.get("leave_by") in _LEAVE_WITHIN_14 and answers.get("could_stay_with") != "1":
        return 2
    if answers.get("fleeing_violence") == "1":
        return 4
    return None


def track(answers: Answers, category: int | None) -> str | None:
    """Return the CE track: homeless or prevention (None when nothing tells)."""
    if category in (1, 2, 4):
        return HOMELESS
    if answers.get("leave_by") in _LEAVE_WITHIN_14 | _LEAVE_LATER:
        return PREVENTION
    if answers.get("slept_last_night") in _HOUSED | conditions.INSTITUTIONS:
        return PREVENTION
    return None


def diversion_candidate(answers: Answers, category: int | None) -> bool:
    """Tell whether a rapid-resolution conversation looks promising."""
    if answers.get("fleeing_violence") == "1":
        return False
    has_option = (answers.get("could_return") in _YES_OR_MAYBE
                  or answers.get("could_stay_with") in _YES_OR_MAYBE)
    urgent = category == 1 or answers.get("leave_by") in _LEAVE_SOON
    return has_option and urgent


def priority(answers: Answers, weights: Mapping[str, int] | None = None) -> tuple[int, tuple[str, ...]]:
    """Return the priority score and the reasons behind it, highest weight first."""
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    met = {
        "slept_outside": answers.get("slept_last_night") == "outside",
        "no_safe_place_tonight": answers.get("safe_place_tonight") == "0",
        "children": _count(answers, "children") > 0,
        "pregnant": answers.get("pregnant") == "1",
        "veteran": answers.get("veteran") == "1",
        "age_62_plus": answers.get("age_band") == "62plus",
        "youth_alone": answers.get("age_band") == "18_24" and answers.get("adults") == "1"
        and _count(answers, "children") == 0,
        "health_barrier": answers.get("health_barrier") == "1",
        "leave_within_7_days": answers.get("leave_by") in _LEAVE_SOON,
        "callback_requested": conditions.callback_requested(answers),
    }
    reasons = sorted((k for k, hit in met.items() if hit and w.get(k, 0) > 0),
                     key=lambda k: (-w[k], list(DEFAULT_WEIGHTS).index(k)))
    return sum(w[k] for k in reasons), tuple(reasons)


def compute_outcomes(answers: Answers, weights: Mapping[str, int] | None = None) -> Outcomes:
    """Compute every outcome from the answers that apply."""
    a = relevant_answers(answers)
    category = homeless_category(a)
    score, reasons = priority(a, weights)
    return Outcomes(
        homeless_category=category,
        track=track(a, category),
        diversion_candidate=diversion_candidate(a, category),
        priority=score,
        reasons=reasons,
        confidential=conditions.confidential(a),
        callback_requested=conditions.callback_requested(a),
        contact_route=conditions.contact_route(a),
        unreachable=conditions.unreachable(a),
        withdrawn=conditions.dv_stop(a),
    )


# HMIS -----------------------------------------------------------------------------------------

#: 4.19.3 AssessmentType by channel: 1 Phone, 2 Virtual, 3 In Person.
ASSESSMENT_TYPE = {"voice": 1, "sms": 2, "web": 2, "kiosk": 3, "assisted": 3}


@dataclass(frozen=True)
class HmisMapping:
    """The HMIS values an export writes for one intake (99 = data not collected)."""

    assessment_type: int
    assessment_level: int
    prioritization_status: int
    events: tuple[int, ...]
    living_situation: int
    veteran_status: int
    currently_fleeing: int


def _hud(answers: Answers, key: str) -> int:
    code = answers.get(key)
    if code is None:
        return 99
    opt = question(key).option(code)
    return opt.hud if opt is not None and opt.hud is not None else 99


def hmis_mapping(answers: Answers, channel: str, *, queued: bool = True) -> HmisMapping:
    """Map an intake to HMIS 4.19 / 4.20 values and the HUD-coded answers."""
    a = relevant_answers(answers)
    events: list[int] = []
    if "could_stay_with" in a or "could_return" in a:
        events.append(2)  # Problem Solving/Diversion/Rapid Resolution conversation
    if queued:
        events.append(4)  # Referral to scheduled CE Housing Needs Assessment
    return HmisMapping(
        assessment_type=ASSESSMENT_TYPE[channel],
        assessment_level=1,  # Crisis Needs Assessment
        prioritization_status=2,  # Not placed: staff place after the full assessment
        events=tuple(events),
        living_situation=_hud(a, "slept_last_night"),
        veteran_status=_hud(a, "veteran"),
        currently_fleeing=_hud(a, "fleeing_violence"),
    )
