"""Chroma as a separate server (BATON_CHROMA_URL), started for real in a subprocess."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.config import KnowledgeSettings
from knowledge.service import open_knowledge_base
from tests.knowledge.conftest import make_services

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    """The URL of a Chroma server running on a scratch directory."""
    exe = str(CHROMA) if CHROMA.exists() else shutil.which("chroma")
    if exe is None:
        pytest.skip("the `chroma` executable (from the chromadb package) is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Chroma server did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_ingest_and_search_through_a_chroma_server(
    chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_CHROMA_URL", chroma_url)
    services = make_services(tmp_path / "data")
    assert KnowledgeSettings().chroma_url == chroma_url
    kb = services.knowledge
    kb.ingest_bytes(b"# Relay\n\nThe Relay add-on syncs leads every 90 seconds.", source="r.md")
    assert kb.search("how often are leads synced", k=1)[0].source == "r.md"
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store
    again = open_knowledge_base(services.settings, services.engine)
    assert again.store.count() == 1
