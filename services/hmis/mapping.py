"""Map intakes to HUD HMIS CSV FY2026 rows: pure functions, no database, no Flask.

The service (``services.hmis.export``) reads the intakes it may export into ``IntakeRecord``s
and hands them here; ``build_rows`` returns every file's rows as dicts of Python values (str,
int, date, datetime or None). Formatting, character rules and lengths are the writer's job.

Stored answers become HUD numbers in one place, ``hud_value``: a declined or unknown answer is
told by the names ``DECLINE`` / ``DONT_KNOW`` and an option's number is its ``Option.hud``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import jellyfish

from intake_forms import DECLINE, DONT_KNOW, NOT_ASKED, QUESTIONS, Kind, Question, question
from intake_forms.outcomes import ASSESSMENT_TYPE

Row = dict[str, Any]
Rows = dict[str, list[Row]]

CSV_VERSION = "2026 v1.0"
SOFTWARE_NAME = "Front Door"
#: 1.9 SourceType 2: a standalone / agency-specific application.
SOURCE_TYPE = 2
#: 1.1 ExportPeriodType 3: reporting period. 1.2 ExportDirective 2: full refresh.
EXPORT_PERIOD_TYPE = 3
EXPORT_DIRECTIVE = 2
#: 1.5 HashStatus.
UNHASHED = 1
SHA256_SOUNDEX = 4
#: 2.02.6 ProjectType 14: Coordinated Entry.
COORDINATED_ENTRY = 14
#: The UserID of records a household made itself (kiosk, web, text, voice).
SYSTEM_USER_ID = "frontdoor"
NOT_COLLECTED = 99

#: HUD 3.01 names are S50 before hashing.
NAME_LENGTH = 50
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})

#: Answers that never leave, even as codes: anything about violence stays with the front door
#: (a household that said yes is confidential and not exported at all; "no" is not "not a survivor").
NEVER_EXPORTED_QUESTIONS = frozenset({"fleeing_violence", "dv_choice"})

#: 4.12 LeaveSituation14Days is collected only for these current living situations.
LEAVE_SITUATION_APPLIES = frozenset({215, 206, 207, 225, 204, 205, 302, 329, 314, 332, 336, 335, 410, 435, 421, 411})
#: 3.12.1 "Other" (17) is valid in 4.12 CurrentLivingSituation only, never in 3.917 LivingSituation.
OTHER_SITUATION = 17
#: 3.917: literally homeless situations (street, emergency shelter, safe haven).
HOMELESS_SITUATIONS = frozenset({101, 116, 118})
INSTITUTIONAL_SITUATIONS = frozenset({204, 205, 206, 207, 215, 225})

#: 4.20.2 events.
EVENT_DIVERSION = 2
EVENT_HOUSING_ASSESSMENT = 4

#: How each channel is described in AssessmentLocation (data, not interface text).
CHANNEL_WORDS = {"kiosk": "kiosk", "web": "web form", "sms": "text messages", "voice": "phone call",
                 "assisted": "in person with staff"}

_FORBIDDEN = re.compile(r"[<>\[\]{}]")
_LEAVE_WITHIN_14 = frozenset({"1d", "7d", "14d"})
_LEAVE_LATER = frozenset({"21d", "later"})


# -- stored answers to HUD values -------------------------------------------------------------


def hud_value(q: Question, code: str | None) -> int | None:
    """Return the HUD number of a stored answer, or None when unanswered or the option has none.

    The one place a stored code becomes a HUD value: declined and unknown are told by name.
    """
    if code is None:
        return None
    if code == DECLINE:
        return 9
    if code == DONT_KNOW:
        return 8
    if code == NOT_ASKED:
        return None  # the channel could not ask: 99, data not collected
    option = q.option(code)
    return option.hud if option is not None else None


def hud_or_missing(codes: Mapping[str, str], key: str) -> int:
    """Return the HUD number of an answer, or 99 (data not collected)."""
    value = hud_value(question(key), codes.get(key))
    return NOT_COLLECTED if value is None else value


def answer_text(q: Question, code: str) -> str | None:
    """Return an answer as an HMIS assessment answer: HUD numbers where the option has one, else our code.

    A count is its digits; a declined or unknown count has no answer (None), so it can never be read
    as a number of people. A question the channel could not ask has no answer either.
    """
    if code == NOT_ASKED:
        return None
    if q.kind is Kind.COUNT:
        return code if code.isdigit() else None
    parts = code.split(",") if q.kind is Kind.MULTI and code not in (DECLINE, DONT_KNOW) else [code]
    shown = []
    for part in parts:
        number = hud_value(q, part)
        shown.append(str(number) if number is not None else part)
    return ",".join(shown)


# -- identifiers ---------------------------------------------------------------------------------


def stable_id(implementation_id: str, kind: str, key: str) -> str:
    """Return a 32-character id derived from the implementation, a record kind and a key.

    The same intake gives the same ids in every export; nothing in the id can be traced back to
    the intake's address in this application without the implementation id and the public id.
    """
    digest = hashlib.sha256(f"{implementation_id}\x1f{kind}\x1f{key}".encode()).hexdigest()
    return digest[:32]


def clean(text: str) -> str:
    """Strip the characters HUD does not allow in string fields and fold whitespace."""
    return " ".join(_FORBIDDEN.sub("", text).split())


# -- names ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    first: str | None = None
    middle: str | None = None
    last: str | None = None
    suffix: str | None = None
    quality: int = NOT_COLLECTED


def split_name(full: str) -> tuple[str | None, str | None, str | None, str | None]:
    """Split one free-text name into first, middle, last and suffix ("Ana María López Jr.")."""
    parts = clean(full).split()
    suffix = None
    if len(parts) > 2 and parts[-1].rstrip(".").lower() in NAME_SUFFIXES:
        suffix = parts.pop()
    if not parts:
        return None, None, None, suffix
    if len(parts) == 1:
        return parts[0][:NAME_LENGTH], None, None, suffix
    middle = " ".join(parts[1:-1]) or None
    return (parts[0][:NAME_LENGTH], middle[:NAME_LENGTH] if middle else None, parts[-1][:NAME_LENGTH],
            suffix[:NAME_LENGTH] if suffix else None)


def client_name(codes: Mapping[str, str], personal: Mapping[str, str]) -> Name:
    """Choose the name to export and its 3.01.5 NameDataQuality.

    1 full: a legal name of at least two words; 2 partial: one word, or only the name to use;
    8 / 9: the legal name was not known / declined and no other name was given; 99 not collected.
    """
    legal = clean(personal.get("legal_name", ""))
    contact = clean(personal.get("contact_name", ""))
    if legal:
        first, middle, last, suffix = split_name(legal)
        return Name(first, middle, last, suffix, 1 if last else 2)
    if contact:
        first, middle, last, suffix = split_name(contact)
        return Name(first, middle, last, suffix, 2)
    declined = hud_value(question("legal_name"), codes.get("legal_name"))
    return Name(quality=declined if declined in (8, 9) else NOT_COLLECTED)


def soundex_sha256(value: str | None) -> str | None:
    """Return the SHA-256 (hex) of the SOUNDEX of a name, as HUD's HashStatus 4 asks."""
    if not value:
        return None
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    letters = "".join(ch for ch in ascii_only if ch.isalpha())
    if not letters:
        return None
    return hashlib.sha256(jellyfish.soundex(letters).encode("ascii")).hexdigest()


# -- what the service hands over -----------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Per-deployment export settings."""

    implementation_id: str
    source_name: str
    source_id: str | None
    software_version: str
    timezone: str = "America/Chicago"
    #: Front Door question key -> the HMIS's field name for AssessmentQuestion (defaults to the key).
    field_names: Mapping[str, str] = field(default_factory=dict)
    hashed: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class ProjectRecord:
    """An access point as a Coordinated Entry project."""

    slug: str
    name: str
    coc_code: str
    coc_name: str
    address: str | None
    city: str | None
    state: str | None
    zip: str | None
    created_at: datetime


@dataclass(frozen=True)
class StaffUser:
    """A staff member who recorded something that is exported."""

    id: int
    display_name: str
    created_at: datetime


@dataclass(frozen=True)
class StaffOutcome:
    """The outcome staff recorded when closing an intake."""

    outcome: str
    recorded_at: datetime
    user: StaffUser | None
    prob_sol_div_rr_result: int | None = None
    hmis_client_id: str | None = None


@dataclass(frozen=True)
class IntakeRecord:
    """One intake that may leave, with what the export needs (already decrypted)."""

    public_id: str
    channel: str
    flow_version: int
    codes: Mapping[str, str]
    personal: Mapping[str, str]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime
    project: ProjectRecord
    homeless_category: int | None
    track: str | None
    priority: int
    reasons: Sequence[str]
    diversion_candidate: bool
    outcome: StaffOutcome | None = None


@dataclass(frozen=True)
class ExportHeader:
    """Export.csv values that describe the run."""

    export_id: str
    exported_at: datetime
    start: date
    end: date
    contact_first: str | None = None
    contact_last: str | None = None
    contact_email: str | None = None


# -- helpers ---------------------------------------------------------------------------------------


def _local(value: datetime, settings: Settings) -> datetime:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(settings.zone).replace(tzinfo=None, microsecond=0)


def local_date(value: datetime, settings: Settings) -> date:
    """Return the deployment's local date of an aware UTC datetime."""
    return _local(value, settings).date()


def project_id(project: ProjectRecord, settings: Settings) -> str:
    """Return an access point's ProjectID: its slug when it fits S32, else a stable id."""
    slug = clean(project.slug)
    return slug if 0 < len(slug) <= 32 else stable_id(settings.implementation_id, "project", project.slug)


def user_id(user: StaffUser | None, settings: Settings) -> str:
    return SYSTEM_USER_ID if user is None else stable_id(settings.implementation_id, "user", str(user.id))


def personal_id(record: IntakeRecord, settings: Settings) -> str:
    """The HMIS client id staff recorded when there is one, else a stable id of the intake."""
    recorded = clean(record.outcome.hmis_client_id or "") if record.outcome else ""
    if recorded and len(recorded) <= 32:
        return recorded
    return stable_id(settings.implementation_id, "personal", record.public_id)


def _audit(created: datetime, updated: datetime, uid: str, export_id: str, settings: Settings) -> Row:
    return {"DateCreated": _local(created, settings), "DateUpdated": _local(updated, settings),
            "UserID": uid, "DateDeleted": None, "ExportID": export_id}


def _split_display_name(name: str) -> tuple[str | None, str | None]:
    parts = clean(name).split()
    if not parts:
        return None, None
    return parts[0], " ".join(parts[1:]) or None


# -- one intake ----------------------------------------------------------------------------------


def living_situations(codes: Mapping[str, str]) -> tuple[int, int]:
    """Return (3.917 LivingSituation, 4.12 CurrentLivingSituation) for where the household slept.

    "Somewhere else" is 17, which only 4.12 allows: the enrollment gets 99 instead.
    """
    current = hud_or_missing(codes, "slept_last_night")
    at_entry = NOT_COLLECTED if current == OTHER_SITUATION else current
    return at_entry, current


def short_stay(codes: Mapping[str, str], situation: int) -> tuple[int | None, int | None]:
    """Return (LOSUnderThreshold, PreviousStreetESSH) from the short-stay question.

    Asked after an institution: "90 days or less, and without a home right before?". Yes means
    both; no cannot say which part failed, and not sure / prefer not have no place in list 1.7:
    each exports 99 for LOSUnderThreshold, and PreviousStreetESSH (dependent on it) stays null.
    """
    if situation not in INSTITUTIONAL_SITUATIONS:
        # Transitional and permanent situations ask for a stay under 7 nights, which we do not.
        return (NOT_COLLECTED if 300 <= situation < 500 else None), None
    if hud_value(question("institution_short_stay"), codes.get("institution_short_stay")) == 1:
        return 1, 1
    return NOT_COLLECTED, None


def leave_within_14_days(codes: Mapping[str, str]) -> int:
    """Return 4.12 LeaveSituation14Days (list 1.8) from "when do you have to leave"."""
    code = codes.get("leave_by")
    if code in _LEAVE_WITHIN_14:
        return 1
    if code in _LEAVE_LATER:
        return 0
    value = hud_value(question("leave_by"), code)
    return value if value in (8, 9) else NOT_COLLECTED


def exported_questions(codes: Mapping[str, str]) -> list[tuple[int, Question, str]]:
    """Return (order, question, stored code) for every answered question that may leave."""
    chosen = []
    for order, q in enumerate(QUESTIONS, start=1):
        code = codes.get(q.key)
        if code is None or q.identifying or q.key in NEVER_EXPORTED_QUESTIONS:
            continue
        chosen.append((order, q, code))
    return chosen


def intake_rows(record: IntakeRecord, settings: Settings, export_id: str) -> Rows:
    """Return the rows of one intake: Client, Enrollment, CurrentLivingSituation, Assessment, Event."""
    ids = settings.implementation_id
    key = record.public_id
    pid = personal_id(record, settings)
    enrollment = stable_id(ids, "enrollment", key)
    assessment = stable_id(ids, "assessment", key)
    project = project_id(record.project, settings)
    entry = local_date(record.submitted_at, settings)
    audit = _audit(record.created_at, record.updated_at, SYSTEM_USER_ID, export_id, settings)
    codes = record.codes

    name = client_name(codes, record.personal)
    first, middle, last = name.first, name.middle, name.last
    if settings.hashed:
        first, middle, last = soundex_sha256(first), soundex_sha256(middle), soundex_sha256(last)
    dob_code = codes.get("dob")
    dob_text = record.personal.get("dob") if dob_code == "given" else None
    dob = date.fromisoformat(dob_text) if dob_text else None
    declined_dob = hud_value(question("dob"), dob_code)
    dob_quality = 1 if dob else (declined_dob if declined_dob in (8, 9) else NOT_COLLECTED)

    client: Row = {
        "PersonalID": pid, "FirstName": first, "MiddleName": middle, "LastName": last,
        "NameSuffix": name.suffix, "NameDataQuality": name.quality, "SSN": None,
        "SSNDataQuality": NOT_COLLECTED, "DOB": dob, "DOBDataQuality": dob_quality, "Sex": None,
        "AmIndAKNative": 0, "Asian": 0, "BlackAfAmerican": 0, "HispanicLatinao": 0, "MidEastNAfrican": 0,
        "NativeHIPacific": 0, "White": 0, "RaceNone": NOT_COLLECTED, "AdditionalRaceEthnicity": None,
        "VeteranStatus": hud_or_missing(codes, "veteran"), **audit,
    }

    at_entry, current = living_situations(codes)
    los_under, previous_street = short_stay(codes, at_entry)
    homeless_history = at_entry in HOMELESS_SITUATIONS or previous_street == 1
    enrollment_row: Row = {
        "EnrollmentID": enrollment, "PersonalID": pid, "ProjectID": project, "EntryDate": entry,
        "HouseholdID": stable_id(ids, "household", key), "RelationshipToHoH": 1,
        "EnrollmentCoC": record.project.coc_code, "LivingSituation": at_entry,
        "LengthOfStay": NOT_COLLECTED if at_entry not in (8, 9, NOT_COLLECTED) else None,
        "LOSUnderThreshold": los_under, "PreviousStreetESSH": previous_street,
        "TimesHomelessPastThreeYears": NOT_COLLECTED if homeless_history else None,
        "MonthsHomelessPastThreeYears": NOT_COLLECTED if homeless_history else None,
        "DisablingCondition": NOT_COLLECTED, **audit,
    }

    leave = leave_within_14_days(codes) if current in LEAVE_SITUATION_APPLIES else None
    follow_up = NOT_COLLECTED if leave == 1 else None
    cls: Row = {
        "CurrentLivingSitID": stable_id(ids, "cls", key), "EnrollmentID": enrollment, "PersonalID": pid,
        "InformationDate": entry, "CurrentLivingSituation": current, "CLSSubsidyType": None,
        "VerifiedBy": record.project.name, "LeaveSituation14Days": leave, "SubsequentResidence": follow_up,
        "ResourcesToObtain": follow_up, "LeaseOwn60Day": follow_up, "MovedTwoOrMore": follow_up,
        "LocationDetails": None, **audit,
    }

    assessment_row: Row = {
        "AssessmentID": assessment, "EnrollmentID": enrollment, "PersonalID": pid, "AssessmentDate": entry,
        "AssessmentLocation": f"{record.project.name} ({CHANNEL_WORDS.get(record.channel, record.channel)})",
        "AssessmentType": ASSESSMENT_TYPE[record.channel], "AssessmentLevel": 1, "PrioritizationStatus": 2,
        **audit,
    }
    group = f"frontdoor_v{record.flow_version}"
    questions = [
        {"AssessmentQuestionID": stable_id(ids, "question", f"{key}:{q.key}"), "AssessmentID": assessment,
         "EnrollmentID": enrollment, "PersonalID": pid, "AssessmentQuestionGroup": group,
         "AssessmentQuestionOrder": order, "AssessmentQuestion": settings.field_names.get(q.key, q.key),
         "AssessmentAnswer": answer_text(q, code), **audit}
        for order, q, code in exported_questions(codes)
    ]
    results_values: list[tuple[str, str | None]] = [
        ("frontdoor_priority", str(record.priority)),
        ("priority_reasons", ",".join(record.reasons) or None),
        ("homeless_category", str(record.homeless_category) if record.homeless_category else None),
        ("track", record.track),
        ("diversion_candidate", "1" if record.diversion_candidate else "0"),
    ]
    results = [
        {"AssessmentResultID": stable_id(ids, "result", f"{key}:{kind}"), "AssessmentID": assessment,
         "EnrollmentID": enrollment, "PersonalID": pid, "AssessmentResultType": kind, "AssessmentResult": value,
         **audit}
        for kind, value in results_values
    ]
    return {
        "Client": [client], "Enrollment": [enrollment_row], "CurrentLivingSituation": [cls],
        "Assessment": [assessment_row], "AssessmentQuestions": questions, "AssessmentResults": results,
        "Event": event_rows(record, settings, export_id, enrollment, pid),
    }


def event_rows(record: IntakeRecord, settings: Settings, export_id: str, enrollment: str, pid: str) -> list[Row]:
    """Return 4.20 events: 2 for the diversion conversation (result from staff when recorded), 4 queued."""
    ids = settings.implementation_id
    entry = local_date(record.submitted_at, settings)
    outcome = record.outcome
    diverted = outcome is not None and outcome.outcome == "diverted"
    conversation = "could_return" in record.codes or "could_stay_with" in record.codes
    rows: list[Row] = []

    def event(number: int, day: date, result: int | None, user: StaffUser | None, updated: datetime) -> Row:
        return {"EventID": stable_id(ids, f"event{number}", record.public_id), "EnrollmentID": enrollment,
                "PersonalID": pid, "EventDate": day, "Event": number, "ProbSolDivRRResult": result,
                "ReferralCaseManageAfter": None, "LocationCrisisOrPHHousing": None, "ReferralResult": None,
                "ResultDate": None, **_audit(record.created_at, updated, user_id(user, settings), export_id, settings)}

    if conversation or diverted:
        result = NOT_COLLECTED
        user = None
        updated = record.updated_at
        if diverted and outcome is not None:
            recorded = outcome.prob_sol_div_rr_result
            result = recorded if recorded in (0, 1) else NOT_COLLECTED
            user, updated = outcome.user, outcome.recorded_at
        day = entry if conversation or outcome is None else local_date(outcome.recorded_at, settings)
        rows.append(event(EVENT_DIVERSION, day, result, user, updated))
    rows.append(event(EVENT_HOUSING_ASSESSMENT, entry, None, None, record.updated_at))
    return rows


# -- the whole export ------------------------------------------------------------------------------


def project_rows(projects: Iterable[ProjectRecord], settings: Settings, export_id: str) -> Rows:
    """Return Organization (one per CoC), Project, ProjectCoC, CEParticipation and HMISParticipation rows."""
    rows: Rows = {"Organization": [], "Project": [], "ProjectCoC": [], "CEParticipation": [], "HMISParticipation": []}
    ids = settings.implementation_id
    organizations: dict[str, Row] = {}
    for project in projects:
        pid = project_id(project, settings)
        audit = _audit(project.created_at, project.created_at, SYSTEM_USER_ID, export_id, settings)
        opened = local_date(project.created_at, settings)
        org = organizations.get(project.coc_code)
        if org is None or _local(project.created_at, settings) < org["DateCreated"]:
            organizations[project.coc_code] = {
                "OrganizationID": project.coc_code, "OrganizationName": f"{project.coc_name} coordinated entry",
                "VictimServiceProvider": 0, "OrganizationCommonName": None, **audit}
        rows["Project"].append({
            "ProjectID": pid, "OrganizationID": project.coc_code, "ProjectName": project.name,
            "ProjectCommonName": None, "OperatingStartDate": opened, "OperatingEndDate": None,
            "ContinuumProject": 1, "ProjectType": COORDINATED_ENTRY, "HousingType": None, "RRHSubType": None,
            "ResidentialAffiliation": None, "TargetPopulation": None, "HOPWAMedAssistedLivingFac": None,
            "PITCount": None, **audit})
        zip_code = (project.zip or "")[:5]
        rows["ProjectCoC"].append({
            "ProjectCoCID": stable_id(ids, "projectcoc", project.slug), "ProjectID": pid,
            "CoCCode": project.coc_code, "Geocode": None, "Address1": project.address, "Address2": None,
            "City": project.city, "State": project.state,
            "ZIP": zip_code if re.fullmatch(r"\d{5}", zip_code) else None, "GeographyType": None, **audit})
        rows["CEParticipation"].append({
            "CEParticipationID": stable_id(ids, "ceparticipation", project.slug), "ProjectID": pid,
            "AccessPoint": 1, "PreventionAssessment": 1, "CrisisAssessment": 1, "HousingAssessment": 0,
            "DirectServices": 0, "ReceivesReferrals": 0, "CEParticipationStatusStartDate": opened,
            "CEParticipationStatusEndDate": None, **audit})
        rows["HMISParticipation"].append({
            "HMISParticipationID": stable_id(ids, "hmisparticipation", project.slug), "ProjectID": pid,
            "HMISParticipationType": 1, "HMISParticipationStatusStartDate": opened,
            "HMISParticipationStatusEndDate": None, **audit})
    rows["Organization"] = list(organizations.values())
    return rows


def user_rows(users: Iterable[StaffUser], settings: Settings, export_id: str, exported_at: datetime) -> list[Row]:
    """Return User.csv: the system user of self-service records and each staff member referenced."""
    system: Row = {"UserID": SYSTEM_USER_ID, "UserFirstName": SOFTWARE_NAME, "UserLastName": None, "UserPhone": None,
                   "UserExtension": None, "UserEmail": None, "DateCreated": _local(exported_at, settings),
                   "DateUpdated": _local(exported_at, settings), "DateDeleted": None, "ExportID": export_id}
    rows = [system]
    seen = {SYSTEM_USER_ID}
    for user in users:
        uid = user_id(user, settings)
        if uid in seen:
            continue
        seen.add(uid)
        first, last = _split_display_name(user.display_name)
        rows.append({"UserID": uid, "UserFirstName": first, "UserLastName": last, "UserPhone": None,
                     "UserExtension": None, "UserEmail": None, "DateCreated": _local(user.created_at, settings),
                     "DateUpdated": _local(user.created_at, settings), "DateDeleted": None, "ExportID": export_id})
    return rows


def export_row(header: ExportHeader, settings: Settings) -> Row:
    """Return the one row of Export.csv."""
    return {
        "ExportID": header.export_id, "SourceType": SOURCE_TYPE, "SourceID": settings.source_id,
        "SourceName": settings.source_name, "SourceContactFirst": header.contact_first,
        "SourceContactLast": header.contact_last, "SourceContactPhone": None, "SourceContactExtension": None,
        "SourceContactEmail": header.contact_email, "ExportDate": _local(header.exported_at, settings),
        "ExportStartDate": header.start, "ExportEndDate": header.end, "SoftwareName": SOFTWARE_NAME,
        "SoftwareVersion": settings.software_version, "CSVVersion": CSV_VERSION,
        "ExportPeriodType": EXPORT_PERIOD_TYPE, "ExportDirective": EXPORT_DIRECTIVE,
        "HashStatus": SHA256_SOUNDEX if settings.hashed else UNHASHED, "ImplementationID": settings.implementation_id,
    }


def build_rows(records: Sequence[IntakeRecord], settings: Settings, header: ExportHeader) -> Rows:
    """Return the rows of every file that has data; files missing from the result are header-only."""
    export_id = header.export_id
    rows: Rows = {"Export": [export_row(header, settings)]}
    projects = {r.project.slug: r.project for r in records}
    rows.update(project_rows(sorted(projects.values(), key=lambda p: p.slug), settings, export_id))
    staff = [r.outcome.user for r in records if r.outcome is not None and r.outcome.user is not None]
    rows["User"] = user_rows(sorted(staff, key=lambda u: u.id), settings, export_id, header.exported_at)
    clients: dict[str, Row] = {}
    for record in sorted(records, key=lambda r: (r.submitted_at, r.public_id)):
        for name, file_rows in intake_rows(record, settings, export_id).items():
            if name == "Client":
                # One Client row per PersonalID (two intakes may carry the same HMIS client id): the latest wins.
                for row in file_rows:
                    clients[row["PersonalID"]] = row
            else:
                rows.setdefault(name, []).extend(file_rows)
    rows["Client"] = list(clients.values())
    return rows
