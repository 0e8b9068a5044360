"""`python -m evals.bench_agent`: offline turn latency at 10,000 chunks, cold and warm.

Ingests `demo/` plus generated documents until the knowledge base holds 10,000 chunks,
then runs visitor messages (the retrieval set's questions and the scripted conversations'
turns) through the agent in-process. A turn is everything `Agent.post_message` does:
validate, store the message, retrieve, answer, extract, qualify, store the reply.
The first pass meets each passage for the first time (its sentences get embedded);
the second pass is warm. Measures; never passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "evals" / "results" / "bench_agent.json"
TARGET_CHUNKS = 10_000
TURNS_PER_CONVERSATION = 6


class TimedRetriever:
    """The knowledge base's search, timed, so the report can tell retrieval from the rest."""

    def __init__(self, kb: Any) -> None:
        self.kb = kb
        self.last_ms = 0.0

    def search(self, query: str, k: int = 5) -> Any:
        """Search and remember how long it took."""
        started = time.perf_counter()
        try:
            return self.kb.search(query, k)
        finally:
            self.last_ms = (time.perf_counter() - started) * 1000


def build_kb(data_dir: Path, work: Path, target: int) -> Any:
    """Return services whose knowledge base holds the demo plus generated chunks."""
    from api.app import Services
    from core.clock import FixedClock
    from core.config import CoreSettings
    from evals.bench_knowledge import write_corpus

    services = Services(
        CoreSettings(data_dir=data_dir), clock=FixedClock(datetime(2026, 11, 23, 10, tzinfo=UTC))
    )
    kb = services.knowledge
    kb.ingest_paths([ROOT / "demo"], base=ROOT)
    seed = 10
    while kb.store.count() < target:
        missing = target - kb.store.count()
        folder = work / f"corpus-{seed}"
        write_corpus(folder, docs=max(1, missing // 6 + 1), doc_bytes=5_000, seed=seed)
        kb.ingest_paths([folder], base=work)
        print(f"knowledge base: {kb.store.count()} chunks", flush=True)
        seed += 1
    return services


def messages() -> list[str]:
    """Return the visitor messages to time: questions and scripted turns."""
    from evals.retrieval import load_set

    texts = [q["query"] for q in load_set()]
    for path in sorted((ROOT / "evals" / "conversations").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        texts.extend(t["visitor"] for t in spec.get("turns") or [])
    return texts


def time_pass(agent: Any, texts: list[str], retriever: TimedRetriever) -> dict[str, Any]:
    """Post every message, a new conversation every few turns; report whole turns and parts."""
    turns: list[float] = []
    searches: list[float] = []
    conversation_id = ""
    for i, text in enumerate(texts):
        if i % TURNS_PER_CONVERSATION == 0:
            conversation_id = agent.create_conversation().id
        started = time.perf_counter()
        agent.post_message(conversation_id, text)
        turns.append((time.perf_counter() - started) * 1000)
        searches.append(retriever.last_ms)
    return {
        "turn": percentiles(turns),
        "retrieval": percentiles(searches),
        "turn_without_retrieval": percentiles(
            [t - s for t, s in zip(turns, searches, strict=True)]
        ),
    }


def percentiles(ms: list[float]) -> dict[str, float]:
    """Return p50, p95 and max of a list of milliseconds."""
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "turns": len(ms),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Build the knowledge base, time a cold and a warm pass and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=TARGET_CHUNKS, help="knowledge base size")
    args = parser.parse_args(argv)
    from agent.config import AgentSettings
    from agent.offline import OfflineEngine
    from agent.service import Agent

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="baton-bench-agent-") as tmp:
        work = Path(tmp)
        services = build_kb(work / "data", work, args.chunks)
        retriever = TimedRetriever(services.knowledge)
        settings = AgentSettings(llm="offline")
        agent = Agent(
            db=services.engine,
            kb=retriever,
            engine=OfflineEngine(services.knowledge.embedder, company=settings.company_name),
            clock=services.clock,
            settings=settings,
        )
        texts = messages()
        figures["chunks"] = services.knowledge.store.count()
        for name in ("cold", "warm"):
            figures[name] = time_pass(agent, texts, retriever)
            print(name, "pass", figures[name]["turn"], flush=True)
    figures["cpus"] = os.cpu_count()
    figures["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    print()
    print(f"| offline engine, {figures['chunks']} chunks | p50 | p95 | max |")
    print("|---|---|---|---|")
    for name in ("cold", "warm"):
        for part in ("turn", "retrieval", "turn_without_retrieval"):
            f = figures[name][part]
            row = f"| {name}: {part.replace('_', ' ')} ({f['turns']}) | {f['p50_ms']} ms "
            print(row + f"| {f['p95_ms']} ms | {f['max_ms']} ms |")
    print(f"\n{figures['cpus']} CPUs, 1-minute load average {figures['load_average_1m_at_end']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
