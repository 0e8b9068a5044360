"""`baton keys`: create, list and revoke staff keys."""

from __future__ import annotations

import click
from sqlalchemy.engine import Engine

from core.auth import ROLES, create_key, list_keys, revoke_key
from core.config import CoreSettings


def register(group: click.Group) -> None:
    """Add the keys commands to the CLI group."""
    group.add_command(keys)


def _engine() -> Engine:
    from api.app import Services

    return Services(CoreSettings()).engine


@click.group()
def keys() -> None:
    """Manage staff API keys (admin, marketer, sales)."""


@keys.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the key may do.")
@click.option("--name", required=True, help="Who or what uses the key.")
def keys_create(role: str, name: str) -> None:
    """Create a key and print it once; only its hash is stored."""
    row, secret = create_key(_engine(), name=name, role=role)  # type: ignore[arg-type]
    click.echo(f"Created {row.role} key '{row.name}' (id {row.id}).")
    click.echo("Store it now; it is not shown again:")
    click.echo(secret)


@keys.command("list")
def keys_list() -> None:
    """List keys with their role and status."""
    for row in list_keys(_engine()):
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        click.echo(f"{row.id}  {row.role:<8} {row.prefix}…  {row.name}  ({state})")


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke a key by id."""
    if not revoke_key(_engine(), key_id):
        raise click.ClickException(f"no live key with id {key_id}")
    click.echo(f"revoked {key_id}")
