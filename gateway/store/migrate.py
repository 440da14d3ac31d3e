"""Runs `alembic upgrade head` in code, on the gateway's engine, from the packaged migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from gateway.store.engine import make_engine
from gateway.store.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# alembic keeps the running migration context in module globals: one upgrade per process at a
# time. Across processes the database serialises them (BEGIN IMMEDIATE / advisory lock).
_ALEMBIC = threading.Lock()


def alembic_config() -> Config:
    """An alembic Config pointing at the packaged scripts (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind `engine` in one transaction (serialised across processes)."""
    config = alembic_config()
    with (
        _ALEMBIC,
        engine.connect() as connection,
        sqlite_foreign_keys_deferred(connection),
        connection.begin(),
    ):
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        check_foreign_keys(connection)


@contextmanager
def sqlite_foreign_keys_deferred(connection: Connection) -> Iterator[None]:
    """Switch SQLite's foreign key enforcement off around a migration, and back on after.

    SQLite changes a constraint only by copying the table and dropping the old one; with
    enforcement on, that drop fails on (or would orphan) the rows that reference the table.
    The pragma is ignored inside a transaction, so it is set on the raw connection before
    BEGIN; `check_foreign_keys` then verifies the result before COMMIT.
    """
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit a migration that left a dangling reference (SQLite; see above)."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise StoreError(f"migration left {len(broken)} dangling references in {tables}")


def migrate(url: str | None = None) -> None:
    """Bring the database at `url` (default: the embedded SQLite file) to the latest schema."""
    engine = make_engine(url)
    try:
        upgrade_engine(engine)
    finally:
        engine.dispose()
