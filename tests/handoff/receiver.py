"""A real webhook receiver on loopback: records requests and answers scripted statuses."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """A scripted answer; `hold` keeps the request open until it is set."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    hold: threading.Event | None = None


@dataclass
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """Parse the body."""
        return json.loads(self.body)


class Receiver:
    """An HTTP server in a thread; `script` answers requests in order, then 200."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[Received] = []
        self.script: deque[Reply] = deque()
        self.arrived = threading.Condition()
        self.in_flight: dict[str, int] = {}
        self.overlaps: list[str] = []
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                msg_id = self.headers.get("webhook-id", "")
                with receiver.arrived:
                    if receiver.in_flight.get(msg_id):
                        receiver.overlaps.append(msg_id)
                    receiver.in_flight[msg_id] = receiver.in_flight.get(msg_id, 0) + 1
                    reply = receiver.script.popleft() if receiver.script else Reply()
                    receiver.requests.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    receiver.arrived.notify_all()
                try:
                    if reply.hold is not None:
                        reply.hold.wait(30)
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the sender went away (a killed dispatcher)
                finally:
                    with receiver.arrived:
                        receiver.in_flight[msg_id] -= 1

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Receiver:
        """Start serving."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """Wait until `count` requests arrived (or fail) and return them all."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} requests, got {len(self.requests)}")
                self.arrived.wait(left)
            return list(self.requests)
