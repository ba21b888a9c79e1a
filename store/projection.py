"""Apply a workflow step to the read model, idempotently.

Requests and quotes are replaced only by a batch of a newer tender version, the
tender row only moves forward in version, and messages, audit entries and
outbox rows are inserted once by id. Replaying a batch, or applying an older
one after a newer one, changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Insert
from sqlmodel import SQLModel

from models.projection import ProjectionBatch
from store import mapping
from store.tables import (
    AuditEventRecord,
    InsurerRequestRecord,
    OutboxRecord,
    QuoteRecord,
    TenderRecord,
    ThreadMessageRecord,
)

TENDER_KEEP_ON_UPDATE = {"tender_id", "created_at", "submission"}


def apply_batch(
    connection: Connection,
    batch: ProjectionBatch,
    outbox_rows: Sequence[dict[str, Any]],
    now: datetime,
) -> bool:
    """Write one batch inside the caller's transaction.

    Returns whether the tender row moved to the batch's version.
    """
    tender_id = batch.tender.tender_id
    version = batch.tender.version
    moved = _upsert_tender(connection, batch, now)

    _upsert_versioned(
        connection,
        InsurerRequestRecord,
        "request_id",
        [mapping.request_values(r, tender_id, version) for r in batch.requests],
    )
    _upsert_versioned(
        connection,
        QuoteRecord,
        "quote_id",
        [mapping.quote_values(q, tender_id, version) for q in batch.quotes],
    )
    _insert_new(
        connection,
        ThreadMessageRecord,
        "message_id",
        [mapping.message_values(m, tender_id) for m in batch.messages],
    )
    _insert_new(
        connection,
        AuditEventRecord,
        "event_id",
        [mapping.audit_values(a) for a in batch.audit],
    )
    _insert_new(connection, OutboxRecord, "notification_id", list(outbox_rows))
    return moved


def _insert(connection: Connection, table: type[SQLModel]) -> Insert:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {dialect} dialect")


def _upsert_tender(
    connection: Connection, batch: ProjectionBatch, now: datetime
) -> bool:
    values = mapping.tender_values(batch.tender, batch.submission, now)
    statement = _insert(connection, TenderRecord).values(values)
    table = TenderRecord.__table__
    changes = {
        name: statement.excluded[name]
        for name in values
        if name not in TENDER_KEEP_ON_UPDATE
    }
    changes["submission"] = func.coalesce(
        table.c.submission, statement.excluded.submission
    )
    statement = statement.on_conflict_do_update(
        index_elements=["tender_id"],
        set_=changes,
        where=table.c.version < statement.excluded.version,
    )
    return connection.execute(statement).rowcount > 0


def _upsert_versioned(
    connection: Connection,
    table: type[SQLModel],
    key: str,
    rows: list[dict[str, Any]],
) -> None:
    if not rows:
        return
    statement = _insert(connection, table).values(rows)
    columns = table.__table__.c
    statement = statement.on_conflict_do_update(
        index_elements=[key],
        set_={name: statement.excluded[name] for name in rows[0] if name != key},
        where=columns.tender_version < statement.excluded.tender_version,
    )
    connection.execute(statement)


def _insert_new(
    connection: Connection,
    table: type[SQLModel],
    key: str,
    rows: list[dict[str, Any]],
) -> None:
    if rows:
        statement = _insert(connection, table).values(rows)
        connection.execute(statement.on_conflict_do_nothing(index_elements=[key]))
