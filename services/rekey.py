"""Key rotation: re-encrypt every encrypted column and re-derive every blind index.

Nothing here lists tables by hand. The models declare their encrypted columns with
``models.base.Encrypted`` and their blind indexes with ``models.base.BlindIndex``; this module
walks the metadata and rotates what it finds. A blind index whose value is not kept encrypted
in the same row is re-derived by a function in ``DERIVED``; one with neither stops the rotation
before it changes anything, so a new index cannot be forgotten.

Rows are changed with Core statements (the append-only ORM guards on staff events are about
what staff did, not about the key the record is sealed with), in primary-key batches, each
committed on its own: a rotation stopped half-way is finished by running it again, because
every key still decrypts until the old one is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, delete, select, update

from models import Answer, Base, InboundMessage, Intake, IntakeMatchKey, LoginLock, SmsConversation
from models.base import BlindIndex, Encrypted

from . import audit
from .crypto import PiiCipher, PiiDecryptionError
from .routing import DbSession

PHONE_KEY = "phone"


@dataclass
class RekeyResult:
    """How many values were rotated, by ``table.column``."""

    counts: dict[str, int] = field(default_factory=dict)
    #: ``table.column`` -> rows whose index could not be re-derived (no stored source value).
    stranded: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        """Count ``count`` more values of ``name``."""
        self.counts[name] = self.counts.get(name, 0) + count


Deriver = Callable[[DbSession, PiiCipher, int, RekeyResult], None]


class RekeyError(RuntimeError):
    """A blind index is declared without any way to re-derive it."""


def encrypted_columns(table: Table) -> list[Column[Any]]:
    """Return the columns of ``table`` declared ``Encrypted``."""
    return [c for c in table.columns if isinstance(c.type, Encrypted)]


def blind_index_columns(table: Table) -> list[Column[Any]]:
    """Return the columns of ``table`` declared ``BlindIndex``."""
    return [c for c in table.columns if isinstance(c.type, BlindIndex)]


def _name(column: Column[Any]) -> str:
    return f"{column.table.name}.{column.name}"


def check_registry() -> None:
    """Raise ``RekeyError`` unless every blind index has a source column or a deriver."""
    for table in Base.metadata.sorted_tables:
        for column in blind_index_columns(table):
            source = column.type.source  # type: ignore[attr-defined]
            if source is None:
                if _name(column) not in DERIVED:
                    raise RekeyError(f"{_name(column)} has no source column and no deriver in DERIVED")
            elif source not in table.c or not isinstance(table.c[source].type, Encrypted):
                raise RekeyError(f"{_name(column)}: source {source!r} is not an Encrypted column")


def _rotate_table(session: DbSession, table: Table, cipher: PiiCipher, batch_size: int,
                  result: RekeyResult) -> None:
    secrets = encrypted_columns(table)
    indexes = [c for c in blind_index_columns(table) if c.type.source is not None]  # type: ignore[attr-defined]
    if not secrets:
        return
    (pk,) = table.primary_key.columns
    last = None
    while True:
        query = select(pk, *secrets, *indexes).order_by(pk).limit(batch_size)
        if last is not None:
            query = query.where(pk > last)
        rows = session.execute(query).all()
        if not rows:
            break
        for row in rows:
            values: dict[str, object] = {}
            plain: dict[str, str] = {}
            for column in secrets:
                token = row._mapping[column]
                if token is not None:
                    plain[column.name] = cipher.decrypt(token)
                    values[column.name] = cipher.rotate(token)
                    result.add(_name(column), 1)
            for column in indexes:
                source = column.type.source  # type: ignore[attr-defined]
                if source in plain:
                    values[column.name] = cipher.blind_index(plain[source])
                    result.add(_name(column), 1)
                elif row._mapping[column] is not None:
                    result.stranded[_name(column)] = result.stranded.get(_name(column), 0) + 1
            if values:
                session.execute(update(table).where(pk == row._mapping[pk]).values(**values))
        last = rows[-1]._mapping[pk]
        session.commit()


def _intake_phone(session: DbSession, cipher: PiiCipher, batch_size: int, result: RekeyResult) -> None:
    """``intakes.contact_phone_index``: from the phone number answer."""
    last = 0
    while True:
        rows = session.execute(
            select(Intake.id, Intake.contact_phone_index, Answer.value_enc)
            .outerjoin(Answer, (Answer.intake_id == Intake.id) & (Answer.key == PHONE_KEY))
            .where(Intake.id > last).order_by(Intake.id).limit(batch_size)
        ).all()
        if not rows:
            break
        for intake_id, current, value_enc in rows:
            index = _phone_index(cipher, value_enc)
            if index != current:
                session.execute(update(Intake).where(Intake.id == intake_id).values(contact_phone_index=index)
                                .execution_options(synchronize_session=False))
                result.add("intakes.contact_phone_index", 1)
        last = rows[-1][0]
        session.commit()


def _phone_index(cipher: PiiCipher, value_enc: bytes | None) -> str | None:
    if not value_enc:
        return None
    try:
        return cipher.phone_index(cipher.decrypt(value_enc))
    except PiiDecryptionError:
        raise
    except ValueError:
        return None  # not an E.164 number; it cannot be looked up anyway


def _inbound_phone(session: DbSession, cipher: PiiCipher, batch_size: int, result: RekeyResult) -> None:
    """``sms_inbound.phone_index``: the index of its conversation (already re-derived)."""
    own = (select(SmsConversation.phone_index)
           .where(SmsConversation.id == InboundMessage.conversation_id).scalar_subquery())
    changed = session.execute(
        update(InboundMessage)
        .where(InboundMessage.conversation_id.is_not(None), InboundMessage.phone_index != own)
        .values(phone_index=own)
        .execution_options(synchronize_session=False)
    )
    result.add("sms_inbound.phone_index", int(changed.rowcount))  # type: ignore[attr-defined]
    session.commit()


def _login_locks(session: DbSession, cipher: PiiCipher, batch_size: int, result: RekeyResult) -> None:
    """``login_locks.address_index``: dropped (a lock lives minutes; the address is not kept)."""
    removed = session.execute(delete(LoginLock).execution_options(synchronize_session=False))
    result.add("login_locks.address_index", int(removed.rowcount))  # type: ignore[attr-defined]
    session.commit()


def _match_keys(session: DbSession, cipher: PiiCipher, batch_size: int, result: RekeyResult) -> None:
    """``intake_match_keys.name_dob_index``: dropped; ``services.queue`` recomputes it when needed."""
    removed = session.execute(delete(IntakeMatchKey).execution_options(synchronize_session=False))
    result.add("intake_match_keys.name_dob_index", int(removed.rowcount))  # type: ignore[attr-defined]
    session.commit()


def _clear(table: Any, column: str) -> Deriver:
    """A deriver that empties a short-lived index (it only matters for minutes)."""
    def derive(session: DbSession, cipher: PiiCipher, batch_size: int, result: RekeyResult) -> None:
        changed = session.execute(update(table).where(getattr(table, column).is_not(None))
                                  .values({column: None}).execution_options(synchronize_session=False))
        result.add(f"{table.__tablename__}.{column}", int(changed.rowcount))  # type: ignore[attr-defined]
        session.commit()
    return derive


def _searches_kept(session: DbSession, cipher: PiiCipher, batch_size: int, result: RekeyResult) -> None:
    """``intake_searches.term_index``: left as it is. The audit row of a phone search keeps the index it was
    made with; once that key is dropped it matches no number, and the number itself was never stored."""
    result.add("intake_searches.term_index", 0)


#: Blind indexes whose value is not kept in their own row, and how each is re-derived. They run
#: after every table has been rotated, in this order.
DERIVED: dict[str, Deriver] = {
    "intakes.contact_phone_index": _intake_phone,
    "sms_inbound.phone_index": _inbound_phone,
    "intake_match_keys.name_dob_index": _match_keys,
    "login_locks.address_index": _login_locks,
    "intake_searches.term_index": _searches_kept,
    # Flood detection and the resent-text check look back minutes, not days.
    "intakes.source_index": _clear(Intake, "source_index"),
    "intakes.device_index": _clear(Intake, "device_index"),
    "sms_conversations.last_body_index": _clear(SmsConversation, "last_body_index"),
}


def reencrypt_all(session: DbSession, cipher: PiiCipher, *, batch_size: int = 500) -> RekeyResult:
    """Rotate every ``Encrypted`` value to the newest key and re-derive every ``BlindIndex``."""
    check_registry()
    _, findings = audit.verify(session)
    if findings:
        # Resealing would hide them: the trail must be looked at first (flask audit verify).
        raise RekeyError(f"the audit trail does not verify ({len(findings)} finding(s), first: "
                         f"{findings[0].table} row {findings[0].row_id}); run `flask audit verify`")
    result = RekeyResult()
    for table in Base.metadata.sorted_tables:
        _rotate_table(session, table, cipher, batch_size, result)
    for derive in DERIVED.values():
        derive(session, cipher, batch_size, result)
    result.add("audit chain (resealed rows)", audit.rechain(session))
    return result
