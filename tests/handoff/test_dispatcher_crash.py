"""A dispatcher killed mid-delivery: another resumes after the claim expires, nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from api.app import Services
from core.config import CoreSettings
from handoff import webhooks
from handoff.config import HandoffSettings
from handoff.models import WebhookDelivery
from tests.conftest import ADMIN_KEY
from tests.handoff.conftest import make_handoff
from tests.handoff.receiver import Receiver, Reply

ROOT = Path(__file__).resolve().parents[2]


def _start_dispatcher(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "dispatcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_killed_dispatcher_is_resumed_by_another(tmp_path: Path, receiver: Receiver) -> None:
    settings = CoreSettings(data_dir=tmp_path / "data", admin_key=ADMIN_KEY)
    services = Services(settings)
    webhooks.create_endpoint(
        services.engine,
        url=receiver.url,
        events=["handoff.created"],
        format="standard",
        description=None,
        created_by="test",
        settings=HandoffSettings(),
        now=datetime.now(UTC),
    )
    handoff = make_handoff(services.engine, now=datetime.now(UTC))
    env = {
        **os.environ,
        "BATON_DATA_DIR": str(settings.data_dir),
        "BATON_WEBHOOK_ALLOW_LOOPBACK": "true",
        "BATON_WEBHOOK_TIMEOUT_SECONDS": "2",
        "BATON_DISPATCHER_LEASE_SECONDS": "3",
        "BATON_DISPATCHER_POLL_SECONDS": "0.1",
    }
    held = threading.Event()
    receiver.script.append(Reply(200, hold=held))  # the first try hangs until the kill
    first = _start_dispatcher(env)
    second = None
    try:
        receiver.wait_for(1, timeout=30)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        held.set()
        with Session(services.engine) as session:
            claimed = session.exec(select(WebhookDelivery)).one()
        assert claimed.status == "pending" and claimed.claim_token is not None
        second = _start_dispatcher(env)
        requests = receiver.wait_for(2, timeout=30)
        assert requests[0].headers["webhook-id"] == requests[1].headers["webhook-id"]
        assert requests[1].json()["data"]["id"] == handoff.id
        deadline = datetime.now(UTC).timestamp() + 10
        while datetime.now(UTC).timestamp() < deadline:
            with Session(services.engine) as session:
                done = session.exec(select(WebhookDelivery)).one()
            if done.status == "succeeded":
                break
            time.sleep(0.1)
        assert done.status == "succeeded" and done.attempts == 1
    finally:
        held.set()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)
            if proc is not None and proc.stderr is not None:
                proc.stderr.close()
