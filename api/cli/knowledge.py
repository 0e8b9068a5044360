"""`baton ingest`, `search`, `documents`, `delete`, `reindex`: the knowledge base from a shell."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from knowledge.service import KnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO_ROOT / "demo"


def register(group: click.Group) -> None:
    """Add the knowledge commands to the CLI group."""
    for command in (ingest, search, documents, delete, reindex):
        group.add_command(command)


def _open(*, check_embedder: bool = True) -> KnowledgeBase:
    from api.app import Services
    from core.config import CoreSettings
    from knowledge.exceptions import KnowledgeError
    from knowledge.service import open_knowledge_base

    services = Services(CoreSettings())
    try:
        return open_knowledge_base(
            services.settings, services.engine, check_embedder=check_embedder
        )
    except KnowledgeError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Show a progress bar on stderr.")  # fmt: skip
def ingest(paths: tuple[Path, ...], progress: bool) -> None:
    """Ingest files and folders (recursively) into the knowledge base.

    Reads Markdown, MDX, HTML, plain text and PDF. A document's source is its path
    relative to the current directory. Unchanged files are skipped, changed ones get a
    new version. A bad file is reported and skipped; the exit status is 1 if any failed.
    """
    kb = _open()
    report = kb.ingest_paths(list(paths), progress=progress and sys.stderr.isatty())
    for error in report.errors:
        click.echo(f"error: {error.source}: {error.reason}", err=True)
    click.echo(
        f"{report.count('created')} created, {report.count('updated')} updated, "
        f"{report.count('unchanged')} unchanged, {len(report.errors)} failed"
    )
    if report.errors:
        sys.exit(1)


@click.command()
@click.argument("question")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50),
              help="How many passages to show.")  # fmt: skip
@click.option("--tag", "tags", multiple=True, help="Only documents with this tag (repeatable).")
@click.option("--source-prefix", default=None, help="Only documents whose source starts so.")
def search(question: str, k: int, tags: tuple[str, ...], source_prefix: str | None) -> None:
    """Show the passages that best answer QUESTION, best first."""
    hits = _open().search(question, k, tags=list(tags) or None, source_prefix=source_prefix)
    if not hits:
        click.echo("no matching passages")
    for rank, hit in enumerate(hits, start=1):
        click.echo(f"{rank}. [{hit.score:.4f}] {hit.title} ({hit.source})")
        snippet = " ".join(hit.text.split())
        click.echo(f"   {snippet[:300]}{'...' if len(snippet) > 300 else ''}")


@click.command()
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="List at most this many.")  # fmt: skip
def documents(limit: int) -> None:
    """List stored documents: id, version, chunk count, source and title."""
    kb = _open()
    cursor: str | None = None
    shown = 0
    while shown < limit:
        page = kb.list_documents(min(200, limit - shown), cursor)
        for doc in page.items:
            click.echo(
                f"{doc.id}  v{doc.version}  {doc.chunks:>4} chunks  {doc.source}  {doc.title}"
            )
        shown += len(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    click.echo(f"{kb.document_count()} documents")


@click.command()
@click.argument("source_or_id")
def delete(source_or_id: str) -> None:
    """Delete a document (by source or id) and every passage of it."""
    kb = _open()
    doc = kb.find_document(source_or_id)
    if doc is None or not kb.delete_document(doc.id):
        raise click.ClickException(f"no document with source or id {source_or_id!r}")
    click.echo(f"deleted {doc.source} ({doc.id})")


@click.command()
def reindex() -> None:
    """Rebuild every vector with the configured embedder (after changing BATON_EMBEDDINGS)."""
    kb = _open(check_embedder=False)
    chunks = kb.reindex()
    click.echo(f"re-indexed {chunks} chunks with {kb.embedder.name}")


def ingest_demo() -> None:
    """Ingest the bundled demo knowledge base (idempotent; sources like `demo/pricing.md`)."""
    report = _open().ingest_paths([DEMO_DIR], base=REPO_ROOT)
    for error in report.errors:
        click.echo(f"demo: {error.source}: {error.reason}", err=True)
    click.echo(
        f"demo knowledge base: {report.count('created') + report.count('updated')} loaded, "
        f"{report.count('unchanged')} unchanged, {len(report.errors)} failed"
    )
