"""`baton sites`: the websites allowed to embed the chat widget, and their origins."""

from __future__ import annotations

import click
from sqlalchemy.engine import Engine

from agent.sites import create_site, get_site, list_sites
from core.config import CoreSettings


def register(group: click.Group) -> None:
    """Add the sites commands to the CLI group."""
    group.add_command(sites)


def _engine() -> Engine:
    from core.db import get_engine
    from core.schema import init_schema

    engine = get_engine(CoreSettings().resolved_database_url())
    init_schema(engine)
    return engine


@click.group()
def sites() -> None:
    """Manage the site keys of the chat widget and the web origins allowed for each.

    Embed the widget with <script src="https://HOST/widget.js" data-baton-site="KEY" async>;
    it then works only on pages served from the site's allowed origins.
    """


@sites.command("create")
@click.argument("key")
@click.option("--name", required=True, help="A human name for the site.")
@click.option(
    "--origin",
    "origins",
    multiple=True,
    required=True,
    help="An allowed origin such as https://www.example.com (repeat for more).",
)
def sites_create(key: str, name: str, origins: tuple[str, ...]) -> None:
    """Create a site key, or replace the name and origins of an existing one."""
    try:
        site = create_site(_engine(), key=key, name=name, origins=list(origins))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Site '{site.key}' ({site.name}) allows: {', '.join(site.allowed_origins)}")
    tag = f'<script src="https://YOUR-BATON-HOST/widget.js" data-baton-site="{site.key}" async>'
    click.echo(f"Embed: {tag}</script>")


@sites.command("list")
def sites_list() -> None:
    """List site keys with their allowed origins."""
    for site in list_sites(_engine()):
        click.echo(
            f"{site.key:<20} {site.name}  [{', '.join(site.allowed_origins) or 'no origins'}]"
        )


@sites.command("show")
@click.argument("key")
def sites_show(key: str) -> None:
    """Show one site key and its allowed origins."""
    site = get_site(_engine(), key)
    if site is None:
        raise click.ClickException(f"no site with key {key!r}")
    click.echo(f"{site.key}: {site.name}")
    for origin in site.allowed_origins:
        click.echo(f"  {origin}")
