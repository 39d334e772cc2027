"""Typed SQLAlchemy models; every table hangs off ``models.base.Base``."""

from .access_point import POPULATIONS, AccessPoint, AccessPointKind, Kiosk
from .base import Base, UTCDateTime, utcnow
from .checkin import CheckIn, CheckInState
from .geo import ContinuumOfCare, County, Region
from .hmis import HmisExport
from .intake import (
    Answer,
    Channel,
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    HouseholdMessage,
    Intake,
    IntakeStatus,
    Track,
)
from .jobs import ScheduledJob
from .outreach import ContactResult, OutreachContact
from .reports import report_day_codes, report_days
from .sms import (
    ConversationState,
    InboundMessage,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    SmsConversation,
    SmsOptOut,
    SmsSenderCount,
)
from .staff import (
    AdminChange,
    AppendOnlyError,
    EventKind,
    IntakeEvent,
    IntakeMatchKey,
    IntakeSearch,
    IntakeView,
    Outcome,
)
from .user import AlertPreference, LoginLock, Role, User, user_access_points
from .voice import CallPhase, CallStatus, VoiceCall, VoiceStep

__all__ = [
    "POPULATIONS",
    "AccessPoint",
    "AccessPointKind",
    "AdminChange",
    "AlertPreference",
    "Answer",
    "AppendOnlyError",
    "Base",
    "CallPhase",
    "CallStatus",
    "Channel",
    "CheckIn",
    "CheckInState",
    "ConsentKind",
    "ConsentMethod",
    "ConsentRecord",
    "ContactResult",
    "ContinuumOfCare",
    "ConversationState",
    "County",
    "EventKind",
    "HmisExport",
    "HouseholdMessage",
    "InboundMessage",
    "Intake",
    "IntakeEvent",
    "IntakeMatchKey",
    "IntakeSearch",
    "IntakeStatus",
    "IntakeView",
    "Kiosk",
    "LoginLock",
    "OutboxChannel",
    "OutboxMessage",
    "OutboxStatus",
    "Outcome",
    "OutreachContact",
    "Region",
    "Role",
    "ScheduledJob",
    "SmsConversation",
    "SmsOptOut",
    "SmsSenderCount",
    "Track",
    "UTCDateTime",
    "User",
    "VoiceCall",
    "VoiceStep",
    "report_day_codes",
    "report_days",
    "user_access_points",
    "utcnow",
]
