"""Initial read-model schema.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _str(length: int, nullable: bool = False) -> dict:
    return {"type_": sa.String(length), "nullable": nullable}


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _int(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False)


def _flag(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), nullable=False)


def _json(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.JSON(), nullable=nullable)


def _tender_fk() -> sa.Column:
    return sa.Column(
        "tender_id", sa.String(100), sa.ForeignKey("tender.tender_id"), nullable=False
    )


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "policy",
        sa.Column("policy_id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", **_str(100)),
        sa.Column("line_of_business", **_str(50, nullable=True)),
        sa.Column("value", **_str(20)),
        sa.Column("backoffice_email", **_str(320, nullable=True)),
        _json("timings"),
        _at("updated_at"),
        sa.Column("updated_by", **_str(200)),
        sa.UniqueConstraint(
            "organisation_id", "line_of_business", name="uq_policy_line"
        ),
    )
    _indexes("policy", "organisation_id")
    op.create_index(
        "uq_policy_default",
        "policy",
        ["organisation_id"],
        unique=True,
        sqlite_where=sa.text("line_of_business IS NULL"),
        postgresql_where=sa.text("line_of_business IS NULL"),
    )

    op.create_table(
        "tender",
        sa.Column("tender_id", sa.String(100), primary_key=True),
        sa.Column("organisation_id", **_str(100)),
        sa.Column("broker_id", **_str(200)),
        sa.Column("broker_name", **_str(200, nullable=True)),
        sa.Column("line_of_business", **_str(50)),
        sa.Column("trade", **_str(200)),
        sa.Column("status", **_str(40)),
        sa.Column("mode", **_str(40, nullable=True)),
        sa.Column("assignee_id", **_str(200, nullable=True)),
        sa.Column("assignee_name", **_str(200, nullable=True)),
        _at("submitted_at"),
        _at("updated_at"),
        _at("closed_at", nullable=True),
        sa.Column("accepted_quote_id", **_str(100, nullable=True)),
        _int("requests_total"),
        _int("open_requests"),
        _int("quotes_total"),
        _at("next_deadline", nullable=True),
        _int("version"),
        _json("submission", nullable=True),
        _at("created_at"),
        _at("projected_at"),
    )
    _indexes(
        "tender",
        "assignee_id",
        "broker_id",
        "line_of_business",
        "mode",
        "next_deadline",
        "organisation_id",
        "status",
        "submitted_at",
        "updated_at",
    )

    op.create_table(
        "audit_event",
        sa.Column("event_id", sa.String(100), primary_key=True),
        _tender_fk(),
        _at("at"),
        _json("actor"),
        sa.Column("action", **_str(100)),
        sa.Column("request_id", **_str(100, nullable=True)),
        sa.Column("quote_id", **_str(100, nullable=True)),
        _json("details"),
    )
    _indexes("audit_event", "at", "tender_id")

    op.create_table(
        "insurer_request",
        sa.Column("request_id", sa.String(100), primary_key=True),
        _tender_fk(),
        sa.Column("insurer_id", **_str(100)),
        sa.Column("insurer_name", **_str(200)),
        sa.Column("contact_email", **_str(320)),
        sa.Column("access_token_sha256", **_str(64)),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", **_str(40)),
        _at("sent_at"),
        _at("deadline"),
        _int("reminders_sent"),
        _json("reminder_due"),
        _at("clarification_since", nullable=True),
        sa.Column("status_before_clarification", **_str(40, nullable=True)),
        _json("decline", nullable=True),
        sa.Column("quote_id", **_str(100, nullable=True)),
        _at("closed_at", nullable=True),
        _int("tender_version"),
    )
    op.create_index(
        "ix_insurer_request_access_token_sha256",
        "insurer_request",
        ["access_token_sha256"],
        unique=True,
    )
    _indexes("insurer_request", "insurer_id", "status", "tender_id")

    op.create_table(
        "outbox",
        sa.Column("notification_id", sa.String(100), primary_key=True),
        _tender_fk(),
        sa.Column("kind", **_str(40)),
        sa.Column("recipient_role", **_str(20)),
        sa.Column("recipient_email", **_str(320)),
        sa.Column("request_id", **_str(100, nullable=True)),
        sa.Column("subject", **_str(500)),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", **_str(20)),
        _int("attempts"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _at("created_at"),
        _at("sent_at", nullable=True),
    )
    _indexes("outbox", "created_at", "status", "tender_id")

    op.create_table(
        "thread_message",
        sa.Column("message_id", sa.String(100), primary_key=True),
        _tender_fk(),
        sa.Column("request_id", **_str(100, nullable=True)),
        _json("author"),
        sa.Column("author_role", **_str(20)),
        sa.Column("text", sa.Text(), nullable=False),
        _json("attachments"),
        _flag("is_question"),
        _at("sent_at"),
    )
    _indexes("thread_message", "request_id", "sent_at", "tender_id")

    op.create_table(
        "quote",
        sa.Column("quote_id", sa.String(100), primary_key=True),
        _tender_fk(),
        sa.Column(
            "request_id",
            sa.String(100),
            sa.ForeignKey("insurer_request.request_id"),
            nullable=False,
        ),
        sa.Column("insurer_id", **_str(100)),
        sa.Column("insurer_name", **_str(200)),
        sa.Column("tariff", **_str(200)),
        sa.Column("net_annual_premium_eur", sa.Numeric(14, 2), nullable=False),
        sa.Column("gross_annual_premium_eur", sa.Numeric(14, 2), nullable=False),
        sa.Column("payment_frequency", **_str(20)),
        sa.Column("deductible_eur", sa.Numeric(14, 2), nullable=False),
        _json("sums_insured"),
        sa.Column("deviations", sa.Text(), nullable=True),
        sa.Column("insurer_reference", **_str(100, nullable=True)),
        sa.Column("valid_until", sa.Date(), nullable=False),
        _json("documents"),
        _at("received_at"),
        _json("uploaded_by"),
        _flag("on_behalf_of_insurer"),
        _flag("released"),
        _at("released_at", nullable=True),
        _flag("expired"),
        _flag("expiry_warned"),
        _int("tender_version"),
    )
    _indexes("quote", "request_id", "tender_id")


def downgrade() -> None:
    for table in (
        "quote",
        "thread_message",
        "outbox",
        "insurer_request",
        "audit_event",
        "tender",
        "policy",
    ):
        op.drop_table(table)
