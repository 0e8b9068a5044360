"""Benchmark webhook delivery: events per second from one dispatcher, and handoff-to-delivery delay.

Run with `python -m evals.bench_webhooks [--events 500] [--database-url URL]`. It uses a
fresh SQLite file (or the given database), a real loopback receiver and the real dispatcher.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from agent.models import Conversation
from core.clock import SystemClock
from core.db import get_engine, session_scope
from core.qualification import Qualification
from core.schema import init_schema
from handoff import service, webhooks
from handoff.config import HandoffSettings
from handoff.dispatcher import Dispatcher
from handoff.models import TranscriptEntry

STATE = {
    "budget": {"status": "allocated", "amount": 20000, "currency": "EUR", "period": "annual"},
    "authority": {"status": "decision_maker", "role": "CTO"},
    "need": {"status": "identified", "summary": "a website chat agent"},
    "timeline": {"status": "stated", "within_days": 30},
    "contact": {"name": "Bench Buyer", "email": "buyer@bench.test"},
    "score": 90,
    "stage": "sql",
}


class _Arrivals:
    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.cond = threading.Condition()

    def wait(self, ids: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while any(i not in self.at for i in ids) and time.monotonic() < deadline:
                self.cond.wait(max(0.0, deadline - time.monotonic()))


def _receiver(arrivals: _Arrivals) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a production receiver would

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            handoff_id = json.loads(body)["data"]["id"]
            with arrivals.cond:
                arrivals.at.setdefault(handoff_id, time.time())
                arrivals.cond.notify_all()
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _create_handoff(engine: Engine) -> tuple[str, float]:
    now = datetime.now(UTC)
    conversation = Conversation(visitor_token_hash="0" * 64, stage="sql")
    with session_scope(engine) as session:
        session.add(conversation)
        session.flush()
        handoff = service.record_trigger(
            session,
            conversation_id=conversation.id,
            reason="qualified",
            qualification=Qualification.model_validate(STATE),
            transcript=[TranscriptEntry(role="visitor", text="Can we book a demo?", at=now)],
            cited_sources=[],
            page={"url": "https://bench.test/"},
            now=now,
        )
    return handoff.id, time.time()


def _throughput(engine: Engine, settings: HandoffSettings, arrivals: _Arrivals, n: int) -> float:
    ids = [_create_handoff(engine)[0] for _ in range(n)]
    dispatcher = Dispatcher(engine, SystemClock(), settings)
    started = time.perf_counter()
    dispatcher.start()
    arrivals.wait(ids, timeout=300)
    elapsed = time.perf_counter() - started
    dispatcher.stop()
    missing = [i for i in ids if i not in arrivals.at]
    if missing:
        raise SystemExit(f"{len(missing)} events never arrived")
    return n / elapsed


def _latency(
    engine: Engine, settings: HandoffSettings, arrivals: _Arrivals, n: int, gap: float
) -> list[float]:
    dispatcher = Dispatcher(engine, SystemClock(), settings)
    dispatcher.start()
    created = []
    for _ in range(n):
        created.append(_create_handoff(engine))
        time.sleep(gap)
    arrivals.wait([i for i, _ in created], timeout=60)
    dispatcher.stop()
    return [(arrivals.at[i] - t) * 1000 for i, t in created if i in arrivals.at]


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--latency-events", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = get_engine(url)
        init_schema(engine)
        arrivals = _Arrivals()
        server = _receiver(arrivals)
        base = HandoffSettings(webhook_allow_loopback=True)
        webhooks.create_endpoint(
            engine,
            url=f"http://127.0.0.1:{server.server_address[1]}/hook",
            events=["handoff.created"],
            format="standard",
            description="bench",
            created_by="bench",
            settings=base,
            now=datetime.now(UTC),
        )
        print(f"database: {engine.dialect.name}; receiver on loopback; one dispatcher")
        for workers in (1, 4):
            settings = base.model_copy(update={"dispatcher_workers": workers})
            rate = _throughput(engine, settings, arrivals, args.events)
            print(
                f"throughput, {workers} sender thread(s): {rate:,.0f} events/s "
                f"({args.events} events queued before start)"
            )
        for poll in (0.5, 0.05):
            settings = base.model_copy(update={"dispatcher_poll_seconds": poll})
            delays = _latency(engine, settings, arrivals, args.latency_events, gap=0.02)
            print(
                f"handoff -> delivery delay, poll {poll:g} s: p50 {_percentile(delays, 50):.0f} ms,"
                f" p95 {_percentile(delays, 95):.0f} ms, max {max(delays):.0f} ms "
                f"({len(delays)} handoffs, one every 20 ms)"
            )
        server.shutdown()
        engine.dispose()


if __name__ == "__main__":
    main()
