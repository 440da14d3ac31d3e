"""Acknowledgement kind 990: carriers' tender responses tracked beside 997/999/TA1.

Revision ID: 0003
Revises: 0002
Create Date: 2025-03-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# Written out rather than imported from gateway.store.schema: a revision is a frozen snapshot.
OLD_KINDS = ("997", "999", "TA1")
NEW_KINDS = ("997", "999", "TA1", "990")

# 0001 named its CHECKs in full and the naming convention prefixed them again; the new one takes
# the name the model gives it (as 0002 did for the outbox status).
OLD_NAME = "ck_acknowledgement_ck_acknowledgement_kind"
NEW_NAME = "ck_acknowledgement_kind"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # On SQLite this copies the table; `gateway.store.migrate` runs it with foreign key
    # enforcement off and checks the references before COMMIT.
    with op.batch_alter_table("acknowledgement") as batch:
        batch.drop_constraint(op.f(OLD_NAME), type_="check")
        batch.create_check_constraint(op.f(NEW_NAME), _in("kind", NEW_KINDS))


def downgrade() -> None:
    # Refuse rather than delete: a 990 row is a tender's only record of the carrier's answer.
    count = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM acknowledgement WHERE kind = '990'"))
        .scalar_one()
    )
    if count:
        raise RuntimeError(
            f"cannot downgrade below 0003: {count} acknowledgement rows of kind 990 exist"
        )
    with op.batch_alter_table("acknowledgement") as batch:
        batch.drop_constraint(op.f(NEW_NAME), type_="check")
        batch.create_check_constraint(op.f(OLD_NAME), _in("kind", OLD_KINDS))
