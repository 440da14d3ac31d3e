"""The ERP SOAP service's requests by document number (idempotency and replayed responses).

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

# Written out rather than imported from gateway.store.schema: a revision is a frozen snapshot.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
STATES = ("processing", "done")


def upgrade() -> None:
    op.create_table(
        "soap_request",
        sa.Column("id", ID, nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("docnum", sa.String(64), nullable=False),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("order_number", sa.Text(), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column(
            "message_id",
            ID,
            sa.ForeignKey("received_message.id", name="fk_soap_request_message_id"),
            nullable=True,
        ),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_soap_request"),
        sa.UniqueConstraint("partner_id", "docnum", name="uq_soap_request_partner_id_docnum"),
        sa.CheckConstraint(
            "state IN (" + ", ".join(repr(s) for s in STATES) + ")", name="ck_soap_request_state"
        ),
    )
    op.create_index(
        "ix_soap_request_partner_id_order_number", "soap_request", ["partner_id", "order_number"]
    )
    op.create_index("ix_soap_request_message_id", "soap_request", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_soap_request_message_id", table_name="soap_request")
    op.drop_index("ix_soap_request_partner_id_order_number", table_name="soap_request")
    op.drop_table("soap_request")
