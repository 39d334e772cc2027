"""The HMIS export form: a date range, access points within the person's scope, hashed names or not."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ExportForm(FlaskForm):
    start = DateField(_l("From (date submitted)"), validators=[DataRequired()])
    end = DateField(_l("To (date submitted)"), validators=[DataRequired()])
    # Choices are the person's own access points; one outside them is answered 404 by the view, so the
    # field does not refuse it first.
    access_points = CheckboxesField(_l("Access points (none ticked: all of yours)"), choices=[],
                                    validate_choice=False)
    hashed = BooleanField(_l("Hash names (HashStatus 4, for analysis tools; not for Clarity's import)"))
    submit = SubmitField(_l("Download the HMIS CSV export"))
