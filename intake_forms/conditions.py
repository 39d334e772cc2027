"""Named conditions that decide which questions are asked.

Each takes the answers given so far (storage key -> code) and returns a bool. A question names
its condition in `ask_if`; a name missing here is a defect caught by the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

Answers = Mapping[str, str]
Condition = Callable[[Answers], bool]

#: Last-night places that make a household literally homeless (HUD 116 and 101).
LITERALLY_HOMELESS_PLACES = frozenset({"outside", "shelter", "motel_voucher"})
#: Institutions that count as literally homeless after a short stay that followed homelessness.
INSTITUTIONS = frozenset({"hospital", "jail", "treatment"})
#: The contact methods that need a phone number.
PHONE_METHODS = frozenset({"text", "call"})
#: The contact methods that need no phone number or email: the person comes to staff.
IN_PERSON_METHODS = frozenset({"come_back", "agency"})


def talk_path(a: Answers) -> bool:
    """The person asked for a person instead of the questions (or chose to stop them)."""
    return a.get("start_choice") == "talk" or a.get("keep_going") == "0"


def questions_path(a: Answers) -> bool:
    return not talk_path(a)


def started_questions(a: Answers) -> bool:
    """The person chose the questions at the start (they may still stop them later)."""
    return a.get("start_choice") != "talk"


def not_safe_now(a: Answers) -> bool:
    return started_questions(a) and a.get("safe_now") == "0"


def fleeing(a: Answers) -> bool:
    return questions_path(a) and a.get("fleeing_violence") == "1"


def dv_advocate(a: Answers) -> bool:
    return fleeing(a) and a.get("dv_choice") == "advocate"


def dv_stop(a: Answers) -> bool:
    return fleeing(a) and a.get("dv_choice") == "stop"


def confidential(a: Answers) -> bool:
    """Fleeing violence and going on: the intake is for victim service providers only."""
    return fleeing(a) and a.get("dv_choice") != "stop"


def callback_requested(a: Answers) -> bool:
    """The person asked to be contacted: a person instead of the questions, or a victim advocate."""
    return talk_path(a) or dv_advocate(a)


def full_path(a: Answers) -> bool:
    """The whole pre-screen and diversion conversation."""
    return questions_path(a) and not dv_advocate(a) and not dv_stop(a)


def not_literally_homeless(a: Answers) -> bool:
    return full_path(a) and a.get("slept_last_night") not in LITERALLY_HOMELESS_PLACES


def left_institution(a: Answers) -> bool:
    return full_path(a) and a.get("slept_last_night") in INSTITUTIONS


def could_return_applies(a: Answers) -> bool:
    return full_path(a) and a.get("slept_last_night") not in LITERALLY_HOMELESS_PLACES


def help_other_applies(a: Answers) -> bool:
    chosen = a.get("help_needed", "").split(",")
    return full_path(a) and not confidential(a) and "other" in chosen


def location_applies(a: Answers) -> bool:
    return not dv_stop(a) and not dv_advocate(a)


def contact_applies(a: Answers) -> bool:
    return not dv_stop(a)


def phone_applies(a: Answers) -> bool:
    """Text or call was chosen; or the person asked to be contacted and did not say how (asked once more).

    On SMS and voice the phone question offers the number in use, so one "yes" is enough.
    """
    method = a.get("contact_method")
    if method in PHONE_METHODS:
        return contact_applies(a)
    return callback_requested(a) and method not in IN_PERSON_METHODS | {"email"}


def email_applies(a: Answers) -> bool:
    return contact_applies(a) and a.get("contact_method") == "email"


def phone_given(a: Answers) -> bool:
    return phone_applies(a) and a.get("phone") == "given"


def texting_allowed(a: Answers) -> bool:
    """A phone was given and the household said texting it is safe (read from stored answers)."""
    return a.get("phone") == "given" and a.get("safe_to_text") == "1"


def reachable(a: Answers) -> bool:
    """There is a phone number or an email to reach the person at."""
    return phone_given(a) or (email_applies(a) and a.get("email") == "given")


def contact_route(a: Answers) -> str:
    """How staff can reach the person: "phone", "email", "come_back", "agency" or "none"."""
    if phone_given(a):
        return "phone"
    if email_applies(a) and a.get("email") == "given":
        return "email"
    method = a.get("contact_method")
    if contact_applies(a) and method in IN_PERSON_METHODS:
        return str(method)
    return "none"


def unreachable(a: Answers) -> bool:
    """The person asked to be contacted, and staff have no way to do it."""
    return callback_requested(a) and contact_route(a) == "none"


def identity_applies(a: Answers) -> bool:
    return full_path(a) and not confidential(a)


def interpreter_applies(a: Answers) -> bool:
    return location_applies(a) and a.get("language", "en") != "en"


def consent_applies(a: Answers) -> bool:
    return not dv_stop(a) and not dv_advocate(a)


CONDITIONS: dict[str, Condition] = {
    fn.__name__: fn
    for fn in (
        talk_path,
        questions_path,
        started_questions,
        not_safe_now,
        fleeing,
        dv_advocate,
        dv_stop,
        callback_requested,
        confidential,
        full_path,
        not_literally_homeless,
        left_institution,
        could_return_applies,
        help_other_applies,
        location_applies,
        contact_applies,
        phone_applies,
        email_applies,
        phone_given,
        reachable,
        identity_applies,
        interpreter_applies,
        consent_applies,
    )
}
