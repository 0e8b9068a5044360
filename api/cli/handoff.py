"""`baton handoffs` (list and show leads in the terminal) and `baton dispatcher`."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click

from core.config import CoreSettings
from core.qualification import Qualification
from handoff.models import HandoffPublic


def register(group: click.Group) -> None:
    """Add the handoffs and dispatcher commands to the CLI group."""
    group.add_command(handoffs)
    group.add_command(dispatcher)


def _services() -> Any:
    from api.app import Services

    return Services(CoreSettings())


@click.group(invoke_without_command=True)
@click.option("--status", type=click.Choice(["pending", "accepted", "rejected", "won", "lost"]))
@click.option("--reason", type=click.Choice(["qualified", "requested"]))
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@click.pass_context
def handoffs(ctx: click.Context, status: str | None, reason: str | None, limit: int) -> None:
    """List handoffs, newest first (`baton handoffs show ID` for one)."""
    if ctx.invoked_subcommand is not None:
        return
    from handoff.service import list_handoffs

    rows = list_handoffs(_services().engine, status=status, reason=reason, limit=limit)
    if not rows:
        click.echo("No handoffs yet.")
        return
    for row in rows:
        public = HandoffPublic.from_row(row)
        who = public.contact.name or public.contact.email or "anonymous"
        company = f" ({public.contact.company})" if public.contact.company else ""
        click.echo(
            f"{public.id}  {public.created_at:%Y-%m-%d %H:%M}  {public.status:<8}  "
            f"{public.reason:<9}  {public.qualification.stage:<5} {public.qualification.score:>3}  "
            f"{who}{company}  -> {public.assigned_to or 'unassigned'}"
        )


@handoffs.command("show")
@click.argument("handoff_id")
def handoffs_show(handoff_id: str) -> None:
    """Show one handoff: summary, next step, BANT with evidence, contact and transcript."""
    from handoff.exceptions import NotFoundError
    from handoff.service import get_handoff

    try:
        public = HandoffPublic.from_row(get_handoff(_services().engine, handoff_id))
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Handoff {public.id}  [{public.status}, {public.reason}]")
    click.echo(
        f"Created {public.created_at:%Y-%m-%d %H:%M} UTC, assigned to "
        f"{public.assigned_to or 'nobody'}"
    )
    click.echo(f"\n{public.summary}\n\nNext step: {public.recommended_next_step}\n")
    for line in _bant_lines(public.qualification):
        click.echo(line)
    contact = public.contact.model_dump(exclude_none=True)
    click.echo("Contact: " + (", ".join(f"{k} {v}" for k, v in contact.items()) or "none"))
    if public.rejection:
        click.echo(f"Rejected: {public.rejection.reason} {public.rejection.note}".rstrip())
    if public.outcome and public.outcome.amount is not None:
        click.echo(f"Outcome: {public.outcome.result}, amount {public.outcome.amount:,.2f}")
    click.echo("\nTranscript:")
    for entry in public.transcript:
        click.echo(f"  [{entry.at:%H:%M}] {entry.role}: {entry.text}")
    if public.cited_sources:
        click.echo("\nCited sources:")
        for source in public.cited_sources:
            click.echo(f"  - {source.title} ({source.source})")


def _bant_lines(q: Qualification) -> list[str]:
    lines = [f"Stage {q.stage}, score {q.score}"]
    for name in ("budget", "authority", "need", "timeline"):
        field = getattr(q, name)
        values = field.model_dump(exclude={"evidence", "message_id"}, exclude_none=True)
        quote = f'  "{field.evidence}"' if field.evidence else ""
        lines.append(f"  {name:<9} " + ", ".join(f"{k}={v}" for k, v in values.items()) + quote)
    return lines


@click.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def dispatcher(once: bool) -> None:
    """Deliver webhook events from the outbox (the server also runs one by default)."""
    services = _services()
    from handoff.dispatcher import build_dispatcher

    worker = build_dispatcher(services.settings, services.engine, services.clock)
    if once:
        sent = 0
        while batch := worker.deliver_due():
            sent += batch
        worker.stop()
        click.echo(f"attempted {sent} deliveries")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    worker.start()
    click.echo("dispatcher running; Ctrl-C to stop", err=True)
    stop.wait()
    worker.stop()
