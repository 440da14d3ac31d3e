"""Initial schema: messages, envelopes, canonical documents, acks, outbox, events, counters.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# Written out rather than imported from gateway.store.schema: a revision is a frozen snapshot.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
TS = sa.DateTime(timezone=True)


def _pk() -> sa.Column[int]:
    return sa.Column("id", ID, nullable=False)


def _fk(name: str, target: str, *, nullable: bool = True) -> sa.Column[int]:
    return sa.Column(name, ID, sa.ForeignKey(target), nullable=nullable)


def _check_in(name: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=name)


def upgrade() -> None:
    op.create_table(
        "received_message",
        _pk(),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("account", sa.String(128), nullable=True),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("archive_path", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("quarantine_reason", sa.Text(), nullable=True),
        sa.Column(
            "duplicate_of",
            ID,
            sa.ForeignKey("received_message.id", name="fk_received_message_duplicate_of"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_received_message"),
        sa.UniqueConstraint("partner_id", "sha256", name="uq_received_message_partner_id_sha256"),
        _check_in(
            "ck_received_message_status",
            "status",
            ("received", "parsed", "quarantined", "duplicate", "failed"),
        ),
    )
    op.create_index("ix_received_message_status_id", "received_message", ["status", "id"])

    op.create_table(
        "interchange",
        _pk(),
        sa.Column(
            "message_id",
            ID,
            sa.ForeignKey("received_message.id", name="fk_interchange_message_id"),
            nullable=True,
        ),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("sender_qualifier", sa.String(4), nullable=False),
        sa.Column("sender_id", sa.String(35), nullable=False),
        sa.Column("receiver_qualifier", sa.String(4), nullable=False),
        sa.Column("receiver_id", sa.String(35), nullable=False),
        sa.Column("control_number", sa.String(32), nullable=False),
        sa.Column("version", sa.String(12), nullable=False),
        sa.Column("usage", sa.String(4), nullable=False),
        sa.Column("ta1_status", sa.String(16), nullable=True),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_interchange"),
        _check_in("ck_interchange_direction", "direction", ("in", "out")),
    )
    op.create_index(
        "ix_interchange_direction_sender_id_control_number",
        "interchange",
        ["direction", "sender_id", "control_number"],
    )
    op.create_index("ix_interchange_message_id", "interchange", ["message_id"])

    op.create_table(
        "functional_group",
        _pk(),
        sa.Column(
            "interchange_id",
            ID,
            sa.ForeignKey("interchange.id", name="fk_functional_group_interchange_id"),
            nullable=False,
        ),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("functional_id", sa.String(4), nullable=False),
        sa.Column("control_number", sa.String(32), nullable=False),
        sa.Column("version", sa.String(12), nullable=False),
        sa.Column("set_count", sa.Integer(), nullable=False),
        sa.Column("ack_code", sa.String(1), nullable=True),
        sa.Column("application_sender", sa.String(35), nullable=False),
        sa.Column("application_receiver", sa.String(35), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_functional_group"),
        _check_in("ck_functional_group_direction", "direction", ("in", "out")),
    )
    op.create_index("ix_functional_group_interchange_id", "functional_group", ["interchange_id"])

    op.create_table(
        "transaction_set",
        _pk(),
        sa.Column(
            "group_id",
            ID,
            sa.ForeignKey("functional_group.id", name="fk_transaction_set_group_id"),
            nullable=False,
        ),
        sa.Column("set_id", sa.String(8), nullable=False),
        sa.Column("control_number", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(1), nullable=False),
        sa.Column("errors", JSON, nullable=True),
        sa.Column("segment_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_transaction_set"),
    )
    op.create_index("ix_transaction_set_group_id", "transaction_set", ["group_id"])

    op.create_table(
        "canonical_document",
        _pk(),
        sa.Column(
            "transaction_set_id",
            ID,
            sa.ForeignKey("transaction_set.id", name="fk_canonical_document_transaction_set_id"),
            nullable=True,
        ),
        sa.Column(
            "message_id",
            ID,
            sa.ForeignKey("received_message.id", name="fk_canonical_document_message_id"),
            nullable=True,
        ),
        sa.Column("doc_type", sa.String(32), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("business_key", sa.Text(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_canonical_document"),
    )
    op.create_index(
        "ix_canonical_document_transaction_set_id", "canonical_document", ["transaction_set_id"]
    )
    op.create_index("ix_canonical_document_message_id", "canonical_document", ["message_id"])
    op.create_index(
        "ix_canonical_document_doc_type_business_key",
        "canonical_document",
        ["doc_type", "business_key"],
    )

    op.create_table(
        "correlation_key",
        _pk(),
        sa.Column(
            "document_id",
            ID,
            sa.ForeignKey("canonical_document.id", name="fk_correlation_key_document_id"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_correlation_key"),
    )
    op.create_index("ix_correlation_key_value", "correlation_key", ["value"])
    op.create_index("ix_correlation_key_document_id", "correlation_key", ["document_id"])

    op.create_table(
        "outbox",
        _pk(),
        sa.Column("destination", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("payload_path", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_token", sa.String(36), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("delivered_at", TS, nullable=True),
        sa.Column(
            "source_message_id",
            ID,
            sa.ForeignKey("received_message.id", name="fk_outbox_source_message_id"),
            nullable=True,
        ),
        sa.Column(
            "document_id",
            ID,
            sa.ForeignKey("canonical_document.id", name="fk_outbox_document_id"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
        _check_in("ck_outbox_status", "status", ("pending", "in_flight", "delivered", "dead")),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_source_message_id", "outbox", ["source_message_id"])

    op.create_table(
        "acknowledgement",
        _pk(),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(3), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column(
            "interchange_id",
            ID,
            sa.ForeignKey("interchange.id", name="fk_acknowledgement_interchange_id"),
            nullable=True,
        ),
        sa.Column(
            "group_id",
            ID,
            sa.ForeignKey("functional_group.id", name="fk_acknowledgement_group_id"),
            nullable=True,
        ),
        sa.Column("interchange_control_number", sa.String(32), nullable=False),
        sa.Column("group_control_number", sa.String(32), nullable=True),
        sa.Column("functional_id", sa.String(4), nullable=True),
        sa.Column("due_at", TS, nullable=True),
        sa.Column(
            "ack_message_id",
            ID,
            sa.ForeignKey("received_message.id", name="fk_acknowledgement_ack_message_id"),
            nullable=True,
        ),
        sa.Column(
            "outbox_id",
            ID,
            sa.ForeignKey("outbox.id", name="fk_acknowledgement_outbox_id"),
            nullable=True,
        ),
        sa.Column("detail", JSON, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_acknowledgement"),
        _check_in(
            "ck_acknowledgement_status",
            "status",
            (
                "pending",
                "accepted",
                "accepted_with_errors",
                "partially_accepted",
                "rejected",
                "overdue",
            ),
        ),
        _check_in("ck_acknowledgement_direction", "direction", ("sent", "received", "expected")),
        _check_in("ck_acknowledgement_kind", "kind", ("997", "999", "TA1")),
    )
    op.create_index("ix_acknowledgement_status_due_at", "acknowledgement", ["status", "due_at"])
    op.create_index(
        "ix_acknowledgement_partner_id_group_control_number",
        "acknowledgement",
        ["partner_id", "group_control_number"],
    )
    op.create_index("ix_acknowledgement_interchange_id", "acknowledgement", ["interchange_id"])
    op.create_index("ix_acknowledgement_group_id", "acknowledgement", ["group_id"])

    op.create_table(
        "event",
        _pk(),
        sa.Column(
            "message_id",
            ID,
            sa.ForeignKey("received_message.id", name="fk_event_message_id"),
            nullable=True,
        ),
        sa.Column(
            "outbox_id", ID, sa.ForeignKey("outbox.id", name="fk_event_outbox_id"), nullable=True
        ),
        sa.Column(
            "parent_id", ID, sa.ForeignKey("event.id", name="fk_event_parent_id"), nullable=True
        ),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("detail", JSON, nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event"),
    )
    op.create_index("ix_event_message_id", "event", ["message_id"])
    op.create_index("ix_event_outbox_id", "event", ["outbox_id"])

    op.create_table(
        "control_number_counter",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "kind", name="pk_control_number_counter"),
    )


def downgrade() -> None:
    for table in (
        "control_number_counter",
        "event",
        "acknowledgement",
        "outbox",
        "correlation_key",
        "canonical_document",
        "transaction_set",
        "functional_group",
        "interchange",
        "received_message",
    ):
        op.drop_table(table)
