"""Webhook delivery state of outbox rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("webhook_status", sa.String(20), nullable=True))
        table.add_column(
            sa.Column(
                "webhook_attempts",
                sa.Integer(),
                nullable=False,
                server_default=sa.text("0"),
            )
        )
        table.add_column(sa.Column("webhook_last_error", sa.Text(), nullable=True))
        table.add_column(
            sa.Column("webhook_sent_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.drop_column("webhook_sent_at")
        table.drop_column("webhook_last_error")
        table.drop_column("webhook_attempts")
        table.drop_column("webhook_status")
