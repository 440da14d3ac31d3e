"""`gateway users ...`: console users (the first admin is made here, the rest in the console)."""

from __future__ import annotations

import os
import re
from typing import Annotated

import typer
from rich.console import Console

from gateway.console.roles import NAME_PATTERN, Role

PASSWORD_ENV = "GATEWAY_USER_PASSWORD"

users_app = typer.Typer(help="Web console users.", no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(code)


def _password() -> str:
    """From $GATEWAY_USER_PASSWORD (scripts), else asked twice without echo."""
    given = os.environ.get(PASSWORD_ENV)
    if given is not None:
        return given
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option("--role", help="viewer, operator or admin.")] = Role.VIEWER,
) -> None:
    """Create a console user; the password comes from $GATEWAY_USER_PASSWORD or a prompt."""
    from gateway.cli import _store
    from gateway.console.auth import PasswordPolicyError, hash_password
    from gateway.store import StoreConflictError

    if not re.match(NAME_PATTERN, name):
        raise _fail("a user name is 1-64 letters, digits or . _ @ -")
    try:
        hashed = hash_password(_password())
    except PasswordPolicyError as exc:
        raise _fail(str(exc)) from None
    store = _store()
    try:
        store.add_console_user(name, hashed, role.value)
    except StoreConflictError:
        raise _fail(f"a user {name!r} exists already", 1) from None
    finally:
        store.close()
    out.print(f"user {name} ({role.value}) added", markup=False)


@users_app.command("passwd")
def passwd(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Set a new password (ends the user's sessions)."""
    from gateway.cli import _store
    from gateway.console.auth import PasswordPolicyError, hash_password

    try:
        hashed = hash_password(_password())
    except PasswordPolicyError as exc:
        raise _fail(str(exc)) from None
    store = _store()
    try:
        if not store.update_console_user(name, password_hash=hashed):
            raise _fail(f"no user {name!r}", 1)
    finally:
        store.close()
    out.print(f"password of {name} changed", markup=False)


@users_app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Disable a user (ends the user's sessions at once)."""
    from gateway.cli import _store

    store = _store()
    try:
        if not store.update_console_user(name, disabled=True):
            raise _fail(f"no user {name!r}", 1)
    finally:
        store.close()
    out.print(f"user {name} disabled", markup=False)


@users_app.command("list")
def list_users() -> None:
    """Console users and their roles."""
    from rich.table import Table

    from gateway.cli import _store

    store = _store()
    try:
        rows = store.list_console_users()
    finally:
        store.close()
    table = Table(title="console users")
    for c in ("name", "role", "state", "last login"):
        table.add_column(c)
    for u in rows:
        last = u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else ""
        table.add_row(u.name, u.role, "disabled" if u.disabled else "active", last)
    out.print(table)
