"""Streaming interchanges, business-event dedup, hold queue and shipment status ordering.

Revision ID: 0002
Revises: 0001
Create Date: 2025-03-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

# Written out rather than imported from gateway.store.schema: a revision is a frozen snapshot.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

OLD_OUTBOX = ("pending", "in_flight", "delivered", "dead")
NEW_OUTBOX = ("held", "pending", "in_flight", "delivered", "dead", "void")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _fk_column(table: str, name: str, target: str, sqlite: bool) -> None:
    """Add a nullable FK column; SQLite can only take the REFERENCES inline (no ALTER ... ADD
    CONSTRAINT), PostgreSQL gets the named constraint."""
    op.add_column(table, sa.Column(name, ID, sa.ForeignKey(target)), inline_references=sqlite)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"

    # 0001 left this CHECK named ck_outbox_ck_outbox_status (the naming convention applied to a
    # full name); the new one takes the name the model gives it. On SQLite this copies the table,
    # which `gateway.store.migrate` runs with foreign key enforcement off and checks afterwards.
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("ck_outbox_ck_outbox_status"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_status"), _in("status", NEW_OUTBOX))
    op.create_index("ix_outbox_document_id", "outbox", ["document_id"])
    op.create_index("ix_interchange_control_number", "interchange", ["control_number"])
    op.create_index("ix_functional_group_control_number", "functional_group", ["control_number"])

    op.add_column(
        "canonical_document",
        sa.Column("status", sa.String(16), nullable=False, server_default="effective"),
    )
    op.add_column("acknowledgement", sa.Column("outbox_key", sa.String(200), nullable=True))
    _fk_column("event", "interchange_id", "interchange.id", sqlite)
    op.create_index("ix_event_interchange_id", "event", ["interchange_id"])
    # Deleting a row checks every FK that points at it; without an index on the referencing
    # column each check scans that table (discard_partial deletes many outbox rows, events and
    # documents at once).
    op.create_index("ix_event_parent_id", "event", ["parent_id"])
    op.create_index("ix_acknowledgement_outbox_id", "acknowledgement", ["outbox_id"])

    op.create_table(
        "business_event",
        sa.Column("id", ID, nullable=False),
        sa.Column("event_key", sa.Text(), nullable=False),
        sa.Column(
            "document_id",
            ID,
            sa.ForeignKey("canonical_document.id", name="fk_business_event_document_id"),
            nullable=False,
        ),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_business_event"),
        sa.UniqueConstraint("event_key", name="uq_business_event_event_key"),
    )
    op.create_index("ix_business_event_document_id", "business_event", ["document_id"])

    op.create_table(
        "document_wait",
        sa.Column(
            "document_id",
            ID,
            sa.ForeignKey("canonical_document.id", name="fk_document_wait_document_id"),
            nullable=False,
            autoincrement=False,
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("since", TS, nullable=False),
        sa.Column("released_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("document_id", name="pk_document_wait"),
        sa.CheckConstraint(
            _in("state", ("waiting", "released", "done")), name=op.f("ck_document_wait_state")
        ),
    )
    op.create_index("ix_document_wait_state_since", "document_wait", ["state", "since"])

    op.create_table(
        "document_wait_key",
        sa.Column("id", ID, nullable=False),
        sa.Column(
            "document_id",
            ID,
            sa.ForeignKey("document_wait.document_id", name="fk_document_wait_key_document_id"),
            nullable=False,
        ),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_document_wait_key"),
    )
    op.create_index("ix_document_wait_key_value", "document_wait_key", ["value"])
    op.create_index("ix_document_wait_key_document_id", "document_wait_key", ["document_id"])

    op.create_table(
        "shipment_event",
        sa.Column(
            "document_id",
            ID,
            sa.ForeignKey("canonical_document.id", name="fk_shipment_event_document_id"),
            nullable=False,
            autoincrement=False,
        ),
        sa.Column("shipment_key", sa.Text(), nullable=False),
        sa.Column("event_time", TS, nullable=False),
        sa.Column("status", sa.String(48), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name="pk_shipment_event"),
    )
    op.create_index(
        "ix_shipment_event_shipment_key_event_time",
        "shipment_event",
        ["shipment_key", "event_time"],
    )

    op.create_table(
        "shipment_status",
        sa.Column("shipment_key", sa.Text(), nullable=False),
        sa.Column("event_time", TS, nullable=False),
        sa.Column("status", sa.String(48), nullable=False),
        sa.Column(
            "document_id",
            ID,
            sa.ForeignKey("canonical_document.id", name="fk_shipment_status_document_id"),
            nullable=True,
        ),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("shipment_key", name="pk_shipment_status"),
    )
    op.create_index("ix_shipment_status_document_id", "shipment_status", ["document_id"])


def downgrade() -> None:
    for table in (
        "shipment_status",
        "shipment_event",
        "document_wait_key",
        "document_wait",
        "business_event",
    ):
        op.drop_table(table)
    op.drop_index("ix_event_interchange_id", "event")
    op.drop_index("ix_event_parent_id", "event")
    op.drop_index("ix_acknowledgement_outbox_id", "acknowledgement")
    op.drop_index("ix_outbox_document_id", "outbox")
    op.drop_index("ix_interchange_control_number", "interchange")
    op.drop_index("ix_functional_group_control_number", "functional_group")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("interchange_id")
    with op.batch_alter_table("acknowledgement") as batch:
        batch.drop_column("outbox_key")
    with op.batch_alter_table("canonical_document") as batch:
        batch.drop_column("status")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_ck_outbox_status"), _in("status", OLD_OUTBOX))
