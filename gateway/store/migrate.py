"""Runs `alembic upgrade head` in code, on the gateway's engine, from the packaged migrations."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from gateway.store.engine import make_engine

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
    with _ALEMBIC, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def migrate(url: str | None = None) -> None:
    """Bring the database at `url` (default: the embedded SQLite file) to the latest schema."""
    engine = make_engine(url)
    try:
        upgrade_engine(engine)
    finally:
        engine.dispose()
