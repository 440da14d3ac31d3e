"""Alembic environment: runs the revisions on the connection `gateway.store.migrate` hands over.

When run from the alembic command line it opens its own engine with the gateway's settings.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from gateway.store.engine import make_engine
from gateway.store.migrate import check_foreign_keys, sqlite_foreign_keys_deferred
from gateway.store.schema import Base

# Any constant works: it only has to be the same in every gateway process sharing the database.
PG_MIGRATION_LOCK = 0x6761_7465  # "gate"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several workers may start at once; the first migrates, the others then find head.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})")
        context.run_migrations()


def _main() -> None:
    config = context.config
    handed_over = config.attributes.get("connection")
    if isinstance(handed_over, Connection):
        _run(handed_over)
        return
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("GATEWAY_DB_URL")
        or config.get_main_option("sqlalchemy.url")
    )
    engine = make_engine(url)
    try:
        with engine.connect() as connection, sqlite_foreign_keys_deferred(connection):
            _run(connection)
            check_foreign_keys(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
_main()
