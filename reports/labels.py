"""What each report code is called on the page and in downloads (one place for both)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from intake_forms import languages
from intake_forms.outcomes import REASON_LABELS

TABLE_TITLES: dict[str, LazyString] = {
    "by_day": _l("Intakes by day"),
    "by_channel": _l("Intakes by channel"),
    "by_track": _l("Track"),
    "by_category": _l("HUD homeless category"),
    "by_language": _l("Language"),
    "outcomes": _l("Outcomes"),
    "overdue": _l("Missed response targets"),
    "diversion": _l("Diversion candidates and what happened"),
    "diversion_results": _l("Diversion results (HUD 4.20.A)"),
    "flags": _l("Out of area, callbacks and diversion"),
    "by_county": _l("Intakes by county"),
}

LABELS: dict[str, dict[str, LazyString]] = {
    "by_channel": {"kiosk": _l("Kiosk"), "web": _l("Web"), "sms": _l("Text message"), "voice": _l("Phone call"),
                   "assisted": _l("With staff, in person")},
    "by_track": {"homeless": _l("Homeless"), "prevention": _l("Prevention"), "unknown": _l("Not known")},
    "by_category": {"1": _l("Category 1: literally homeless"), "2": _l("Category 2: imminent risk"),
                    "3": _l("Category 3: homeless under other federal statutes"),
                    "4": _l("Category 4: fleeing domestic violence"), "unknown": _l("Not known")},
    "by_language": {lang.code: _l(lang.name) for lang in languages.REGISTRY},
    "outcomes": {
        "open": _l("Still open"),
        "assessed_in_hmis": _l("Assessment done in HMIS"),
        "diverted": _l("Resolved by diversion"),
        "referred_elsewhere": _l("Referred elsewhere"),
        "unable_to_contact": _l("Unable to contact"),
        "declined": _l("Declined services"),
        "duplicate": _l("Duplicate of another intake"),
    },
    "diversion_results": {"1": _l("Yes: housed or re-housed in a safe alternative"), "0": _l("No"),
                          "99": _l("Data not collected")},
    "overdue": {"missed_claim": _l("Claimed late or not yet claimed after the target"),
                "missed_contact": _l("First contact late or not yet made after the target"),
                "missed_any": _l("Missed either target")},
    "flags": {"out_of_area": _l("Out of area"), "callback_requested": _l("Callback requested"),
              "diversion_candidate": _l("Diversion candidate")},
    "list_flags": {"diversion_candidate": _l("Diversion candidate"), "out_of_area": _l("Out of area"),
                   "callback_requested": _l("Callback requested"),
                   "possible_flood": _l("Possible flood (many intakes from one device or connection)")},
}
LABELS["diversion"] = {"candidates": _l("All diversion candidates"),
                       **{k: v for k, v in LABELS["outcomes"].items()}}


def label(table: str, code: str, counties: dict[str, str] | None = None) -> str:
    """Return the words for ``code`` in ``table`` (a county's name, a day as is)."""
    if table == "by_county" and counties is not None:
        return counties.get(code, code)
    found = LABELS.get(table, {}).get(code)
    return str(found) if found is not None else code


def reason_label(code: str) -> str:
    from flask_babel import gettext

    return gettext(REASON_LABELS[code]) if code in REASON_LABELS else code
