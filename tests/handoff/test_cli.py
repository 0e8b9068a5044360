"""`baton handoffs` and `baton dispatcher --once` in the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.app import Services
from api.cli import cli
from core.config import CoreSettings
from handoff import webhooks
from handoff.config import HandoffSettings
from tests.handoff.conftest import START, make_handoff
from tests.handoff.receiver import Receiver


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BATON_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_list_and_show(data_dir: Path) -> None:
    services = Services(CoreSettings(data_dir=data_dir))
    runner = CliRunner()
    assert "No handoffs yet." in runner.invoke(cli, ["handoffs"]).output
    handoff = make_handoff(services.engine)
    listed = runner.invoke(cli, ["handoffs", "--status", "pending"])
    assert listed.exit_code == 0
    assert handoff.id in listed.output and "Dana Smith (Acme)" in listed.output
    shown = runner.invoke(cli, ["handoffs", "show", handoff.id])
    assert shown.exit_code == 0, shown.output
    assert handoff.summary in shown.output
    assert "Next step: Book a demo call this week" in shown.output
    assert '"20-30k EUR a year"' in shown.output
    assert "visitor: Do you integrate with SAP?" in shown.output
    missing = runner.invoke(cli, ["handoffs", "show", "ho_nope"])
    assert missing.exit_code != 0 and "not found" in missing.output


def test_dispatcher_once(data_dir: Path, receiver: Receiver) -> None:
    services = Services(CoreSettings(data_dir=data_dir))
    webhooks.create_endpoint(
        services.engine,
        url=receiver.url,
        events=["handoff.created"],
        format="standard",
        description=None,
        created_by="t",
        settings=HandoffSettings(),
        now=START,
    )
    handoff = make_handoff(services.engine)
    result = CliRunner().invoke(cli, ["dispatcher", "--once"])
    assert result.exit_code == 0 and "attempted 1 deliveries" in result.output
    assert receiver.wait_for(1)[0].json()["data"]["id"] == handoff.id
