"""The knowledge commands of the `baton` CLI, driven through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from api.cli.knowledge import DEMO_DIR, ingest_demo
from tests.knowledge.files import PNG_BYTES


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner in a scratch working directory with its own data directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_ingest_search_list_delete_reindex(runner: CliRunner, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "plans.md").write_text("# Plans\n\n## Nimbus plan\nThe Nimbus plan costs $29.\n")
    (docs / "sub" / "about.html").write_text(
        "<html><head><title>About</title></head><body><main><h1>About us</h1>"
        "<p>We route leads for 400 companies.</p></main></body></html>"
    )
    (docs / "logo.png").write_bytes(PNG_BYTES)
    (docs / "empty.txt").write_text("")

    first = runner.invoke(cli, ["ingest", "docs", "missing.md"])
    assert first.exit_code == 1, first.output
    assert "2 created, 0 updated, 0 unchanged, 3 failed" in first.output
    for name in ("docs/logo.png", "docs/empty.txt", "missing.md"):
        assert f"error: {name}:" in first.output

    again = runner.invoke(cli, ["ingest", "docs/plans.md", "docs/sub"])
    assert again.exit_code == 0 and "0 created, 0 updated, 2 unchanged" in again.output

    found = runner.invoke(cli, ["search", "Nimbus plan price", "-k", "1"])
    assert found.exit_code == 0 and "(docs/plans.md)" in found.output and "$29" in found.output
    filtered = runner.invoke(cli, ["search", "Nimbus", "--source-prefix", "docs/sub/"])
    assert "docs/plans.md" not in filtered.output and "docs/sub/about.html" in filtered.output

    listed = runner.invoke(cli, ["documents"])
    assert "docs/plans.md" in listed.output and "docs/sub/about.html" in listed.output
    assert "2 documents" in listed.output

    reindexed = runner.invoke(cli, ["reindex"])
    assert reindexed.exit_code == 0 and "re-indexed" in reindexed.output

    deleted = runner.invoke(cli, ["delete", "docs/plans.md"])
    assert deleted.exit_code == 0 and "deleted docs/plans.md" in deleted.output
    gone = runner.invoke(cli, ["delete", "docs/plans.md"])
    assert gone.exit_code != 0 and "no document" in gone.output
    assert "1 documents" in runner.invoke(cli, ["documents"]).output


@pytest.mark.parametrize(
    ("command", "phrase"),
    [
        ("ingest", "recursively"),
        ("search", "best answer"),
        ("documents", "List stored documents"),
        ("delete", "by source or id"),
        ("reindex", "embedder"),
    ],
)
def test_every_command_explains_itself(runner: CliRunner, command: str, phrase: str) -> None:
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and phrase in result.output


def test_ingest_demo_is_idempotent(runner: CliRunner, capsys: pytest.CaptureFixture[str]) -> None:
    demo_files = [p for p in DEMO_DIR.rglob("*") if p.is_file()]
    assert len(demo_files) >= 15
    ingest_demo()
    first = capsys.readouterr().out
    assert f"{len(demo_files)} loaded, 0 unchanged, 0 failed" in first
    ingest_demo()
    assert f"0 loaded, {len(demo_files)} unchanged, 0 failed" in capsys.readouterr().out
    listed = runner.invoke(cli, ["documents"])
    assert "demo/pricing.mdx" in listed.output
