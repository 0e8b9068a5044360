"""`baton chat` holds a conversation in the terminal and shows the state as it changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli


def test_chat_answers_and_shows_the_qualification(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["chat", "--no-stream"],
        input="hi\nWe need to automate lead routing\nwe have 10k a year approved\nquit\n",
    )
    assert result.exit_code == 0, result.output
    assert "bot: Hi! I'm the Relaypoint assistant" in result.output
    assert "N:identified" in result.output
    assert "B:allocated" in result.output
    assert "score" in result.output


def test_chat_streams_and_stops_at_end_of_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(cli, ["chat"], input="thanks\n")
    assert result.exit_code == 0, result.output
    assert "You're welcome!" in result.output
    assert "B:unknown" in result.output
