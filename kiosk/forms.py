"""WTForms built from ``intake_forms`` questions: the page shows what the definition says."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from intake_forms import LANGUAGES, Kind, Question, question

#: HTML autocomplete and input hints per kind. Personal fields never autocomplete on a
#: shared tablet: the next person must not be offered the last person's answers.
INPUT_ATTRS: dict[Kind, dict[str, str]] = {
    Kind.COUNT: {"inputmode": "numeric", "autocomplete": "off"},
    Kind.LOCATION: {"autocomplete": "off", "autocapitalize": "words"},
    Kind.PHONE: {"type": "tel", "inputmode": "tel", "autocomplete": "off"},
    Kind.EMAIL: {"type": "email", "inputmode": "email", "autocomplete": "off", "autocapitalize": "none"},
    Kind.NAME: {"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"},
    Kind.DATE: {"inputmode": "numeric", "autocomplete": "off"},
    Kind.TEXT: {"autocomplete": "off", "rows": "4"},
}

TEXT_KINDS = frozenset({Kind.COUNT, Kind.LOCATION, Kind.PHONE, Kind.EMAIL, Kind.NAME, Kind.DATE, Kind.TEXT})


class MultiCheckboxField(SelectMultipleField):
    """Pick any: a list of check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionForm(FlaskForm):
    """The buttons every question page has; the answer field is added per question."""

    next = SubmitField(_l("Next"))
    skip = SubmitField(_l("Skip this question"))


class LanguageForm(FlaskForm):
    """Pick or change the language; `back_to` is the page to return to."""

    lang = RadioField(choices=[SelectChoice(code, code) for code in LANGUAGES])
    back_to = HiddenField()


class ActionForm(FlaskForm):
    """A form with only a CSRF token and a button (submit, text me, pair)."""

    go = SubmitField()


def choices_for(q: Question) -> list[SelectChoice]:
    """Return the options of a question: stored code and translated label."""
    if q.key == "language":
        return [SelectChoice(o.code, o.label) for o in q.options]
    return [SelectChoice(o.code, _(o.label)) for o in q.options]


def build_form(q: Question, *, kiosk_here: str | None = None, data: dict[str, Any] | None = None,
               formdata: Any = None) -> QuestionForm:
    """Return the form for one question (`kiosk_here`: the access point a kiosk offers as "here")."""

    class Form(QuestionForm):
        pass

    label = _(q.prompt)
    answer: Field
    if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
        answer = RadioField(label, choices=choices_for(q), validate_choice=True)
    elif q.kind is Kind.MULTI:
        answer = MultiCheckboxField(label, choices=choices_for(q))
    elif q.kind is Kind.TEXT:
        answer = TextAreaField(label, render_kw=INPUT_ATTRS[Kind.TEXT])
    else:
        answer = StringField(label, render_kw=INPUT_ATTRS.get(q.kind, {"autocomplete": "off"}))
    Form.answer = answer  # type: ignore[attr-defined]
    if q.kind is Kind.LOCATION and kiosk_here:
        Form.where = RadioField(  # type: ignore[attr-defined]
            _("Where do you want help?"),
            choices=[SelectChoice("here", _("Here, at %(place)s", place=kiosk_here)),
                     SelectChoice("other", _("In another place"))],
            default="here",
        )
    form: QuestionForm = Form(formdata=formdata, data=data) if formdata is not None else Form(data=data)
    return form


def stored_to_data(q: Question, code: str | None, value: str | None) -> dict[str, Any]:
    """Turn a stored answer back into form data, so "Back" and "change" show what was given."""
    if code is None:
        return {}
    if q.kind is Kind.MULTI:
        return {"answer": [c for c in code.split(",") if c]}
    if q.kind in (Kind.CHOICE, Kind.LANGUAGE):
        return {"answer": code}
    if q.kind is Kind.LOCATION:
        if code == "here":
            return {"where": "here"}
        shown = code.split(":", 1)[1] if ":" in code else ""
        return {"where": "other", "answer": shown.title() if code.startswith("county:") else shown}
    if q.kind is Kind.COUNT:
        return {"answer": code if code.isdigit() else ""}
    return {"answer": value or ""}


__all__ = ["TEXT_KINDS", "ActionForm", "LanguageForm", "QuestionForm", "build_form", "question",
           "stored_to_data"]
