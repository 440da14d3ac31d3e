"""The newest alembic revision, read from the packaged scripts: tests compare the database with it
instead of writing a revision id that every new migration would have to edit."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from gateway.store.migrate import alembic_config

HEAD_REVISION: str = ScriptDirectory.from_config(alembic_config()).get_current_head() or ""
