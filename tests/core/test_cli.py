"""The command line explains itself and offers every documented command."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli import cli

DOCUMENTED = (
    "serve",
    "ingest",
    "search",
    "reindex",
    "documents",
    "delete",
    "keys",
    "chat",
    "eval",
    "handoffs",
    "dispatcher",
    "sites",
)


def test_help_lists_every_documented_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in DOCUMENTED:
        assert f"  {name} " in result.output, name


def test_eval_refuses_an_unknown_set() -> None:
    result = CliRunner().invoke(cli, ["eval", "--only", "vibes"])
    assert result.exit_code == 2
    assert "retrieval" in result.output and "conversations" in result.output
