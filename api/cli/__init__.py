"""The `baton` command line: serve, ingest, search, chat, keys, handoffs, dispatcher, eval."""

from __future__ import annotations

import click

from api.cli import agent as agent_cli
from api.cli import handoff as handoff_cli
from api.cli import keys as keys_cli
from api.cli import knowledge as knowledge_cli
from api.cli import serve as serve_cli
from api.cli import sites as sites_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Baton: a website chat agent that answers from your marketing content,
    qualifies visitors with BANT and hands qualified leads to sales.

    Settings come from BATON_* environment variables (BATON_DATA_DIR,
    BATON_DATABASE_URL, BATON_CHROMA_URL, BATON_ADMIN_KEY, BATON_LLM, ...).
    """


for _module in (serve_cli, keys_cli, knowledge_cli, agent_cli, handoff_cli, sites_cli):
    _module.register(cli)


def main() -> None:
    """Run the command line."""
    cli(prog_name="baton")
