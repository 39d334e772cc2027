"""Forms of the admin area (Flask-WTF, CSRF on); values are checked here, rules in services."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from intake_forms import languages as language_registry
from models import AccessPointKind, Role
from services import hours
from services.accounts import MIN_PASSWORD_LENGTH
from webforms import choices

KIND_LABELS = {
    AccessPointKind.PHYSICAL.value: _l("A place people can walk into"),
    AccessPointKind.VIRTUAL.value: _l("Remote (phone or online only)"),
    AccessPointKind.OUTREACH.value: _l("Street outreach"),
    AccessPointKind.VSP.value: _l("Victim service provider (confidential)"),
}
POPULATION_LABELS = {
    "all": _l("Everyone"),
    "families": _l("Families with children"),
    "single_adults": _l("Single adults"),
    "youth": _l("Youth (under 25)"),
    "veterans": _l("Veterans"),
    "survivors": _l("Survivors of violence"),
}
ROLE_LABELS = {
    Role.STAFF.value: _l("Staff (their access points' queues)"),
    Role.VSP_STAFF.value: _l("Victim service provider staff"),
    Role.OUTREACH.value: _l("Street outreach (their region)"),
    Role.COORDINATOR.value: _l("Regional coordinator"),
    Role.ADMIN.value: _l("CoC admin"),
}
DAY_LABELS = {
    "mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
    "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday"),
}
US_ZONES = ("America/Chicago", "America/Denver", "America/New_York", "America/Los_Angeles",
            "America/Phoenix", "America/Anchorage", "Pacific/Honolulu")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _day_hours(form: FlaskForm, field: Field) -> None:
    try:
        hours.parse_day(field.data or "")
    except hours.HoursError as exc:
        raise ValidationError(_l(
            "Write hours like 9:00-12:00, 13:00-17:00 (24-hour clock, no overlaps). "
            "This part could not be read: %(piece)s", piece=exc.args[0])) from None


def _closed_dates(form: FlaskForm, field: Field) -> None:
    try:
        hours.parse_closed_dates(field.data or "")
    except hours.HoursError as exc:
        raise ValidationError(_l("Write each date as YYYY-MM-DD, e.g. 2026-12-25. This one could not be read: "
                                 "%(piece)s", piece=exc.args[0])) from None


def email_list(text: str | None) -> list[str]:
    """Split e-mail addresses written one per line or separated by commas."""
    return [p.strip() for p in (text or "").replace(";", ",").replace("\n", ",").split(",") if p.strip()]


def _emails(form: FlaskForm, field: Field) -> None:
    for address in email_list(field.data):
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(_l("This is not an e-mail address: %(address)s", address=address)) from None


def language_list(text: str | None) -> list[str]:
    return [p.strip().lower() for p in (text or "").replace(";", ",").split(",") if p.strip()]


def _languages(form: FlaskForm, field: Field) -> None:
    for code in language_list(field.data):
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            raise ValidationError(_l("Use language codes such as en, es, vi. Not known: %(code)s",
                                     code=code)) from None


class AccessPointForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    address = StringField(_l("Street address"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("Town or city"), validators=[Optional(), Length(max=100)])
    state = StringField(_l("State"), validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message=_l(
        "Use the two-letter state code, e.g. KS."))])
    zip = StringField(_l("ZIP code"), validators=[Optional(), Regexp(r"^\d{5}(-\d{4})?$", message=_l(
        "A ZIP code has five digits, e.g. 67601."))],
        description=_l("The map position, town and county come from the ZIP code when left empty."))
    lat = FloatField(_l("Latitude (optional)"), validators=[Optional(), NumberRange(-90, 90)])
    lon = FloatField(_l("Longitude (optional)"), validators=[Optional(), NumberRange(-180, 180)])
    county = SelectField(_l("County"), choices=[], validate_choice=True)
    region = SelectField(_l("Region"), choices=[])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    timezone = SelectField(_l("Time zone"), choices=choices((z, z) for z in US_ZONES))
    closed_dates = TextAreaField(_l("Closed dates (holidays)"), validators=[_closed_dates],
                                 description=_l("One date per line, e.g. 2026-12-25."))
    alert_emails = TextAreaField(_l("Alert e-mails"), validators=[_emails],
                                 description=_l("Who hears about new or waiting intakes; one address per line."))
    oncall_phone = StringField(_l("On-call phone for alerts (optional)"), validators=[Optional(), Length(max=32)],
                               description=_l("Gets a text, with no personal details, for each new intake."))
    claim_target_minutes = IntegerField(_l("Claim within (business minutes)"),
                                        validators=[Optional(), NumberRange(1, 10080)],
                                        description=_l("Leave empty for the CoC default."))
    urgent_target_minutes = IntegerField(_l("Claim an urgent intake within (business minutes)"),
                                         validators=[Optional(), NumberRange(1, 10080)],
                                         description=_l("Leave empty for the CoC default."))
    contact_target_minutes = IntegerField(_l("First contact attempt within (business minutes)"),
                                          validators=[Optional(), NumberRange(1, 10080)],
                                          description=_l("Counted from submission. Leave empty for the CoC default."))
    languages = StringField(_l("Languages spoken"), default="en", validators=[_languages],
                            description=_l("Language codes separated by commas, e.g. en, es."))
    populations = MultiCheckboxField(_l("Who it serves"), choices=choices(POPULATION_LABELS.items()),
                                     default=["all"])
    is_remote = BooleanField(_l("Serves the whole CoC remotely (by phone)"))
    submit = SubmitField(_l("Save access point"))

    def day_fields(self) -> list[tuple[str, Field]]:
        return [(day, self[f"hours_{day}"]) for day in hours.DAYS]


for _day in hours.DAYS:
    setattr(AccessPointForm, f"hours_{_day}", StringField(
        DAY_LABELS[_day], validators=[Optional(), Length(max=200), _day_hours]))


class ButtonForm(FlaskForm):
    """Nothing but a CSRF token (deactivate, revoke, unlock)."""


class PersonForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[])
    region = SelectField(_l("Region"), choices=[])
    access_points = MultiCheckboxField(_l("Access points"), choices=[], coerce=int)
    language = SelectField(_l("Language of the staff pages"),
                           choices=choices([(lang.code, lang.native_name) for lang in language_registry.REGISTRY]))
    submit = SubmitField(_l("Save"))

    def validate_email(self, field: Field) -> None:
        try:
            validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(_l("This is not an e-mail address.")) from None


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=256, message=_l(
            "Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(_l("The same password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])
    submit = SubmitField(_l("Set password"))


class KioskForm(FlaskForm):
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=100)],
                        description=_l("Where the tablet stands, e.g. Front desk tablet."))
    access_point = SelectField(_l("Access point"), choices=[], coerce=int)
    submit = SubmitField(_l("Add kiosk"))


class RegionTableForm(FlaskForm):
    file = FileField(_l("County to region table (CSV)"), validators=[
        FileRequired(_l("Choose a CSV file.")), FileAllowed(["csv"], _l("Choose a CSV file."))],
        description=_l("Columns: fips, county, region_number, region_name. Every county of the CoC once."))
    submit = SubmitField(_l("Check the table"))


class ImportForm(FlaskForm):
    file = FileField(_l("Directory file"), validators=[
        FileRequired(_l("Choose a CSV file or a zip of an HSDS CSV package.")),
        FileAllowed(["csv", "zip"], _l("Choose a CSV file or a zip of an HSDS CSV package."))])
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    """Applies what a dry run showed: the same file comes back (base64) and is checked again."""

    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Apply these changes"))
