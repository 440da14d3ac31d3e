"""Fixtures shared by the integration tests: a fresh PostgreSQL database per test."""

from tests.integration.test_store_postgres import pg_url

__all__ = ["pg_url"]
