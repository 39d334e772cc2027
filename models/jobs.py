"""Scheduled jobs: one row per recurring job, claimed by the worker that runs it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ScheduledJob(Base):
    """A recurring job (a daily digest of one access point) and when it next runs.

    A worker runs it by locking its row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), doing the
    work and moving ``next_run_at`` on in the same transaction: two workers never both run it.
    """

    __tablename__ = "scheduled_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    next_run_at: Mapped[datetime] = mapped_column(index=True)
    last_run_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<ScheduledJob {self.name} {self.next_run_at}>"
