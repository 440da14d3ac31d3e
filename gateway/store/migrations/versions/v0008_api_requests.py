"""REST requests sent with an Idempotency-Key: the first response per client and key.

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

# Written out rather than imported from gateway.store.schema: a revision is a frozen snapshot.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_request",
        sa.Column("id", ID, nullable=False),
        sa.Column("client", sa.String(128), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_request"),
        sa.UniqueConstraint(
            "client", "idempotency_key", name="uq_api_request_client_idempotency_key"
        ),
    )


def downgrade() -> None:
    op.drop_table("api_request")
