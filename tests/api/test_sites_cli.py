"""`baton sites` creates and lists widget site keys with their origins."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from api.cli import sites as sites_cli


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> click.Group:
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    group = click.Group()
    sites_cli.register(group)
    return group


def test_create_list_and_show_sites(cli: click.Group) -> None:
    runner = CliRunner()
    made = runner.invoke(
        cli,
        [
            "sites",
            "create",
            "shop",
            "--name",
            "Shop",
            "--origin",
            "https://Shop.example.com/",
            "--origin",
            "http://localhost:3000",
        ],
    )
    assert made.exit_code == 0, made.output
    assert "https://shop.example.com, http://localhost:3000" in made.output
    assert 'data-baton-site="shop"' in made.output
    listed = runner.invoke(cli, ["sites", "list"])
    assert "shop" in listed.output
    assert "https://shop.example.com" in listed.output
    shown = runner.invoke(cli, ["sites", "show", "shop"])
    assert shown.output.splitlines() == [
        "shop: Shop",
        "  https://shop.example.com",
        "  http://localhost:3000",
    ]


def test_bad_input_is_a_clear_error(cli: click.Group) -> None:
    runner = CliRunner()
    bad = runner.invoke(cli, ["sites", "create", "shop", "--name", "Shop", "--origin", "shop.com"])
    assert bad.exit_code == 1
    assert "not a web origin" in bad.output
    missing = runner.invoke(cli, ["sites", "show", "nope"])
    assert missing.exit_code == 1
    assert "no site with key 'nope'" in missing.output
