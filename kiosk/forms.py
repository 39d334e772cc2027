"""WTForms forms built from intake_forms questions: one form per question page."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice.
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None
from wtforms.widgets import CheckboxInput, ListWidget

from intake_forms import Kind, Question

#: The location code a kiosk stores for "help here": submit routes it to the kiosk's access point.
HERE = "here"
ELSEWHERE = "elsewhere"

#: HTML input attributes per kind. Nothing is marked required: every question can be skipped.
INPUT_ATTRS: dict[Kind, dict[str, str]] = {
    Kind.COUNT: {"inputmode": "numeric", "pattern": "[0-9]*", "maxlength": "3"},
    Kind.LOCATION: {"inputmode": "text", "maxlength": "60"},
    Kind.PHONE: {"type": "tel", "inputmode": "tel", "maxlength": "30"},
    Kind.EMAIL: {"inputmode": "email", "maxlength": "254", "spellcheck": "false"},
    Kind.NAME: {"maxlength": "100", "spellcheck": "false"},
    Kind.DATE: {"inputmode": "numeric", "maxlength": "10"},
    Kind.TEXT: {"maxlength": "2000", "rows": "4"},
}


class MultiCheckboxField(SelectMultipleField):
    """A pick-any list shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionForm(FlaskForm):
    """Base for the per-question forms; fields are added by `form_for`."""

    answer: Field


def choice(value: str, label: str) -> Any:
    """Return one choice in the form this WTForms version expects."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def option_choices(q: Question) -> list[Any]:
    """Return the choices (code, translated label) of a question's options."""
    return [choice(opt.code, _(opt.label)) for opt in q.options]


def form_for(q: Question, *, here_label: str | None = None, formdata: Any = None,
             initial: str | list[str] | None = None, place: str | None = None) -> QuestionForm:
    """Build the form for one question; ``here_label`` offers a kiosk's own place for location."""
    attrs: dict[str, Any] = {}
    # Personal answers must never be remembered by the browser of a shared tablet.
    render_kw = {"autocomplete": "off", "autocapitalize": "off", **INPUT_ATTRS.get(q.kind, {})}
    if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
        attrs["answer"] = RadioField(_l("Your answer"), choices=option_choices(q), validate_choice=True)
    elif q.kind is Kind.MULTI:
        attrs["answer"] = MultiCheckboxField(_l("Your answer"), choices=option_choices(q))
    elif q.kind is Kind.TEXT:
        attrs["answer"] = TextAreaField(_l("Your answer"), render_kw=render_kw)
    elif q.kind is Kind.LOCATION and here_label:
        places = [choice(HERE, here_label), choice(ELSEWHERE, _("I want help in another place"))]
        attrs["where"] = RadioField(_l("Where do you want help?"), choices=places, default=HERE,
                                    validate_choice=False)
        attrs["answer"] = StringField(_l("ZIP code or county"), render_kw=render_kw)
    else:
        attrs["answer"] = StringField(_l("Your answer"), render_kw=render_kw)
    form_class = type(f"{q.key.title()}Form", (QuestionForm,), attrs)
    data: dict[str, Any] = {}
    if initial is not None:
        data["answer"] = initial
    if "where" in attrs:
        data["where"] = place or HERE
    return form_class(formdata=formdata, data=data)


class StatusForm(FlaskForm):
    """Look up a request: the reference code and one check (never in the URL: POST only)."""

    code = StringField(_l("Reference code"), render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                                      "spellcheck": "false", "maxlength": "12"})
    last4 = StringField(_l("Last 4 digits of the phone number you gave"),
                        render_kw={"autocomplete": "off", "inputmode": "numeric", "maxlength": "4"})
    dob = StringField(_l("Or, if you gave no phone number: your date of birth"),
                      render_kw={"autocomplete": "off", "inputmode": "numeric", "maxlength": "10"})


class ResumeForm(FlaskForm):
    """Go on with a form begun by text or by phone: its code and the last 4 digits of that phone."""

    code = StringField(_l("Reference code"), render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                                      "spellcheck": "false", "maxlength": "12"})
    last4 = StringField(_l("Last 4 digits of the phone you texted or called from"),
                        render_kw={"autocomplete": "off", "inputmode": "numeric", "maxlength": "4"})


class MetWhereForm(FlaskForm):  # type: ignore[misc]  # FlaskForm is untyped
    """Where an outreach worker met the household of an assisted intake (never sent anywhere)."""

    county = SelectField(_l("County"), choices=[], validate_choice=False)
    place = StringField(_l("Cross streets or landmark (optional)"), validators=[Optional(), Length(max=120)])
    latitude = HiddenField()
    longitude = HiddenField()
