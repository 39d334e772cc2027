"""Declarative base, naming convention and the UTC datetime type shared by every model."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect, Enum, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import registry as orm_registry
from sqlalchemy.types import TypeDecorator

# Stable constraint names so that Alembic can drop or alter them later (and batch mode on SQLite
# can find them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes in UTC and always read them back as aware UTC.

    SQLite has no time zone support: values are written as naive UTC and the zone is restored on
    the way out. PostgreSQL stores ``timestamp with time zone``; the value is converted to UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime (models.base.utcnow)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Encrypted(TypeDecorator[bytes]):
    """Personal data encrypted with the PII cipher (``services.crypto``).

    Declaring a column with this type is what registers it: ``flask pii reencrypt``
    (``services.rekey``) walks every column of this type in every table. Values are the cipher's
    tokens; encrypting and decrypting stay explicit in the services.
    """

    impl = LargeBinary
    cache_ok = True


class BlindIndex(TypeDecorator[str]):
    """A keyed blind index (hex HMAC-SHA256 under the newest PII key) that finds a row by a value.

    ``source`` names the :class:`Encrypted` column of the same row that holds the indexed value
    (the exact text that was indexed); key rotation re-derives the index from it. Without a
    source, ``services.rekey.DERIVED`` must say how the index is re-derived, or rotation refuses
    to run.
    """

    impl = String(64)
    cache_ok = True

    def __init__(self, source: str | None = None) -> None:
        super().__init__()
        self.source = source


def str_enum(enum_class: type[enum.StrEnum], length: int = 20) -> Enum:
    """Store a StrEnum as its value in a plain VARCHAR column.

    No database enum type and no CHECK constraint: adding a value later needs no migration.
    SQLAlchemy still refuses unknown values on the Python side.
    """
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    """Base class of every model."""

    # One explicit registry (instead of ``metadata`` + ``type_annotation_map`` class attributes) so
    # that Flask-SQLAlchemy's ``SQLAlchemy(model_class=Base)``, which copies this class body, shares
    # it: ``db.Model`` and plain subclasses of ``Base`` then live in the same metadata.
    registry = orm_registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


#: Indexes on an expression (a descending key): Alembic cannot compare them on SQLite, which
#: reflects them as plain columns, so autogenerate leaves them alone (migrations/env.py).
EXPRESSION_INDEXES = frozenset({"ix_intakes_open_order", "ix_intakes_open_channel", "ix_intakes_open_language"})


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic hook: skip the expression indexes, which only a migration writes."""
    return not (type_ == "index" and name in EXPRESSION_INDEXES)
