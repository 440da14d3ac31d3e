"""Alembic revisions, oldest first; each changes the schema identically on both dialects."""
