"""The daily report summary: intakes counted per local day, access point and confidentiality.

One row per (day, access point, confidential) with a count for every code the dashboard shows
(``COUNTS``), and one row per (day, access point, confidential, dimension, code) for the open
lists (languages, counties). Kept by ``services.report_days`` on every write that changes what
an intake counts as; the dashboard sums a date range of it instead of scanning every intake.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, Integer, String, Table

from .base import Base

CHANNELS = ("kiosk", "web", "sms", "voice", "assisted")
TRACKS = ("homeless", "prevention", "unknown")
CATEGORIES = ("1", "2", "3", "4", "unknown")
OUTCOMES = ("open", "assessed_in_hmis", "diverted", "referred_elsewhere", "unable_to_contact", "declined",
            "duplicate")
DIVERSION_RESULTS = ("1", "0", "99")

#: Every count column of ``report_days``, by (dimension, code).
COUNTS: tuple[tuple[str, str], ...] = (
    ("total", "all"),
    *(("channel", c) for c in CHANNELS),
    *(("track", c) for c in TRACKS),
    *(("category", c) for c in CATEGORIES),
    *(("outcome", c) for c in OUTCOMES),
    *(("candidate", c) for c in OUTCOMES),
    ("flag", "out_of_area"),
    ("flag", "callback_requested"),
    *(("diversion_result", c) for c in DIVERSION_RESULTS),
    # Intakes whose response clocks have both stopped (claimed or closed, contacted or closed)
    # that missed a target; those still waiting are counted live (services.reports).
    *(("settled", c) for c in ("missed_claim", "missed_contact", "missed_any")),
)


def count_column(dimension: str, code: str) -> str:
    """Return the name of the count column of a dimension's code ("channel_sms")."""
    return "n" if dimension == "total" else f"{dimension}_{code}"


report_days = Table(
    "report_days",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("access_point_id", Integer, nullable=True),
    Column("confidential", Boolean, nullable=False),
    *(Column(count_column(d, c), Integer, nullable=False, server_default="0") for d, c in COUNTS),
    Index("ix_report_days_day", "day", "access_point_id", "confidential"),
)

report_day_codes = Table(
    "report_day_codes",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("access_point_id", Integer, nullable=True),
    Column("confidential", Boolean, nullable=False),
    Column("dimension", String(16), nullable=False),  # "language", "county"
    Column("code", String(16), nullable=False),
    Column("n", Integer, nullable=False),
    Index("ix_report_day_codes_day", "dimension", "day", "access_point_id", "confidential", "code", "n"),
)
