"""How far each party has read a tender's messages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-17
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_read",
        sa.Column(
            "tender_id",
            sa.String(100),
            sa.ForeignKey("tender.tender_id"),
            nullable=False,
        ),
        sa.Column("party", sa.String(20), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=False),
        sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_id", sa.String(100), nullable=True),
        sa.Column("read_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("tender_id", "party", "request_id"),
    )


def downgrade() -> None:
    op.drop_table("message_read")
