"""Forms of the staff pages; every one carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from webforms import choices

CONTACT_METHOD_LABELS = {
    "phone": _l("Phone call"),
    "sms": _l("Text message"),
    "email": _l("Email"),
    "in_person": _l("In person"),
}
CONTACT_RESULT_LABELS = {
    "reached": _l("Reached the household"),
    "no_answer": _l("No answer"),
    "left_voicemail": _l("Left a voice message"),
    "wrong_number": _l("Wrong or disconnected number"),
    "message_sent": _l("Message sent"),
}
OUTCOME_LABELS = {
    "assessed_in_hmis": _l("Assessment done in HMIS"),
    "diverted": _l("Resolved by diversion"),
    "referred_elsewhere": _l("Referred elsewhere"),
    "unable_to_contact": _l("Unable to contact"),
    "declined": _l("Declined services"),
    "duplicate": _l("Duplicate of another intake"),
}
DIVERSION_RESULT_LABELS = {
    "1": _l("Yes: housed or re-housed in a safe alternative"),
    "0": _l("No"),
    "99": _l("Data not collected"),
}
#: Staff actions as the audit trail names them.
EVENT_LABELS = {
    "claimed": _l("claimed the intake"),
    "released": _l("released the intake"),
    "reassigned": _l("reassigned the intake"),
    "contact_attempt": _l("logged a contact attempt"),
    "sms_sent": _l("sent a text message"),
    "assessment_scheduled": _l("scheduled the assessment"),
    "outcome": _l("recorded the outcome"),
    "transferred": _l("transferred the intake to another access point"),
    "reminder": _l("assessment reminder text"),
    "check_in": _l("check-in text"),
    "check_in_reply": _l("answer to the check-in"),
    "viewed": _l("opened the intake page"),
    "viewed_identity": _l("opened the intake page, with identifying details"),
}

#: What happened to a text staff sent, by outbox status (staff see the real state, not a promise).
SMS_DELIVERY_LABELS = {
    "queued": _l("waiting to be sent"),
    "sending": _l("handed to the phone company"),
    "sent": _l("sent"),
    "delivered": _l("delivered"),
    "undelivered": _l("not delivered"),
    "failed": _l("could not be sent"),
    "opted_out": _l("not sent: the number opted out"),
}
#: Why an assessment reminder or a check-in was not sent (services.reminders, services.checkins).
NOT_SENT_LABELS = {
    "too_soon": _l("the day before had already passed when it was scheduled"),
    "rescheduled": _l("the assessment was rescheduled"),
    "cancelled": _l("the intake was closed"),
    "passed": _l("the appointment time had passed"),
    "no_phone": _l("no phone number was given"),
    "unsafe": _l("texting is not allowed or not safe"),
    "opted_out": _l("the number opted out of texts (STOP)"),
}
#: What the household answered to a check-in.
CHECK_IN_ANSWER_LABELS = {
    "yes": _l("still needs help"),
    "no": _l("no longer needs help"),
    "number_changed": _l("their number changed (they were asked for the new one)"),
    "new_number": _l("sent their new phone number (saved with the answers)"),
    "stop": _l("texted STOP"),
}
SMS_TEMPLATE_LABELS = {
    "will_call": _l("We will call you soon"),
    "missed_call": _l("We tried to call you"),
    "appointment": _l("Your assessment appointment"),
}


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Sign in"))


class ButtonForm(FlaskForm):
    """A form with nothing but its CSRF token (claim, release, sign out)."""


class ContactForm(FlaskForm):
    method = SelectField(_l("How"), choices=choices(CONTACT_METHOD_LABELS.items()))
    result = SelectField(_l("Result"), choices=choices(CONTACT_RESULT_LABELS.items()))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    confirm_voicemail = BooleanField(_l("A voice message was left although the household said it is not safe: "
                                        "record it anyway"))
    submit = SubmitField(_l("Log contact attempt"))


class SmsForm(FlaskForm):
    template = SelectField(_l("Message"), choices=choices(SMS_TEMPLATE_LABELS.items()))
    confirm_again = BooleanField(_l("Send it again, even if this exact message was sent before"))
    submit = SubmitField(_l("Send text message"))


class ScheduleForm(FlaskForm):
    at = DateTimeLocalField(_l("When (access point's local time)"), validators=[DataRequired()],
                            format="%Y-%m-%dT%H:%M")
    where = StringField(_l("Where"), validators=[DataRequired(), Length(max=200)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Schedule assessment"))


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=choices(OUTCOME_LABELS.items()))
    hmis_client_id = StringField(_l("HMIS client ID (optional)"), validators=[Optional(), Length(max=64)])
    diversion_result = SelectField(_l("Diversion result (HUD 4.20.A)"),
                                   choices=choices(DIVERSION_RESULT_LABELS.items()))
    referred_to = StringField(_l("Referred to"), validators=[Optional(), Length(max=200)])
    duplicate_of = StringField(_l("Reference code of the other intake"), validators=[Optional(), Length(max=40)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record outcome"))


class TransferForm(FlaskForm):
    access_point = SelectField(_l("Access point"), coerce=int, choices=[])
    note = TextAreaField(_l("Note for the other access point"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Transfer"))


class ReassignForm(FlaskForm):
    user = SelectField(_l("Staff member"), coerce=int, choices=[])
    submit = SubmitField(_l("Reassign"))


class PhoneSearchForm(FlaskForm):
    """Find intakes by phone number; posted, so the number never appears in a URL."""

    phone = StringField(_l("Phone number"), validators=[DataRequired(), Length(max=40)],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    submit = SubmitField(_l("Find by phone"))


class ProfileAlertsForm(FlaskForm):
    """Which new intakes of my access points I hear about by e-mail."""

    alert_preference = RadioField(_l("E-mail me about new intakes"), choices=choices([
        ("every", _l("Every new intake")),
        ("urgent", _l("Only urgent ones (high priority or no safe place tonight)")),
        ("digest", _l("A daily digest each morning")),
        ("none", _l("None (I watch the queue)")),
    ]), validators=[DataRequired()])
    submit = SubmitField(_l("Save"))


# -- street outreach ----------------------------------------------------------------------------

CONTACT_OUTCOME_LABELS = {
    "engaged": _l("Engaged (talked, not ready for an intake)"),
    "declined": _l("Declined"),
    "referred_shelter": _l("Referred to shelter"),
}
OUTREACH_ERRORS = {
    "position": _l("That location could not be read. Choose the county instead."),
    "place_long": _l("Please keep the place short (cross streets or a landmark)."),
    "county": _l("Please choose the county where you met."),
    "where_empty": _l("Please choose the county, type cross streets, or share the location."),
    "people": _l("Please enter how many people you met (1 to 50)."),
    "date": _l("Please choose a date within the last month."),
    "result": _l("Please choose what happened."),
}


class OutreachContactForm(FlaskForm):  # type: ignore[misc]  # FlaskForm is untyped
    """People met who do not want an intake yet: counts and a place, never a name."""

    met_on = DateField(_l("Date"), validators=[DataRequired()])
    county = SelectField(_l("County"), choices=[], validate_choice=False)
    place = StringField(_l("Cross streets or landmark (optional)"), validators=[Optional(), Length(max=120)])
    people = IntegerField(_l("How many people"), default=1, validators=[Optional()])
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    result = RadioField(_l("What happened"), choices=choices(CONTACT_OUTCOME_LABELS.items()),
                        validators=[DataRequired()])
    latitude = HiddenField()
    longitude = HiddenField()
    # One-time key of this form (services.outreach.submission_key): sent twice, it is logged once.
    submission_key = HiddenField()
