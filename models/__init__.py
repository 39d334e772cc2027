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
from .user import Role, User, user_access_points

__all__ = [
    "POPULATIONS",
    "AccessPoint",
    "AccessPointKind",
    "Answer",
    "Base",
    "Channel",
    "ConsentKind",
    "ConsentMethod",
    "ConsentRecord",
    "ContinuumOfCare",
    "County",
    "Intake",
    "IntakeStatus",
    "Kiosk",
    "Region",
    "Role",
    "Track",
    "UTCDateTime",
    "User",
    "user_access_points",
    "utcnow",
]
