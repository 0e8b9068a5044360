"""`baton chat`: hold a conversation in the terminal with the same agent the widget talks to."""

from __future__ import annotations

import click

from core.qualification import Qualification

_EXIT_WORDS = {"quit", "exit", "/quit", "/exit", ":q"}


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    group.add_command(chat)
    group.add_command(eval_)


@click.command()
@click.option("--demo", is_flag=True, help="Load the bundled demo knowledge base first.")
@click.option(
    "--stream/--no-stream", default=True, show_default=True, help="Print the reply as it comes."
)
def chat(demo: bool, stream: bool) -> None:
    """Chat with the agent in the terminal, in-process (no server needed).

    After each reply a compact line shows the qualification state as it changes:
    B/A/N/T statuses, the score and the stage. Type 'quit' or press Ctrl-D to stop.
    """
    from agent.engine import StreamReset
    from agent.exceptions import AgentError
    from agent.turn import TurnResult
    from api.app import Services

    services = Services()
    if demo:
        from api.cli.knowledge import ingest_demo

        ingest_demo()
    agent = services.agent
    created = agent.create_conversation(metadata={"channel": "cli"})
    click.secho(f"bot: {created.greeting}", fg="cyan")
    while True:
        try:
            text = click.prompt("you", prompt_suffix=": ")
        except (click.exceptions.Abort, EOFError):
            click.echo()
            break
        if text.strip().lower() in _EXIT_WORDS:
            break
        try:
            if stream:
                click.secho("bot: ", fg="cyan", nl=False)
                result = None
                for item in agent.stream_message(created.id, text):
                    if isinstance(item, TurnResult):
                        result = item
                    elif isinstance(item, StreamReset):
                        click.secho(" [answer restarted]", fg="yellow")
                        click.secho("bot: ", fg="cyan", nl=False)
                    else:
                        click.secho(item, fg="cyan", nl=False)
                click.echo()
            else:
                result = agent.post_message(created.id, text)
                click.secho(f"bot: {result.text}", fg="cyan")
        except AgentError as exc:
            click.secho(f"error: {exc}", fg="red")
            continue
        if result is not None:
            for c in result.citations:
                click.secho(f"     [{c.title}] {c.source}", fg="blue")
            click.secho(state_line(result.qualification), fg="bright_black")
    agent.close()


def state_line(q: Qualification) -> str:
    """Describe a qualification state in one compact line."""
    parts = [
        f"B:{q.budget.status}",
        f"A:{q.authority.status}",
        f"N:{q.need.status}",
        f"T:{q.timeline.status}",
    ]
    if q.contact.email:
        parts.append(f"email:{q.contact.email}")
    return "  [" + " ".join(parts) + f" | score {q.score} | {q.stage}]"


@click.command("eval")
@click.option(
    "--only",
    type=click.Choice(["retrieval", "conversations"]),
    help="Run one labelled set instead of both.",
)
def eval_(only: str | None) -> None:
    """Measure quality on the labelled sets in evals/ (retrieval, then conversations).

    Prints recall@5 and MRR per retrieval mode, then per-field and stage accuracy,
    handoff-trigger precision/recall and groundedness; results go to evals/results/.
    """
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    if not (root / "evals" / "retrieval.py").is_file():
        raise click.ClickException(f"the evals/ folder is not next to the code ({root})")
    sets = [only] if only else ["retrieval", "conversations"]
    for name in sets:
        click.echo(f"== evals.{name} ==")
        # Each set in its own process: they build their own stores and servers.
        code = subprocess.call([sys.executable, "-m", f"evals.{name}"], cwd=root)
        if code:
            raise click.ClickException(f"evals.{name} exited with {code}")
