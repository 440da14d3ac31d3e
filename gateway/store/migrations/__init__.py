"""Alembic environment of the store, shipped inside the package so it can migrate itself."""
