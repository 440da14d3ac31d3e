"""`gateway validate` streams in constant memory; the command's imports must not cost more than
the check itself: loading the CLI pulls in neither the store (SQLAlchemy, alembic) nor an
argon2 hash (64 MiB), which once took its peak RSS from 38 MB to 128 MB (BENCHMARKS.md §3)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_loading_the_cli_imports_no_store_and_hashes_no_password() -> None:
    probe = (
        "import json, sys, argon2\n"
        "calls = []\n"
        "real = argon2.PasswordHasher.hash\n"
        "argon2.PasswordHasher.hash = lambda self, *a, **k: calls.append(1) or real(self, *a, **k)\n"
        "import gateway.cli\n"
        "print(json.dumps({'store': 'gateway.store' in sys.modules,"
        " 'sqlalchemy': 'sqlalchemy' in sys.modules, 'hashes': len(calls)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {"store": False, "sqlalchemy": False, "hashes": 0}


def test_the_console_still_verifies_an_unknown_name_against_a_real_hash() -> None:
    """The dummy hash is made lazily, but it is still a valid argon2 hash (timing safety)."""
    from gateway.console import auth

    assert auth.verify_password(None, "whatever password") is False
    assert auth._dummy_hash().startswith("$argon2")
