"""Fixtures shared by the integration tests: a fresh PostgreSQL database per test, and a migrated
store on it (a module's own `store` fixture takes precedence over this one)."""

from tests.integration.test_store_postgres import pg_url, store

__all__ = ["pg_url", "store"]
