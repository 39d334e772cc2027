"""Typed SQLAlchemy models; every table hangs off ``models.base.Base``."""

from .access_point import POPULATIONS, AccessPoint, AccessPointKind, Kiosk
from .base import Base, UTCDateTime, utcnow
from .geo import ContinuumOfCare, County, Region
from .intake import (
    Answer,
    Channel,
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    Intake,
    IntakeStatus,
    Track,
)
from .sms import ConversationState, InboundMessage, OutboxMessage, OutboxStatus, SmsConversation, SmsOptOut
from .user import Role, User, user_access_points
from .voice import CallPhase, CallStatus, VoiceCall, VoiceStep

__all__ = [
    "POPULATIONS",
    "AccessPoint",
    "AccessPointKind",
    "Answer",
    "Base",
    "CallPhase",
    "CallStatus",
    "Channel",
    "ConsentKind",
    "ConsentMethod",
    "ConsentRecord",
    "ContinuumOfCare",
    "ConversationState",
    "County",
    "InboundMessage",
    "Intake",
    "IntakeStatus",
    "Kiosk",
    "OutboxMessage",
    "OutboxStatus",
    "Region",
    "Role",
    "SmsConversation",
    "SmsOptOut",
    "Track",
    "UTCDateTime",
    "User",
    "VoiceCall",
    "VoiceStep",
    "user_access_points",
    "utcnow",
]
