"""Work queue for several workers: worker heartbeats, message leases, periodic job slots.

Revision ID: 0010
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

# Written out rather than imported from gateway.store.schema: a revision is a frozen snapshot.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "queue_worker",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("last_heartbeat", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_queue_worker"),
    )
    op.create_index("ix_queue_worker_last_heartbeat", "queue_worker", ["last_heartbeat"])
    op.create_table(
        "queue_lease",
        sa.Column(
            "message_id",
            ID,
            sa.ForeignKey(
                "received_message.id", name="fk_queue_lease_message_id", ondelete="CASCADE"
            ),
            nullable=False,
            autoincrement=False,
        ),
        sa.Column("worker_id", sa.String(36), nullable=False),
        sa.Column("token", sa.String(36), nullable=False),
        sa.Column("lease_until", TS, nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_queue_lease"),
    )
    op.create_index("ix_queue_lease_worker_id", "queue_lease", ["worker_id"])
    op.create_table(
        "queue_slot",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("last_slot", sa.BigInteger(), nullable=False),
        sa.Column("ran_at", TS, nullable=False),
        sa.Column("worker_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_queue_slot"),
    )


def downgrade() -> None:
    op.drop_table("queue_slot")
    op.drop_index("ix_queue_lease_worker_id", table_name="queue_lease")
    op.drop_table("queue_lease")
    op.drop_index("ix_queue_worker_last_heartbeat", table_name="queue_worker")
    op.drop_table("queue_worker")
