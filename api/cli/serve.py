"""`baton serve`: run the HTTP server."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the serve command to the CLI group."""
    group.add_command(serve)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=int,
              help="API worker processes (more than one needs PostgreSQL and BATON_CHROMA_URL).")
@click.option("--load-demo", is_flag=True, help="Ingest the bundled demo knowledge base first.")
def serve(host: str, port: int, workers: int, load_demo: bool) -> None:
    """Serve the API, the chat widget, the demo page and the staff console."""
    import uvicorn

    if load_demo:
        from api.cli.knowledge import ingest_demo

        ingest_demo()
    click.echo(f"Baton is serving on http://{host}:{port}  (console: /console, API docs: /docs)")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info")
