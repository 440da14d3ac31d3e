"""Index events by kind: the status page, metrics and `gateway messages` read notices by kind
(inbox entries refused, test data withheld, profile reloads) without scanning the event log.

Revision ID: 0011
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision: str = "0011"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_event_kind_id"), "event", ["kind", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_event_kind_id"), table_name="event")
