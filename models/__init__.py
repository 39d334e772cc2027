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
from .staff import AppendOnlyError, EventKind, IntakeEvent, IntakeMatchKey, IntakeView, Outcome
from .user import Role, User, user_access_points

__all__ = [
    "POPULATIONS",
    "AccessPoint",
    "AccessPointKind",
    "Answer",
    "AppendOnlyError",
    "Base",
    "Channel",
    "ConsentKind",
    "ConsentMethod",
    "ConsentRecord",
    "ContinuumOfCare",
    "County",
    "EventKind",
    "Intake",
    "IntakeEvent",
    "IntakeMatchKey",
    "IntakeStatus",
    "IntakeView",
    "Kiosk",
    "Outcome",
    "Region",
    "Role",
    "Track",
    "UTCDateTime",
    "User",
    "user_access_points",
    "utcnow",
]
